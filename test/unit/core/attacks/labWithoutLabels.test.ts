import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ATTACKS, attackVerdict, runAttackLab, stopLine, type AttackReport } from '../../../../src/core/attacks/lab';
import { jsCompute } from '../../../../src/core/jsCompute';
import { argmaxRows, forward } from '../../../../src/core/forward';
import { outputWidth } from '../../../../src/core/network';
import type { ProtectionReport } from '../../../../src/core/report';
import { Rng } from '../../../../src/core/rng';
import { verdictSentence } from '../../../../src/core/verdict';
import { randomNetwork } from '../../helpers/randomNetwork';

const report = JSON.parse(readFileSync(new URL('../../webview/fixtures/report.json', import.meta.url), 'utf8')) as ProtectionReport;
const unlabelled = JSON.parse(readFileSync(new URL('../../webview/fixtures/attacks-unlabelled.json', import.meta.url), 'utf8')) as AttackReport;

describe('attack lab without labels', () => {
  it('runs only the attacks that need no labels, measured as agreement with the original, and lists the rest as skipped', async () => {
    const original = randomNetwork([12, 16, 8, 4], ['relu', 'relu', 'linear'], 3);
    const rows = 200;
    const rng = new Rng(9);
    const x = Float32Array.from({ length: rows * original.inputs }, () => rng.normal());
    const half = (rows / 2) * original.inputs;
    const lab = await runAttackLab({
      original,
      protectedNet: original,
      attacker: { x: x.subarray(0, half), rows: rows / 2 },
      evaluation: { x: x.subarray(half), rows: rows / 2 },
      compute: jsCompute,
      seed: 1,
    });
    assert.equal(lab.metric, 'agreement');
    assert.deepEqual(lab.attacks.map((a) => a.kind), ATTACKS.filter((a) => a.needs !== 'labelled').map((a) => a.kind));
    assert.deepEqual(lab.skipped!.map((s) => s.kind), ['finetune-adam', 'finetune-sgd', 'head-retrain', 'scratch']);
    assert.equal(lab.cleanAccuracy, 1, 'the network agrees with itself');
    assert.equal(lab.scratchAccuracy, null);
    assert.equal(lab.modificationCost, null);
    assert.equal(lab.chance, 1 / 4);
    // Merge of an unprotected network changes nothing: full agreement with the original.
    assert.equal(lab.attacks.find((a) => a.kind === 'merge')!.accuracyAfter, 1);
    // Agreement is measured against the original's own answers on the evaluation half.
    const truth = argmaxRows(forward(original, x.subarray(half), rows / 2), rows / 2, outputWidth(original));
    assert.equal(truth.length, rows / 2);
  });

  it('without a from-scratch baseline an attack is stopped at or below halfway from the clean copy to chance', () => {
    assert.equal(stopLine(unlabelled), 0.55);
    const [merge, leastSquares] = unlabelled.attacks;
    assert.equal(attackVerdict(merge!, unlabelled), 'does not stop it');
    assert.equal(attackVerdict({ ...merge!, accuracyAfter: 0.5 }, unlabelled), 'stops it');
    assert.equal(attackVerdict(leastSquares!, unlabelled), 'slows it', '97.4 % against 100 % on the original');
  });

  it('the verdict names what the lab measured without labels and what it did not', () => {
    const sentence = verdictSentence({ ...report, attacks: unlabelled });
    assert.match(sentence, /merge and distill are not stopped \(merge 100\.0 %, distill 93\.1 %, top-1 agreement with the original\)/);
    assert.match(sentence, /finetune-adam, finetune-sgd and head-retrain need labels and were not measured/);
    assert.doesNotMatch(sentence, /from scratch/);
  });
});
