import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { protectNetwork } from '../../../src/core/constructions';
import { forward } from '../../../src/core/forward';
import { wasmKernelAvailable } from '../../../src/core/summationKernel/wasmKernel';
import { forwardWithOrdersReference, uniformAssignment } from '../../../src/core/summationOrder';
import { randomInputs, randomNetwork } from '../helpers/randomNetwork';

/**
 * The core's float32 forward pass is sequential accumulation with the bias last; from 8 rows
 * on it runs in the summation kernel. Both paths must give the bits of the scalar emulation of
 * that order.
 */
const SEQUENTIAL = { lanes: 1, block: 0, fma: false, biasFirst: false } as const;

describe('float32 forward pass', () => {
  it('runs in the wasm kernel here', () => assert.ok(wasmKernelAvailable()));

  for (const rows of [1, 7, 8, 17, 64]) {
    it(`equals the sequential order's scalar emulation bit for bit (${rows} rows, sparse and dense inputs, a protected copy)`, () => {
      const net = randomNetwork([30, 24, 12, 5], ['relu', 'tanh', 'softmax'], rows);
      const dense = randomInputs(rows, 30, rows + 1);
      const sparse = dense.map((v, i) => (i % 3 === 0 ? 0 : v));
      const copy = protectNetwork(net, { seed: rows, amplitude: 2 ** 10, copies: 3, rescaleExponent: 16, twins: 0, permute: true }).network;
      for (const [network, x] of [[net, dense], [net, sparse], [copy, dense]] as const) {
        const fast = forward(network, x, rows, { precision: 'float32', logits: true });
        const reference = forwardWithOrdersReference(network, x, rows, uniformAssignment(network, SEQUENTIAL));
        assert.deepEqual(Array.from(fast, (v) => Object.is(v, -0) ? '-0' : v), Array.from(reference, (v) => Object.is(v, -0) ? '-0' : v));
      }
    });
  }
});
