import assert from 'node:assert/strict';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ProtectionReport } from '../../../src/core/report';
import type { CompareReport } from '../../../src/engine/compareModel';
import { labelledModel } from './labelledModel';
import { runCli } from './runCli';

describe('mimosanet compare', () => {
  let work: string;
  let model: string;
  before(async () => {
    ({ work, model } = await labelledModel('mimosanet-compare-', 400));
    const protect = await runCli(['protect', model, '--data', join(work, 'x.npy'), '--labels', join(work, 'y.npy'), '--out', join(work, 'copy'), '--kinds', 'int8', '--no-attacks', '--quiet']);
    assert.equal(protect.code, 0, protect.stderr);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('judges the protected copy derived and prints DESIGN §7 JSON with the references’ figures', async () => {
    const { code, stdout, stderr } = await runCli(['compare', join(work, 'copy', 'model.json'), '--original', model, '--data', join(work, 'x.npy'), '--labels', join(work, 'y.npy'), '--json']);
    assert.equal(code, 0, stderr);
    const report = JSON.parse(stdout) as CompareReport;
    assert.equal(report.schemaVersion, 1);
    assert.equal(report.verdict, 'derived');
    assert.ok(report.decidedBy === 'identical' || report.decidedBy === 'weights', report.reason);
    assert.equal(report.evidence.dataAgreement, 1);
    assert.equal(report.baselines.references.length, 8);
    assert.ok(report.baselines.references.every((r) => r.layerSimilarity!.length === report.evidence.weights!.layers.length + 1));
    assert.deepEqual(report.data, { source: 'file', samples: 400, labelled: true });
  });

  it('prints the verdict and the evidence for people', async () => {
    const { code, stdout } = await runCli(['compare', model, '--original', model, '--data', join(work, 'x.npy'), '--quiet']);
    assert.equal(code, 0);
    assert.match(stdout, /^Verdict: DERIVED \(decided by identity evidence\)/);
    assert.match(stdout, /Fingerprints: inconclusive — no labels/);
  });

  it('protect recorded the evidence: compare --report judges from the report alone, even once the original is gone', async () => {
    const reportPath = join(work, 'copy', 'report.json');
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as ProtectionReport;
    assert.ok(report.ownership, 'protect with labels records ownership evidence');
    assert.equal(report.ownership.fingerprints.file, 'fingerprints.npy');
    assert.equal(report.ownership.weights.bands.length, report.model.layers.length - 1);
    const judged = await runCli(['compare', join(work, 'copy', 'model.json'), '--report', reportPath, '--json']);
    assert.equal(judged.code, 0, judged.stderr);
    const result = JSON.parse(judged.stdout) as CompareReport;
    assert.equal(result.verdict, 'derived');
    assert.deepEqual(result.baselineSource, { kind: 'report', report: reportPath, originalFrom: 'original' });
    // The original moved away: the protected copy stands for it, and the copy is still judged derived.
    renameSync(join(work, 'model'), join(work, 'moved'));
    try {
      const alone = await runCli(['compare', join(work, 'copy', 'model.json'), '--report', reportPath, '--json']);
      assert.equal(alone.code, 0, alone.stderr);
      const r = JSON.parse(alone.stdout) as CompareReport;
      assert.equal(r.verdict, 'derived');
      assert.equal(r.baselineSource.kind === 'report' && r.baselineSource.originalFrom, 'protected-copy');
    } finally {
      renameSync(join(work, 'moved'), join(work, 'model'));
    }
  });

  it('a changed fingerprint file is refused naming it (exit 2), and a report without evidence says so', async () => {
    const reportPath = join(work, 'copy', 'report.json');
    const fingerprints = join(work, 'copy', 'fingerprints.npy');
    const bytes = readFileSync(fingerprints);
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 1]! ^= 0x40;
    writeFileSync(fingerprints, flipped);
    try {
      const changed = await runCli(['compare', model, '--report', reportPath]);
      assert.equal(changed.code, 2);
      assert.match(changed.stderr, /fingerprints\.npy.*SHA-256/);
    } finally {
      writeFileSync(fingerprints, bytes);
    }
    const bare = JSON.parse(readFileSync(reportPath, 'utf8')) as Record<string, unknown>;
    delete bare.ownership;
    writeFileSync(join(work, 'bare.json'), JSON.stringify(bare));
    const none = await runCli(['compare', model, '--report', join(work, 'bare.json')]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /records no ownership evidence/);
  });

  it('bad usage and bad input exit 2 naming the problem', async () => {
    const missing = await runCli(['compare', model]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--original/);
    const nofile = await runCli(['compare', join(work, 'nope.json'), '--original', model]);
    assert.equal(nofile.code, 2);
    assert.match(nofile.stderr, /nope\.json/);
  });
});
