import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { ProtectionReport } from '../../../src/core/report';
import { type ExportColors, staticHtml } from '../../../webview/report/staticHtml';

const report = JSON.parse(readFileSync(new URL('./fixtures/report.json', import.meta.url), 'utf8')) as ProtectionReport;
const colors: ExportColors = {
  foreground: '#3b3b3b',
  muted: '#717171',
  background: '#ffffff',
  border: '#e5e5e5',
  pass: '#388a34',
  fail: '#e51400',
  warning: '#bf8803',
  fontFamily: '-apple-system, "Segoe UI", sans-serif',
};
const PNG = 'data:image/png;base64,iVBORw0KGgo=';

describe('HTML export', () => {
  const html = staticHtml({ report, charts: [{ title: 'Multiplicative weight noise', dataUrl: PNG }], differenceChart: PNG, colors, exportedAt: '2026-01-01T00:00:00Z' });

  it('is self-contained: inline CSS, images as data URLs, no script, no external resource', () => {
    assert.match(html, /^<!DOCTYPE html>/);
    assert.match(html, /<style>[\s\S]*background: #ffffff/);
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /<link/i);
    assert.doesNotMatch(html, /(src|href)="https?:/);
    assert.equal((html.match(/<img src="data:image\/png;base64,/g) ?? []).length, 2);
    assert.match(html, /default-src 'none'; img-src data:/);
  });

  it('carries the verdict, the pass badge and every kind of the summary', () => {
    assert.ok(html.includes('Equivalence passed'));
    assert.ok(html.includes('1,192,115× more fragile') || html.includes(report.verdict.slice(0, 30)));
    for (const title of ['Multiplicative weight noise', 'float16 conversion', 'Single-weight edits']) assert.ok(html.includes(title), title);
  });

  it('escapes report text', () => {
    const evil = staticHtml({
      report: { ...report, model: { ...report.model, path: '/x/<script>alert(1)</script>.json' }, verdict: '<img src=x onerror=alert(1)>' },
      charts: [],
      colors: { ...colors, background: 'red;}</style><script>x</script>' },
      exportedAt: '2026-01-01T00:00:00Z',
    });
    assert.doesNotMatch(evil, /<script>|<img src=x/);
    assert.match(evil, /background: inherit/);
  });
});
