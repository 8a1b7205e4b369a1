import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gridUnit, insertReluPairLayer, protectNetwork } from '../../../src/core/constructions';
import { compareOutputs } from '../../../src/core/equivalence';
import { forward } from '../../../src/core/forward';
import { parameterCount, validateNetwork } from '../../../src/core/network';
import { randomInputs, randomNetwork } from '../helpers/randomNetwork';

const base = { seed: 7, amplitude: 64, copies: 3, rescaleExponent: 0, twins: 0, permute: false };
const net = randomNetwork([20, 16, 12, 5], ['relu', 'tanh', 'softmax']);
const x = randomInputs(64, 20);

function maxDiff64(a: typeof net, b: typeof net): number {
  const o = forward(a, x, 64, { precision: 'float64', logits: true });
  const p = forward(b, x, 64, { precision: 'float64', logits: true });
  return compareOutputs(o, p, 64, a.layers.at(-1)!.units).maxAbsDiff;
}

describe('constructions are exact in float64', () => {
  const cases: [string, Partial<typeof base>][] = [
    ['split only', {}],
    ['split with 5 copies', { copies: 5 }],
    ['split + permute', { permute: true }],
    ['split + rescale 2^±20 + permute', { rescaleExponent: 20, permute: true }],
    ['split + twins', { twins: 3 }],
  ];
  for (const [name, options] of cases) {
    it(name, () => {
      const relu = randomNetwork([20, 16, 12, 5], ['relu', 'leaky_relu', 'softmax'], 3);
      for (const network of [net, relu]) {
        const { network: protectedNet } = protectNetwork(network, { ...base, ...options });
        validateNetwork(protectedNet);
        assert.ok(maxDiff64(network, protectedNet) < 1e-11, `max |Δ| = ${maxDiff64(network, protectedNet)}`);
      }
    });
  }

  it('widens hidden layers by the number of copies and keeps the output width', () => {
    const { network } = protectNetwork(net, { ...base, copies: 4, twins: 2 });
    assert.deepEqual(network.layers.map((l) => l.units), [16 * 4 + 4, 12 * 4 + 4, 5]);
    assert.ok(parameterCount(network) > parameterCount(net));
  });

  it('leaves the input network untouched', () => {
    const before = net.layers.map((l) => l.weights.slice());
    protectNetwork(net, { ...base, rescaleExponent: 8, permute: true });
    net.layers.forEach((l, i) => assert.deepEqual(l.weights, before[i]));
  });
});

describe('splitting amplifies weight changes', () => {
  it('a 1e-3 change of one copy moves the output by ~amplitude × more than the same change in the original', () => {
    const relu = randomNetwork([20, 16, 12, 5], ['relu', 'relu', 'linear'], 5);
    const { network } = protectNetwork(relu, { ...base, amplitude: 1024 });
    const editedOriginal = structuredClone(relu);
    const editedProtected = structuredClone(network);
    // Neuron 0's first incoming weight, and the same weight of one of its copies (copy 1 = row 1).
    editedOriginal.layers[0]!.weights[0]! *= 1.001;
    editedProtected.layers[0]!.weights[20]! *= 1.001;
    const dOriginal = maxDiff64(relu, editedOriginal);
    const dProtected = maxDiff64(network, editedProtected);
    assert.ok(dProtected > 50 * dOriginal, `original moved ${dOriginal}, protected ${dProtected}`);
  });
});

describe('float32 fidelity', () => {
  it('small amplitudes stay within the default tolerance in strict float32', () => {
    const { network } = protectNetwork(net, { ...base, amplitude: 1, rescaleExponent: 12, permute: true });
    const o = forward(net, x, 64, { precision: 'float32', logits: true });
    const p = forward(network, x, 64, { precision: 'float32', logits: true });
    const c = compareOutputs(o, p, 64, 5);
    assert.equal(c.top1Agreement, 1);
    assert.ok(c.relDiff <= 1e-4, `relDiff ${c.relDiff}`);
  });

  it('rescaling by powers of two alone is bit-exact in float32', () => {
    const relu = randomNetwork([20, 16, 12, 5], ['relu', 'relu', 'linear'], 6);
    const rescaledOnly = protectNetwork(relu, { ...base, copies: 3, amplitude: 2 ** -40, rescaleExponent: 24 });
    // With a negligible amplitude the cancelling copies contribute ~0, isolating rescaling.
    const o = forward(relu, x, 64, { precision: 'float32' });
    const p = forward(rescaledOnly.network, x, 64, { precision: 'float32' });
    assert.ok(compareOutputs(o, p, 64, 5).maxAbsDiff < 1e-5);
  });

  it('grid units have at most 16 significant bits so grid multiples are exact', () => {
    for (const v of [10, 0.37, 123456.789, 3e-5]) {
      const u = gridUnit(v);
      const mantissa = u / 2 ** Math.floor(Math.log2(u));
      assert.equal(Math.round(mantissa * 2 ** 15), mantissa * 2 ** 15);
      for (let q = -4; q <= 4; q++) assert.equal(Math.fround(q * u), q * u);
    }
  });
});

describe('relu-pair hidden layer', () => {
  it('turns a single dense layer into an exactly equivalent two-layer network', () => {
    const single = randomNetwork([8, 3], ['softmax'], 9);
    const paired = insertReluPairLayer(single);
    assert.equal(paired.layers.length, 2);
    assert.ok(paired.layers[0]!.inserted);
    const xs = randomInputs(32, 8, 3);
    const o = forward(single, xs, 32, { precision: 'float32', logits: true });
    const p = forward(paired, xs, 32, { precision: 'float32', logits: true });
    assert.deepEqual(p, o);
  });

  it('protectNetwork uses it for models without a hidden layer', () => {
    const single = randomNetwork([8, 1], ['sigmoid'], 10);
    const result = protectNetwork(single, { ...base, rescaleExponent: 10, permute: true });
    assert.deepEqual(result.methods.slice(0, 2), ['relu-pair-hidden-layer', 'split']);
    assert.ok(maxDiff64Single(single, result.network) < 1e-11);
  });
});

function maxDiff64Single(a: typeof net, b: typeof net): number {
  const xs = randomInputs(32, 8, 3);
  const o = forward(a, xs, 32, { precision: 'float64', logits: true });
  const p = forward(b, xs, 32, { precision: 'float64', logits: true });
  return compareOutputs(o, p, 32, 1).maxAbsDiff;
}

describe('determinism', () => {
  it('the same seed gives bit-identical weights, another seed different ones', () => {
    const options = { ...base, rescaleExponent: 10, twins: 1, permute: true };
    const a = protectNetwork(net, options).network;
    const b = protectNetwork(net, options).network;
    const c = protectNetwork(net, { ...options, seed: 8 }).network;
    a.layers.forEach((layer, i) => {
      assert.deepEqual(Buffer.from(layer.weights.buffer), Buffer.from(b.layers[i]!.weights.buffer));
      assert.deepEqual(Buffer.from(layer.bias.buffer), Buffer.from(b.layers[i]!.bias.buffer));
    });
    assert.notDeepEqual(Buffer.from(a.layers[0]!.weights.buffer), Buffer.from(c.layers[0]!.weights.buffer));
  });
});
