import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { labTrainingAllowed, labTrainingWork, planLab, runAttackLab, stopLine } from '../../../../src/core/attacks/lab';
import { argmaxRows, forward } from '../../../../src/core/forward';
import { jsCompute } from '../../../../src/core/jsCompute';
import { outputWidth } from '../../../../src/core/network';
import type { ProtectionReport } from '../../../../src/core/report';
import { Rng } from '../../../../src/core/rng';
import { verdictSentence } from '../../../../src/core/verdict';
import { randomNetwork } from '../../helpers/randomNetwork';

describe('attack lab over its training budget', () => {
  const original = randomNetwork([12, 16, 8, 4], ['relu', 'relu', 'linear'], 3);
  const rows = 200;
  const rng = new Rng(9);
  const x = Float32Array.from({ length: rows * original.inputs }, () => rng.normal());
  const labels = argmaxRows(forward(original, x, rows, { precision: 'float64' }), rows, outputWidth(original));
  const half = (rows / 2) * original.inputs;
  const input = (trainingBudget?: number) => ({
    original,
    protectedNet: original,
    attacker: { x: x.subarray(0, half), rows: rows / 2, labels: labels.subarray(0, rows / 2) },
    evaluation: { x: x.subarray(half), rows: rows / 2, labels: labels.subarray(rows / 2) },
    compute: jsCompute,
    seed: 1,
    ...(trainingBudget !== undefined ? { trainingBudget } : {}),
  });

  it('estimates the training work from the attacks’ plans and grows with the model', () => {
    const work = labTrainingWork(original, original, true);
    const weights = 12 * 16 + 16 + 16 * 8 + 8 + 8 * 4 + 4;
    // Adam 3×1,000 and SGD 2×1,000 steps of copy and original, head 3,000, distill 2×3,000 of two students, scratch 3,000; batch 32, 3 passes.
    assert.equal(work, (3000 * 2 + 2000 * 2 + 3000 * 2 + 6000 * 2 + 3000) * 32 * 3 * weights);
    assert.ok(labTrainingWork(original, original, false) < work, 'without labels only distillation trains');
    const wider = randomNetwork([12, 64, 32, 4], ['relu', 'relu', 'linear'], 3);
    assert.ok(labTrainingWork(wider, wider, true) > 4 * work);
  });

  it('past the budget runs only the repairs that train nothing, and says why the rest were skipped', async () => {
    const budget = labTrainingWork(original, original, true) - 1;
    const lab = await runAttackLab(input(budget));
    assert.deepEqual(lab.attacks.map((a) => a.kind), ['merge', 'least-squares']);
    assert.deepEqual(lab.skipped!.map((s) => [s.kind, s.cause]), [
      ['finetune-adam', 'budget'],
      ['finetune-sgd', 'budget'],
      ['head-retrain', 'budget'],
      ['distill', 'budget'],
      ['scratch', 'budget'],
    ]);
    assert.match(lab.skipped![0]!.reason, /work budget.*multiply-adds.*mimosanet attack/);
    assert.equal(lab.skipped!.find((s) => s.kind === 'distill')!.needs, 'unlabelled');
    assert.equal(lab.scratchAccuracy, null);
    assert.equal(lab.modificationCost, null);
    assert.equal(stopLine(lab), lab.chance! + (lab.cleanAccuracy - lab.chance!) / 2, 'no baseline: halfway to chance');
    assert.deepEqual(planLab(true, false), ['merge/protected', 'merge/original', 'least-squares/protected', 'least-squares/original']);
    const report = JSON.parse(readFileSync(new URL('../../webview/fixtures/report.json', import.meta.url), 'utf8')) as ProtectionReport;
    const sentence = verdictSentence({ ...report, attacks: lab });
    assert.match(sentence, /finetune-adam, finetune-sgd, head-retrain and distill were not measured \(over protect's work budget/);
    assert.doesNotMatch(sentence, /need labels/);
  });

  it('within the budget plans every unit (the full lab is tested elsewhere)', () => {
    const work = labTrainingWork(original, original, true);
    assert.equal(labTrainingAllowed(input(work)), true);
    assert.equal(labTrainingAllowed(input(work - 1)), false);
    assert.equal(labTrainingAllowed(input()), true, 'no budget, no limit (mimosanet attack)');
    assert.equal(planLab(true).length, 13);
  });
});
