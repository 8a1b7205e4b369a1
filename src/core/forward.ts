import { applyActivation } from './activations';
import type { DenseNetwork } from './network';
import { denseInOrdersWasm, trimWasmKernel } from './summationKernel/wasmKernel';
import type { SummationOrder } from './summationOrder';

/** Arithmetic of a forward pass. */
export type Precision = 'float32' | 'float64';

/** Options of `forward`. */
export interface ForwardOptions {
  /**
   * 'float32' rounds every product and every partial sum to float32, like a float32 runtime
   * with sequential accumulation, so cancellation error of protected models shows up as it
   * would on device; 'float64' computes exactly enough to check constructions to ~1e-12.
   */
  precision?: Precision;
  /** Return pre-activation outputs of the last layer (logits) instead of its activation. */
  logits?: boolean;
}

/**
 * Batched forward pass of `rows` inputs stored row-major in `x` ([rows × inputs]).
 * Returns [rows × outputs] in the requested precision.
 */
export function forward(
  network: DenseNetwork,
  x: Float32Array | Float64Array,
  rows: number,
  options: ForwardOptions = {},
): Float32Array | Float64Array {
  return forwardFrom(network, 0, x, rows, options);
}

/**
 * The forward pass from layer `first` on, given that layer's input ([rows × its inputs]):
 * lets a caller that changed one layer reuse the activations below it.
 */
export function forwardFrom(
  network: DenseNetwork,
  first: number,
  input: Float32Array | Float64Array,
  rows: number,
  options: ForwardOptions = {},
): Float32Array | Float64Array {
  const precision = options.precision ?? 'float32';
  let h: Float32Array | Float64Array = precision === 'float32' && input instanceof Float64Array ? Float32Array.from(input) : input;
  try {
    for (let index = first; index < network.layers.length; index++) h = denseLayer(network, index, h, rows, options);
  } finally {
    if (precision === 'float32') trimWasmKernel();
  }
  return h;
}

/** Inputs of every layer in float64 (entry 0 is x, entry l the output of layer l−1), for `forwardFrom`. */
export function layerInputs(network: DenseNetwork, x: Float32Array | Float64Array, rows: number): (Float32Array | Float64Array)[] {
  const inputs: (Float32Array | Float64Array)[] = [x];
  for (let index = 0; index < network.layers.length - 1; index++) inputs.push(denseLayer(network, index, inputs[index]!, rows, { precision: 'float64' }));
  return inputs;
}

/** One layer: affine map, then its activation (skipped for the last layer when logits are asked for). */
function denseLayer(
  network: DenseNetwork,
  index: number,
  h: Float32Array | Float64Array,
  rows: number,
  options: ForwardOptions,
): Float32Array | Float64Array {
  const layer = network.layers[index]!;
  const precision = options.precision ?? 'float32';
  const activate = !(index === network.layers.length - 1 && options.logits);
  const out = precision === 'float32' ? denseFloat32(layer.weights, layer.bias, h, rows, layer.inputs, layer.units)
    : denseFloat64(layer.weights, layer.bias, h, rows, layer.inputs, layer.units);
  if (activate) applyActivation(layer.activation, out, layer.units, layer.alpha);
  if (precision === 'float32' && layer.activation !== 'linear' && activate) {
    // Activations were computed in float64; store them back as float32 values.
    for (let i = 0; i < out.length; i++) out[i] = Math.fround(out[i]!);
  }
  return out;
}

/** Plain sequential float32 accumulation, bias last: what `denseFloat32` computes. */
const SEQUENTIAL: SummationOrder = { lanes: 1, block: 0, fma: false, biasFirst: false };

/**
 * Below this many rows the JavaScript loop is used: the kernel computes 16 rows at a time and
 * copies the layer's weights on every call.
 */
const KERNEL_MIN_ROWS = 8;

function denseFloat32(
  w: Float32Array,
  b: Float32Array,
  x: Float32Array | Float64Array,
  rows: number,
  inputs: number,
  units: number,
): Float32Array {
  // The summation kernel in the sequential order gives these very bits (test/unit/core/
  // summationKernel.test.ts), about 10× faster; it declines what it cannot run.
  if (rows >= KERNEL_MIN_ROWS && x instanceof Float32Array) {
    const fast = denseInOrdersWasm(w, b, x, rows, inputs, units, [SEQUENTIAL], new Uint8Array(units));
    if (fast) return fast;
  }
  const out = new Float32Array(rows * units);
  const fround = Math.fround;
  const nonzero = new Int32Array(inputs);
  for (let r = 0; r < rows; r++) {
    const xo = r * inputs;
    const count = gatherNonzero(x, xo, inputs, nonzero);
    for (let j = 0; j < units; j++) {
      const wo = j * inputs;
      let s = 0;
      for (let n = 0; n < count; n++) {
        const k = nonzero[n]!;
        s = fround(s + fround(w[wo + k]! * x[xo + k]!));
      }
      out[r * units + j] = s + b[j]!;
    }
  }
  return out;
}

function denseFloat64(
  w: Float32Array,
  b: Float32Array,
  x: Float32Array | Float64Array,
  rows: number,
  inputs: number,
  units: number,
): Float64Array {
  const out = new Float64Array(rows * units);
  const nonzero = new Int32Array(inputs);
  const values = new Float64Array(inputs);
  const sums = new Float64Array(units);
  for (let r = 0; r < rows; r++) {
    const xo = r * inputs;
    const count = gatherNonzero(x, xo, inputs, nonzero);
    for (let n = 0; n < count; n++) values[n] = x[xo + nonzero[n]!]!;
    gatheredDotProducts(w, units, inputs, nonzero, values, count, sums);
    for (let j = 0; j < units; j++) out[r * units + j] = sums[j]! + b[j]!;
  }
  return out;
}

/**
 * out[j] = Σ_n w[j·inputs + nonzero[n]]·values[n] in float64 for every unit j of weights w
 * [units × inputs], over the `count` gathered inputs in input order. Four units at a time share
 * each input's loads (about 2.3× faster than one at a time); each sum keeps input order, so
 * the bits are those of one unit at a time.
 */
export function gatheredDotProducts(w: Float32Array, units: number, inputs: number, nonzero: Int32Array, values: Float64Array, count: number, out: Float64Array): void {
  let j = 0;
  for (; j + 4 <= units; j += 4) {
    const o0 = j * inputs;
    const o1 = o0 + inputs;
    const o2 = o1 + inputs;
    const o3 = o2 + inputs;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let n = 0; n < count; n++) {
      const k = nonzero[n]!;
      const v = values[n]!;
      s0 += w[o0 + k]! * v;
      s1 += w[o1 + k]! * v;
      s2 += w[o2 + k]! * v;
      s3 += w[o3 + k]! * v;
    }
    out[j] = s0;
    out[j + 1] = s1;
    out[j + 2] = s2;
    out[j + 3] = s3;
  }
  for (; j < units; j++) {
    const wo = j * inputs;
    let s = 0;
    for (let n = 0; n < count; n++) s += w[wo + nonzero[n]!]! * values[n]!;
    out[j] = s;
  }
}

/**
 * Indices of the nonzero inputs of one row. ReLU outputs and image pixels are mostly zero, and
 * skipping exact zeros changes no sum (adding 0 is exact), so the result is bit for bit the same.
 */
export function gatherNonzero(x: Float32Array | Float64Array, offset: number, length: number, into: Int32Array): number {
  let count = 0;
  for (let k = 0; k < length; k++) if (x[offset + k] !== 0) into[count++] = k;
  return count;
}

/** Index of the largest output of each row; a single output is read as a binary logit/probability. */
export function argmaxRows(y: ArrayLike<number>, rows: number, width: number, threshold = 0): Int32Array {
  const result = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    if (width === 1) {
      result[r] = y[r]! > threshold ? 1 : 0;
      continue;
    }
    let best = 0;
    let bestValue = y[r * width]!;
    for (let j = 1; j < width; j++) {
      const v = y[r * width + j]!;
      if (v > bestValue) {
        bestValue = v;
        best = j;
      }
    }
    result[r] = best;
  }
  return result;
}
