import { compareOutputs } from './equivalence';
import { checkpoint } from './errors';
import { outputWidth, type DenseNetwork } from './network';
import { Rng } from './rng';
import { KERNEL_ROWS, wasmKernelAvailable } from './summationKernel/wasmKernel';
import {
  forwardWithOrders,
  randomAssignment,
  SUMMATION_ORDERS,
  uniformAssignment,
  type OrderAssignment,
  type SummationOrder,
} from './summationOrder';

/**
 * Equivalence under emulated kernels (DESIGN §4 "Equivalence in the field"): the original and
 * the candidate both run in float32 with the same kind of assignment, and the protected copy
 * must agree with the original under every one. Uniform assignments stand for matrix-vector
 * and GPU paths; independent per-column assignments for tiled GEMMs (XNNPACK, MLAS, BLAS),
 * whose decorrelated rounding is what breaks cancelling splits.
 */

/** Uniform orders always checked: the scalar loop, and a blocked SIMD GEMM with FMA. */
export const UNIFORM_CHECK_ORDERS: readonly SummationOrder[] = [
  { lanes: 1, block: 0, fma: false, biasFirst: false },
  { lanes: 8, block: 256, fma: true, biasFirst: true },
];

/** Independent per-column draws checked (each a fresh seeded assignment for both networks). */
export const INDEPENDENT_DRAWS = 3;

/** One emulated assignment's comparison. */
export interface EmulatedResult {
  /** What the assignment stands for. */
  label: string;
  relDiff: number;
  maxAbsDiff: number;
  top1Agreement: number;
}

/** The emulated part of the field check. */
export interface EmulatedEquivalence {
  /** Samples run under each assignment. */
  samples: number;
  /** Every assignment, uniform ones first. */
  results: EmulatedResult[];
  /** The assignment with the largest relDiff (a top-1 disagreement counts as worst). */
  worst: EmulatedResult;
}

/** A pair of assignments: the original's and the candidate's, of the same kind. */
interface AssignmentPair {
  label: string;
  original: OrderAssignment;
  candidate: OrderAssignment;
}

/** The assignments of the field check for this pair of networks; the same seed gives the same draws. */
export function fieldAssignments(original: DenseNetwork, candidate: DenseNetwork, seed: number): AssignmentPair[] {
  const pairs: AssignmentPair[] = UNIFORM_CHECK_ORDERS.map((order) => {
    const assignment = uniformAssignment(candidate, order);
    return { label: assignment.label, original: uniformAssignment(original, order), candidate: assignment };
  });
  const rng = new Rng(seed).fork('field-orders');
  for (let draw = 1; draw <= INDEPENDENT_DRAWS; draw++) {
    const label = `each column its own order, drawn from ${SUMMATION_ORDERS.length} (draw ${draw})`;
    pairs.push({
      label,
      original: randomAssignment(original, rng.fork(`original/${draw}`), label),
      candidate: randomAssignment(candidate, rng.fork(`candidate/${draw}`), label),
    });
  }
  return pairs;
}

/**
 * Multiply-adds emulated between two yields to the event loop: about 32 rows of the example's
 * protected copy, one row of a 13 M-weight network; keeps cancel latency well under a second.
 */
const CHUNK_WORK = 1.3e7;

/**
 * Runs original and candidate under every field assignment on x ([rows × inputs]) and compares
 * their logits. Yields between chunks of rows; aborting throws CancelledError.
 */
export async function emulatedEquivalence(
  original: DenseNetwork,
  candidate: DenseNetwork,
  x: Float32Array,
  rows: number,
  options: { seed: number; signal?: AbortSignal; originalCache?: Map<string, Float32Array> },
): Promise<EmulatedEquivalence> {
  const width = outputWidth(original);
  const results: EmulatedResult[] = [];
  for (const pair of fieldAssignments(original, candidate, options.seed)) {
    // The original's outputs under an assignment do not depend on the candidate: search trials reuse them.
    let reference = options.originalCache?.get(pair.label);
    if (!reference) {
      reference = await inChunks(original, x, rows, pair.original, options.signal);
      options.originalCache?.set(pair.label, reference);
    }
    const outputs = await inChunks(candidate, x, rows, pair.candidate, options.signal);
    const comparison = compareOutputs(reference, outputs, rows, width);
    results.push({ label: pair.label, relDiff: comparison.relDiff, maxAbsDiff: comparison.maxAbsDiff, top1Agreement: comparison.top1Agreement });
  }
  const worst = results.reduce((a, b) => (severity(b) > severity(a) ? b : a));
  return { samples: rows, results, worst };
}

/** Orders results: any top-1 disagreement first, then relDiff (NaN counts as the worst). */
function severity(result: EmulatedResult): number {
  if (Number.isNaN(result.relDiff)) return Infinity;
  return (result.top1Agreement < 1 ? 1e6 : 0) + result.relDiff;
}

async function inChunks(network: DenseNetwork, x: Float32Array, rows: number, assignment: OrderAssignment, signal: AbortSignal | undefined): Promise<Float32Array> {
  const width = outputWidth(network);
  const out = new Float32Array(rows * width);
  const weights = network.layers.reduce((n, layer) => n + layer.weights.length, 0);
  const byWork = Math.max(1, Math.floor(CHUNK_WORK / weights));
  // The wasm kernel computes 16 rows per column at once and costs as much for 1 row as for 16;
  // at about 10× the JS speed, 16 rows of the largest network still take well under a second.
  const chunk = wasmKernelAvailable() ? Math.ceil(byWork / KERNEL_ROWS) * KERNEL_ROWS : byWork;
  for (let start = 0; start < rows; start += chunk) {
    await checkpoint(signal);
    const n = Math.min(chunk, rows - start);
    out.set(forwardWithOrders(network, x.subarray(start * network.inputs, (start + n) * network.inputs), n, assignment), start * width);
  }
  return out;
}
