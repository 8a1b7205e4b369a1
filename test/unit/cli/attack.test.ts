import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AttackReport } from '../../../src/core/attacks/lab';
import { labelledModel } from './labelledModel';
import { runCli } from './runCli';

describe('mimosanet attack', () => {
  let work: string;
  let model: string;
  before(async () => {
    ({ work, model } = await labelledModel('mimosanet-attack-', 600));
    const protect = await runCli(['protect', model, '--data', join(work, 'x.npy'), '--labels', join(work, 'y.npy'), '--out', join(work, 'copy'), '--kinds', 'int8', '--quiet']);
    assert.equal(protect.code, 0, protect.stderr);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('runs every attack on the copy and the original and prints DESIGN §7 JSON', async () => {
    const { code, stdout, stderr } = await runCli(['attack', join(work, 'copy', 'model.json'), '--original', model, '--data', join(work, 'x.npy'), '--labels', join(work, 'y.npy'), '--json']);
    assert.equal(code, 0, stderr);
    const report = JSON.parse(stdout) as AttackReport;
    assert.equal(report.schemaVersion, 1);
    assert.deepEqual([report.attackerSamples, report.evaluationSamples], [300, 300]);
    assert.deepEqual(report.attacks.map((a) => a.kind), ['finetune-adam', 'finetune-sgd', 'head-retrain', 'merge', 'least-squares', 'distill']);
    for (const a of report.attacks) {
      for (const v of [a.accuracyAfter, a.noiseAccuracyAfter, a.original.accuracyAfter, a.original.noiseAccuracyAfter]) assert.ok(v >= 0 && v <= 1, JSON.stringify(a));
      assert.ok(Math.abs(a.headStart! - (a.accuracyAfter - report.scratchAccuracy!)) < 1e-12);
    }
    // The informed repair gives back the original's function, robust to weight noise.
    const merge = report.attacks.find((a) => a.kind === 'merge')!;
    assert.equal(merge.accuracyAfter, report.cleanAccuracy);
    assert.ok(merge.noiseAccuracyAfter >= report.cleanAccuracy - 0.05, JSON.stringify(merge));
    assert.equal(merge.knowledge, 'construction');
    assert.equal(merge.needs, 'nothing');
    // The least-squares refit, from the attacker's inputs alone, leaves no fragility.
    const refit = report.attacks.find((a) => a.kind === 'least-squares')!;
    assert.ok(refit.noiseAccuracyAfter >= refit.accuracyAfter - 0.05, JSON.stringify(refit));
  });

  it('without --labels runs the attacks that need none, measured as agreement, and lists the others as skipped with the reason', async () => {
    const { code, stdout, stderr } = await runCli(['attack', join(work, 'copy', 'model.json'), '--original', model, '--data', join(work, 'x.npy'), '--json']);
    assert.equal(code, 0, stderr);
    const report = JSON.parse(stdout) as AttackReport;
    assert.equal(report.metric, 'agreement');
    assert.deepEqual(report.attacks.map((a) => [a.kind, a.needs]), [['merge', 'nothing'], ['least-squares', 'unlabelled'], ['distill', 'unlabelled']]);
    assert.deepEqual(report.skipped!.map((s) => s.kind), ['finetune-adam', 'finetune-sgd', 'head-retrain', 'scratch']);
    for (const s of report.skipped!) assert.match(s.reason, /needs labels/);
    assert.equal(report.scratchAccuracy, null);
    assert.equal(report.modificationCost, null);
    for (const a of report.attacks) assert.equal(a.headStart, null);
    // The copy agrees with the original (it is equivalent), and merge gives the original's function back exactly.
    assert.ok(report.cleanAccuracy >= 0.99, String(report.cleanAccuracy));
    const merge = report.attacks.find((a) => a.kind === 'merge')!;
    assert.equal(merge.accuracyAfter, report.cleanAccuracy);
    assert.equal(merge.original.accuracyAfter, 1, 'merge leaves the original as it is: full agreement with itself');

    const text = await runCli(['attack', join(work, 'copy', 'model.json'), '--original', model, '--data', join(work, 'x.npy')]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /300 unlabelled samples; top-1 agreement with the original on 300 other samples/);
    assert.match(text.stdout, /finetune-adam +skipped: needs labels/);
    assert.match(text.stdout, /scratch +skipped: needs labels/);
    assert.match(text.stdout, /modification cost: not measured \(fine-tuning needs labels; give --labels\)/);
  });

  it('needs the original and the data (exit 2, naming what is missing)', async () => {
    const { code, stderr } = await runCli(['attack', join(work, 'copy', 'model.json'), '--original', model]);
    assert.equal(code, 2);
    assert.match(stderr, /--data/);
  });
});
