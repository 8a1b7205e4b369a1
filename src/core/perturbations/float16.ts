import { PERTURBATION_TITLES } from './kinds';
import { cloneNetwork, type DenseNetwork } from '../network';
import { conversionSweep, perturbation } from './perturbation';

/** Rounds to the nearest IEEE half-precision value (ties to even; overflow → ±Infinity). */
export function roundToFloat16(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const a = Math.abs(x);
  // 65504 is the largest half; anything from 65520 up rounds to infinity.
  if (a >= 65520) return Math.sign(x) * Infinity;
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  const ulp = 2 ** (Math.max(e, -14) - 10);
  const v = a / ulp;
  let r = Math.round(v);
  if (r - v === 0.5 && r % 2 === 1) r -= 1;
  return Math.sign(x) * r * ulp;
}

/** Float16 round trip of every weight and bias (what a float16 export or WebGL half-float texture does); returns a new network. */
export function float16RoundTrip(network: DenseNetwork): DenseNetwork {
  const result = cloneNetwork(network);
  for (const layer of result.layers) {
    for (let i = 0; i < layer.weights.length; i++) layer.weights[i] = roundToFloat16(layer.weights[i]!);
    for (let i = 0; i < layer.bias.length; i++) layer.bias[i] = roundToFloat16(layer.bias[i]!);
  }
  return result;
}

export const float16 = perturbation({
  kind: 'float16',
  title: PERTURBATION_TITLES.float16,
  description: 'Round-trip of every weight through float16.',
  magnitudeLabel: 'bits (float16 round trip)',
  cost: 0.1,
  plan: () => ({ magnitudes: [16], repeats: 1 }),
  sweep: conversionSweep(float16RoundTrip),
});
