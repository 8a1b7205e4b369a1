import { PERTURBATION_TITLES } from './kinds';
import { cloneNetwork, type DenseNetwork } from '../network';
import { conversionSweep, perturbation } from './perturbation';

/**
 * Symmetric per-tensor int8 quantisation of each weight matrix (scale = max|w|/127); biases
 * stay float32, as converters keep them at higher precision. Returns a new network.
 */
export function int8Quantise(network: DenseNetwork): DenseNetwork {
  const result = cloneNetwork(network);
  for (const layer of result.layers) {
    let max = 0;
    for (const w of layer.weights) max = Math.max(max, Math.abs(w));
    if (max === 0) continue;
    const scale = max / 127;
    for (let i = 0; i < layer.weights.length; i++) {
      const q = Math.max(-127, Math.min(127, Math.round(layer.weights[i]! / scale)));
      layer.weights[i] = q * scale;
    }
  }
  return result;
}

export const int8 = perturbation({
  kind: 'int8',
  title: PERTURBATION_TITLES.int8,
  description: 'Per-tensor int8 quantisation.',
  magnitudeLabel: 'bits (per-tensor symmetric int8 weights, float32 biases)',
  cost: 0.04,
  plan: () => ({ magnitudes: [8], repeats: 1 }),
  sweep: conversionSweep(int8Quantise),
});
