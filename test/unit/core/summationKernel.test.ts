import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ACTIVATIONS, type Activation } from '../../../src/core/activations';
import { protectNetwork } from '../../../src/core/constructions';
import type { DenseNetwork } from '../../../src/core/network';
import { Rng } from '../../../src/core/rng';
import { wasmKernelAvailable, wasmKernelRetainedBytes } from '../../../src/core/summationKernel/wasmKernel';
import {
  forwardWithOrders,
  forwardWithOrdersReference,
  randomAssignment,
  SUMMATION_ORDERS,
  uniformAssignment,
  type OrderAssignment,
  type SummationOrder,
} from '../../../src/core/summationOrder';
import { randomNetwork } from '../helpers/randomNetwork';

/**
 * The WebAssembly kernel behind forwardWithOrders against the scalar reference it replaced:
 * every output must have the same bits, for every order and every kind of input that changes
 * which products are skipped or how zeros are signed.
 */

const ROOT = join(__dirname, '../../..');
const HIDDEN: Activation[] = ACTIVATIONS.filter((a) => a !== 'softmax');

/** Orders outside SUMMATION_ORDERS the kernel also runs: blocks that are not multiples of the lanes, or smaller. */
const EXTRA_ORDERS: SummationOrder[] = [
  { lanes: 4, block: 16, fma: true, biasFirst: true },
  { lanes: 8, block: 5, fma: false, biasFirst: false },
  { lanes: 16, block: 3, fma: true, biasFirst: true },
  { lanes: 16, block: 20, fma: false, biasFirst: true },
  { lanes: 1, block: 1, fma: true, biasFirst: false },
  { lanes: 4, block: 33, fma: true, biasFirst: false },
];
const ALL_ORDERS = [...SUMMATION_ORDERS, ...EXTRA_ORDERS];

function assertSameBits(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  const a = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
  const e = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== e[i]) assert.fail(`${what}: output ${i} is ${actual[i]} (0x${a[i]!.toString(16)}), the reference gives ${expected[i]} (0x${e[i]!.toString(16)})`);
  }
}

function check(network: DenseNetwork, x: Float32Array, rows: number, assignment: OrderAssignment, what: string): Float32Array {
  const fast = forwardWithOrders(network, x, rows, assignment);
  assertSameBits(fast, forwardWithOrdersReference(network, x, rows, assignment), what);
  return fast;
}

/** Inputs of the given kinds: sparse (most exact zeros, some -0), dense, all-zero rows mixed in. */
function inputs(rows: number, cols: number, kind: 'sparse' | 'dense' | 'mixed', seed: number): Float32Array {
  const rng = new Rng(seed);
  const x = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const empty = kind === 'mixed' && rng.uniform() < 0.2;
    for (let k = 0; k < cols; k++) {
      const zero = empty || (kind !== 'dense' && rng.uniform() < 0.8);
      x[r * cols + k] = zero ? (rng.uniform() < 0.5 ? -0 : 0) : rng.normal();
    }
  }
  return x;
}

/** A random network with some -0 and +0 biases and weights, so bias-first totals can start at -0. */
function signedZeroNetwork(sizes: number[], activations: Activation[], seed: number, weightScale = 1): DenseNetwork {
  const network = randomNetwork(sizes, activations, seed);
  const rng = new Rng(seed + 1000);
  for (const layer of network.layers) {
    for (let i = 0; i < layer.weights.length; i++) {
      layer.weights[i] = rng.uniform() < 0.05 ? (rng.uniform() < 0.5 ? -0 : 0) : layer.weights[i]! * weightScale;
    }
    for (let j = 0; j < layer.bias.length; j++) if (rng.uniform() < 0.4) layer.bias[j] = rng.uniform() < 0.7 ? -0 : 0;
  }
  return network;
}

describe('summation-order kernel (WebAssembly)', () => {
  it('is built from kernel.wat as committed', () => {
    const result = spawnSync(process.execPath, [join(ROOT, 'scripts/buildSummationKernel.mjs'), '--check'], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
  });

  it('runs in Node, so the comparisons below test it', () => {
    assert.ok(wasmKernelAvailable());
  });

  it('equals the reference in every order, alone, on odd sizes, sparse and dense inputs, 1 to 40 rows', () => {
    const network = signedZeroNetwork([67, 45, 29, 7], ['relu', 'linear', 'softmax'], 3);
    for (const rows of [1, 17, 40]) {
      for (const kind of ['sparse', 'dense', 'mixed'] as const) {
        const x = inputs(rows, 67, kind, rows);
        for (const order of ALL_ORDERS) check(network, x, rows, uniformAssignment(network, order), `${rows} ${kind} rows, ${JSON.stringify(order)}`);
      }
    }
  });

  it('equals the reference with every column its own order, every activation, many shapes', () => {
    const rng = new Rng(77);
    for (let trial = 0; trial < 40; trial++) {
      const depth = 1 + rng.int(3);
      const sizes = Array.from({ length: depth + 1 }, () => 1 + rng.int(trial % 4 === 0 ? 300 : 70));
      const activations = Array.from({ length: depth }, (_, l) => (l === depth - 1 ? 'softmax' : HIDDEN[(trial + l) % HIDDEN.length]!));
      const network = signedZeroNetwork(sizes, activations, trial, trial % 3 === 0 ? 2 ** 20 : 1);
      const rows = [1, 2, 15, 16, 33, 100][trial % 6]!;
      const x = inputs(rows, sizes[0]!, (['sparse', 'dense', 'mixed'] as const)[trial % 3]!, trial);
      check(network, x, rows, randomAssignment(network, rng.fork(`a${trial}`), 'x', ALL_ORDERS), `trial ${trial}: ${sizes.join('-')} ${activations.join(',')}, ${rows} rows`);
    }
  });

  it('equals the reference where products underflow to signed zeros and outputs are zero', () => {
    // Products of about 1e-47 round to ±0 in float32: FMA lanes become -0, and with biases of
    // -0 added first whole outputs are -0 or +0 depending on which zeros the order adds.
    const rng = new Rng(5);
    for (let trial = 0; trial < 12; trial++) {
      const network = signedZeroNetwork([40, 24, 9], ['linear', 'softmax'], 100 + trial);
      for (const layer of network.layers) {
        for (let i = 0; i < layer.weights.length; i++) layer.weights[i] = layer.weights[i]! * 1e-25;
        layer.bias.fill(-0);
      }
      const rows = 1 + rng.int(40);
      const x = inputs(rows, 40, 'mixed', trial).map((v) => v * 1e-22);
      const y = check(network, x, rows, randomAssignment(network, rng.fork(`t${trial}`), 'x', ALL_ORDERS), `tiny trial ${trial}`);
      assert.ok(y.some((v) => Object.is(v, -0)), 'some outputs are -0');
    }
  });

  it('equals the reference on a protected copy at a high amplitude (cancelling splits)', () => {
    const original = randomNetwork([64, 48, 32, 10], ['relu', 'relu', 'softmax'], 11);
    const { network } = protectNetwork(original, { seed: 3, amplitude: 2 ** 12, copies: 3, rescaleExponent: 16, twins: 0, permute: true });
    const x = inputs(150, 64, 'sparse', 9);
    for (let draw = 0; draw < 3; draw++) check(network, x, 150, randomAssignment(network, new Rng(draw), 'x'), `draw ${draw}`);
  });

  it('falls back to the reference outside its family: other lane counts, fractional blocks, infinite weights', () => {
    const network = randomNetwork([30, 20, 5], ['relu', 'softmax'], 8);
    const x = inputs(20, 30, 'sparse', 4);
    check(network, x, 20, uniformAssignment(network, { lanes: 2 as SummationOrder['lanes'], block: 0, fma: false, biasFirst: true }), 'lanes 2');
    check(network, x, 20, uniformAssignment(network, { lanes: 4, block: 6.5, fma: true, biasFirst: false }), 'block 6.5');
    network.layers[0]!.weights[3] = Infinity; // meets only zero inputs in some rows: the reference skips them
    check(network, x, 20, randomAssignment(network, new Rng(1), 'x'), 'infinite weight');
  });

  it('grows its memory for a 2048×2048 layer and 500 rows, and does not keep it', () => {
    const network = randomNetwork([2048, 2048, 10], ['relu', 'softmax'], 4);
    const x = inputs(500, 2048, 'dense', 5);
    const assignment = randomAssignment(network, new Rng(2), 'x');
    const y = forwardWithOrders(network, x, 500, assignment);
    assert.ok(wasmKernelRetainedBytes() <= 64 * 1024 * 1024, `${wasmKernelRetainedBytes()} bytes kept`);
    // Rows are independent: spot-check some against the reference, which is too slow for all 500.
    for (const r of [0, 15, 16, 255, 499]) {
      const one = forwardWithOrdersReference(network, x.subarray(r * 2048, (r + 1) * 2048), 1, assignment);
      assertSameBits(y.subarray(r * 10, (r + 1) * 10), one, `row ${r}`);
    }
    // And a small call afterwards still works (a fresh instance).
    check(network, x, 3, assignment, 'after the large call');
  });
});
