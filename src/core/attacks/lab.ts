import { checkpoint } from '../errors';
import type { ComputeBackend } from '../compute';
import { argmaxRows } from '../forward';
import { classCount, outputWidth, type DenseNetwork } from '../network';
import { drawNoise } from '../perturbations/noise';
import { multiplicativeNoise } from '../perturbations/multiplicative';
import { Rng } from '../rng';
import type { Attack, AttackContext, AttackKind } from './attack';
import { ATTACK_NOISE, type AttackReport, type AttackResult, type SkippedAttack } from './attackReport';
import { distillAttack } from './distill';
import { finetuneAdamAttack, finetuneSgdAttack } from './fineTuneAttacks';
import { headRetrainAttack } from './headRetrain';
import { leastSquaresAttack } from './leastSquares';
import { mergeRepairAttack } from './merge';
import { ATTACK_BATCH, bestTrained, freshNetwork } from './train';

// The lab's result types and verdict rule live in ./attackReport (no attack code: the extension host and the webview read reports).
export { ATTACK_NOISE, attackVerdict, stopLine, type AttackReport, type AttackResult, type AttackVerdict, type SkippedAttack } from './attackReport';

/** The attacks of the lab, in report order. */
export const ATTACKS: readonly Attack[] = [finetuneAdamAttack, finetuneSgdAttack, headRetrainAttack, mergeRepairAttack, leastSquaresAttack, distillAttack];

/** Seeded draws of that noise per network. */
const NOISE_REPEATS = 3;

/** Inputs of the lab. */
export interface AttackLabInput {
  original: DenseNetwork;
  protectedNet: DenseNetwork;
  /** The attacker's data; without labels only the attacks that need none run. */
  attacker: { x: Float32Array; rows: number; labels?: Int32Array };
  /** Where every result is measured: against its labels, or against the original's answers when there are none. */
  evaluation: { x: Float32Array; rows: number; labels?: Int32Array };
  compute: ComputeBackend;
  seed: number;
  signal?: AbortSignal;
  onProgress?: (fraction: number, message: string) => void;
  /**
   * Multiply-adds the lab's training may cost (protect's budget; absent: no limit). Past it the
   * attacks that train, and the from-scratch baseline, are listed as skipped with the figure.
   */
  trainingBudget?: number;
}

/** Why an attack that trains on labels is skipped without them. */
export const NEEDS_LABELS_REASON = 'needs labels: it trains on them, and the data has none';
/** What the from-scratch baseline does (listed among the skipped without labels). */
export const SCRATCH_DESCRIPTION = "train the original's architecture from scratch on the attacker's labels (Adam lr 1e-3, 300–3,000 steps): the baseline an attacker always has";

/**
 * One independent unit of the lab's work: the from-scratch baseline, or one attack on the
 * protected copy or on the original. Each draws only from its own fork of the lab's seeded
 * stream (forks depend on the seed and the label, not on what ran before), so units give the
 * same numbers in any order and on any thread.
 */
export type LabUnit = 'scratch' | `${AttackKind}/${'protected' | 'original'}`;

/** What one unit measured: for the baseline its accuracy (noise and seconds unused, 0). */
export interface LabUnitResult {
  unit: LabUnit;
  accuracyAfter: number;
  noiseAccuracyAfter: number;
  /** Seconds the attack itself took (measured on the protected copy; the report keeps those). */
  seconds: number;
}

/** The from-scratch baseline's training: one run of up to 3,000 steps of the original's architecture. */
const SCRATCH_TRAINING = { runs: 1, steps: 3000, network: 'original' } as const;

/**
 * Multiply-adds of the lab's training on these networks (forward and backward ≈ 3 passes of a
 * batch of 32 per step, each attack on the copy and on the original): what grows with the model's
 * size. On the example (109,386 weights, 454,506 protected) it is about 6·10¹¹ with labels.
 */
export function labTrainingWork(original: DenseNetwork, protectedNet: DenseNetwork, labelled: boolean): number {
  const weights = (net: DenseNetwork): number => net.layers.reduce((n, l) => n + l.weights.length + l.bias.length, 0);
  const cost = (t: NonNullable<Attack['training']>): number =>
    t.runs * t.steps * ATTACK_BATCH * 3 * (t.network === 'target' ? weights(protectedNet) + weights(original) : 2 * weights(original));
  const attacks = runnableAttacks(labelled, true).flatMap((a) => (a.training ? [cost(a.training)] : []));
  return attacks.reduce((a, b) => a + b, 0) + (labelled ? cost(SCRATCH_TRAINING) / 2 : 0);
}

/** Whether the lab's training fits its budget. */
export function labTrainingAllowed(input: Pick<AttackLabInput, 'original' | 'protectedNet' | 'attacker' | 'evaluation' | 'trainingBudget'>): boolean {
  return input.trainingBudget === undefined || labTrainingWork(input.original, input.protectedNet, labLabelled(input)) <= input.trainingBudget;
}

/** Whether the lab runs with labels (both halves have them). */
export function labLabelled(input: Pick<AttackLabInput, 'attacker' | 'evaluation'>): boolean {
  return input.attacker.labels !== undefined && input.evaluation.labels !== undefined;
}

/** The attacks the data (and the training budget) allow, in report order. */
function runnableAttacks(labelled: boolean, training: boolean): Attack[] {
  return ATTACKS.filter((a) => (labelled || a.needs !== 'labelled') && (training || !a.training));
}

/** The lab's units in the order a single thread runs them (and reports their progress); `training` false leaves out every unit that trains. */
export function planLab(labelled: boolean, training = true): LabUnit[] {
  return [...(labelled && training ? ['scratch' as const] : []), ...runnableAttacks(labelled, training).flatMap((a) => [`${a.kind}/protected` as const, `${a.kind}/original` as const])];
}

/** The progress line said when `unit` is done. */
export function labUnitMessage(unit: LabUnit): string {
  if (unit === 'scratch') return 'trained the original architecture from scratch on the attacker’s data';
  const [kind, target] = unit.split('/') as [AttackKind, 'protected' | 'original'];
  return target === 'protected' ? `${kind} on the protected copy` : `${kind} on the original`;
}

/** How the lab scores a network: its metric on the evaluation half. */
function labScorer(input: AttackLabInput): (network: DenseNetwork) => Promise<number> {
  const { original, evaluation, compute } = input;
  const predict = async (network: DenseNetwork): Promise<Int32Array> => argmaxRows(await compute.forward(network, evaluation.x, evaluation.rows), evaluation.rows, outputWidth(network));
  // Without labels the original's answers are the truth the attacker's network is held to (computed once, on first use).
  let truth: Promise<Int32Array> | undefined = labLabelled(input) ? Promise.resolve(input.evaluation.labels!) : undefined;
  return async (network) => {
    truth ??= predict(original);
    const expected = await truth;
    const predicted = await predict(network);
    let hits = 0;
    for (let r = 0; r < evaluation.rows; r++) if (predicted[r] === expected[r]) hits++;
    return hits / evaluation.rows;
  };
}

/**
 * A runner of single units over `input` (the engine's parallel lab hands units to it one at a
 * time). Without labels the original's answers are computed once, on first use.
 */
export function labUnitRunner(input: AttackLabInput): (unit: LabUnit) => Promise<LabUnitResult> {
  const { original, protectedNet, attacker, compute } = input;
  const labelled = labLabelled(input);
  const accuracy = labScorer(input);
  const noisyAccuracy = async (network: DenseNetwork, rng: Rng): Promise<number> => {
    let sum = 0;
    for (let r = 0; r < NOISE_REPEATS; r++) sum += await accuracy(multiplicativeNoise(network, ATTACK_NOISE, drawNoise(network, rng.fork(`noise/${r}`))));
    return sum / NOISE_REPEATS;
  };
  const rng = new Rng(input.seed).fork('attacks');
  const context = (label: string): AttackContext => ({
    compute,
    x: attacker.x,
    rows: attacker.rows,
    ...(labelled ? { labels: attacker.labels! } : {}),
    original,
    score: accuracy,
    rng: rng.fork(label),
    ...(input.signal ? { signal: input.signal } : {}),
  });
  return async (unit) => {
    if (unit === 'scratch') {
      if (!labelled) throw new Error('the from-scratch baseline needs labels');
      const scratch = await bestTrained(freshNetwork(original, rng.fork('scratch')), attacker.x, attacker.labels!, attacker.rows, context('scratch'), {
        optimizer: 'adam',
        learningRates: [1e-3],
        steps: [300, 1000, 3000],
      });
      return { unit, accuracyAfter: await accuracy(scratch), noiseAccuracyAfter: 0, seconds: 0 };
    }
    const [kind, target] = unit.split('/') as [AttackKind, 'protected' | 'original'];
    const attack = ATTACKS.find((a) => a.kind === kind);
    if (!attack || (!labelled && attack.needs === 'labelled')) throw new Error(`the lab cannot run ${unit}${attack ? ' without labels' : ''}`);
    const started = performance.now();
    const attacked = await attack.run(target === 'protected' ? protectedNet : original, context(unit));
    const seconds = (performance.now() - started) / 1000;
    return { unit, accuracyAfter: await accuracy(attacked), noiseAccuracyAfter: await noisyAccuracy(attacked, rng.fork(unit)), seconds };
  };
}

/**
 * Runs `units` in the given order, handing each result to `onUnit` as it finishes and checking
 * for cancellation after each.
 */
export async function runLabUnits(input: AttackLabInput, units: readonly LabUnit[], onUnit?: (result: LabUnitResult) => void): Promise<LabUnitResult[]> {
  const run = labUnitRunner(input);
  const results: LabUnitResult[] = [];
  for (const unit of units) {
    const result = await run(unit);
    results.push(result);
    onUnit?.(result);
    await checkpoint(input.signal);
  }
  return results;
}

/** The lab's report from every unit of `planLab` (in any order) and the copy's clean metric. */
export async function assembleLab(input: AttackLabInput, results: readonly LabUnitResult[]): Promise<AttackReport> {
  const { original, attacker, evaluation } = input;
  const labelled = labLabelled(input);
  const byUnit = new Map(results.map((r) => [r.unit, r]));
  const get = (unit: LabUnit): LabUnitResult => {
    const result = byUnit.get(unit);
    if (!result) throw new Error(`the attack lab has no result for ${unit}`);
    return result;
  };
  const training = labTrainingAllowed(input);
  const scratchAccuracy = labelled && training ? get('scratch').accuracyAfter : null;
  const attacks: AttackResult[] = runnableAttacks(labelled, training).map((attack) => {
    const onCopy = get(`${attack.kind}/protected`);
    const onOriginal = get(`${attack.kind}/original`);
    return {
      kind: attack.kind,
      knowledge: attack.knowledge,
      needs: attack.needs,
      description: attack.description,
      accuracyAfter: onCopy.accuracyAfter,
      noiseAccuracyAfter: onCopy.noiseAccuracyAfter,
      original: { accuracyAfter: onOriginal.accuracyAfter, noiseAccuracyAfter: onOriginal.noiseAccuracyAfter },
      headStart: scratchAccuracy === null ? null : onCopy.accuracyAfter - scratchAccuracy,
      seconds: onCopy.seconds,
    };
  });
  const cleanAccuracy = await labScorer(input)(input.protectedNet);
  const fineTuned = attacks.filter((a) => FINE_TUNING_ATTACKS.includes(a.kind));
  const overBudget = training ? '' : overBudgetReason(labTrainingWork(original, input.protectedNet, labelled), input.trainingBudget!);
  const skipped: SkippedAttack[] = [
    ...ATTACKS.flatMap((a): SkippedAttack[] => {
      if (!labelled && a.needs === 'labelled') return [{ kind: a.kind, description: a.description, reason: NEEDS_LABELS_REASON, cause: 'labels' as const }];
      return !training && a.training ? [{ kind: a.kind, description: a.description, reason: overBudget, cause: 'budget' as const, needs: a.needs }] : [];
    }),
    ...(!labelled
      ? [{ kind: 'scratch' as const, description: SCRATCH_DESCRIPTION, reason: NEEDS_LABELS_REASON, cause: 'labels' as const }]
      : !training
        ? [{ kind: 'scratch' as const, description: SCRATCH_DESCRIPTION, reason: overBudget, cause: 'budget' as const }]
        : []),
  ];
  return {
    schemaVersion: 1,
    metric: labelled ? 'accuracy' : 'agreement',
    chance: 1 / classCount(original),
    attackerSamples: attacker.rows,
    evaluationSamples: evaluation.rows,
    cleanAccuracy,
    attacks,
    skipped,
    scratchAccuracy,
    modificationCost: fineTuned.length ? cleanAccuracy - Math.max(...fineTuned.map((a) => a.accuracyAfter)) : null,
  };
}

/**
 * Runs every attack the data allows on the protected copy and on the original. With labels every
 * attack runs and results are accuracies; without, the ones that train on labels (and the
 * from-scratch baseline) are listed as skipped and the rest are measured as top-1 agreement with
 * the original on the evaluation inputs. One thread, units in `planLab` order; the engine's
 * parallelAttackLab runs the same units over two.
 */
export async function runAttackLab(input: AttackLabInput): Promise<AttackReport> {
  const units = planLab(labLabelled(input), labTrainingAllowed(input));
  let done = 0;
  const results = await runLabUnits(input, units, (result) => input.onProgress?.(++done / units.length, labUnitMessage(result.unit)));
  return assembleLab(input, results);
}

/** The attacks that modify the copy by training it on labels (whole network and head): what the modification cost is taken over. */
export const FINE_TUNING_ATTACKS: readonly Attack['kind'][] = ['finetune-adam', 'finetune-sgd', 'head-retrain'];

/** Why the training attacks were skipped: the work and the budget, and how to measure them anyway. */
export function overBudgetReason(work: number, budget: number): string {
  return `over protect's work budget: the lab's training would take ${(work / 1e9).toFixed(0)}·10⁹ multiply-adds (budget ${(budget / 1e9).toFixed(0)}·10⁹); 'mimosanet attack' runs it`;
}
