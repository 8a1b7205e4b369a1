import { PERTURBATION_TITLES } from './kinds';
import { logGrid } from '../s50';
import { cloneNetwork, type DenseNetwork } from '../network';
import { noiseSweep, type NoiseDraws } from './noise';
import { perturbation } from './perturbation';

/** Standard deviation of each layer's weights (the unit additive noise is measured in). */
export function layerWeightStd(network: DenseNetwork): number[] {
  return network.layers.map((layer) => standardDeviation(layer.weights));
}

/** Population standard deviation (a function of its own so V8 optimises it whole, not mid-loop). */
function standardDeviation(values: Float32Array): number {
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < values.length; i++) {
    const w = values[i]!;
    sum += w;
    sumSq += w * w;
  }
  const n = values.length;
  return Math.sqrt(Math.max(0, sumSq / n - (sum / n) ** 2));
}

/**
 * w + s·std(layer weights)·ε on every weight and bias, std taken from the unperturbed layer,
 * written into `into` (a network of the same shape, by default a new copy) and returned.
 */
export function additiveNoise(network: DenseNetwork, s: number, noise: NoiseDraws, stds = layerWeightStd(network), into = cloneNetwork(network)): DenseNetwork {
  into.layers.forEach((layer, l) => {
    const source = network.layers[l]!;
    const draws = noise[l]!;
    const sigma = s * stds[l]!;
    addInto(layer.weights, source.weights, draws.weights, sigma);
    addInto(layer.bias, source.bias, draws.bias, sigma);
  });
  return into;
}

function addInto(target: Float32Array, source: Float32Array, eps: Float32Array, sigma: number): void {
  for (let i = 0; i < target.length; i++) target[i] = source[i]! + sigma * eps[i]!;
}

/**
 * Additive noise is measured in the *original* model's layer std for both models, so both get
 * the same absolute noise; a layer a construction inserted (no original counterpart) uses its own.
 */
export function additiveUnits(original: DenseNetwork, network: DenseNetwork): number[] {
  const originalStds = layerWeightStd(original);
  const ownStds = layerWeightStd(network);
  let next = 0;
  return network.layers.map((layer, l) => (layer.inserted ? ownStds[l]! : (originalStds[next++] ?? ownStds[l]!)));
}

export const additive = perturbation({
  kind: 'additive',
  title: PERTURBATION_TITLES.additive,
  description: 'Additive Gaussian noise with std s·std(layer weights).',
  magnitudeLabel: 'noise s in units of the original layer’s weight std',
  cost: 0.18,
  plan: ({ repeats }) => ({ magnitudes: logGrid(1e-10, 10, 2), repeats }),
  sweep: (context) => {
    const stds = additiveUnits(context.original, context.network);
    return noiseSweep(context, (s, noise, scratch) => additiveNoise(context.network, s, noise, stds, scratch));
  },
});
