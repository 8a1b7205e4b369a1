import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { protectNetwork } from '../../../../src/core/constructions';
import { InvalidNetworkError } from '../../../../src/core/errors';
import { jsCompute } from '../../../../src/core/jsCompute';
import type { DenseNetwork } from '../../../../src/core/network';
import { alignNetworks } from '../../../../src/core/ownership/alignment';
import { buildBaseline, judgeSuspect, type OwnerData } from '../../../../src/core/ownership/compare';
import { calibrate, functionEvidence } from '../../../../src/core/ownership/functionEvidence';
import { referenceTrainingWork, scaledArchitecture, trainFresh } from '../../../../src/core/ownership/references';
import type { Activation } from '../../../../src/core/activations';
import { OWNERSHIP_WORK_BUDGET } from '../../../../src/engine/protect/ownershipEvidence';
import { binomialTail } from '../../../../src/core/ownership/weightEvidence';
import { magnitudePrune } from '../../../../src/core/perturbations/prune';
import { Rng } from '../../../../src/core/rng';
import { randomNetwork } from '../../helpers/randomNetwork';

/** A 4-class task in 40 dimensions that a 40-24-12-4 ReLU network learns: labels from a random teacher network. */
function task(rows: number, seed: number): OwnerData & { labels: Int32Array } {
  const teacher = randomNetwork([40, 32, 4], ['relu', 'softmax'], 77);
  const rng = new Rng(seed);
  const x = new Float32Array(rows * 40);
  for (let i = 0; i < x.length; i++) x[i] = rng.normal();
  const labels = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const h = new Float64Array(32);
    for (let j = 0; j < 32; j++) {
      let s = teacher.layers[0]!.bias[j]!;
      for (let k = 0; k < 40; k++) s += teacher.layers[0]!.weights[j * 40 + k]! * x[r * 40 + k]!;
      h[j] = Math.max(0, s);
    }
    let best = 0;
    let bestValue = -Infinity;
    for (let o = 0; o < 4; o++) {
      let s = teacher.layers[1]!.bias[o]!;
      for (let j = 0; j < 32; j++) s += teacher.layers[1]!.weights[o * 32 + j]! * h[j]!;
      if (s > bestValue) [best, bestValue] = [o, s];
    }
    labels[r] = best;
  }
  return { x, rows, labels };
}

const architecture = randomNetwork([40, 24, 12, 4], ['relu', 'relu', 'softmax'], 5);

describe('compare: ownership evidence (core/ownership)', () => {
  it('aligns a permuted, rescaled, split copy unit for unit (similarity 1), and an unrelated network far lower', () => {
    const original = randomNetwork([30, 20, 10, 3], ['relu', 'relu', 'softmax'], 3);
    const { network } = protectNetwork(original, { seed: 2, amplitude: 2 ** 8, copies: 3, rescaleExponent: 8, twins: 0, permute: true });
    for (const layer of alignNetworks(original, network)) assert.ok(layer.meanSimilarity > 0.999999, String(layer.meanSimilarity));
    const other = randomNetwork([30, 20, 10, 3], ['relu', 'relu', 'softmax'], 4);
    assert.ok(alignNetworks(original, other)[0]!.meanSimilarity < 0.6);
  });

  it('binomial tail: exact on small cases', () => {
    assert.equal(binomialTail(5, 0, 0.3), 1);
    assert.ok(Math.abs(binomialTail(3, 2, 0.5) - 0.5) < 1e-12);
    assert.ok(Math.abs(binomialTail(4, 4, 0.1) - 1e-4) < 1e-16);
    assert.equal(binomialTail(4, 5, 0.1), 0);
  });

  it('fingerprint calibration: a line only when the held-out groups separate; leave-one-out counts', () => {
    const separated = calibrate([0.1, 0.2], [0.6, 0.8]);
    assert.equal(separated.threshold, 0.4);
    assert.equal(separated.falsePositives, 0);
    const overlapping = calibrate([0.5, 0.56], [0.55, 0.58]);
    assert.equal(overlapping.threshold, undefined);
    const fingerprints = { x: new Float32Array(0), count: 4, answers: Int32Array.from([1, 2, 3, 0]) };
    assert.equal(functionEvidence(Int32Array.from([1, 2, 3, 1]), fingerprints, separated).judgement, 'derived');
    assert.equal(functionEvidence(Int32Array.from([0, 0, 3, 1]), fingerprints, separated).judgement, 'independent');
    assert.equal(functionEvidence(Int32Array.from([1, 2, 3, 0]), fingerprints, overlapping).judgement, 'inconclusive');
    assert.equal(functionEvidence(Int32Array.from([1, 2, 3, 0]), fingerprints, calibrate([], [0.5])).judgement, 'inconclusive');
    // A suspect much stronger (or weaker) than the references that calibrate: the line does not speak for it.
    const banded = { ...separated, agreementBand: { min: 0.88, max: 0.91 } };
    assert.equal(functionEvidence(Int32Array.from([1, 2, 3, 1]), fingerprints, banded, 0.9).judgement, 'derived');
    const stronger = functionEvidence(Int32Array.from([1, 2, 3, 1]), fingerprints, banded, 0.97);
    assert.equal(stronger.judgement, 'inconclusive');
    assert.match(stronger.reason, /97\.0 % of held-out rows, outside the 88\.0 %–91\.0 %/);
  });

  it('judges a protected copy identical, a pruned original weight-derived, a network trained from scratch not weight-derived', async () => {
    const owner = task(600, 1);
    const attacker = task(600, 2);
    const original = await trainFresh(architecture, owner, new Rng(10), jsCompute);
    const baseline = await buildBaseline(original, owner, jsCompute, 3);
    assert.equal(baseline.references.length, 8);
    assert.equal(baseline.weightFalsePositives, 0, 'no reference is judged weight-derived against the others');

    const { network: copy } = protectNetwork(original, { seed: 2, amplitude: 2 ** 8, copies: 3, rescaleExponent: 8, twins: 0, permute: true });
    const protectedResult = await judgeSuspect(baseline, copy, jsCompute, owner);
    assert.equal(protectedResult.verdict, 'derived');
    assert.equal(protectedResult.decidedBy, 'identical');

    const pruned = await judgeSuspect(baseline, magnitudePrune(original, 50), jsCompute, owner);
    assert.equal(pruned.verdict, 'derived');
    assert.equal(pruned.decidedBy, 'weights');
    assert.ok(pruned.evidence.weights!.pValue < 1e-6);

    for (const seed of [21, 22]) {
      const independent = await trainFresh(scaledArchitecture(original, 1), attacker, new Rng(seed), jsCompute);
      const result = await judgeSuspect(baseline, independent, jsCompute, owner);
      assert.notEqual(result.verdict, 'derived', result.reason);
      assert.equal(result.evidence.weights!.derived, false);
    }
  });

  it('reference-training work: the example is within protect’s budget, 784-512-256-10 and larger are not', () => {
    const work = (sizes: number[]) => referenceTrainingWork(randomNetwork(sizes, [...sizes.slice(2).map(() => 'relu' as const), 'softmax'].slice(1 - sizes.length) as Activation[], 1));
    assert.ok(work([784, 128, 64, 10]) < OWNERSHIP_WORK_BUDGET / 4);
    assert.ok(work([784, 512, 256, 10]) > OWNERSHIP_WORK_BUDGET);
    assert.ok(work([784, 1024, 1024, 10]) > 3 * work([784, 512, 256, 10]));
  });

  it('refuses a suspect with other inputs or outputs, naming both shapes', async () => {
    const owner = task(300, 1);
    const original = await trainFresh(architecture, owner, new Rng(10), jsCompute);
    const baseline = { original, references: [], weightBands: [], weightFalsePositives: 0, fingerprints: { x: new Float32Array(0), count: 0, answers: new Int32Array(0) }, calibration: calibrate([], []), data: { rows: 300, labelled: true } };
    const other: DenseNetwork = randomNetwork([41, 24, 4], ['relu', 'softmax'], 1);
    await assert.rejects(judgeSuspect(baseline, other, jsCompute, owner), (e: unknown) => e instanceof InvalidNetworkError && /41 inputs/.test((e as Error).message) && /40 inputs/.test((e as Error).message));
  });
});
