import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { protectNetwork } from '../../../../src/core/constructions';
import { InvalidNetworkError } from '../../../../src/core/errors';
import { jsCompute } from '../../../../src/core/jsCompute';
import type { DenseNetwork } from '../../../../src/core/network';
import { alignNetworks } from '../../../../src/core/ownership/alignment';
import { buildBaseline, judgeSuspect, type OwnerData } from '../../../../src/core/ownership/compare';
import { calibrateFunction, darkKnowledgeCorrelation, derivedStrengths, judge, judgedStrengthRange, type ReferencePoint } from '../../../../src/core/ownership/functionEvidence';
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

  it('dark-knowledge correlation: 1 for the same logits, −1 for mirrored ones, the top class left out', () => {
    const original = Float32Array.from([9, 1, 2, 3, 8, 0, 5, 1]); // two rows of 4 classes; tops 0 and 0
    assert.ok(Math.abs(darkKnowledgeCorrelation(original, original, 2, 4) - 1) < 1e-12);
    // A positive rescaling and shift of the other classes changes nothing; reversing their order gives −1.
    const rescaled = Float32Array.from([-50, 3, 5, 7, 1, 1, 11, 3]);
    assert.ok(Math.abs(darkKnowledgeCorrelation(original, rescaled, 2, 4) - 1) < 1e-12);
    const mirrored = Float32Array.from([9, 3, 2, 1, 8, 4, -1, 3]);
    assert.ok(Math.abs(darkKnowledgeCorrelation(original, mirrored, 2, 4) + 1) < 1e-12);
    // The top class is the original's: the suspect's value there does not count.
    const otherTop = Float32Array.from([-100, 1, 2, 3, 100, 0, 5, 1]);
    assert.ok(Math.abs(darkKnowledgeCorrelation(original, otherTop, 2, 4) - 1) < 1e-12);
    assert.equal(darkKnowledgeCorrelation(Float32Array.from([1, 0]), Float32Array.from([0, 1]), 1, 2), 0, 'two classes leave nothing to correlate');
  });

  it('function calibration: lines through each role, judged at the suspect’s strength, inconclusive outside the references', () => {
    // Independent references climb slowly with strength; imitators sit far above them.
    const points: ReferencePoint[] = [
      ...[[0.84, 0.58], [0.86, 0.6], [0.88, 0.59], [0.9, 0.63]].map(([strength, correlation]) => ({ role: 'independent' as const, strength: strength!, correlation: correlation! })),
      ...[[0.86, 0.82], [0.88, 0.83], [0.9, 0.85], [0.92, 0.86]].map(([strength, correlation]) => ({ role: 'imitator' as const, strength: strength!, correlation: correlation! })),
    ];
    const calibration = calibrateFunction(points, 400);
    assert.ok(calibration.independentFit && calibration.imitatorFit);
    assert.ok(Math.abs(calibration.independentFit.slope - 0.75) < 0.3);
    assert.deepEqual(calibration.strengthRange, { min: 0.84, max: 0.92 });
    assert.equal(calibration.falsePositives, 0);
    assert.equal(calibration.misses, 0);

    const student = judge(calibration, { strength: 0.9, correlation: 0.84 });
    assert.equal(student.judgement, 'derived', student.reason);
    assert.ok(student.correlation >= student.independentBound!);
    assert.equal(judge(calibration, { strength: 0.9, correlation: 0.64 }).judgement, 'independent');
    // Nearer the imitators but inside the independents' spread (here a wide one): not enough to accuse.
    const spread = calibrateFunction(points.map((p, i) => (p.role === 'independent' ? { ...p, correlation: p.correlation + (i % 2 ? 0.08 : -0.06) } : p)), 400);
    const between = judge(spread, { strength: 0.9, correlation: 0.8 });
    assert.ok(between.correlation >= (between.expectedIndependent! + between.expectedImitator!) / 2);
    assert.ok(between.correlation < between.independentBound!);
    assert.equal(between.judgement, 'inconclusive');
    // Measurably stronger than every reference (one standard error of 400 rows is 1 %).
    const stronger = judge(calibration, { strength: 0.96, correlation: 0.9 });
    assert.equal(stronger.judgement, 'inconclusive');
    assert.match(stronger.reason, /above the strongest reference \(92\.0 %\)/);
    assert.equal(judge(calibration, { strength: 0.93, correlation: 0.87 }).judgement, 'derived', 'within one standard error of the strongest');
    // Without labels there are no independent references.
    const unlabelled = calibrateFunction(points.filter((p) => p.role === 'imitator'), 400);
    assert.equal(judge(unlabelled, { strength: 0.9, correlation: 0.84 }).judgement, 'inconclusive');
    // Lines that do not separate.
    const overlapping = calibrateFunction(points.map((p) => ({ ...p, correlation: p.role === 'imitator' ? p.correlation - 0.3 : p.correlation })), 400);
    assert.equal(judge(overlapping, { strength: 0.9, correlation: 0.9 }).judgement, 'inconclusive');
  });

  it('derivedStrengths: where a student on the imitators’ line would be judged derived; none when the bound lies above it', () => {
    const independent = [[0.84, 0.58], [0.86, 0.6], [0.88, 0.59], [0.9, 0.63]];
    const imitator = [[0.86, 0.82], [0.88, 0.83], [0.9, 0.85], [0.92, 0.86]];
    const points = (spread: number): ReferencePoint[] => [
      ...independent.map(([strength, correlation], i) => ({ role: 'independent' as const, strength: strength!, correlation: correlation! + (i % 2 ? spread : -spread) })),
      ...imitator.map(([strength, correlation]) => ({ role: 'imitator' as const, strength: strength!, correlation: correlation! })),
    ];
    const tight = calibrateFunction(points(0), 400);
    assert.deepEqual(derivedStrengths(tight), tight.strengthRange, 'clear at every strength');
    const wide = calibrateFunction(points(0.08), 400);
    assert.equal(derivedStrengths(wide), undefined);
    const { min, max } = judgedStrengthRange(tight.strengthRange, 400);
    assert.ok(min < 0.84 && max > 0.92 && max - 0.92 < 0.02, 'one standard error of 400 rows, about 1.3 %');
  });

  it('leave-one-out: an independent reference far above the others counts as a false positive', () => {
    const points: ReferencePoint[] = [
      ...[[0.84, 0.58], [0.86, 0.6], [0.88, 0.59], [0.9, 0.63], [0.87, 0.86]].map(([strength, correlation]) => ({ role: 'independent' as const, strength: strength!, correlation: correlation! })),
      ...[[0.86, 0.82], [0.88, 0.83], [0.9, 0.85], [0.92, 0.86]].map(([strength, correlation]) => ({ role: 'imitator' as const, strength: strength!, correlation: correlation! })),
    ];
    assert.equal(calibrateFunction(points, 400).falsePositives, 1);
  });

  it('judges a protected copy identical, a pruned original weight-derived, a network trained from scratch not weight-derived', async () => {
    const owner = task(600, 1);
    const attacker = task(600, 2);
    const original = await trainFresh(architecture, owner, new Rng(10), jsCompute);
    const baseline = await buildBaseline(original, owner, jsCompute, 3);
    assert.equal(baseline.references.length, 12);
    assert.equal(baseline.calibration.points.length, 12);
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
    assert.ok(work([784, 128, 64, 10]) < OWNERSHIP_WORK_BUDGET / 2);
    assert.ok(work([784, 512, 256, 10]) > OWNERSHIP_WORK_BUDGET);
    assert.ok(work([784, 1024, 1024, 10]) > 3 * work([784, 512, 256, 10]));
  });

  it('refuses a suspect with other inputs or outputs, naming both shapes', async () => {
    const owner = task(300, 1);
    const original = await trainFresh(architecture, owner, new Rng(10), jsCompute);
    const baseline = { original, references: [], weightBands: [], weightFalsePositives: 0, heldOutRows: { x: owner.x, rows: owner.rows }, calibration: calibrateFunction([], 0), data: { rows: 300, labelled: true } };
    const other: DenseNetwork = randomNetwork([41, 24, 4], ['relu', 'softmax'], 1);
    await assert.rejects(judgeSuspect(baseline, other, jsCompute, owner), (e: unknown) => e instanceof InvalidNetworkError && /41 inputs/.test((e as Error).message) && /40 inputs/.test((e as Error).message));
  });
});
