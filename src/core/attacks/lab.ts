import { checkpoint } from '../errors';
import type { ComputeBackend } from '../compute';
import { argmaxRows } from '../forward';
import { classCount, outputWidth, type DenseNetwork } from '../network';
import { drawNoise } from '../perturbations/noise';
import { multiplicativeNoise } from '../perturbations/multiplicative';
import { Rng } from '../rng';
import type { Attack, AttackContext } from './attack';
import { ATTACK_NOISE, type AttackReport, type AttackResult, type SkippedAttack } from './attackReport';
import { distillAttack } from './distill';
import { finetuneAdamAttack, finetuneSgdAttack } from './fineTuneAttacks';
import { headRetrainAttack } from './headRetrain';
import { leastSquaresAttack } from './leastSquares';
import { mergeRepairAttack } from './merge';
import { bestTrained, freshNetwork } from './train';

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
}

/** Why an attack that trains on labels is skipped without them. */
export const NEEDS_LABELS_REASON = 'needs labels: it trains on them, and the data has none';
/** What the from-scratch baseline does (listed among the skipped without labels). */
export const SCRATCH_DESCRIPTION = "train the original's architecture from scratch on the attacker's labels (Adam lr 1e-3, 300–3,000 steps): the baseline an attacker always has";

/**
 * Runs every attack the data allows on the protected copy and on the original. With labels every
 * attack runs and results are accuracies; without, the ones that train on labels (and the
 * from-scratch baseline) are listed as skipped and the rest are measured as top-1 agreement with
 * the original on the evaluation inputs.
 */
export async function runAttackLab(input: AttackLabInput): Promise<AttackReport> {
  const { original, protectedNet, attacker, evaluation, compute } = input;
  const labelled = attacker.labels !== undefined && evaluation.labels !== undefined;
  const predict = async (network: DenseNetwork): Promise<Int32Array> => argmaxRows(await compute.forward(network, evaluation.x, evaluation.rows), evaluation.rows, outputWidth(network));
  // Without labels the original's answers are the truth the attacker's network is held to.
  const truth = labelled ? evaluation.labels! : await predict(original);
  const accuracy = async (network: DenseNetwork): Promise<number> => {
    const predicted = await predict(network);
    let hits = 0;
    for (let r = 0; r < evaluation.rows; r++) if (predicted[r] === truth[r]) hits++;
    return hits / evaluation.rows;
  };
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
  const runnable = ATTACKS.filter((a) => labelled || a.needs !== 'labelled');
  const steps = runnable.length * 2 + (labelled ? 1 : 0);
  let done = 0;
  const progress = async (message: string): Promise<void> => {
    input.onProgress?.(++done / steps, message);
    await checkpoint(input.signal);
  };
  let scratchAccuracy: number | null = null;
  if (labelled) {
    const scratch = await bestTrained(freshNetwork(original, rng.fork('scratch')), attacker.x, attacker.labels!, attacker.rows, context('scratch'), {
      optimizer: 'adam',
      learningRates: [1e-3],
      steps: [300, 1000, 3000],
    });
    scratchAccuracy = await accuracy(scratch);
    await progress('trained the original architecture from scratch on the attacker’s data');
  }
  const attacks: AttackResult[] = [];
  for (const attack of runnable) {
    const started = performance.now();
    const attacked = await attack.run(protectedNet, context(`${attack.kind}/protected`));
    const seconds = (performance.now() - started) / 1000;
    const accuracyAfter = await accuracy(attacked);
    const noiseAccuracyAfter = await noisyAccuracy(attacked, rng.fork(`${attack.kind}/protected`));
    await progress(`${attack.kind} on the protected copy`);
    const onOriginal = await attack.run(original, context(`${attack.kind}/original`));
    const originalResult = { accuracyAfter: await accuracy(onOriginal), noiseAccuracyAfter: await noisyAccuracy(onOriginal, rng.fork(`${attack.kind}/original`)) };
    await progress(`${attack.kind} on the original`);
    const headStart = scratchAccuracy === null ? null : accuracyAfter - scratchAccuracy;
    attacks.push({ kind: attack.kind, knowledge: attack.knowledge, needs: attack.needs, description: attack.description, accuracyAfter, noiseAccuracyAfter, original: originalResult, headStart, seconds });
  }
  const cleanAccuracy = await accuracy(protectedNet);
  const fineTuned = attacks.filter((a) => FINE_TUNING_ATTACKS.includes(a.kind));
  const skipped: SkippedAttack[] = labelled
    ? []
    : [
        ...ATTACKS.filter((a) => a.needs === 'labelled').map((a) => ({ kind: a.kind, description: a.description, reason: NEEDS_LABELS_REASON })),
        { kind: 'scratch' as const, description: SCRATCH_DESCRIPTION, reason: NEEDS_LABELS_REASON },
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

/** The attacks that modify the copy by training it on labels (whole network and head): what the modification cost is taken over. */
export const FINE_TUNING_ATTACKS: readonly Attack['kind'][] = ['finetune-adam', 'finetune-sgd', 'head-retrain'];

