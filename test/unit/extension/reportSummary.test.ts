import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseReport } from '../../../src/core/reportParse';
import { formatParameters, formatRelativeTime, namesModel, protectedMainFile, summariseReport } from '../../../src/extension/reports/reportSummary';
import { describeReport } from '../../../src/extension/views/treeItemData';
import { NOW } from './fixtures';

const sample = readFileSync(new URL('../webview/fixtures/report.json', import.meta.url), 'utf8');

describe('report.json', () => {
  it('parses a real report and summarises it', () => {
    const report = parseReport(sample, '/x/report.json');
    const s = summariseReport(report, '/x/report.json');
    assert.equal(s.passed, true);
    assert.equal(s.headline?.kind, 'multiplicative');
    assert.equal(s.factors.length, report.fragility.kinds.length);
    assert.equal(s.protectedPath, `/x/${report.protected.files[0]}`, 'protected files sit beside report.json');
  });

  it('gives float16 and int8 a verdict in the tooltip table instead of dropping them', () => {
    const report = parseReport(sample, '/x/report.json');
    const tip = describeReport(summariseReport(report, '/x/report.json'), NOW).tooltip;
    assert.match(tip, /\| float16 conversion \| breaks: \d+(\.\d)? % → \d+(\.\d)? % \|/i);
    assert.match(tip, /\| int8 quantisation \| breaks: /i);
  });
});

describe('sidebar wording', () => {
  it('parameters', () => {
    assert.equal(formatParameters(1), '1 param');
    assert.equal(formatParameters(109386), '109,386 params');
  });
  it('relative times', () => {
    const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();
    assert.equal(formatRelativeTime(ago(10_000), NOW), 'just now');
    assert.equal(formatRelativeTime(ago(5 * 60_000), NOW), '5 min ago');
    assert.equal(formatRelativeTime(ago(3 * 3600_000), NOW), '3 h ago');
    assert.equal(formatRelativeTime(ago(30 * 3600_000), NOW), 'yesterday');
    assert.equal(formatRelativeTime(ago(4 * 86400_000), NOW), '4 days ago');
    assert.equal(formatRelativeTime('2025-06-01T00:00:00Z', NOW), '2025-06-01');
    assert.equal(formatRelativeTime('not a date', NOW), 'not a date');
  });
});

describe('paths recorded in reports', () => {
  it('rebuilds the protected main file from the report folder', () => {
    const report = parseReport(sample, '/x/report.json');
    const relative = { ...report, protected: { ...report.protected, path: 'out/demo/model.json' } };
    assert.equal(protectedMainFile(relative, '/w/proj/out/demo/report.json'), '/w/proj/out/demo/model.json');
  });
  it('matches relative model paths (CLI runs) by their tail', () => {
    assert.equal(namesModel('/w/examples/mnist-mlp/model.json', '/w/examples/mnist-mlp/model.json'), true);
    assert.equal(namesModel('examples/mnist-mlp/model.json', '/w/examples/mnist-mlp/model.json'), true);
    assert.equal(namesModel('./mnist-mlp/model.json', '/w/examples/mnist-mlp/model.json'), true);
    assert.equal(namesModel('other/model.json', '/w/examples/mnist-mlp/model.json'), false);
    assert.equal(namesModel('C:\\m\\model.json', 'c:\\m\\model.json'), true);
  });
});
