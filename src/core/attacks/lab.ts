import { checkpoint } from '../errors';
import type { ComputeBackend } from '../compute';
import { argmaxRows } from '../forward';
import { outputWidth, type DenseNetwork } from '../network';
import { drawNoise } from '../perturbations/noise';
import { multiplicativeNoise } from '../perturbations/multiplicative';
import { Rng } from '../rng';
import type { Attack, AttackContext } from './attack';
import { distillAttack } from './distill';
import { finetuneAdamAttack, finetuneSgdAttack } from './fineTuneAttacks';
import { headRetrainAttack } from './headRetrain';
import { leastSquaresAttack } from './leastSquares';
import { mergeRepairAttack } from './merge';
import { bestTrained, freshNetwork } from './train';

/** The attacks of the lab, in report order. */
export const ATTACKS: readonly Attack[] = [finetuneAdamAttack, finetuneSgdAttack, headRetrainAttack, mergeRepairAttack, leastSquaresAttack, distillAttack];

/** Relative weight noise at which "fragility left" is measured (DESIGN §4: 1e-3). */
export const ATTACK_NOISE = 1e-3;
/** Seeded draws of that noise per network. */
const NOISE_REPEATS = 3;

/** One attack's result, as DESIGN §7's `attack` JSON has it. */
export interface AttackResult {
  kind: Attack['kind'];
  knowledge: Attack['knowledge'];
  needs: Attack['needs'];
  description: string;
  /** Accuracy of the attacker's network made from the protected copy, and under 1e-3 weight noise. */
  accuracyAfter: number;
  noiseAccuracyAfter: number;
  /** The same attack on the original. */
  original: { accuracyAfter: number; noiseAccuracyAfter: number };
  /** accuracyAfter − the accuracy of the same architecture trained from scratch on the attacker's data. */
  headStart: number;
  seconds: number;
}

/** The whole lab's result. */
export interface AttackReport {
  schemaVersion: 1;
  /** Samples the attacker held and samples every accuracy is measured on (disjoint). */
  attackerSamples: number;
  evaluationSamples: number;
  /** Accuracy of the protected copy (= the original's) before any attack. */
  cleanAccuracy: number;
  attacks: AttackResult[];
  /** The original's architecture trained from scratch on the attacker's data (the baseline an attacker always has). */
  scratchAccuracy: number;
  /** Clean accuracy − the best accuracyAfter of the fine-tuning attacks (whole network and head) on the protected copy. */
  modificationCost: number;
}

/** Inputs of the lab. */
export interface AttackLabInput {
  original: DenseNetwork;
  protectedNet: DenseNetwork;
  attacker: { x: Float32Array; rows: number; labels: Int32Array };
  evaluation: { x: Float32Array; rows: number; labels: Int32Array };
  compute: ComputeBackend;
  seed: number;
  signal?: AbortSignal;
  onProgress?: (fraction: number, message: string) => void;
}

/** Runs every attack on the protected copy and on the original; accuracies on the evaluation data. */
export async function runAttackLab(input: AttackLabInput): Promise<AttackReport> {
  const { original, protectedNet, attacker, evaluation, compute } = input;
  const accuracy = async (network: DenseNetwork): Promise<number> => {
    const predicted = argmaxRows(await compute.forward(network, evaluation.x, evaluation.rows), evaluation.rows, outputWidth(network));
    let hits = 0;
    for (let r = 0; r < evaluation.rows; r++) if (predicted[r] === evaluation.labels[r]) hits++;
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
    ...attacker,
    original,
    score: accuracy,
    rng: rng.fork(label),
    ...(input.signal ? { signal: input.signal } : {}),
  });
  const steps = ATTACKS.length * 2 + 1;
  let done = 0;
  const progress = async (message: string): Promise<void> => {
    input.onProgress?.(++done / steps, message);
    await checkpoint(input.signal);
  };
  const scratch = await bestTrained(freshNetwork(original, rng.fork('scratch')), attacker.x, attacker.labels, attacker.rows, context('scratch'), {
    optimizer: 'adam',
    learningRates: [1e-3],
    steps: [300, 1000, 3000],
  });
  const scratchAccuracy = await accuracy(scratch);
  await progress('trained the original architecture from scratch on the attacker’s data');
  const attacks: AttackResult[] = [];
  for (const attack of ATTACKS) {
    const started = performance.now();
    const attacked = await attack.run(protectedNet, context(`${attack.kind}/protected`));
    const seconds = (performance.now() - started) / 1000;
    const accuracyAfter = await accuracy(attacked);
    const noiseAccuracyAfter = await noisyAccuracy(attacked, rng.fork(`${attack.kind}/protected`));
    await progress(`${attack.kind} on the protected copy`);
    const onOriginal = await attack.run(original, context(`${attack.kind}/original`));
    const originalResult = { accuracyAfter: await accuracy(onOriginal), noiseAccuracyAfter: await noisyAccuracy(onOriginal, rng.fork(`${attack.kind}/original`)) };
    await progress(`${attack.kind} on the original`);
    attacks.push({ kind: attack.kind, knowledge: attack.knowledge, needs: attack.needs, description: attack.description, accuracyAfter, noiseAccuracyAfter, original: originalResult, headStart: accuracyAfter - scratchAccuracy, seconds });
  }
  const cleanAccuracy = await accuracy(protectedNet);
  const fineTuned = attacks.filter((a) => a.kind === 'finetune-adam' || a.kind === 'finetune-sgd' || a.kind === 'head-retrain');
  return {
    schemaVersion: 1,
    attackerSamples: attacker.rows,
    evaluationSamples: evaluation.rows,
    cleanAccuracy,
    attacks,
    scratchAccuracy,
    modificationCost: cleanAccuracy - Math.max(...fineTuned.map((a) => a.accuracyAfter)),
  };
}

/** A plain verdict on one attack, in words for tables and tooltips. */
export type AttackVerdict = 'stops it' | 'slows it' | 'does not stop it';

/**
 * The verdict from the numbers: the attack "stops it" when the attacker ends no better than
 * training from scratch; "slows it" when they keep a head start but end over 2 points below the
 * same attack on the original; "does not stop it" otherwise.
 */
export function attackVerdict(attack: AttackResult, report: Pick<AttackReport, 'scratchAccuracy'>): AttackVerdict {
  if (attack.accuracyAfter <= report.scratchAccuracy) return 'stops it';
  if (attack.original.accuracyAfter - attack.accuracyAfter > 0.02) return 'slows it';
  return 'does not stop it';
}
