import type { OptimizerName } from '../compute';
import { fineTune } from '../fineTune';
import type { DenseNetwork } from '../network';
import { perturbation, type Measured, type Perturbation, type SweepContext } from './perturbation';

/** Mini-batch size of the fine-tuning attacks. */
const BATCH = 32;

/** What distinguishes one fine-tuning attack from another. */
export interface FineTuneAttack<K extends string> {
  kind: K;
  title: string;
  description: string;
  cost: number;
  optimizer: OptimizerName;
  /** Optimiser name as people write it ("Adam"). */
  name: string;
  /**
   * Learning rates an attacker would try; the curve shows the best of them at each step count
   * (chosen in hindsight), so the figure is the attacker's best case, not a lucky bad choice.
   */
  learningRates: readonly number[];
}

/**
 * A fine-tuning kind: cross-entropy training on one half of the labelled data, accuracy on the
 * other half at each step count of the plan; the repeats are the learning rates.
 */
export function fineTuneKind<K extends string>(attack: FineTuneAttack<K>): Perturbation<K> {
  const { name, learningRates } = attack;
  return perturbation({
    kind: attack.kind,
    title: attack.title,
    description: attack.description,
    magnitudeLabel: `${name} steps`,
    cost: attack.cost,
    needsLabels: true,
    line: 'best',
    plan: ({ fineTuneSteps }) => ({
      magnitudes: [...fineTuneSteps],
      repeats: learningRates.length,
      notes: `${name} at lr ${learningRates.join(', ')}, batch ${BATCH}, cross-entropy, trained on one half of the labelled data and measured on the other; the line is the best learning rate at each step count (the attacker's best case), the band the range over learning rates.`,
    }),
    evaluations: (plan) => plan.repeats,
    sweep: (context) => fineTuneSweep(context, attack),
  });
}

async function fineTuneSweep<K extends string>(context: SweepContext, attack: FineTuneAttack<K>): Promise<Measured> {
  const { network, who, plan, rows } = context;
  const labels = context.labels!;
  const half = Math.floor(rows / 2);
  const inputs = context.original.inputs;
  const trainX = context.x.subarray(0, half * inputs);
  const testX = context.x.subarray(half * inputs);
  const testMetric = context.metricOn(testX, rows - half, labels.subarray(half));
  const values: number[][] = plan.magnitudes.map(() => []);
  for (const learningRate of attack.learningRates) {
    const snapshots: DenseNetwork[] = [];
    await fineTune(network, trainX, labels.subarray(0, half), half, {
      optimizer: attack.optimizer,
      learningRate,
      batchSize: BATCH,
      checkpoints: plan.magnitudes,
      rng: context.rng.fork(`${who}/batches`),
      onCheckpoint: (_step, snapshot) => snapshots.push(snapshot),
      compute: context.compute,
      ...(context.signal ? { signal: context.signal } : {}),
    });
    for (const [i, snapshot] of snapshots.entries()) values[i]!.push(await testMetric(snapshot));
    await context.progress(`${context.kind} ${who} lr=${learningRate}`);
  }
  return { values, clean: await testMetric(network) };
}
