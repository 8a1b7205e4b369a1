import type { DenseLayer } from '../../core/network';

/**
 * Folding an inference-mode BatchNormalization y = (x − mean)·γ/√(var+ε) + β into an adjacent
 * dense layer, so the dense chain computes the same function without a BN layer. Arithmetic is in
 * float64 and rounded once to float32.
 */

/** BN parameters per feature. */
export interface BatchNormParams {
  /** Scale γ (ones when the layer has `scale: false`). */
  gamma: Float32Array;
  /** Offset β (zeros when the layer has `center: false`). */
  beta: Float32Array;
  /** Moving mean. */
  mean: Float32Array;
  /** Moving variance. */
  variance: Float32Array;
  /** Variance epsilon. */
  epsilon: number;
}

/** Per-feature affine form y = s·x + t of a BN layer. */
function affine(bn: BatchNormParams, i: number): { s: number; t: number } {
  const s = bn.gamma[i]! / Math.sqrt(bn.variance[i]! + bn.epsilon);
  return { s, t: bn.beta[i]! - bn.mean[i]! * s };
}

/** Folds a BN that follows the linear `layer`: w' = w·s, b' = (b − mean)·s + β, per neuron. */
export function foldIntoOutputs(layer: DenseLayer, bn: BatchNormParams): void {
  for (let j = 0; j < layer.units; j++) {
    const { s, t } = affine(bn, j);
    for (let i = 0; i < layer.inputs; i++) layer.weights[j * layer.inputs + i] = Math.fround(layer.weights[j * layer.inputs + i]! * s);
    layer.bias[j] = Math.fround(layer.bias[j]! * s + t);
  }
  layer.hasBias = true;
}

/** Folds a BN that feeds `layer`: w'_ji = w_ji·s_i, b'_j = b_j + Σ_i w_ji·t_i. */
export function foldIntoInputs(layer: DenseLayer, bn: BatchNormParams): void {
  const s = new Float64Array(layer.inputs);
  const t = new Float64Array(layer.inputs);
  for (let i = 0; i < layer.inputs; i++) {
    const feature = affine(bn, i);
    s[i] = feature.s;
    t[i] = feature.t;
  }
  for (let j = 0; j < layer.units; j++) {
    let shift = 0;
    for (let i = 0; i < layer.inputs; i++) {
      const w = layer.weights[j * layer.inputs + i]!;
      shift += w * t[i]!;
      layer.weights[j * layer.inputs + i] = Math.fround(w * s[i]!);
    }
    layer.bias[j] = Math.fround(layer.bias[j]! + shift);
  }
  layer.hasBias = true;
}
