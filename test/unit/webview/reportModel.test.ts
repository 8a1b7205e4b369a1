import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { FragilityKind, ProtectionReport } from '../../../src/core/report';
import { chartSpecs, detailsModel, equivalenceModel, fmtS50, headerModel, isLogGrid, summaryRows } from '../../../webview/report/reportModel';

/** A real report of the MNIST example (engine of 2026-11-29), kept fixed so the expected strings stay valid. */
const report = JSON.parse(readFileSync(new URL('./fixtures/report.json', import.meta.url), 'utf8')) as ProtectionReport;

describe('report header', () => {
  it('has the original, protected, construction and data cards', () => {
    const header = headerModel(report);
    assert.equal(header.title, 'mnist-mlp/model.json');
    assert.deepEqual(header.groups.map((g) => g.heading), ['Original', 'Protected', 'Construction', 'Evaluation data']);
    const original = header.groups[0]!.facts;
    assert.equal(original.find((f) => f.label === 'Parameters')?.value, '109,386');
    assert.equal(original.find((f) => f.label === 'File')?.path, report.model.path, 'file facts link to the file');
    assert.match(header.groups[1]!.facts.find((f) => f.label === 'Parameters')!.value, /377,290 \(×3\.45\)/);
    assert.equal(header.verdict, report.verdict);
    assert.deepEqual(header.notes, []);
  });

  it('says plainly when probes replaced data, and shows the caveat', () => {
    const probes: Partial<ProtectionReport> = {
      ...report,
      data: { source: 'probes', samples: 1000, labelled: false, probeDescription: 'uniform in [0, 1]' },
      construction: { ...report.construction, caveat: 'Equivalence holds on the calibration data only.' },
    };
    const header = headerModel(probes);
    assert.equal(header.groups[3]!.facts[0]!.value, '1,000 generated probe inputs');
    assert.equal(header.notes[0]!.tone, 'warning');
    assert.match(header.notes[0]!.text, /generated probe inputs \(uniform in \[0, 1\]\).*agreement with the original model replaces accuracy/);
    assert.deepEqual(header.notes[1], { tone: 'warning', text: 'Equivalence holds on the calibration data only.' });
  });

  it('renders a partial report (only the model known) without failing', () => {
    const header = headerModel({ model: report.model });
    assert.equal(header.groups.length, 1);
    assert.equal(header.verdict, undefined);
    assert.equal(equivalenceModel({ model: report.model }), undefined);
    assert.deepEqual(summaryRows({}), []);
    assert.deepEqual(chartSpecs({}), []);
  });
});

describe('equivalence card', () => {
  it('has the key numbers, the pass state and the tolerance line in absolute units', () => {
    const eq = equivalenceModel(report)!;
    assert.equal(eq.passed, true);
    const value = (label: string) => eq.facts.find((f) => f.label === label)?.value;
    assert.equal(value('Top-1 agreement'), '100 %');
    assert.equal(value('relDiff'), '8.4e-5 ≤ 1e-4');
    assert.equal(value('Accuracy, original'), '95.25 %');
    assert.equal(value('Checked with'), '@tensorflow/tfjs 4.22.0');
    assert.equal(eq.perSample.length, 2000);
    const maxOutput = report.equivalence.maxAbsDiff / report.equivalence.relDiff;
    assert.ok(Math.abs(eq.threshold! - 1e-4 * maxOutput) < 1e-12);
  });

  it('shows the sequential-float32 check when the report has it', () => {
    const value = (r: typeof report, label: string) => equivalenceModel(r)!.facts.find((f) => f.label === label)?.value;
    assert.equal(value(report, 'Sequential float32 relDiff'), undefined);
    const withStrict = { ...report, equivalence: { ...report.equivalence, strictFloat32: { relDiff: 7.8e-5, top1Agreement: 1, samples: 500 } } };
    assert.equal(value(withStrict, 'Sequential float32 relDiff'), '7.8e-5, 100 % agree');
  });

  it('leaves out accuracy without labels', () => {
    const eq = equivalenceModel({ ...report, equivalence: { ...report.equivalence, accuracyOriginal: null, accuracyProtected: null } })!;
    assert.equal(eq.facts.some((f) => f.label.startsWith('Accuracy')), false);
  });
});

describe('fragility summary and charts', () => {
  it('one row and one chart per kind, in report order', () => {
    const rows = summaryRows(report);
    assert.deepEqual(rows.map((r) => r.kind), report.fragility.kinds.map((k) => k.kind));
    assert.deepEqual(chartSpecs(report).map((c) => c.kind), rows.map((r) => r.kind));
  });

  it('words s50 and the factor as the table shows them', () => {
    const row = (kind: string) => summaryRows(report).find((r) => r.kind === kind)!;
    assert.equal(row('multiplicative').s50Original, '1.19');
    assert.equal(row('multiplicative').s50Protected, '≤ 1e-6', 'broken from the first magnitude: a bound');
    assert.equal(row('multiplicative').factor, '×1.19e6');
    assert.equal(row('finetune-adam').s50Original, '> 100');
    assert.equal(row('finetune-adam').factor, '≥ ×100');
    assert.equal(row('float16').s50Original, '—');
    assert.equal(row('float16').atLargest, '94.2 % → 8.6 %');
  });

  it('uses s50BelowGrid when the report has it', () => {
    const kind = report.fragility.kinds[0]!;
    const series = { ...kind.protected, s50: 0.01, s50BelowGrid: true };
    assert.equal(fmtS50({ ...kind, magnitudes: [0.01, 0.1, 1] } as FragilityKind, series, 0.1), '≤ 0.01');
    assert.equal(fmtS50({ ...kind, magnitudes: [0.01, 0.1, 1] } as FragilityKind, { ...series, s50BelowGrid: false }, 0.1), '0.01');
  });

  it('log axes for log grids, bars for one-magnitude kinds', () => {
    const spec = (kind: string) => chartSpecs(report).find((c) => c.kind === kind)!;
    assert.equal(spec('multiplicative').logX, true);
    assert.equal(spec('float16').single, true);
    assert.match(spec('float16').subtitle, /original 94\.2 %, protected 8\.6 %/);
    assert.equal(spec('multiplicative').yLabel, 'accuracy');
    assert.equal(chartSpecs({ ...report, fragility: { ...report.fragility, metric: 'agreement' } })[0]!.yLabel, 'top-1 agreement');
    assert.equal(isLogGrid([0, 10, 100]), false);
    assert.equal(isLogGrid([1, 2, 3]), false);
    assert.equal(isLogGrid([1, 10, 100]), true);
  });
});

describe('details', () => {
  it('marks the chosen amplitude and totals the timings', () => {
    const d = detailsModel(report);
    assert.equal(d.amplitudeSearch.filter((t) => t.chosen).length, 1);
    assert.equal(d.timings.at(-1)!.label, 'total');
    assert.deepEqual(d.files.map((f) => f.name), report.protected.files);
  });
});
