import { PERTURBATION_TITLES } from './kinds';
import { logGrid } from '../s50';
import { cloneNetwork, type DenseNetwork } from '../network';
import { noiseSweep, type NoiseDraws } from './noise';
import { perturbation } from './perturbation';

/** w·(1 + s·ε) on every weight and bias; returns a new network. */
export function multiplicativeNoise(network: DenseNetwork, s: number, noise: NoiseDraws): DenseNetwork {
  const result = cloneNetwork(network);
  result.layers.forEach((layer, l) => {
    for (let i = 0; i < layer.weights.length; i++) layer.weights[i]! *= 1 + s * noise[l]!.weights[i]!;
    for (let i = 0; i < layer.bias.length; i++) layer.bias[i]! *= 1 + s * noise[l]!.bias[i]!;
  });
  return result;
}

export const multiplicative = perturbation({
  kind: 'multiplicative',
  title: PERTURBATION_TITLES.multiplicative,
  description: 'Multiplicative Gaussian noise w·(1+s·ε) on all parameters.',
  magnitudeLabel: 'relative noise s: w·(1+s·ε)',
  cost: 12,
  plan: ({ repeats }) => ({ magnitudes: logGrid(1e-10, 10, 2), repeats }),
  sweep: (context) => noiseSweep(context, (s, noise) => multiplicativeNoise(context.network, s, noise)),
});
