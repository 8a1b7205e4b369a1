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
  /** protect's summary, for the ownership lines it prints. */
  let protectSummary: string;
  before(async () => {
    ({ work, model } = await labelledModel('mimosanet-compare-', 400));
    const protect = await runCli(['protect', model, '--data', join(work, 'x.npy'), '--labels', join(work, 'y.npy'), '--out', join(work, 'copy'), '--kinds', 'int8', '--no-attacks', '--quiet']);
    assert.equal(protect.code, 0, protect.stderr);
    protectSummary = protect.stdout;
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('judges the protected copy derived and prints DESIGN §7 JSON with the references’ figures', async () => {
    const { code, stdout, stderr } = await runCli(['compare', join(work, 'copy', 'model.json'), '--original', model, '--data', join(work, 'x.npy'), '--labels', join(work, 'y.npy'), '--json']);
    assert.equal(code, 0, stderr);
    const report = JSON.parse(stdout) as CompareReport;
    assert.equal(report.schemaVersion, 2);
    assert.equal(report.verdict, 'derived');
    assert.ok(report.decidedBy === 'identical' || report.decidedBy === 'weights', report.reason);
    assert.equal(report.evidence.dataAgreement, 1);
    assert.equal(report.baselines.references.length, 12);
    assert.ok(report.baselines.references.every((r) => r.layerSimilarity!.length === report.evidence.weights!.layers.length + 1));
    assert.deepEqual(report.data, { source: 'file', samples: 400, labelled: true });
  });

  it('prints the verdict and the evidence for people', async () => {
    const { code, stdout } = await runCli(['compare', model, '--original', model, '--data', join(work, 'x.npy'), '--quiet']);
    assert.equal(code, 0);
    assert.match(stdout, /^Verdict: DERIVED \(decided by identity evidence\)/);
    assert.match(stdout, /^Function evidence \(dark knowledge: .* on \d+ held-out rows no reference trained on\): inconclusive$/m);
    assert.match(stdout, /^ {2}suspect: strength 100 % \(top-1 agreement with the original\), dark-knowledge correlation 1\.000$/m);
    assert.match(stdout, /^ {2}why: no labels: no independently trained references to compare with$/m);
    assert.match(stdout, /^ {2}cannot see: a student trained only on the original's top answers, not its probabilities, learns no dark knowledge and is judged like independent work; a suspect stronger than every reference/m);
    assert.match(stdout, /^Reference networks \(trained here\), from fresh weights: only imitators on the original's probabilities at temperature 3/m);
    assert.match(stdout, /^ +1 {2}imitator +×1 +\d+ {2}first part +1,500( +\d\.\d{3})+ +\d+\.\d % +\d\.\d{3}$/m, 'a row per reference: role, width, rows, part, steps, similarity per layer, strength, correlation');
    assert.doesNotMatch(stdout, /fingerprint/i);
  });

  it('protect recorded the evidence: compare --report judges from the report alone, even once the original is gone', async () => {
    const reportPath = join(work, 'copy', 'report.json');
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as ProtectionReport;
    assert.ok(report.ownership, 'protect with labels records ownership evidence');
    assert.equal(report.ownership.heldOutRows.file, 'ownership-rows.npy');
    // protect's summary says what was recorded, how the references separate, and what the evidence cannot see.
    assert.match(protectSummary, /^Ownership evidence: \d+ reference networks trained on 400 samples, measured on \d+ held-out rows none of them trained on/m);
    assert.match(protectSummary, /^ {2}function \(dark knowledge\): /m);
    assert.match(protectSummary, /^ {4}calibration: references of strength .*, \d+ of \d+ independent references judged derived \(false positives\), \d+ of \d+ imitators judged independent \(misses\)$/m);
    assert.match(protectSummary, /^ {4}cannot see: a student trained only on the original's top answers/m);
    assert.match(protectSummary, /ownership-rows\.npy {2}\(ownership evidence: keep it with report\.json, do not ship it\)/);
    assert.doesNotMatch(protectSummary, /fingerprint/i);
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

  it('a changed held-out rows file is refused naming it (exit 2), and a report without evidence says so', async () => {
    const reportPath = join(work, 'copy', 'report.json');
    const heldOutRows = join(work, 'copy', 'ownership-rows.npy');
    const bytes = readFileSync(heldOutRows);
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 1]! ^= 0x40;
    writeFileSync(heldOutRows, flipped);
    try {
      const changed = await runCli(['compare', model, '--report', reportPath]);
      assert.equal(changed.code, 2);
      assert.match(changed.stderr, /ownership-rows\.npy.*SHA-256/);
    } finally {
      writeFileSync(heldOutRows, bytes);
    }
    const bare = JSON.parse(readFileSync(reportPath, 'utf8')) as Record<string, unknown>;
    delete bare.ownership;
    writeFileSync(join(work, 'bare.json'), JSON.stringify(bare));
    const none = await runCli(['compare', model, '--report', join(work, 'bare.json')]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /records no ownership evidence/);
    // A report from before the dark-knowledge evidence (version 1, fingerprints) is refused, saying what to do.
    const old = { ...bare, ownership: { schemaVersion: 1, fingerprints: { file: 'fingerprints.npy', sha256: '0', count: 0, inputs: 0, answers: [] } } };
    writeFileSync(join(work, 'old.json'), JSON.stringify(old));
    const older = await runCli(['compare', model, '--report', join(work, 'old.json')]);
    assert.equal(older.code, 2);
    assert.match(older.stderr, /old\.json.*older form \(version 1, fingerprints\).*protect the model again, or compare with --original/s);
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
