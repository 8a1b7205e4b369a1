import type { ComputeBackend } from '../core/compute';
import { compareOutputs, equivalencePasses, type OutputComparison } from '../core/equivalence';
import { forwardErrorBound, relDiffBound, type BoundKind, type ErrorBound } from '../core/errorBound';
import { emulatedEquivalence, type EmulatedEquivalence } from '../core/fieldEquivalence';
import { forward } from '../core/forward';
import { outputWidth, type DenseNetwork } from '../core/network';
import { measureFragility } from '../core/fragility';
import type { AmplitudeTradeOff, FieldEquivalence, RuntimeEquivalence } from '../core/report';
import type { ModelRuntime, WrittenFile } from '../formats/format';

/**
 * The field equivalence check (issue: equivalence in every float32 runtime a user deploys to):
 * emulated kernel orders during the amplitude search, then the format's real runtimes at
 * batch 1 and a large batch on the written files, and a bound that holds for any order.
 */

/** Samples run under emulated orders and the bound (enough for a stable worst case, ~0.3 s a pass on the example). */
export const FIELD_EMULATION_SAMPLES = 500;
/**
 * Multiply-adds one emulated assignment may cost (rows × protected weights): emulation runs
 * scalar JavaScript, so a network 200× the example's is emulated on fewer samples (never fewer
 * than MIN_EMULATION_SAMPLES); the report records the count.
 */
const EMULATION_BUDGET = 2.5e8;
const MIN_EMULATION_SAMPLES = 4;
/** The quick screen a search candidate must pass before the full emulation (most failures show here): a fifth of it. */
export function screenSamples(full: number): number {
  return Math.min(full, Math.max(2, Math.ceil(full / 5)));
}

/** Samples emulated for a candidate of `weights` weights, out of `rows`. */
export function emulationSamples(rows: number, weights: number): number {
  const affordable = Math.floor(EMULATION_BUDGET / Math.max(1, weights));
  return Math.min(rows, FIELD_EMULATION_SAMPLES, Math.max(MIN_EMULATION_SAMPLES, affordable));
}
/** The search keeps the emulated worst case below tolerance / margin: unseen orders and data vary. */
export const FIELD_MARGIN = 2;
/** Samples predicted one row at a time (each call costs a model round trip in the runtime). */
export const BATCH_ONE_SAMPLES = 200;
/** The large batch: tiled GEMM paths. */
export const LARGE_BATCH = 256;
/**
 * Multiply-adds (rows × protected weights) one runtime row may cost. Real runtimes can be slow
 * (tfjs cpu runs ~0.35 GFLOP/s): a network 200× the example's is checked on fewer samples, and
 * the report records how many. The example's 0.4 M weights fit all 2,000 samples.
 */
const RUNTIME_ROW_BUDGET = 8e9;
/** Multiply-adds of one predict call: a call cannot be interrupted, so this bounds cancel latency (~0.7 s in tfjs cpu; the example keeps batch 256). */
const RUNTIME_CALL_BUDGET = 1.25e8;

/** How the runtime matrix and the headline check run a network of `weights` weights on `rows` rows. */
export interface RuntimePlan {
  /** Samples of the large-batch rows, the reference logits and the headline check. */
  samples: number;
  /** Samples of the batch-1 rows. */
  batchOneSamples: number;
  /** The large batch: LARGE_BATCH unless one call would cost more than RUNTIME_CALL_BUDGET (never below 2). */
  largeBatch: number;
}

export function runtimePlan(rows: number, weights: number): RuntimePlan {
  const w = Math.max(1, weights);
  const samples = Math.min(rows, Math.max(100, Math.floor(RUNTIME_ROW_BUDGET / w)));
  return {
    samples,
    batchOneSamples: Math.min(samples, BATCH_ONE_SAMPLES, Math.max(16, Math.floor(RUNTIME_ROW_BUDGET / 4 / w))),
    largeBatch: Math.max(2, Math.min(LARGE_BATCH, Math.floor(RUNTIME_CALL_BUDGET / w))),
  };
}

/** Emulates one candidate against the original; reuses the original's outputs across candidates. */
export class EmulatedOrdersCheck {
  private readonly cache = new Map<string, Float32Array>();
  private readonly screenCache = new Map<string, Float32Array>();
  private readonly runs = new WeakMap<DenseNetwork, EmulatedEquivalence & { passed: boolean }>();
  private originalBounds?: { reference: Float32Array | Float64Array; deterministic: () => ErrorBound; probabilistic: () => ErrorBound };
  private readonly rows: number;
  private readonly x: Float32Array;

  constructor(
    /** The original network every candidate is compared with. */
    readonly original: DenseNetwork,
    x: Float32Array,
    rows: number,
    private readonly options: { seed: number; tolerance: number; signal?: AbortSignal; weights: number },
  ) {
    this.rows = emulationSamples(rows, options.weights);
    this.x = x.subarray(0, this.rows * original.inputs);
  }

  /** Samples of the full run. */
  get samples(): number {
    return this.rows;
  }

  /** Samples of the quick screen. */
  get screenSamples(): number {
    return screenSamples(this.rows);
  }

  /**
   * The same test on the first `screenSamples` samples only. A search candidate must pass it before
   * the full run: most too-large amplitudes fail here at a fifth of the cost. A candidate is
   * accepted only when both pass, so the screen can only make the search more careful.
   */
  async screen(candidate: DenseNetwork): Promise<EmulatedEquivalence & { passed: boolean }> {
    const rows = this.screenSamples;
    const result = await emulatedEquivalence(this.original, candidate, this.x.subarray(0, rows * this.original.inputs), rows, {
      seed: this.options.seed,
      originalCache: this.screenCache,
      ...(this.options.signal ? { signal: this.options.signal } : {}),
    });
    return { ...result, passed: this.passes(result) };
  }

  private passes(result: EmulatedEquivalence): boolean {
    return result.results.every((r) => r.top1Agreement === 1 && r.relDiff <= this.options.tolerance / FIELD_MARGIN);
  }

  /** Runs every assignment; `passed` applies the margin. The same network object is emulated once. */
  async run(candidate: DenseNetwork): Promise<EmulatedEquivalence & { passed: boolean }> {
    const known = this.runs.get(candidate);
    if (known) return known;
    const result = await emulatedEquivalence(this.original, candidate, this.x, this.rows, {
      seed: this.options.seed,
      originalCache: this.cache,
      ...(this.options.signal ? { signal: this.options.signal } : {}),
    });
    const passed = this.passes(result);
    this.runs.set(candidate, { ...result, passed });
    return { ...result, passed };
  }

  /**
   * Original and candidate in float64 arithmetic of their stored weights on the same samples:
   * how exact the construction is, before any float32 rounding.
   */
  exactComparison(candidate: DenseNetwork): OutputComparison {
    const { x, rows } = this;
    return compareOutputs(this.originalExact().reference, forward(candidate, x, rows, { precision: 'float64', logits: true }), rows, outputWidth(this.original));
  }

  /** The original's exact outputs and its own bounds (each computed when first asked for): they do not depend on the candidate. */
  private originalExact(): { reference: Float32Array | Float64Array; deterministic: () => ErrorBound; probabilistic: () => ErrorBound } {
    const { x, rows } = this;
    const once = (kind: BoundKind): (() => ErrorBound) => {
      let bound: ErrorBound | undefined;
      return () => (bound ??= forwardErrorBound(this.original, x, rows, kind));
    };
    this.originalBounds ??= {
      reference: forward(this.original, x, rows, { precision: 'float64', logits: true }),
      deterministic: once('deterministic'),
      probabilistic: once('probabilistic'),
    };
    return this.originalBounds;
  }

  /** Deterministic and probabilistic relDiff bounds for the candidate on the same samples. */
  bound(candidate: DenseNetwork): FieldEquivalence['bound'] {
    const { x, rows } = this;
    const original = this.originalExact();
    const exact = this.exactComparison(candidate).maxAbsDiff;
    const probabilistic = forwardErrorBound(candidate, x, rows, 'probabilistic');
    return {
      deterministic: relDiffBound(original.deterministic(), forwardErrorBound(candidate, x, rows, 'deterministic'), original.reference, exact),
      probabilistic: relDiffBound(original.probabilistic(), probabilistic, original.reference, exact),
      failureProbability: 2 * (probabilistic.failureProbability ?? 0),
      samples: rows,
    };
  }

  /** The probabilistic relDiff bound alone (the trade-off table shows no other): half the passes of `bound`. */
  probabilisticBound(candidate: DenseNetwork): number {
    const { x, rows } = this;
    const original = this.originalExact();
    return relDiffBound(original.probabilistic(), forwardErrorBound(candidate, x, rows, 'probabilistic'), original.reference, this.exactComparison(candidate).maxAbsDiff);
  }
}

/** Runs original and protected files in every runtime at batch 1 and at a large batch. */
export async function runtimeMatrix(
  runtimes: readonly ModelRuntime[],
  originalFiles: WrittenFile[],
  protectedFiles: WrittenFile[],
  x: Float32Array,
  plan: RuntimePlan,
  width: number,
  inputs: number,
  tolerance: number,
  signal?: AbortSignal,
  onRow?: (row: RuntimeEquivalence) => void,
): Promise<RuntimeEquivalence[]> {
  const results: RuntimeEquivalence[] = [];
  for (const runtime of runtimes) {
    for (const batch of [1, plan.largeBatch]) {
      const n = batch === 1 ? plan.batchOneSamples : plan.samples;
      const xs = x.subarray(0, n * inputs);
      const options = { logits: true, batch, ...(signal ? { signal } : {}) };
      const original = await runtime.predict(originalFiles, xs, n, options);
      const candidate = await runtime.predict(protectedFiles, xs, n, options);
      const comparison = compareOutputs(original, candidate, n, width);
      const row: RuntimeEquivalence = {
        runtime: runtime.name,
        batch,
        samples: n,
        top1Agreement: comparison.top1Agreement,
        relDiff: comparison.relDiff,
        maxAbsDiff: comparison.maxAbsDiff,
        passed: equivalencePasses(comparison, tolerance),
      };
      results.push(row);
      onRow?.(row);
    }
  }
  return results;
}

/** Samples of each trade-off row's quick multiplicative sweep (one repeat). */
export const TRADE_OFF_SAMPLES = 200;

/**
 * Amplitude against fidelity and fragility around the chosen amplitude (×¼ … ×4): the worst
 * emulated relDiff, the probabilistic bound, and the multiplicative fragility factor from a
 * quick sweep (TRADE_OFF_SAMPLES samples, one repeat), so the report shows what a larger
 * amplitude would buy and cost. `build` decides what is measured (the caller leaves tripwires out).
 */
export async function amplitudeTradeOff(
  original: DenseNetwork,
  build: (amplitude: number) => DenseNetwork,
  chosen: number,
  data: { x: Float32Array; rows: number; labels: Int32Array | null },
  options: { seed: number; tolerance: number; weights: number; compute: ComputeBackend; signal?: AbortSignal; onProgress?: (fraction: number) => void },
): Promise<AmplitudeTradeOff[]> {
  const rows = Math.min(data.rows, TRADE_OFF_SAMPLES);
  // Its own check on the row's samples: the table compares amplitudes, so every row (the chosen
  // one included) is measured the same way, at a fraction of the full check's cost.
  // The search screen's samples: 100 on the example.
  const check = new EmulatedOrdersCheck(original, data.x, screenSamples(emulationSamples(data.rows, options.weights)), {
    seed: options.seed,
    tolerance: options.tolerance,
    weights: options.weights,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const sweep = { x: data.x.subarray(0, rows * original.inputs), rows, labels: data.labels?.subarray(0, rows) ?? null };
  const result: AmplitudeTradeOff[] = [];
  const factors = [0.25, 0.5, 1, 2, 4];
  for (const [i, factor] of factors.entries()) {
    const amplitude = chosen * factor;
    const network = build(amplitude);
    const emulated = await check.run(network);
    const [kind] = await measureFragility(original, network, sweep, {
      kinds: ['multiplicative'],
      repeats: 1,
      seed: options.seed,
      compute: options.compute,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    result.push({
      amplitude,
      chosen: factor === 1,
      emulatedRelDiff: emulated.worst.relDiff,
      emulatedTop1Agreement: emulated.worst.top1Agreement,
      probabilisticBound: check.probabilisticBound(network),
      fragilityFactor: kind?.fragilityFactor ?? null,
      samples: check.samples,
    });
    options.onProgress?.((i + 1) / factors.length);
  }
  return result;
}
