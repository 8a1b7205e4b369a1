import { applyActivation, type Activation } from './activations';
import { forward, gatheredDotProducts } from './forward';
import type { DenseNetwork } from './network';

/**
 * A bound on the float32 error of a forward pass that holds for every summation order, so
 * equivalence does not rest on the orders somebody emulated. Per layer and sample:
 *
 *   |ẑ_j − z_j| ≤ Σ_k |w_jk|·e_k  +  γ·(Σ_k |w_jk|·(|ĥ_k| + e_k) + |b_j|)
 *
 * where e_k bounds the error of the layer's inputs, the first term is the inputs' error carried
 * through exact arithmetic and the second the rounding of this dot product in any order (with or
 * without FMA; exact-zero inputs add no rounding, so n counts the nonzero terms and the bias).
 * The activation's Lipschitz constant carries the bound to the next layer.
 *
 * - 'deterministic': γ_n = n·u/(1 − n·u) (Higham, Accuracy and Stability, §3.1): a proof.
 * - 'probabilistic': γ̃_n(λ) = exp(λ·√n·u + n·u²/(1 − u)) − 1 (Higham & Mary 2019, Thm 3.1):
 *   holds with probability ≥ 1 − 2n·exp(−λ²(1 − u)²/2) for each dot product when rounding
 *   errors are independent and mean zero; λ is chosen so that a union over every dot product
 *   of the evaluation still fails with probability below `failureProbability`.
 */

/** Unit roundoff of float32 (round to nearest). */
export const FLOAT32_UNIT_ROUNDOFF = 2 ** -24;

/** Which bound to compute. */
export type BoundKind = 'deterministic' | 'probabilistic';

/** Result of `forwardErrorBound`. */
export interface ErrorBound {
  /** Per sample and output: bound on |float32 output − exact output| ([rows × outputs]). */
  perOutput: Float64Array;
  /** Largest entry of perOutput. */
  max: number;
  /** For 'probabilistic': the λ used and the probability that the bound fails somewhere. */
  lambda?: number;
  failureProbability?: number;
}

/** Lipschitz constant of an activation and a bound on its relative rounding in a float32 runtime. */
function activationConstants(activation: Activation, alpha: number | undefined): { lipschitz: number; rounding: number } {
  switch (activation) {
    case 'linear':
    case 'relu':
    case 'relu6':
      return { lipschitz: 1, rounding: 0 };
    case 'leaky_relu':
    case 'elu':
      // leaky_relu multiplies by alpha (one rounding); elu's exp is a library call.
      return { lipschitz: Math.max(1, Math.abs(alpha ?? 1)), rounding: activation === 'elu' ? 4 : 1 };
    case 'selu':
      return { lipschitz: 1.0507009873554805 * 1.6732632423543772, rounding: 4 };
    case 'tanh':
    case 'softsign':
    case 'softplus':
      return { lipschitz: 1, rounding: 4 };
    case 'sigmoid':
      return { lipschitz: 0.25, rounding: 4 };
    case 'hard_sigmoid':
      return { lipschitz: 0.2, rounding: 2 };
    case 'swish':
    case 'gelu':
      return { lipschitz: 1.2, rounding: 4 };
    case 'softmax':
      // Only ever on the last layer, which the bound leaves as logits.
      return { lipschitz: 1, rounding: 0 };
    default: {
      const never: never = activation;
      throw new Error(`no error constants for activation ${String(never)}`);
    }
  }
}

/** λ such that a union over `dotProducts` dot products of length ≤ n fails with probability ≤ p. */
export function probabilisticLambda(dotProducts: number, n: number, p: number): number {
  const u = FLOAT32_UNIT_ROUNDOFF;
  // 2n·exp(−λ²(1−u)²/2)·dotProducts ≤ p
  return Math.sqrt((2 * Math.log((2 * n * dotProducts) / p)) / (1 - u) ** 2);
}

/** γ for a dot product of n terms. */
function gamma(kind: BoundKind, n: number, lambda: number): number {
  const u = FLOAT32_UNIT_ROUNDOFF;
  const deterministic = (n * u) / (1 - n * u);
  if (kind === 'deterministic') return deterministic;
  // For short sums (n < λ²) the proven γ_n is the smaller one, and it always holds.
  return Math.min(deterministic, Math.expm1(lambda * Math.sqrt(n) * u + (n * u * u) / (1 - u)));
}

/**
 * Bound on the float32 error of the logits of `network` on inputs x (taken as exact float32
 * values) for any summation order and FMA use.
 */
export function forwardErrorBound(
  network: DenseNetwork,
  x: Float32Array,
  rows: number,
  kind: BoundKind,
  failureProbability = 1e-6,
): ErrorBound {
  let maxTerms = 1;
  let dotProducts = 0;
  for (const layer of network.layers) {
    maxTerms = Math.max(maxTerms, layer.inputs + 1);
    dotProducts += rows * layer.units;
  }
  const lambda = probabilisticLambda(dotProducts, maxTerms, failureProbability);
  // Values every order stays near: the sequential float32 pass (any order is within the bound of it).
  let h: Float32Array | Float64Array = x;
  let e = new Float64Array(x.length);
  const widest = Math.max(...network.layers.map((l) => l.inputs));
  const nonzero = new Int32Array(widest);
  // The gathered inputs' error and size, contiguous for the inner loop, and which inputs were gathered.
  const gatheredError = new Float64Array(widest);
  const gatheredSize = new Float64Array(widest);
  const gathered = new Uint8Array(widest);
  network.layers.forEach((layer, index) => {
    const last = index === network.layers.length - 1;
    const { units, inputs } = layer;
    const nextE = new Float64Array(rows * units);
    const zSequential = last ? new Float32Array(0) : forwardLayerFloat32(network, index, h, rows, true);
    // The layer's float32 output is its activation applied to that pre-activation, stored as float32.
    const nextH = last ? null : zSequential.slice();
    if (nextH) applyActivation(layer.activation, nextH, units, layer.alpha);
    const { lipschitz, rounding } = last ? { lipschitz: 1, rounding: 0 } : activationConstants(layer.activation, layer.alpha);
    const abs = absoluteWeights(layer.weights, units, inputs);
    // One unit's bound from its sums over the gathered inputs.
    const finish = (r: number, j: number, carried: number, magnitude: number, count: number): void => {
      // A zero weight makes an exact zero product: it adds no rounding in any order.
      let products = count;
      const zeroStart = abs.zeroStart[j]!;
      const zeroEnd = abs.zeroStart[j + 1]!;
      if (count === inputs) products -= zeroEnd - zeroStart;
      else for (let z = zeroStart; z < zeroEnd; z++) products -= gathered[abs.zeroInputs[z]!]!;
      const b = Math.abs(layer.bias[j]!);
      const terms = products + (b > 0 ? 1 : 0);
      const local = terms > 0 ? gamma(kind, terms, lambda) * (magnitude + b) : 0;
      const zError = carried + local;
      if (!last && layer.activation === 'relu' && zSequential[r * units + j]! + 2 * zError < 0) {
        // The exact and every computed pre-activation lie within 2·zError of the sequential
        // one, so all are negative: ReLU outputs an exact zero with no error (tripwires).
        nextE[r * units + j] = 0;
        return;
      }
      // The activation's own rounding is relative to its output; any order's output is within
      // lipschitz·2·zError of the sequential one.
      const size = nextH ? Math.abs(nextH[r * units + j]!) + 2 * lipschitz * zError : 0;
      nextE[r * units + j] = lipschitz * zError + rounding * FLOAT32_UNIT_ROUNDOFF * size;
    };
    const carried = new Float64Array(units);
    const magnitude = new Float64Array(units);
    for (let r = 0; r < rows; r++) {
      const ho = r * inputs;
      // Inputs that are exactly zero with zero error contribute nothing in any order.
      const count = gatherNonzeroOrUncertain(h, e, ho, inputs, nonzero);
      for (let n = 0; n < count; n++) {
        const k = nonzero[n]!;
        gatheredError[n] = e[ho + k]!;
        // Any order's input lies within 2e of the sequential one (both within e of the exact value).
        gatheredSize[n] = Math.abs(h[ho + k]!) + 2 * e[ho + k]!;
        gathered[k] = 1;
      }
      gatheredDotProducts(abs.weights, units, inputs, nonzero, gatheredError, count, carried);
      gatheredDotProducts(abs.weights, units, inputs, nonzero, gatheredSize, count, magnitude);
      for (let j = 0; j < units; j++) finish(r, j, carried[j]!, magnitude[j]!, count);
      for (let n = 0; n < count; n++) gathered[nonzero[n]!] = 0;
    }
    if (nextH) h = nextH;
    e = nextE;
  });
  let max = 0;
  for (let i = 0; i < e.length; i++) max = Math.max(max, e[i]!);
  return kind === 'probabilistic'
    ? { perOutput: e, max, lambda, failureProbability }
    : { perOutput: e, max };
}

/**
 * |w| of a layer's weights [units × inputs] (one layer at a time), and where the zero weights
 * are: unit j's are at inputs zeroInputs[zeroStart[j] … zeroStart[j + 1]).
 */
function absoluteWeights(weights: Float32Array, units: number, inputs: number): { weights: Float32Array; zeroStart: Int32Array; zeroInputs: Int32Array } {
  const abs = new Float32Array(weights.length);
  const zeroStart = new Int32Array(units + 1);
  for (let j = 0; j < units; j++) {
    let zeros = 0;
    for (let k = j * inputs; k < (j + 1) * inputs; k++) {
      abs[k] = Math.abs(weights[k]!);
      if (abs[k] === 0) zeros++;
    }
    zeroStart[j + 1] = zeroStart[j]! + zeros;
  }
  const zeroInputs = new Int32Array(zeroStart[units]!);
  for (let j = 0, at = 0; j < units; j++) for (let k = 0; k < inputs; k++) if (abs[j * inputs + k] === 0) zeroInputs[at++] = k;
  return { weights: abs, zeroStart, zeroInputs };
}

/** Like gatherNonzero, but keeps inputs that are zero yet may be nonzero in another order (e > 0). */
function gatherNonzeroOrUncertain(h: Float32Array | Float64Array, e: Float64Array, offset: number, length: number, into: Int32Array): number {
  let count = 0;
  for (let k = 0; k < length; k++) if (h[offset + k] !== 0 || e[offset + k]! > 0) into[count++] = k;
  return count;
}

/** Output (or pre-activation) of layer `index` in sequential float32, as a runtime would store it. */
function forwardLayerFloat32(network: DenseNetwork, index: number, h: Float32Array | Float64Array, rows: number, preActivation: boolean): Float32Array {
  const single: DenseNetwork = { inputs: network.layers[index]!.inputs, layers: [network.layers[index]!] };
  return forward(single, h, rows, { precision: 'float32', logits: preActivation }) as Float32Array;
}

/**
 * Bound on relDiff between two models that both run in float32 (any orders): the sum of their
 * bounds (the exact functions agree up to the float64 difference, added by the caller), over
 * max |original output|.
 */
export function relDiffBound(original: ErrorBound, candidate: ErrorBound, originalOutputs: ArrayLike<number>, exactMaxAbsDiff = 0): number {
  let maxBound = 0;
  let maxRef = 0;
  for (let i = 0; i < originalOutputs.length; i++) {
    maxBound = Math.max(maxBound, original.perOutput[i]! + candidate.perOutput[i]!);
    maxRef = Math.max(maxRef, Math.abs(originalOutputs[i]!));
  }
  const total = maxBound + exactMaxAbsDiff;
  return maxRef > 0 ? total / maxRef : total;
}
