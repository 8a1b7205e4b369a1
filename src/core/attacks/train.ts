import { fineTune, type SoftTargets } from '../fineTune';
import type { DenseNetwork } from '../network';
import type { AttackContext } from './attack';

/** Minibatch size of every attack's training. */
export const ATTACK_BATCH = 32;

/**
 * Trains `network` on (x, labels) with each learning rate and keeps the best snapshot at the
 * given step counts by the context's score: the attacker's best case, chosen in hindsight.
 */
export async function bestTrained(
  network: DenseNetwork,
  x: Float32Array,
  labels: Int32Array | SoftTargets,
  rows: number,
  context: AttackContext,
  plan: { optimizer: 'adam' | 'sgd'; learningRates: readonly number[]; steps: readonly number[] },
): Promise<DenseNetwork> {
  let best = { score: -Infinity, network };
  for (const learningRate of plan.learningRates) {
    const snapshots: DenseNetwork[] = [];
    await fineTune(network, x, labels, rows, {
      optimizer: plan.optimizer,
      learningRate,
      batchSize: ATTACK_BATCH,
      checkpoints: plan.steps,
      rng: context.rng.fork(`batches/${learningRate}`),
      onCheckpoint: (_step, snapshot) => snapshots.push(snapshot),
      compute: context.compute,
      ...(context.signal ? { signal: context.signal } : {}),
    });
    for (const snapshot of snapshots) {
      const score = await context.score(snapshot);
      if (score > best.score) best = { score, network: snapshot };
    }
  }
  return best.network;
}

/** A fresh network of the given architecture, Glorot-uniform weights and zero biases (Keras' defaults). */
export function freshNetwork(architecture: DenseNetwork, rng: AttackContext['rng']): DenseNetwork {
  return {
    inputs: architecture.inputs,
    layers: architecture.layers.map((layer) => {
      const limit = Math.sqrt(6 / (layer.inputs + layer.units));
      return {
        ...layer,
        weights: Float32Array.from({ length: layer.weights.length }, () => (2 * rng.uniform() - 1) * limit),
        bias: new Float32Array(layer.units),
        inserted: false,
      };
    }),
  };
}
