// Micro-benchmark of the summation-order emulation: forwardWithOrders (WebAssembly kernel)
// against forwardWithOrdersReference (scalar JavaScript), median of 5 runs each, checking the
// outputs are bit-identical. Run: npx tsx scripts/benchSummationKernel.ts
import { loadExample, protectedExample } from '../bench/workloads';
import type { DenseNetwork } from '../src/core/network';
import { Rng } from '../src/core/rng';
import { wasmKernelAvailable } from '../src/core/summationKernel/wasmKernel';
import { forwardWithOrders, forwardWithOrdersReference, randomAssignment, type OrderAssignment } from '../src/core/summationOrder';
import { randomInputs, randomNetwork } from '../test/unit/helpers/randomNetwork';

type Forward = typeof forwardWithOrders;

const RUNS = 5;
const ROWS = 500;

/** Rows per call as src/core/fieldEquivalence.ts chunks them (CHUNK_WORK multiply-adds). */
function fieldChunk(network: DenseNetwork): number {
  return Math.max(1, Math.floor(1.3e7 / network.layers.reduce((n, layer) => n + layer.weights.length, 0)));
}

function run(forward: Forward, network: DenseNetwork, x: Float32Array, assignment: OrderAssignment, chunk: number): Float32Array {
  const width = network.layers[network.layers.length - 1]!.units;
  const out = new Float32Array(ROWS * width);
  for (let start = 0; start < ROWS; start += chunk) {
    const n = Math.min(chunk, ROWS - start);
    out.set(forward(network, x.subarray(start * network.inputs, (start + n) * network.inputs), n, assignment), start * width);
  }
  return out;
}

function median(forward: Forward, network: DenseNetwork, x: Float32Array, assignment: OrderAssignment, chunk: number): { ms: number; out: Float32Array } {
  let out = run(forward, network, x, assignment, chunk); // warm-up
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    out = run(forward, network, x, assignment, chunk);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { ms: times[RUNS >> 1]!, out };
}

function bench(name: string, network: DenseNetwork, x: Float32Array, chunk: number): void {
  const assignment = randomAssignment(network, new Rng(7), 'bench');
  const reference = median(forwardWithOrdersReference, network, x, assignment, chunk);
  const fast = median(forwardWithOrders, network, x, assignment, chunk);
  const same = Buffer.from(fast.out.buffer).equals(Buffer.from(reference.out.buffer));
  const shape = [network.inputs, ...network.layers.map((l) => l.units)].join('-');
  console.log(
    `${name.padEnd(26)} ${shape.padEnd(16)} ${ROWS} rows, ${String(chunk).padStart(3)} per call: ` +
      `reference ${reference.ms.toFixed(1).padStart(7)} ms, kernel ${fast.ms.toFixed(1).padStart(6)} ms, ` +
      `×${(reference.ms / fast.ms).toFixed(1)}${same ? ', bit-identical' : ', OUTPUTS DIFFER'}`,
  );
}

async function main(): Promise<void> {
  console.log(`WebAssembly kernel available: ${wasmKernelAvailable()}`);
  const example = await loadExample();
  const protectedNet = protectedExample(example);
  const mnist = example.x.subarray(0, ROWS * example.original.inputs);
  bench('protected example', protectedNet, mnist, ROWS);
  bench('protected example', protectedNet, mnist, fieldChunk(protectedNet));
  const dense = randomNetwork([784, 1024, 1024, 10], ['relu', 'relu', 'softmax'], 5);
  const denseX = randomInputs(ROWS, 784, 6);
  bench('dense inputs', dense, denseX, ROWS);
  bench('dense inputs', dense, denseX, fieldChunk(dense));
}

void main();
