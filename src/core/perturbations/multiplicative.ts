import { PERTURBATION_TITLES } from './kinds';
import { logGrid } from '../s50';
import { cloneNetwork, type DenseNetwork } from '../network';
import { noiseSweep, type NoiseDraws } from './noise';
import { perturbation } from './perturbation';

/**
 * w·(1 + s·ε) on every weight and bias, written into `into` (a network of the same shape, by
 * default a new copy) and returned. A sweep passes one scratch copy for all its evaluations.
 */
export function multiplicativeNoise(network: DenseNetwork, s: number, noise: NoiseDraws, into = cloneNetwork(network)): DenseNetwork {
  into.layers.forEach((layer, l) => {
    const source = network.layers[l]!;
    const draws = noise[l]!;
    scaleInto(layer.weights, source.weights, draws.weights, s);
    scaleInto(layer.bias, source.bias, draws.bias, s);
  });
  return into;
}

function scaleInto(target: Float32Array, source: Float32Array, eps: Float32Array, s: number): void {
  for (let i = 0; i < target.length; i++) target[i] = source[i]! * (1 + s * eps[i]!);
}

export const multiplicative = perturbation({
  kind: 'multiplicative',
  title: PERTURBATION_TITLES.multiplicative,
  description: 'Multiplicative Gaussian noise w·(1+s·ε) on all parameters.',
  magnitudeLabel: 'relative noise s: w·(1+s·ε)',
  cost: 0.25,
  plan: ({ repeats }) => ({ magnitudes: logGrid(1e-10, 10, 2), repeats }),
  sweep: (context) => noiseSweep(context, (s, noise, scratch) => multiplicativeNoise(context.network, s, noise, scratch)),
});
