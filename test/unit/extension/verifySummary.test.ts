import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reportForModel, summariseVerification, verifyOutcome } from '../../../src/extension/verifySummary';
import type { VerifyResult } from '../../../src/protocol/jobs';

const base: VerifyResult = {
  ok: true,
  modelPath: '/w/model.mimosa/model.json',
  reportPath: '/w/model.mimosa/report.json',
  originalPath: '/w/model.json',
  files: [
    { name: 'model.json', ok: true },
    { name: 'group1-shard1of1.bin', ok: true },
  ],
  equivalence: { top1Agreement: 1, maxAbsDiff: 2e-5, relDiff: 9.3e-7, passed: true, runtime: '@tensorflow/tfjs 4.22.0 (cpu backend)', samples: 2000 },
};

describe('verify summary (the notification of "Verify Protected Model")', () => {
  it('equivalent: every file matches and the re-run passed, with its numbers', () => {
    const s = summariseVerification(base, 'model.mimosa/model.json');
    assert.equal(s.outcome, 'equivalent');
    assert.equal(s.severity, 'info');
    assert.match(s.message, /intact and equivalent: 2 files match the report/);
    assert.match(s.message, /top-1 agreement 100 %.*relDiff 9\.3e-7/);
    assert.match(s.message, /2,000 samples/);
    assert.deepEqual(s.logLines.slice(1, 3), ['  ok  model.json', '  ok  group1-shard1of1.bin']);
  });

  it('tampered: names each bad file and why, even when the re-run still passes', () => {
    const result: VerifyResult = {
      ...base,
      ok: false,
      files: [
        { name: 'model.json', ok: true },
        { name: 'group1-shard1of1.bin', ok: false, problem: 'contents differ from the report (SHA-256 mismatch)' },
        { name: 'extra.bin', ok: false, problem: 'missing' },
      ],
    };
    const s = summariseVerification(result, 'model.mimosa/model.json');
    assert.equal(s.outcome, 'tampered');
    assert.equal(s.severity, 'error');
    assert.match(s.message, /TAMPERED with: group1-shard1of1\.bin differs from the report \(SHA-256\), extra\.bin is missing/);
    assert.match(s.message, /still equivalent/);
    assert.ok(s.logLines.includes('  BAD extra.bin (missing)'));
  });

  it('not the protected model: says so, says nothing was checked, and claims no equivalence', () => {
    const result: VerifyResult = {
      ok: false,
      modelPath: '/w/model.json',
      reportPath: base.reportPath,
      originalPath: '/w/model.json',
      files: [],
      notTheProtectedModel: 'this is the original model the report was made from, not its protected copy (/w/model.mimosa/model.json)',
    };
    const s = summariseVerification(result, 'w/model.json');
    assert.equal(s.outcome, 'notTheProtectedModel');
    assert.equal(s.severity, 'warning');
    assert.match(s.message, /is not the protected model the report describes: this is the original model/);
    assert.match(s.message, /Nothing was checked/);
    assert.doesNotMatch(s.message + s.logLines.join('\n'), /equivalent|TAMPERED|missing/);
  });

  it('files match but the re-run fails: not equivalent; without the original: hashes only', () => {
    const failed: VerifyResult = { ...base, ok: false, equivalence: { ...base.equivalence!, top1Agreement: 0.98, relDiff: 0.03, passed: false } };
    assert.equal(verifyOutcome(failed), 'notEquivalent');
    assert.match(summariseVerification(failed, 'm').message, /NOT equivalent.*98\.00 %/);
    const hashesOnly: VerifyResult = { ...base };
    delete hashesOnly.equivalence;
    const s = summariseVerification(hashesOnly, 'm');
    assert.equal(s.outcome, 'unchanged');
    assert.match(s.message, /original is not at \/w\/model\.json, so equivalence was not re-run/);
  });
});

describe('the report a model file is verified against', () => {
  const reports = [
    { reportPath: '/w/b.mimosa/report.json', modelPath: '/w/b.json', protectedPath: '/w/b.mimosa/b.json' },
    { reportPath: '/w/model.mimosa/report.json', modelPath: 'model.json', protectedPath: '/w/model.mimosa/model.json' },
  ];
  it('a protected copy: the report that lists it', () => {
    assert.deepEqual(reportForModel('/w/model.mimosa/model.json', reports), { reportPath: '/w/model.mimosa/report.json', role: 'protectedCopy' });
  });
  it('an original, also when the report recorded a relative path: the report made from it', () => {
    assert.deepEqual(reportForModel('/w/model.json', reports), { reportPath: '/w/model.mimosa/report.json', role: 'original' });
    assert.deepEqual(reportForModel('/w/b.json', reports), { reportPath: '/w/b.mimosa/report.json', role: 'original' });
  });
  it('a file no report mentions: none', () => {
    assert.equal(reportForModel('/w/other/model2.json', reports), undefined);
  });
});
