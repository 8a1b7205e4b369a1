/**
 * The report schema (DESIGN §7): what `protect` writes as report.json, what the CLI prints with
 * --json, and what the webview renders. Plain data only, so it crosses worker and webview
 * boundaries unchanged. Bump `schemaVersion` on any incompatible change.
 */

import type { AttackReport } from './attacks/attackReport';
import type { OwnershipRecord } from './ownership/record';
import type { PerturbationKind } from './perturbations/kinds';

// The kinds, their titles and everything else about them live in core/perturbations/ (one module per kind).
export { PERTURBATION_KINDS, PERTURBATION_TITLES, type PerturbationKind } from './perturbations/kinds';

/** Function-preserving constructions (DESIGN §3). */
export type ConstructionMethod = 'split' | 'rescale' | 'permute' | 'twins' | 'tripwires' | 'relu-pair-hidden-layer';

/** One side (original or protected) of a fragility curve. */
export interface FragilitySeries {
  /**
   * Mean metric over the repeats, one value per magnitude; for fine-tuning, where the repeats are
   * learning rates, the best of them (the attacker's choice).
   */
  mean: number[];
  /** Smallest metric over the repeats, per magnitude (lower edge of the band). */
  min: number[];
  /** Largest metric over the repeats, per magnitude (upper edge of the band). */
  max: number[];
  /** Fraction of repeats whose metric fell to the halfway line or below ("broken"), per magnitude. */
  broken: number[];
  /** Metric without perturbation (accuracy or agreement = 1). */
  clean: number;
  /** Magnitude where the mean falls halfway from clean to chance; null when it never does on the grid. */
  s50: number | null;
  /** True when the curve is already at or below halfway at the smallest magnitude: s50 is then at most `s50`. */
  s50BelowGrid: boolean;
  /**
   * Index of the first magnitude no repeat was measured at (reports from 0.3 on): each repeat
   * stopped after sitting at chance for two magnitudes, and its last value is carried to the
   * end of the grid. Absent when every magnitude was measured.
   */
  notMeasuredFrom?: number;
}

/** The fragility curves of one perturbation kind. */
export interface FragilityKind {
  /** Which perturbation. */
  kind: PerturbationKind;
  /** What a magnitude means for this kind, for axis labels ("relative noise σ", "Adam steps", ...). */
  magnitudeLabel: string;
  /** The magnitudes swept (log grid where it makes sense). */
  magnitudes: number[];
  /** Number of seeded repeats per magnitude (learning rates tried, for fine-tuning). */
  repeats: number;
  /** Curve of the unprotected model. */
  original: FragilitySeries;
  /** Curve of the protected model. */
  protected: FragilitySeries;
  /**
   * s50(original) / s50(protected). When the original never reaches s50 on the grid the value
   * is computed with the largest magnitude instead, and when the protected curve starts below
   * halfway its s50 is only an upper bound; either way `fragilityFactorBound` is 'lower'.
   * Null when the protected model never reaches s50 either, or the kind has a single magnitude.
   */
  fragilityFactor: number | null;
  /** 'exact', or 'lower' when the factor is only a lower bound (see above). */
  fragilityFactorBound: 'exact' | 'lower';
  /** Kind-specific notes (learning rate, batch size, what a "break" is). */
  notes?: string;
}

/** A requested perturbation kind that was not swept. */
export interface SkippedKind {
  kind: PerturbationKind;
  /** Why, as a phrase: "needs labels". */
  reason: string;
}

/** One amplitude the search tried. */
export interface AmplitudeSearchTrial {
  amplitude: number;
  passed: boolean;
  /** relDiff in the search engine (`construction.search`; the reference runtime before 0.3). */
  relDiff: number;
  /** Worst relDiff under the emulated orders (absent in reports before 0.2). */
  emulatedRelDiff?: number;
  /**
   * Set when a real runtime failed the searched amplitude and the search stepped down: which
   * runtime and batch, and its relDiff (relDiff then holds the reference runtime's at batch 256).
   */
  failedIn?: { runtime: string; batch: number; relDiff: number };
}

/** One amplitude of the trade-off table (Details tab). */
export interface AmplitudeTradeOff {
  amplitude: number;
  /** The amplitude the protected copy was built with. */
  chosen: boolean;
  /** Worst relDiff under the emulated kernel orders. */
  emulatedRelDiff: number;
  emulatedTop1Agreement: number;
  /** Probabilistic relDiff bound for any order. */
  probabilisticBound: number;
  /**
   * Multiplicative-noise fragility factor of the splitting alone (tripwires off, since theirs does
   * not depend on the amplitude), from a quick sweep (200 samples, one repeat).
   */
  fragilityFactor: number | null;
  /** Samples of the row's emulation and bound (reports from 0.3 on; before, the full check's). The sweep uses 200. */
  samples?: number;
}

/** One row of the runtime matrix: both models run in a real runtime at one batch size. */
export interface RuntimeEquivalence {
  /** Library, version and backend. */
  runtime: string;
  /** Rows per call (1 takes matrix-vector paths, large batches tiled GEMMs). */
  batch: number;
  /** Samples compared (batch 1 runs on the first few hundred: one runtime call each). */
  samples: number;
  top1Agreement: number;
  relDiff: number;
  maxAbsDiff: number;
  passed: boolean;
}

/** One emulated kernel assignment (see core/fieldEquivalence). */
export interface EmulatedOrderResult {
  /** What the assignment stands for, e.g. "independent order per column, 96 orders (draw 2)". */
  label: string;
  relDiff: number;
  maxAbsDiff: number;
  top1Agreement: number;
}

/** The field part of the equivalence check. */
export interface FieldEquivalence {
  /** Real runtimes at batch 1 and at a large batch. */
  runtimes: RuntimeEquivalence[];
  /** Runtimes that could not run here, and why. */
  notes: string[];
  /** Emulated summation orders (core float32): uniform and independent per output column. */
  emulated: {
    samples: number;
    results: EmulatedOrderResult[];
    worst: EmulatedOrderResult;
    /** The search required worst.relDiff ≤ tolerance / margin. */
    margin: number;
    /** worst within tolerance / margin (the search's requirement; `FieldEquivalence.passed` uses the tolerance). */
    passed: boolean;
  };
  /** Bounds on relDiff that hold for every summation order (see core/errorBound), over the same samples. */
  bound: {
    /** Proven bound (γ_n per dot product, worst-case propagation). */
    deterministic: number;
    /** Higham–Mary bound; fails with probability at most failureProbability under independent roundings. */
    probabilistic: number;
    failureProbability: number;
    samples: number;
  };
  /** Every runtime row and every emulated assignment passed. */
  passed: boolean;
}

/** The report written beside every protected model. */
export interface ProtectionReport {
  /** Schema version; readers refuse versions they do not know. */
  schemaVersion: 1;
  /** ISO time the report was made. */
  createdAt: string;
  /** Version of the tool that made it. */
  tool: { name: 'mimosanet'; version: string };
  /** The original model. */
  model: {
    path: string;
    format: string;
    layers: { units: number; activation: string }[];
    inputs: number;
    parameters: number;
    bytes: number;
    /** What the reader had to normalise to read it (Keras 3 names, batch_shape, ...). */
    normalised: string[];
  };
  /** The protected model written beside it. */
  protected: {
    path: string;
    /** Every file written for the protected model (main file first). */
    files: string[];
    layers: { units: number; activation: string }[];
    parameters: number;
    bytes: number;
    /** SHA-256 of each written model file, so `verify` can detect tampering. */
    sha256: Record<string, string>;
    /**
     * Largest |weight| or |bias| (reports from 0.2 on): tripwire gains and rescaling reach ~1e17,
     * far inside float32's 3.4e38 but beyond float16 and int8, by design.
     */
    maxAbsWeight?: number;
  };
  /** How the protected copy was built. */
  construction: {
    seed: number;
    /** Amplitude M actually used, relative to each layer's weight scale rounded to a power of two. */
    amplitude: number;
    /** Whether M was searched ('auto') or given. */
    amplitudeMode: 'auto' | 'fixed';
    /** Amplitudes tried by the search and whether each passed, in order. */
    amplitudeSearch: AmplitudeSearchTrial[];
    /**
     * Where the search ran its trials (reports from 0.3 on): the compute engine and the samples
     * it compared, and the samples of the emulated orders (a quick screen on fewer samples
     * first). Before 0.3 trials ran in the reference runtime on every sample.
     */
    search?: { engine: string; samples: number; emulatedSamples: number; screenSamples: number };
    tolerance: number;
    /** Copies per hidden neuron. */
    copies: number;
    /** Rescaling range: factors are powers of two in 2^[-r, r]. */
    rescaleExponent: number;
    methods: ConstructionMethod[];
    /** Amplitude vs fidelity vs fragility around the chosen amplitude (reports from 0.2 on). */
    tradeOff?: AmplitudeTradeOff[];
    /** A limit of the equivalence the reader must see (reports of 0.1 with tripwires carry one). */
    caveat?: string;
  };
  /** The evaluation data. */
  data: {
    source: 'file' | 'probes';
    path?: string;
    labelsPath?: string;
    samples: number;
    labelled: boolean;
    /** How probes were generated, when source is 'probes'. */
    probeDescription?: string;
  };
  /** Original vs protected outputs, run in the real runtime. */
  equivalence: {
    top1Agreement: number;
    maxAbsDiff: number;
    meanAbsDiff: number;
    relDiff: number;
    /** What was compared: 'logits' (pre-softmax/sigmoid) or 'outputs'. */
    compared: 'logits' | 'outputs';
    accuracyOriginal: number | null;
    accuracyProtected: number | null;
    passed: boolean;
    /** Library and version that ran both models, e.g. "@tensorflow/tfjs 4.22.0 (cpu backend)". */
    runtime: string;
    /** Largest |Δ| of each sample, for the difference chart (at most a few thousand values). */
    perSampleMaxAbsDiff: number[];
    /**
     * Samples the headline check compared (reports from 0.3 on; before, every sample of `data`):
     * fewer than the data's for networks too large to run in full in a slow runtime.
     */
    samples?: number;
    /** The same check in float64 arithmetic of the stored weights (exactness of the construction), on the emulated samples (all samples before 0.3). */
    float64MaxAbsDiff: number;
    /** Reports before 0.2: both models summed sequentially in float32 (superseded by `field`). */
    strictFloat32?: { relDiff: number; top1Agreement: number; samples: number };
    /** Equivalence in every runtime the format deploys to and under emulated kernels (DESIGN §4). */
    field?: FieldEquivalence;
  };
  /** Perturbation sweeps. */
  fragility: {
    /** 'accuracy' with labels, else 'agreement' (top-1 agreement with the unperturbed original). */
    metric: 'accuracy' | 'agreement';
    /** Chance level 1/classes, the floor s50 is measured against. */
    chance: number;
    /** Samples used for the sweeps (a subset of the evaluation data when it is large). */
    samples: number;
    /** Arithmetic used by the sweeps. */
    runtime: string;
    kinds: FragilityKind[];
    /** Requested kinds that were not measured, and why (fine-tuning without labels); absent in older reports. */
    skipped?: SkippedKind[];
  };
  /** One-sentence verdict shown at the top of the report. */
  verdict: string;
  /**
   * The attack lab (reports from 0.3 on, unless attacks were turned off or the data is too small):
   * what an attacker holding the copy and half of the data gets. Without labels (reports from
   * 0.3 on) only the attacks that need none, as top-1 agreement, the others listed as skipped.
   */
  attacks?: AttackReport;
  /**
   * Ownership evidence for a later `compare --report` (reports from 0.3 on, when the data has
   * labels and ownership was not turned off): reference bands and the dark-knowledge calibration.
   */
  ownership?: OwnershipRecord;
  /** Why ownership evidence was not recorded although the data had labels (a model too large for the budget). */
  ownershipNote?: string;
  /** Wall time per phase, seconds. */
  timings: Record<string, number>;
  /**
   * Wall seconds the job spent in each real runtime running the original's and the protected
   * files (reports from 0.3 on), by runtime name: part of the calibrate and equivalence phases.
   */
  runtimeSeconds?: Record<string, number>;
}
