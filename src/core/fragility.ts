import { checkpoint } from './errors';
import type { ComputeBackend } from './compute';
import { argmaxRows } from './forward';
import { jsCompute } from './jsCompute';
import { classCount, outputWidth, type DenseNetwork } from './network';
import { perturbationOf } from './perturbations';
import type { KindPlan, Perturbation, SweepContext } from './perturbations/perturbation';
import type { FragilityKind, FragilitySeries, PerturbationKind, SkippedKind } from './report';
import { Rng } from './rng';
import { formatNumber } from './reportFormat';
import { fragilityFactor, s50 } from './s50';

/**
 * Fragility sweeps (DESIGN §4): for each perturbation kind and magnitude, R seeded repeats on
 * the original and the protected network; the metric is accuracy with labels, else top-1
 * agreement with the unperturbed original. Both networks see the same grid and seeds. What
 * each kind does lives in its module under `perturbations/`.
 */

/** Evaluation data of a sweep. */
export interface SweepData {
  /** Inputs [rows × inputs]. */
  x: Float32Array;
  /** Number of samples. */
  rows: number;
  /** Integer labels, or null (agreement with the original replaces accuracy). */
  labels: Int32Array | null;
}

/** Options of `measureFragility`. */
export interface FragilityOptions {
  /** Kinds to sweep, in order; fine-tuning kinds are skipped without labels. */
  kinds: readonly PerturbationKind[];
  /** Seeded repeats per magnitude for noise kinds. */
  repeats: number;
  /** Seed of noise draws, edit positions and batch orders. */
  seed: number;
  /** Fine-tuning steps at which accuracy is measured. */
  fineTuneSteps?: readonly number[];
  /** The engine the sweeps run on (default: the JavaScript reference). */
  compute?: ComputeBackend;
  /** Checked between evaluations; aborting throws CancelledError. */
  signal?: AbortSignal;
  /** Completion in [0, 1] with a short description. */
  onProgress?: (fraction: number, message: string) => void;
  /** Each kind as soon as it is measured, so reports update live. */
  onKind?: (kind: FragilityKind) => void;
}

/** Reason recorded for a kind that needs labels when the data has none. */
export const NEEDS_LABELS = 'needs labels';

/**
 * The requested kinds `measureFragility` does not sweep, with the reason: fine-tuning kinds
 * without labels. The report's `fragility.skipped`, so readers can say why a kind is missing.
 */
export function skippedKinds(kinds: readonly PerturbationKind[], labelled: boolean): SkippedKind[] {
  return labelled ? [] : kinds.filter((kind) => perturbationOf(kind).needsLabels).map((kind) => ({ kind, reason: NEEDS_LABELS }));
}

/** Default step grid of the fine-tuning attacks. */
export const DEFAULT_FINETUNE_STEPS = [1, 3, 10, 30, 100, 300] as const;

/** A kind with its plan. */
interface PlannedKind extends KindPlan {
  perturbation: Perturbation<PerturbationKind>;
}

/** The parts of a sweep context shared by every kind and network. */
type Evaluation = Omit<SweepContext, 'kind' | 'network' | 'who' | 'plan' | 'rng'>;

/** Runs every requested sweep and returns one FragilityKind per kind measured. */
export async function measureFragility(
  original: DenseNetwork,
  protectedNet: DenseNetwork,
  data: SweepData,
  options: FragilityOptions,
): Promise<FragilityKind[]> {
  const planOptions = { repeats: options.repeats, fineTuneSteps: options.fineTuneSteps ?? DEFAULT_FINETUNE_STEPS };
  const skipped = new Set(skippedKinds(options.kinds, data.labels !== null).map((s) => s.kind));
  const plans: PlannedKind[] = options.kinds
    .filter((kind) => !skipped.has(kind))
    .map(perturbationOf)
    .map((p) => ({ perturbation: p, ...p.plan(planOptions) }));
  const totalWork = plans.reduce((n, p) => n + 2 * (p.perturbation.evaluations?.(p) ?? p.magnitudes.length * p.repeats), 0);
  let done = 0;
  const progress = async (message: string): Promise<void> => {
    done++;
    options.onProgress?.(done / totalWork, message);
    await checkpoint(options.signal);
  };
  const evaluation = await evaluationOf(original, data, options.compute ?? jsCompute, progress, options.signal);

  const results: FragilityKind[] = [];
  for (const p of plans) {
    const kind = await measureKind(p, original, protectedNet, evaluation, new Rng(options.seed).fork(`fragility/${p.perturbation.kind}`));
    results.push(kind);
    options.onKind?.(kind);
  }
  return results;
}

/** The metric (accuracy with labels, else agreement with the original's float64 top-1) and its helpers. */
async function evaluationOf(
  original: DenseNetwork,
  data: SweepData,
  compute: ComputeBackend,
  progress: (message: string) => Promise<void>,
  signal?: AbortSignal,
): Promise<Evaluation> {
  const width = outputWidth(original);
  const reference = data.labels ?? argmaxRows(await compute.forward(original, data.x, data.rows), data.rows, width);
  const score = (outputs: ArrayLike<number>, rows: number, target: Int32Array): number => {
    const predicted = argmaxRows(outputs, rows, width);
    let hits = 0;
    for (let r = 0; r < rows; r++) if (predicted[r] === target[r]) hits++;
    return hits / rows;
  };
  const metricOn = (x: Float32Array, rows: number, target: Int32Array) => async (network: DenseNetwork) =>
    score(await compute.forward(network, x, rows), rows, target);
  return {
    original,
    x: data.x,
    rows: data.rows,
    labels: data.labels,
    metric: metricOn(data.x, data.rows, reference),
    scoreOutputs: (outputs) => score(outputs, data.rows, reference),
    metricOn,
    compute,
    progress,
    chance: 1 / classCount(original),
    ...(signal ? { signal } : {}),
  };
}

/** Sweeps one kind on the original, then on the protected network, from the same stream. */
async function measureKind(p: PlannedKind, original: DenseNetwork, protectedNet: DenseNetwork, evaluation: Evaluation, rng: Rng): Promise<FragilityKind> {
  const { perturbation, magnitudes, repeats } = p;
  const sweep = async (network: DenseNetwork, who: string): Promise<FragilitySeries> => {
    const { values, clean, notMeasuredFrom } = await perturbation.sweep({ ...evaluation, kind: perturbation.kind, network, who, plan: p, rng });
    const series = summarise(values, clean, evaluation.chance, magnitudes, perturbation.line ?? 'mean');
    return notMeasuredFrom === undefined ? series : { ...series, notMeasuredFrom };
  };
  const originalSeries = await sweep(original, 'original');
  const protectedSeries = await sweep(protectedNet, 'protected');
  const factor =
    magnitudes.length === 1
      ? { value: null, bound: 'exact' as const }
      : fragilityFactor(originalSeries.s50, protectedSeries.s50, magnitudes[magnitudes.length - 1]!, protectedSeries.s50BelowGrid);
  const notes = [perturbation.resultNotes ? perturbation.resultNotes(p, originalSeries, protectedSeries) : p.notes, stoppedNote(magnitudes, originalSeries, protectedSeries)]
    .filter(Boolean)
    .join(' ');
  return {
    kind: perturbation.kind,
    magnitudeLabel: perturbation.magnitudeLabel,
    magnitudes,
    repeats,
    original: originalSeries,
    protected: protectedSeries,
    fragilityFactor: factor.value,
    fragilityFactorBound: factor.bound,
    ...(notes ? { notes } : {}),
  };
}

function summarise(values: number[][], clean: number, chance: number, magnitudes: number[], line: 'mean' | 'best'): FragilitySeries {
  const mean = values.map((v) => (line === 'best' ? Math.max(...v) : v.reduce((a, b) => a + b, 0) / v.length));
  const halfway = (clean + chance) / 2;
  return {
    mean,
    broken: values.map((v) => v.filter((m) => m <= halfway).length / v.length),
    min: values.map((v) => Math.min(...v)),
    max: values.map((v) => Math.max(...v)),
    clean,
    s50: magnitudes.length > 1 ? s50(magnitudes, mean, clean, chance) : null,
    s50BelowGrid: magnitudes.length > 1 && mean[0]! <= halfway,
  };
}

/** Says where a sweep stopped at chance, so the chart's reader knows which points were not run. */
function stoppedNote(magnitudes: readonly number[], original: FragilitySeries, protectedSeries: FragilitySeries): string | undefined {
  const parts = ([['original', original], ['protected', protectedSeries]] as const)
    .filter(([, series]) => series.notMeasuredFrom !== undefined)
    .map(([who, series]) => `the ${who} from ${formatNumber(magnitudes[series.notMeasuredFrom!]!)} on`);
  if (parts.length === 0) return undefined;
  return `Not run, drawn at the last measured values: ${parts.join(' and ')} (every repeat had sat at chance for two magnitudes).`;
}
