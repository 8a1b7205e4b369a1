/**
 * Jobs shared by the CLI, the engine worker and the extension: what to protect, how far a run
 * is, what it produced, and what `verify` found. Types only (plain data that crosses thread and
 * process boundaries); import with `import type`.
 */
import type { PerturbationKind, ProtectionReport } from '../core/report';

/** Tunables of a protect run. */
export interface ProtectOptions {
  /** Seed of every random choice; same seed and inputs → byte-identical output. */
  seed: number;
  /** Equivalence tolerance on relDiff. */
  tolerance: number;
  /** 'auto' searches the largest passing amplitude; a number fixes it. */
  amplitude: 'auto' | number;
  /** Copies per hidden neuron (≥ 3: one keeps the weights, the rest cancel). */
  copies: number;
  /** Positive rescaling by powers of two in 2^[-r, r] (ReLU-family layers only); 0 disables it. */
  rescaleExponent: number;
  /** Extra cancelling twin pairs per hidden layer (0 = none). */
  twins: number;
  /** Certified tripwires between the first two hidden ReLU layers (0 = none); silent on every input. */
  tripwires: number;
  /** Perturbation kinds to sweep. */
  kinds: PerturbationKind[];
  /** At most this many evaluation samples are used (first N). */
  maxSamples: number;
  /** Seeded repeats per magnitude for noise sweeps. */
  repeats: number;
}

/** A request to protect one model. */
export interface ProtectJob {
  /** Main file of the model. */
  modelPath: string;
  /** Output folder; default `<dir>/<name>.mimosa/`. */
  outDir?: string;
  /** Evaluation inputs (.npy/.npz/.csv/.json); probes are generated without it. */
  dataPath?: string;
  /** Integer labels for the inputs. */
  labelsPath?: string;
  /** Overwrite an existing output folder. */
  force: boolean;
  /** Tunables. */
  options: ProtectOptions;
}

/** Phases of a protect run, in order; progress bars and timings use these names. */
export type ProtectPhase = 'read' | 'data' | 'calibrate' | 'write' | 'equivalence' | 'fragility' | 'report';

/** Progress of a running job. */
export interface JobProgress {
  /** Current phase. */
  phase: ProtectPhase;
  /** One line for a status bar or log ("amplitude 2^7: relDiff 3.1e-5, pass"). */
  message: string;
  /** Overall completion in [0, 1], for a progress bar. */
  fraction: number;
}

/** Result of a finished protect job. */
export interface ProtectResult {
  /** The report, also written as report.json. */
  report: ProtectionReport;
  /** Absolute path of report.json. */
  reportPath: string;
  /** Absolute path of the protected model's main file. */
  protectedPath: string;
}

/** Outcome of `mimosanet verify`. */
export interface VerifyResult {
  /** True when every file matches its recorded hash and, if re-run, the model is still equivalent. */
  ok: boolean;
  /** The protected model checked. */
  modelPath: string;
  /** The report it was checked against. */
  reportPath: string;
  /** One entry per file recorded in the report. */
  files: { name: string; ok: boolean; problem?: string }[];
  /** Where the report says the original is. */
  originalPath: string;
  /** Re-run of the equivalence check against the original, when the original is still there. */
  equivalence?: { top1Agreement: number; maxAbsDiff: number; relDiff: number; passed: boolean; runtime: string; samples: number };
}
