import { cloneNetwork, type DenseNetwork } from './network';
import type { Rng } from './rng';

/**
 * Weight perturbations of DESIGN §4 that need no training. Each returns a new network; the
 * input is never modified. Noise kinds take pre-drawn standard normals so one draw is reused
 * across magnitudes (common random numbers): curves are then smooth and cheap to compute.
 */

/** Standard normal draws shaped like a network's parameters (weights then bias, per layer). */
export type NoiseDraws = { weights: Float32Array; bias: Float32Array }[];

/** Draws one ε per parameter. */
export function drawNoise(network: DenseNetwork, rng: Rng): NoiseDraws {
  return network.layers.map((layer) => ({
    weights: Float32Array.from({ length: layer.weights.length }, () => rng.normal()),
    bias: Float32Array.from({ length: layer.bias.length }, () => rng.normal()),
  }));
}

/** w·(1 + s·ε) on every weight and bias. */
export function multiplicativeNoise(network: DenseNetwork, s: number, noise: NoiseDraws): DenseNetwork {
  const result = cloneNetwork(network);
  result.layers.forEach((layer, l) => {
    for (let i = 0; i < layer.weights.length; i++) layer.weights[i]! *= 1 + s * noise[l]!.weights[i]!;
    for (let i = 0; i < layer.bias.length; i++) layer.bias[i]! *= 1 + s * noise[l]!.bias[i]!;
  });
  return result;
}

/** Standard deviation of each layer's weights (the unit additive noise is measured in). */
export function layerWeightStd(network: DenseNetwork): number[] {
  return network.layers.map((layer) => {
    let sum = 0;
    let sumSq = 0;
    for (const w of layer.weights) {
      sum += w;
      sumSq += w * w;
    }
    const n = layer.weights.length;
    return Math.sqrt(Math.max(0, sumSq / n - (sum / n) ** 2));
  });
}

/** w + s·std(layer weights)·ε on every weight and bias, std taken from the unperturbed layer. */
export function additiveNoise(network: DenseNetwork, s: number, noise: NoiseDraws, stds = layerWeightStd(network)): DenseNetwork {
  const result = cloneNetwork(network);
  result.layers.forEach((layer, l) => {
    const sigma = s * stds[l]!;
    for (let i = 0; i < layer.weights.length; i++) layer.weights[i]! += sigma * noise[l]!.weights[i]!;
    for (let i = 0; i < layer.bias.length; i++) layer.bias[i]! += sigma * noise[l]!.bias[i]!;
  });
  return result;
}

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

/** Float16 round trip of every weight and bias (what a float16 export or WebGL half-float texture does). */
export function float16RoundTrip(network: DenseNetwork): DenseNetwork {
  const result = cloneNetwork(network);
  for (const layer of result.layers) {
    for (let i = 0; i < layer.weights.length; i++) layer.weights[i] = roundToFloat16(layer.weights[i]!);
    for (let i = 0; i < layer.bias.length; i++) layer.bias[i] = roundToFloat16(layer.bias[i]!);
  }
  return result;
}

/** Symmetric per-tensor int8 quantisation of each weight matrix (scale = max|w|/127); biases stay float32, as converters keep them at higher precision. */
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

/** Magnitude pruning: zero the `percent` % smallest-|w| weights of each layer (biases kept). */
export function magnitudePrune(network: DenseNetwork, percent: number): DenseNetwork {
  const result = cloneNetwork(network);
  for (const layer of result.layers) {
    // Percent of the weights that are not already zero: pruning a zero is no change, and
    // constructions that add sparse rows (tripwire relays) must not dilute the figure.
    const nonzero = Array.from(layer.weights.keys()).filter((i) => layer.weights[i] !== 0);
    const count = Math.floor((nonzero.length * percent) / 100);
    if (count <= 0) continue;
    const order = nonzero.sort((a, b) => Math.abs(layer.weights[a]!) - Math.abs(layer.weights[b]!));
    for (let i = 0; i < count; i++) layer.weights[order[i]!] = 0;
  }
  return result;
}

/** Position of one weight: layer and flat index into its weights. */
export interface WeightPosition {
  layer: number;
  index: number;
}

/** A weight chosen uniformly over the nonzero weights of the network (editing a zero by 1 % changes nothing). */
export function randomWeightPosition(network: DenseNetwork, rng: Rng): WeightPosition {
  const total = network.layers.reduce((n, layer) => n + layer.weights.length, 0);
  if (total === 0) throw new RangeError('randomWeightPosition: empty network');
  // Rejection sampling keeps the draw uniform over nonzero weights without listing them.
  for (let attempt = 0; attempt < 10_000; attempt++) {
    let k = rng.int(total);
    for (let layer = 0; layer < network.layers.length; layer++) {
      const weights = network.layers[layer]!.weights;
      if (k < weights.length) {
        if (weights[k] !== 0) return { layer, index: k };
        break;
      }
      k -= weights.length;
    }
  }
  throw new RangeError('randomWeightPosition: the network has (almost) no nonzero weights');
}

/** One weight multiplied by (1 + s): the "+1 % to one weight" edit at s = 0.01. */
export function singleWeightEdit(network: DenseNetwork, position: WeightPosition, s: number): DenseNetwork {
  const result = cloneNetwork(network);
  result.layers[position.layer]!.weights[position.index]! *= 1 + s;
  return result;
}
