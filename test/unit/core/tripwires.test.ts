import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canHoldTripwires, chooseTripwireFeatures, protectNetwork, TRIPWIRE_MARGIN } from '../../../src/core/constructions';
import { compareOutputs } from '../../../src/core/equivalence';
import { forward } from '../../../src/core/forward';
import { Rng } from '../../../src/core/rng';
import { forwardWithOrders, randomAssignment, SUMMATION_ORDERS, uniformAssignment } from '../../../src/core/summationOrder';
import { forwardErrorBound } from '../../../src/core/errorBound';
import { randomInputs, randomNetwork } from '../helpers/randomNetwork';

const net = randomNetwork([24, 20, 16, 6], ['relu', 'relu', 'softmax'], 21);
const rows = 128;
const calibration = Float32Array.from(randomInputs(rows, 24));
const features = chooseTripwireFeatures(calibration, rows, 24, 8);
const options = { seed: 4, amplitude: 16, copies: 3, rescaleExponent: 16, twins: 0, permute: true, tripwires: 8, features };

/** Inputs far outside any calibration data: both signs, tiny to huge magnitudes, exact zeros. */
function wildInputs(count: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const x = new Float32Array(count * 24);
  for (let i = 0; i < x.length; i++) {
    const kind = rng.int(4);
    x[i] = kind === 0 ? 0 : (rng.uniform() < 0.5 ? -1 : 1) * 2 ** (rng.uniform() * 120 - 60);
  }
  return x;
}

/** Pre-activations of the tripwire layer's units that feed the output with the huge weights. */
function tripwireUnits(network: ReturnType<typeof protectNetwork>['network']): number[] {
  const next = network.layers[2]!;
  const width = network.layers[1]!.units;
  const max = new Float64Array(width);
  for (let i = 0; i < next.units; i++) for (let j = 0; j < width; j++) max[j] = Math.max(max[j]!, Math.abs(next.weights[i * width + j]!));
  const sorted = Array.from(max).sort((a, b) => b - a);
  const threshold = sorted[7]!;
  return Array.from(max.keys()).filter((j) => max[j]! >= threshold && max[j]! > 1e6);
}

describe('certified tripwires', () => {
  const { network, methods } = protectNetwork(net, options);

  it('are added between the first two ReLU layers and keep the function exact', () => {
    assert.ok(canHoldTripwires(net));
    assert.ok(methods.includes('tripwires'));
    assert.equal(tripwireUnits(network).length, 8);
    const o = forward(net, calibration, rows, { precision: 'float64', logits: true });
    const p = forward(network, calibration, rows, { precision: 'float64', logits: true });
    assert.ok(compareOutputs(o, p, rows, 6).maxAbsDiff < 1e-9);
  });

  it('output exact zeros on every input and in every summation order, far outside the calibration data', () => {
    const x = wildInputs(400, 3);
    const wires = tripwireUnits(network);
    const firstTwo = { inputs: network.inputs, layers: network.layers.slice(0, 2).map((l) => ({ ...l })) };
    const assignments = [
      ...SUMMATION_ORDERS.filter((_, i) => i % 5 === 0).map((order) => uniformAssignment(firstTwo, order)),
      ...[1, 2, 3].map((d) => randomAssignment(firstTwo, new Rng(d), 'independent')),
    ];
    for (const assignment of assignments) {
      // forwardWithOrders returns the last layer's pre-activation: the tripwires' z.
      const z = forwardWithOrders(firstTwo, x, 400, assignment);
      for (let r = 0; r < 400; r++) {
        for (const j of wires) assert.ok(!(z[r * network.layers[1]!.units + j]! > 0), `tripwire ${j} woke on row ${r} (${assignment.label})`);
      }
    }
  });

  it('wake under a relative weight change of a few μ and wreck the output', () => {
    const noisy = structuredClone(network);
    const rng = new Rng(8);
    for (const layer of noisy.layers) for (let i = 0; i < layer.weights.length; i++) layer.weights[i]! *= 1 + 20 * TRIPWIRE_MARGIN * rng.normal();
    const o = forward(net, calibration, rows, { precision: 'float64', logits: true });
    const p = forward(noisy, calibration, rows, { precision: 'float64', logits: true });
    assert.ok(compareOutputs(o, p, rows, 6).top1Agreement < 0.5);
  });

  it('the error bound proves them silent (no error reaches the output through their weights)', () => {
    const x = wildInputs(200, 5);
    const without = protectNetwork(net, { ...options, tripwires: 0 }).network;
    for (const kind of ['deterministic', 'probabilistic'] as const) {
      const withWires = forwardErrorBound(network, x, 200, kind).max;
      const plain = forwardErrorBound(without, x, 200, kind).max;
      // Same splitting amplitude, so the bounds are of the same size; an unproven tripwire would add ~2^40.
      assert.ok(withWires < 100 * plain, `${kind}: ${withWires} vs ${plain}`);
    }
  });

  it('are skipped where the chain cannot hold them', () => {
    const tanh = randomNetwork([24, 20, 16, 6], ['tanh', 'relu', 'softmax'], 2);
    assert.equal(canHoldTripwires(tanh), false);
    assert.ok(!protectNetwork(tanh, options).methods.includes('tripwires'));
  });

  it('watch the inputs most often nonzero, with their sign', () => {
    const x = new Float32Array([0, -1, 2, 0, -3, 1, 0, -2, 0]);
    assert.deepEqual(chooseTripwireFeatures(x, 3, 3, 2), [{ index: 1, sign: -1 }, { index: 2, sign: 1 }]);
  });
});
