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

  it('the summary has s50 with units, float16 verdicts and the telling point', () => {
    assert.ok(html.includes('<td class="num">109 %</td><td class="num">0.676 %</td><td class="num strong">161×</td><td class="num">94.1 % → 37.9 % at 1 % noise</td>'));
    assert.ok(html.includes('<td class="num strong">breaks</td><td class="num">94.2 % → 8.6 %</td>'));
    // Fine-tuning: where the attacker ends, not an s50 factor.
    assert.ok(html.includes('<td class="num">—</td><td class="num">—</td><td class="num strong">—</td><td class="num">93.6 % → 82.0 % after 300 Adam steps'));
    assert.ok(!html.includes('≥ 300×'));
    assert.ok(!html.includes('largest magnitude'));
  });

  it('carries the verdict, the pass badge and every kind of the summary', () => {
    assert.ok(html.includes('Equivalence passed'));
    assert.ok(html.includes('161× more fragile'));
    for (const title of ['Multiplicative weight noise', 'float16 conversion', 'Single-weight edits']) assert.ok(html.includes(title), title);
  });

  it('has the field section: runtime rows, emulated orders, bounds with their caption', () => {
    assert.ok(html.includes('In the field'));
    assert.equal((html.match(/<td>@tensorflow\/tfjs-backend-wasm 4\.22\.0 \(wasm backend, SIMD\)<\/td><td class="num">(1|256)<\/td>/g) ?? []).length, 2);
    assert.ok(html.includes('independent order per column, 96 orders (draw 1) (worst)'));
    assert.ok(html.includes('tiled GEMM kernels sum different output columns in different orders'));
    assert.match(html, /far from tight: 4\.5–4\.8 orders of magnitude/);
  });

  it('has the amplitude trade-off with the chosen row marked, and the search with emulated orders', () => {
    assert.match(html, /<tr class="chosen"><td>×1 \(chosen\)<\/td><td class="num">22\.6 \(2\^4\.5\)<\/td><td class="num">2\.69e-5<\/td>/);
    assert.ok(html.includes('quick sweep on 200 samples with one repeat'));
    assert.ok(html.includes('<th class="num">worst emulated</th>'));
    assert.match(html, /<tr class="chosen"><td class="num">22\.6 \(2\^4\.5\)<\/td><td class="num">5\.58e-7<\/td><td class="num">2\.69e-5<\/td><td>pass \(chosen\)<\/td><\/tr>/);
  });

  it('lists the seconds in each real runtime under the timings, and leaves them out for reports without them', () => {
    const timed = staticHtml({ report: { ...report, runtimeSeconds: { '@tensorflow/tfjs 4.22.0 (cpu backend)': 2.9 } }, charts: [], colors, exportedAt: '2026-01-01T00:00:00Z' });
    assert.match(timed, /<h3>Timings<\/h3>[\s\S]*Of which running the original and protected files in the real runtimes[\s\S]*<th>@tensorflow\/tfjs 4\.22\.0 \(cpu backend\)<\/th><td>2\.9 s<\/td>/);
    assert.ok(!html.includes('Of which running'), 'the fixture report has no runtimeSeconds');
  });

  it('an old report exports without the new sections', () => {
    const old = JSON.parse(readFileSync(new URL('./fixtures/report-0.1.json', import.meta.url), 'utf8')) as ProtectionReport;
    const oldHtml = staticHtml({ report: old, charts: [], colors, exportedAt: '2026-01-01T00:00:00Z' });
    assert.ok(oldHtml.includes('Sequential float32 relDiff'));
    assert.ok(!oldHtml.includes('In the field'));
    assert.ok(!oldHtml.includes('Amplitude trade-off'));
    assert.ok(!oldHtml.includes('emulated orders'));
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
