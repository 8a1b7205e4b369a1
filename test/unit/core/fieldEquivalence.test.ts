import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { protectNetwork } from '../../../src/core/constructions';
import { compareOutputs } from '../../../src/core/equivalence';
import { forwardErrorBound, relDiffBound } from '../../../src/core/errorBound';
import { CancelledError } from '../../../src/core/errors';
import { emulatedEquivalence, fieldAssignments } from '../../../src/core/fieldEquivalence';
import { forward } from '../../../src/core/forward';
import { Rng } from '../../../src/core/rng';
import { forwardWithOrders, randomAssignment, SUMMATION_ORDERS, uniformAssignment, type SummationOrder } from '../../../src/core/summationOrder';
import { randomInputs, randomNetwork } from '../helpers/randomNetwork';

const net = randomNetwork([64, 48, 32, 10], ['relu', 'relu', 'softmax'], 11);
const rows = 200;
const x = Float32Array.from(randomInputs(rows, 64));
const sequential: SummationOrder = { lanes: 1, block: 0, fma: false, biasFirst: false };

describe('summation-order emulation', () => {
  it('the searched family includes blocked FMA orders, and the field check uses them', () => {
    assert.ok(SUMMATION_ORDERS.some((o) => o.block > 0 && o.fma && o.lanes > 1));
    const pairs = fieldAssignments(net, net, 1);
    assert.ok(pairs.some((p) => p.candidate.orders.length === 1 && p.candidate.orders[0]!.block > 0 && p.candidate.orders[0]!.fma), 'a uniform blocked-FMA assignment');
    const independent = pairs.filter((p) => p.candidate.orders.length > 1);
    assert.ok(independent.length >= 2, 'several independent per-column draws');
    for (const pair of independent) {
      const used = new Set(pair.candidate.columns.flatMap((c) => Array.from(c)));
      assert.ok([...used].some((i) => pair.candidate.orders[i]!.fma && pair.candidate.orders[i]!.block > 0), 'blocked FMA columns in every draw');
    }
  });

  it('sequential non-FMA matches the core float32 pass bit for bit', () => {
    const a = forwardWithOrders(net, x, rows, uniformAssignment(net, sequential));
    const b = forward(net, x, rows, { precision: 'float32', logits: true });
    assert.deepEqual(Array.from(a), Array.from(b));
  });

  it('different orders round differently (FMA, lanes, K-blocks), and stay close to float64', () => {
    const exact = forward(net, x, rows, { precision: 'float64', logits: true });
    const base = forwardWithOrders(net, x, rows, uniformAssignment(net, sequential));
    for (const order of [
      { ...sequential, fma: true },
      { ...sequential, lanes: 8 as const },
      { lanes: 4 as const, block: 16, fma: true, biasFirst: true },
    ]) {
      const y = forwardWithOrders(net, x, rows, uniformAssignment(net, order));
      assert.notDeepEqual(Array.from(y), Array.from(base), JSON.stringify(order));
      assert.ok(compareOutputs(exact, y, rows, 10).relDiff < 1e-5);
    }
  });

  it('reproduces the field failure: one order per column breaks a high-amplitude copy that every uniform order keeps', () => {
    const { network } = protectNetwork(net, { seed: 3, amplitude: 2 ** 12, copies: 3, rescaleExponent: 16, twins: 0, permute: true });
    const worstUniform = Math.max(
      ...[sequential, { lanes: 8 as const, block: 32, fma: true, biasFirst: true }].map((order) =>
        compareOutputs(forwardWithOrders(net, x, rows, uniformAssignment(net, order)), forwardWithOrders(network, x, rows, uniformAssignment(network, order)), rows, 10).relDiff,
      ),
    );
    const rng = new Rng(9);
    const independent = compareOutputs(
      forwardWithOrders(net, x, rows, randomAssignment(net, rng.fork('o'), 'x')),
      forwardWithOrders(network, x, rows, randomAssignment(network, rng.fork('p'), 'x')),
      rows,
      10,
    ).relDiff;
    assert.ok(independent > 30 * worstUniform, `independent ${independent} vs uniform ${worstUniform}`);
  });
});

describe('error bounds', () => {
  for (const amplitude of [1, 64, 4096]) {
    it(`are never below the error of any emulated order (amplitude ${amplitude})`, async () => {
      const { network } = protectNetwork(net, { seed: 5, amplitude, copies: 3, rescaleExponent: 16, twins: 0, permute: true });
      const reference = forward(net, x, rows, { precision: 'float64', logits: true });
      const exact = compareOutputs(reference, forward(network, x, rows, { precision: 'float64', logits: true }), rows, 10).maxAbsDiff;
      const measured = await emulatedEquivalence(net, network, x, rows, { seed: amplitude });
      for (const kind of ['deterministic', 'probabilistic'] as const) {
        const bound = relDiffBound(forwardErrorBound(net, x, rows, kind), forwardErrorBound(network, x, rows, kind), reference, exact);
        for (const result of measured.results) assert.ok(bound >= result.relDiff, `${kind} ${bound} < ${result.label} ${result.relDiff}`);
      }
      // Per sample and output too: each emulated output lies within the bound of the exact one.
      const bound = forwardErrorBound(network, x, rows, 'deterministic');
      const exactProtected = forward(network, x, rows, { precision: 'float64', logits: true });
      const y = forwardWithOrders(network, x, rows, randomAssignment(network, new Rng(amplitude), 'x'));
      for (let i = 0; i < y.length; i++) assert.ok(Math.abs(y[i]! - exactProtected[i]!) <= bound.perOutput[i]!, `output ${i}`);
    });
  }

  it('the probabilistic bound is never looser than the deterministic one and states its confidence', () => {
    const d = forwardErrorBound(net, x, rows, 'deterministic');
    const p = forwardErrorBound(net, x, rows, 'probabilistic', 1e-6);
    assert.ok(p.max < d.max);
    for (let i = 0; i < p.perOutput.length; i++) assert.ok(p.perOutput[i]! <= d.perOutput[i]!);
    assert.equal(p.failureProbability, 1e-6);
    assert.ok(p.lambda! > 5);
  });
});

describe('emulated equivalence', () => {
  it('stops within a chunk of rows when cancelled', async () => {
    const big = randomNetwork([784, 384, 192, 10], ['relu', 'relu', 'softmax'], 2);
    const bx = Float32Array.from(randomInputs(2000, 784));
    const controller = new AbortController();
    const started = performance.now();
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(emulatedEquivalence(big, big, bx, 2000, { seed: 1, signal: controller.signal }), CancelledError);
    assert.ok(performance.now() - started < 1000, `took ${performance.now() - started} ms`);
  });
});
