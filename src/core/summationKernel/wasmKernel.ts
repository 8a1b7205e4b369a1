import type { SummationOrder } from '../summationOrder';
import { decodeBase64 } from './base64';
import { KERNEL_BASE64 } from './kernelBytes';

/**
 * The WebAssembly SIMD kernel of the summation-order emulation (kernel.wat): one float32 dense
 * layer with each output column accumulated in its own order, 16 rows at a time. Its outputs
 * equal the JavaScript reference's bit for bit except one case the caller repairs (see
 * `denseInOrdersWasm`). Without WebAssembly or SIMD it reports itself unavailable and the
 * caller keeps the JavaScript path.
 */

/** The slice of the WebAssembly global this module touches (src/core has no DOM typings). */
interface WasmGlobal {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

/** kernel.wat's exports. */
interface KernelExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  scratchSize(inputs: number): number;
  allFinite(at: number, count: number): number;
  layer(x: number, w: number, b: number, cols: number, out: number, scratch: number, rows: number, inputs: number, units: number, anyFma: number): void;
}

/** Rows the kernel processes side by side (four f32x4). */
export const KERNEL_ROWS = 16;
const PAGE = 65536;
/** Beyond this, a call's memory is dropped afterwards, so one large layer does not pin it for the process's life. */
const RETAINED_BYTES = 64 * 1024 * 1024;
/** Larger layers (weights, inputs and outputs together) stay on the JavaScript path, far from wasm32's 4 GiB. */
const MAX_BYTES = 1024 * 1024 * 1024;
const LANE_CLASS: Readonly<Record<number, number>> = { 1: 0, 4: 1, 8: 2, 16: 3 };

let compiled: object | null | undefined;
let instance: KernelExports | undefined;

/** The kernel's instance, created on first use; undefined where WebAssembly SIMD is missing. */
function kernel(): KernelExports | undefined {
  if (instance) return instance;
  if (compiled === null) return undefined;
  try {
    const wasm = (globalThis as unknown as { WebAssembly?: WasmGlobal }).WebAssembly;
    if (!wasm) throw new Error('no WebAssembly');
    if (!compiled) {
      const bytes = decodeBase64(KERNEL_BASE64);
      if (!wasm.validate(bytes)) throw new Error('no WebAssembly SIMD');
      // Synchronous compilation: the module is 3 kB, below every engine's limit for it.
      compiled = new wasm.Module(bytes);
    }
    instance = new wasm.Instance(compiled, {}).exports as KernelExports;
    return instance;
  } catch {
    compiled = null;
    return undefined;
  }
}

/** Whether the WebAssembly kernel runs here (tests use it to know what they compare). */
export function wasmKernelAvailable(): boolean {
  return kernel() !== undefined;
}

/**
 * The kernel's code for an order on a layer of `inputs` inputs: lane class, FMA, bias first and
 * the K-block clamped to the layer (a block covering every input is one block). Undefined for
 * orders outside the kernel's family (other lane counts, fractional blocks).
 */
function orderCode(order: SummationOrder, inputs: number): number | undefined {
  const lanes = LANE_CLASS[order.lanes];
  if (lanes === undefined) return undefined;
  let block = order.block > 0 ? order.block : inputs;
  if (block >= inputs) block = inputs;
  if (!Number.isInteger(block) || block < 1 || block >= 2 ** 23) return undefined;
  return lanes | (order.fma ? 4 : 0) | (order.biasFirst ? 8 : 0) | (block << 8);
}

const align = (n: number): number => Math.ceil(n / 16) * 16;

/**
 * One layer, [rows × units] float32, in the kernel; undefined when it cannot run here (no
 * WebAssembly SIMD, an order outside its family, a non-finite weight, a layer too large), and
 * the caller uses the JavaScript reference. Identical to the reference except, possibly, the
 * sign of a zero output in a column that adds its bias first with a bias of -0: the reference
 * skips zero inputs, the kernel adds their zero products, and -0 + +0 is +0 (kernel.wat says
 * why nothing else can differ). The caller recomputes those outputs.
 */
export function denseInOrdersWasm(
  w: Float32Array,
  b: Float32Array,
  x: Float32Array,
  rows: number,
  inputs: number,
  units: number,
  orders: readonly SummationOrder[],
  columnOrder: Uint8Array,
): Float32Array | undefined {
  if (rows < 1 || inputs < 1 || units < 1 || x.length < rows * inputs || w.length < units * inputs || b.length < units) return undefined;
  const codes = new Int32Array(units);
  let anyFma = 0;
  for (let j = 0; j < units; j++) {
    const order = orders[columnOrder[j]!];
    const code = order && orderCode(order, inputs);
    if (code === undefined) return undefined;
    codes[j] = code;
    if (code & 4) anyFma = 1;
  }
  const k = kernel();
  if (!k) return undefined;
  const paddedRows = Math.ceil(rows / KERNEL_ROWS) * KERNEL_ROWS;
  const colsAt = 0;
  const biasAt = align(colsAt + units * 4);
  const weightsAt = align(biasAt + units * 4);
  const inputAt = align(weightsAt + units * inputs * 4);
  const outAt = align(inputAt + rows * inputs * 4);
  const scratchAt = align(outAt + paddedRows * units * 4);
  const end = scratchAt + k.scratchSize(inputs);
  if (end > MAX_BYTES) return undefined;
  const missing = end - k.memory.buffer.byteLength;
  if (missing > 0) {
    try {
      k.memory.grow(Math.ceil(missing / PAGE));
    } catch {
      return undefined;
    }
  }
  const buffer = k.memory.buffer;
  new Int32Array(buffer, colsAt, units).set(codes);
  new Float32Array(buffer, biasAt, units).set(b.subarray(0, units));
  new Float32Array(buffer, weightsAt, units * inputs).set(w.subarray(0, units * inputs));
  // The reference never multiplies a weight by a skipped zero input; the kernel does, and 0·inf is NaN.
  if (!k.allFinite(weightsAt, units * inputs)) return undefined;
  new Float32Array(buffer, inputAt, rows * inputs).set(x.subarray(0, rows * inputs));
  k.layer(inputAt, weightsAt, biasAt, colsAt, outAt, scratchAt, rows, inputs, units, anyFma);
  return new Float32Array(buffer, outAt, rows * units).slice();
}

/** Drops the instance when a large layer grew its memory (wasm memory never shrinks): called after each forward pass. */
export function trimWasmKernel(): void {
  if (instance && instance.memory.buffer.byteLength > RETAINED_BYTES) instance = undefined;
}

/** Bytes of wasm memory the kernel holds between calls (0 without an instance): lets tests check large layers are not pinned. */
export function wasmKernelRetainedBytes(): number {
  return instance ? instance.memory.buffer.byteLength : 0;
}
