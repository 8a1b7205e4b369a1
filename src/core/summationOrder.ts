import { applyActivation } from './activations';
import { gatherNonzero } from './forward';
import type { DenseNetwork } from './network';
import type { Rng } from './rng';
import { denseInOrdersWasm, trimWasmKernel } from './summationKernel/wasmKernel';

/**
 * Emulation of the float32 summation orders real kernels use (DESIGN §4 "Equivalence in the
 * field"). A protected copy's split neurons share their incoming weights, so with one order for
 * every output column their rounding errors are identical and the next layer's cancelling
 * weights cancel them too. Tiled GEMM kernels (XNNPACK, MLAS, BLAS, GPUs) sum different output
 * columns in different orders, which makes those errors independent and multiplies them by the
 * amplitude. So the emulation assigns an order to every output column independently.
 */

/** How one dot product is accumulated in float32. */
export interface SummationOrder {
  /** Partial sums over k mod lanes (1 = one sequential accumulator), then a pairwise horizontal sum. */
  lanes: 1 | 4 | 8 | 16;
  /** K-block size: each block's partial sum is added to the float32 output, as blocked GEMMs do; 0 = one block. */
  block: number;
  /** Fused multiply-add: the product is not rounded before it is added. */
  fma: boolean;
  /** Whether the accumulator starts at the bias (XNNPACK, MLAS) or the bias is added at the end. */
  biasFirst: boolean;
}

/** Lane counts of SIMD kernels: SSE/NEON (4), AVX (8), AVX-512 (16), and the scalar loop. */
const LANES: readonly SummationOrder['lanes'][] = [1, 4, 8, 16];
/** K-block sizes of blocked GEMMs (OpenBLAS, MLAS, XNNPACK); 0 is the unblocked loop. */
const BLOCKS: readonly number[] = [0, 64, 128, 256, 384, 512];

/** Every order of the emulated family. */
export const SUMMATION_ORDERS: readonly SummationOrder[] = LANES.flatMap((lanes) =>
  BLOCKS.flatMap((block) => [false, true].flatMap((fma) => [true, false].map((biasFirst) => ({ lanes, block, fma, biasFirst })))),
);

/** Short name of an order for reports and logs, e.g. "8 lanes, K-blocks of 256, FMA". */
export function describeOrder(order: SummationOrder): string {
  const parts = [order.lanes === 1 ? 'sequential' : `${order.lanes} lanes`];
  if (order.block > 0) parts.push(`K-blocks of ${order.block}`);
  if (order.fma) parts.push('FMA');
  return parts.join(', ');
}

/**
 * An assignment of one order to every output column of every layer: `columns[l][j]` indexes
 * `orders`. A uniform assignment gives every column the same order; a random one draws each
 * column's order independently, as tiled kernels effectively do.
 */
export interface OrderAssignment {
  /** The orders used. */
  orders: readonly SummationOrder[];
  /** Per layer, per output unit: index into `orders`. */
  columns: Uint8Array[];
  /** What the assignment stands for, e.g. "independent per column (draw 2)". */
  label: string;
}

/** Every column of every layer accumulates in `order`. */
export function uniformAssignment(network: DenseNetwork, order: SummationOrder): OrderAssignment {
  return { orders: [order], columns: network.layers.map((layer) => new Uint8Array(layer.units)), label: `every column ${describeOrder(order)}` };
}

/** Each column's order drawn independently (seeded) from `orders`. */
export function randomAssignment(network: DenseNetwork, rng: Rng, label: string, orders: readonly SummationOrder[] = SUMMATION_ORDERS): OrderAssignment {
  return {
    orders,
    columns: network.layers.map((layer) => Uint8Array.from({ length: layer.units }, () => rng.int(orders.length))),
    label,
  };
}

/**
 * Forward pass in float32 with each output column accumulated in its assigned order; returns
 * logits of the last layer. Runs the WebAssembly SIMD kernel (summationKernel/) where it can,
 * bit for bit equal to `forwardWithOrdersReference`, and that reference elsewhere.
 */
export function forwardWithOrders(network: DenseNetwork, x: Float32Array, rows: number, assignment: OrderAssignment): Float32Array {
  try {
    return forwardLayers(network, x, rows, assignment, denseInOrderFast);
  } finally {
    trimWasmKernel();
  }
}

/** The scalar JavaScript emulation: the definition the kernel is tested against. */
export function forwardWithOrdersReference(network: DenseNetwork, x: Float32Array, rows: number, assignment: OrderAssignment): Float32Array {
  return forwardLayers(network, x, rows, assignment, denseInOrder);
}

type DenseInOrder = typeof denseInOrder;

function forwardLayers(network: DenseNetwork, x: Float32Array, rows: number, assignment: OrderAssignment, dense: DenseInOrder): Float32Array {
  let h: Float32Array = x;
  network.layers.forEach((layer, index) => {
    const out = dense(layer.weights, layer.bias, h, rows, layer.inputs, layer.units, assignment.orders, assignment.columns[index]!);
    if (index < network.layers.length - 1) {
      applyActivation(layer.activation, out, layer.units, layer.alpha);
      // applyActivation works in float64; a float32 runtime stores float32 activations.
      for (let i = 0; i < out.length; i++) out[i] = Math.fround(out[i]!);
    }
    h = out;
  });
  return h;
}

/** `denseInOrder` through the WebAssembly kernel when it runs, with the one case it leaves to the reference. */
function denseInOrderFast(
  w: Float32Array,
  b: Float32Array,
  x: Float32Array,
  rows: number,
  inputs: number,
  units: number,
  orders: readonly SummationOrder[],
  columnOrder: Uint8Array,
): Float32Array {
  const out = denseInOrdersWasm(w, b, x, rows, inputs, units, orders, columnOrder);
  if (!out) return denseInOrder(w, b, x, rows, inputs, units, orders, columnOrder);
  // The kernel adds the zero products the reference skips; -0 + +0 = +0 makes that visible only
  // in a total that can be -0, one starting at a bias of -0, and only when the output is zero
  // (kernel.wat gives the argument). Those few outputs are recomputed here.
  const nonzero = new Int32Array(inputs);
  const lanes = new Float64Array(16);
  for (let j = 0; j < units; j++) {
    const order = orders[columnOrder[j]!]!;
    if (!order.biasFirst || !Object.is(b[j], -0)) continue;
    for (let r = 0; r < rows; r++) {
      if (out[r * units + j] !== 0) continue;
      const count = gatherNonzero(x, r * inputs, inputs, nonzero);
      out[r * units + j] = dotInOrder(w, j * inputs, x, r * inputs, nonzero, count, b[j]!, order, inputs, lanes);
    }
  }
  return out;
}

function denseInOrder(
  w: Float32Array,
  b: Float32Array,
  x: Float32Array,
  rows: number,
  inputs: number,
  units: number,
  orders: readonly SummationOrder[],
  columnOrder: Uint8Array,
): Float32Array {
  const out = new Float32Array(rows * units);
  const nonzero = new Int32Array(inputs);
  const lanes = new Float64Array(16);
  for (let r = 0; r < rows; r++) {
    const xo = r * inputs;
    // Skipping exact zeros changes no sum: adding a zero product is exact in every order.
    const count = gatherNonzero(x, xo, inputs, nonzero);
    for (let j = 0; j < units; j++) {
      out[r * units + j] = dotInOrder(w, j * inputs, x, xo, nonzero, count, b[j]!, orders[columnOrder[j]!]!, inputs, lanes);
    }
  }
  return out;
}

/** One dot product plus bias in float32, accumulated in `order`. */
function dotInOrder(
  w: Float32Array,
  wo: number,
  x: Float32Array,
  xo: number,
  nonzero: Int32Array,
  count: number,
  bias: number,
  order: SummationOrder,
  inputs: number,
  acc: Float64Array,
): number {
  const fround = Math.fround;
  const L = order.lanes;
  // Lane counts are powers of two, so k mod L is a mask.
  const mask = L - 1;
  const block = order.block > 0 ? order.block : inputs;
  let total = order.biasFirst ? bias : 0;
  let n = 0;
  for (let start = 0; start < inputs && n < count; start += block) {
    const end = start + block;
    acc.fill(0, 0, L);
    const first = n;
    // Two loops rather than a branch per product: this is the hot loop of the field check.
    // A float32 × float32 product is exact in float64, so fround(acc + w·x) is a true FMA.
    if (order.fma) {
      for (; n < count && nonzero[n]! < end; n++) {
        const k = nonzero[n]!;
        const lane = (k - start) & mask;
        acc[lane] = fround(acc[lane]! + w[wo + k]! * x[xo + k]!);
      }
    } else {
      for (; n < count && nonzero[n]! < end; n++) {
        const k = nonzero[n]!;
        const lane = (k - start) & mask;
        acc[lane] = fround(acc[lane]! + fround(w[wo + k]! * x[xo + k]!));
      }
    }
    if (n === first) continue;
    for (let step = L >> 1; step >= 1; step >>= 1) {
      for (let i = 0; i < step; i++) acc[i] = fround(acc[i]! + acc[i + step]!);
    }
    total = fround(total + acc[0]!);
  }
  return order.biasFirst ? total : fround(total + bias);
}
