import { cloneNetwork, type DenseNetwork } from '../network';
import type { Rng } from '../rng';
import { seededSweep, type Measured, type SweepContext } from './perturbation';

/** Standard normal draws shaped like a network's parameters (weights then bias, per layer). */
export type NoiseDraws = { weights: Float32Array; bias: Float32Array }[];

/**
 * Draws one ε per parameter. The noise kinds draw once per repeat and reuse the draw across
 * magnitudes (common random numbers): curves are then smooth and cheap to compute.
 */
export function drawNoise(network: DenseNetwork, rng: Rng): NoiseDraws {
  return network.layers.map((layer) => {
    const weights = new Float32Array(layer.weights.length);
    const bias = new Float32Array(layer.bias.length);
    rng.fillNormal(weights);
    rng.fillNormal(bias);
    return { weights, bias };
  });
}

/**
 * The sweep of a noise kind: one draw per repeat, `perturb` scales it by each magnitude s into
 * `scratch`. Evaluations run one after another, so one scratch copy serves them all: a new copy
 * per evaluation (1.8 MB on the protected example, ~300 a job) cost more in garbage collection
 * than the perturbation itself.
 */
export function noiseSweep(context: SweepContext, perturb: (s: number, noise: NoiseDraws, scratch: DenseNetwork) => DenseNetwork): Promise<Measured> {
  const scratch = cloneNetwork(context.network);
  return seededSweep(
    context,
    (rng) => drawNoise(context.network, rng),
    (noise, s) => context.metric(perturb(s, noise, scratch)),
    { stopAtChance: true },
  );
}
