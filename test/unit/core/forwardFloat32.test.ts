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

describe('float64 forward pass', () => {
  // Four units at a time share each input's loads; every unit must still sum in input order.
  it('equals one-unit-at-a-time float64 accumulation bit for bit (units not a multiple of four, sparse inputs)', () => {
    const rows = 9;
    const net = randomNetwork([30, 7, 5, 3], ['relu', 'tanh', 'softmax'], rows);
    const x = randomInputs(rows, 30, 3).map((v, i) => (i % 4 === 0 ? 0 : v));
    const fast = forward(net, x, rows, { precision: 'float64', logits: true });
    let h: Float64Array = Float64Array.from(x);
    net.layers.forEach((layer, l) => {
      const out = new Float64Array(rows * layer.units);
      for (let r = 0; r < rows; r++)
        for (let j = 0; j < layer.units; j++) {
          let s = 0;
          for (let k = 0; k < layer.inputs; k++) if (h[r * layer.inputs + k] !== 0) s += layer.weights[j * layer.inputs + k]! * h[r * layer.inputs + k]!;
          out[r * layer.units + j] = s + layer.bias[j]!;
        }
      if (l < net.layers.length - 1) for (let i = 0; i < out.length; i++) out[i] = layer.activation === 'relu' ? Math.max(0, out[i]!) : Math.tanh(out[i]!);
      h = out;
    });
    assert.deepEqual(Array.from(fast), Array.from(h));
  });
});
