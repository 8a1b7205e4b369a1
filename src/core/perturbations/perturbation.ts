import type { ComputeBackend } from '../compute';
import type { DenseNetwork } from '../network';
import type { FragilitySeries } from '../report';
import type { Rng } from '../rng';

/**
 * The shape every perturbation kind has (DESIGN §4). One module per kind under this folder
 * defines it; `index.ts` lists them. A kind knows how people read it (title, description,
 * magnitude label), what it sweeps (plan), how to measure one network (sweep) and what it costs.
 */

/** Settings a kind plans its grid from. */
export interface PlanOptions {
  /** Seeded repeats per magnitude requested for noise kinds. */
  repeats: number;
  /** Fine-tuning steps at which accuracy is measured. */
  fineTuneSteps: readonly number[];
}

/** A kind's grid: the magnitudes swept and how many repeats each gets. */
export interface KindPlan {
  magnitudes: number[];
  repeats: number;
  /** Notes for the report, when they do not depend on the results. */
  notes?: string;
}

/** Everything a sweep of one network needs; `rng` is the kind's stream, shared by both networks. */
export interface SweepContext {
  /** The kind swept. */
  kind: string;
  /** The network swept. */
  network: DenseNetwork;
  /** 'original' or 'protected': labels the random forks and progress messages. */
  who: string;
  plan: KindPlan;
  rng: Rng;
  /** The unperturbed original (the unit of additive noise, the input width of fine-tuning). */
  original: DenseNetwork;
  /** Evaluation inputs [rows × inputs] and their labels, if any. */
  x: Float32Array;
  rows: number;
  labels: Int32Array | null;
  /** The engine every forward pass and fine-tuning step of the sweep runs on. */
  compute: ComputeBackend;
  /** The metric (accuracy, else agreement with the original) of a network on all rows. */
  metric: (network: DenseNetwork) => Promise<number>;
  /** The metric of outputs [rows × width] already computed on all rows. */
  scoreOutputs: (outputs: ArrayLike<number>) => number;
  /** The metric of a network that guesses: 1 / classes. */
  chance: number;
  /** A metric on other rows and targets (fine-tuning's held-out half). */
  metricOn: (x: Float32Array, rows: number, target: Int32Array) => (network: DenseNetwork) => Promise<number>;
  signal?: AbortSignal;
  /** Counts one evaluation done (see `Perturbation.evaluations`) and honours cancellation. */
  progress: (message: string) => Promise<void>;
}

/** One network's measurements: the metric per magnitude and repeat, and without perturbation. */
export interface Measured {
  values: number[][];
  clean: number;
  /** Index of the first magnitude no repeat was measured at (see `FragilitySeries.notMeasuredFrom`). */
  notMeasuredFrom?: number;
}

/**
 * A repeat "sits at chance" when its metric is within this share of the way from chance to
 * clean; after two such magnitudes in a row a noise sweep stops that repeat. Larger noise of the
 * same draw does not bring a network back, and the passes saved are a third of a protected sweep.
 */
export const AT_CHANCE_SHARE = 0.1;

/** One perturbation kind. */
export interface Perturbation<K extends string = string> {
  /** The identifier in options, settings and reports. */
  readonly kind: K;
  /** How people read the kind, in tables, charts and tooltips. */
  readonly title: string;
  /** One sentence for the `mimosanet.perturbations` setting (package.json enumDescriptions). */
  readonly description: string;
  /** What a magnitude means, for axis labels. */
  readonly magnitudeLabel: string;
  /**
   * About the seconds one core spends on the bundled example (original and protected) on the
   * default engine, onnxruntime; balances kinds over two threads. Re-measure when an engine
   * change moves them: stale figures put Adam fine-tuning, now most of a sweep, beside others.
   */
  readonly cost: number;
  /** Skipped when the data has no labels. */
  readonly needsLabels?: boolean;
  /** How the line summarises the repeats: their mean, or the attacker's best. */
  readonly line?: 'mean' | 'best';
  plan(options: PlanOptions): KindPlan;
  /** Progress ticks of one network's sweep; magnitudes × repeats unless given. */
  evaluations?(plan: KindPlan): number;
  sweep(context: SweepContext): Promise<Measured>;
  /** Notes that depend on the results; replaces `plan.notes`. */
  resultNotes?(plan: KindPlan, original: FragilitySeries, protectedSeries: FragilitySeries): string;
}

/** Declares a kind, keeping its identifier's literal type. */
export function perturbation<K extends string>(definition: Perturbation<K>): Perturbation<K> {
  return definition;
}

/**
 * The sweep of a deterministic kind: each magnitude once, in order. `evaluate` gives the metric
 * at a magnitude, `message` the progress text.
 */
export async function gridSweep(
  context: SweepContext,
  evaluate: (magnitude: number) => Promise<number>,
  message: (magnitude: number) => string,
): Promise<Measured> {
  const { plan } = context;
  const values: number[][] = plan.magnitudes.map(() => []);
  const clean = await context.metric(context.network);
  for (let i = 0; i < plan.magnitudes.length; i++) {
    values[i]!.push(await evaluate(plan.magnitudes[i]!));
    await context.progress(message(plan.magnitudes[i]!));
  }
  return { values, clean };
}

/** The sweep of a conversion applied once to the whole network (float16, int8): one evaluation. */
export function conversionSweep(convert: (network: DenseNetwork) => DenseNetwork): (context: SweepContext) => Promise<Measured> {
  return (context) =>
    gridSweep(
      context,
      () => context.metric(convert(context.network)),
      () => `${context.kind} ${context.who}`,
    );
}

/**
 * The sweep of a random kind: per repeat r one draw from the fork `<who>/<r>` of the kind's
 * stream, reused across all magnitudes (common random numbers) so curves are smooth.
 */
export async function seededSweep<D>(
  context: SweepContext,
  draw: (rng: Rng) => D,
  evaluate: (drawn: D, magnitude: number, clean: number) => Promise<number>,
  { stopAtChance = false }: { stopAtChance?: boolean } = {},
): Promise<Measured> {
  const { plan, who, kind } = context;
  const values: number[][] = plan.magnitudes.map(() => []);
  const clean = await context.metric(context.network);
  const atChance = (m: number): boolean => m <= context.chance + AT_CHANCE_SHARE * (clean - context.chance);
  let notMeasuredFrom = 0;
  for (let r = 0; r < plan.repeats; r++) {
    const drawn = draw(context.rng.fork(`${who}/${r}`));
    let streak = 0;
    let i = 0;
    for (; i < plan.magnitudes.length && !(stopAtChance && streak >= 2); i++) {
      const s = plan.magnitudes[i]!;
      const value = await evaluate(drawn, s, clean);
      values[i]!.push(value);
      streak = atChance(value) ? streak + 1 : 0;
      await context.progress(`${kind} ${who} s=${s}`);
    }
    notMeasuredFrom = Math.max(notMeasuredFrom, i);
    // Progress still counts the skipped evaluations, so the bar reaches its end.
    for (let rest = i; rest < plan.magnitudes.length; rest++) {
      values[rest]!.push(values[i - 1]![r]!);
      await context.progress(`${kind} ${who} s=${plan.magnitudes[rest]!} (at chance, not run)`);
    }
  }
  return { values, clean, ...(notMeasuredFrom < plan.magnitudes.length ? { notMeasuredFrom } : {}) };
}
