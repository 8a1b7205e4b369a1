import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { OwnershipRecord } from '../../../src/core/ownership/record';
import type { ProtectionReport } from '../../../src/core/report';
import { ownershipAbsence, ownershipModel } from '../../../webview/report/ownershipModel';
import { type ExportColors, staticHtml } from '../../../webview/report/staticHtml';

const report = JSON.parse(readFileSync(new URL('./fixtures/report.json', import.meta.url), 'utf8')) as ProtectionReport;
/**
 * The ownership evidence of a real run (protect examples/mnist-mlp with eval-x/eval-y, seed 1):
 * 0 of 8 weight false positives; the held-out references do not separate (independent 58 %,
 * 59 %; imitators 60 %, 57 %).
 */
const record = JSON.parse(readFileSync(new URL('./fixtures/ownership.json', import.meta.url), 'utf8')) as OwnershipRecord;
const withEvidence: ProtectionReport = { ...report, ownership: record };
/** The same evidence with calibrations that separate: independent below imitators, a line between. */
const separating = (falsePositives = 0, misses = 0): ProtectionReport => ({
  ...report,
  ownership: { ...record, calibration: { independent: [0.31, 0.35], imitator: [0.62, 0.7], threshold: 0.485, falsePositives, misses } },
});
const colors: ExportColors = {
  foreground: '#3b3b3b',
  muted: '#717171',
  background: '#ffffff',
  border: '#e5e5e5',
  pass: '#388a34',
  fail: '#e51400',
  warning: '#bf8803',
  fontFamily: 'sans-serif',
  original: '#3794ff',
  accent: '#b180d7',
};

describe('ownership model', () => {
  it('is absent without recorded evidence', () => {
    assert.equal(ownershipModel(report), undefined);
    assert.equal(ownershipModel({}), undefined);
  });

  it('says what was recorded, from the report’s numbers', () => {
    const model = ownershipModel(withEvidence, '/w/out/report.json')!;
    assert.deepEqual(
      model.facts.map((f) => [f.label, f.value]),
      [
        ['References', '8 networks'],
        ['Trained on', '2,000 samples'],
        ['Fingerprints', '100'],
        ['Weight false positives', '0 of 8'],
        ['Fingerprint decision line', 'none'],
        ['Recorded in', '1 min 10 s'],
      ],
    );
    assert.match(model.summary, /^Recorded 8 reference networks \(4 independent, 4 imitating the original\) trained on 2,000 labelled samples, and 100 fingerprints\./);
    assert.equal(model.compareCommand, 'mimosanet compare <suspect> --report /w/out/report.json');
    assert.deepEqual(model.fingerprintFile, { name: 'fingerprints.npy', sha256: record.fingerprints.sha256 });
  });

  it('has the weight baseline per hidden layer: threshold, pooled units, the references’ mean similarity by role', () => {
    const model = ownershipModel(withEvidence)!;
    assert.deepEqual(model.bands, [
      { layer: 'Hidden 1', units: '128', threshold: '0.329', pooledUnits: '1,024', independentMean: '0.096–0.164', imitatorMean: '0.096–0.163' },
      { layer: 'Hidden 2', units: '64', threshold: '0.420', pooledUnits: '512', independentMean: '0.121–0.254', imitatorMean: '0.110–0.261' },
    ]);
    assert.equal(model.weightFalsePositives, '0 of 8');
    assert.match(model.weightsCaption, /0 of 8 judged weight-derived \(false positives\)/);
  });

  it('lists every reference with its role, width, use, per-layer similarity and, when held out, its fingerprint agreement', () => {
    const model = ownershipModel(withEvidence)!;
    assert.deepEqual(model.similarityHeadings, ['Hidden 1', 'Hidden 2', 'Output']);
    assert.deepEqual(
      model.references.map((r) => [r.role, r.width, r.use, ...r.similarity, r.agreement]),
      [
        ['Independent', '×1', 'selects fingerprints', '0.153', '0.238', '0.324', '—'],
        ['Independent', '×0.5', 'selects fingerprints', '0.096', '0.121', '0.215', '—'],
        ['Independent', '×1', 'calibrates (held out)', '0.160', '0.223', '0.301', '58.0 %'],
        ['Independent', '×1.5', 'calibrates (held out)', '0.164', '0.254', '0.283', '59.0 %'],
        ['Imitator', '×1', 'selects fingerprints', '0.160', '0.243', '0.288', '—'],
        ['Imitator', '×0.5', 'selects fingerprints', '0.096', '0.110', '0.234', '—'],
        ['Imitator', '×1', 'calibrates (held out)', '0.160', '0.234', '0.289', '60.0 %'],
        ['Imitator', '×1.5', 'calibrates (held out)', '0.163', '0.261', '0.380', '57.0 %'],
      ],
    );
  });

  it('says plainly that a distilled student will be judged inconclusive when the fingerprints do not separate', () => {
    const model = ownershipModel(withEvidence)!;
    const c = model.calibration;
    assert.equal(c.separates, false);
    assert.equal(c.threshold, undefined);
    assert.deepEqual(
      c.bars.map((b) => [b.label, b.role, b.value, b.text]),
      [
        ['Independent ×1', 'independent', 0.58, '58.0 %'],
        ['Independent ×1.5', 'independent', 0.59, '59.0 %'],
        ['Imitator ×1', 'imitator', 0.6, '60.0 %'],
        ['Imitator ×1.5', 'imitator', 0.57, '57.0 %'],
      ],
    );
    assert.match(c.sentence, /do not separate the held-out references \(independent up to 59\.0 %, imitators from 57\.0 %\): a distilled student will be judged inconclusive/);
    assert.match(c.alt, /Independent ×1 58\.0 %.*Imitator ×1\.5 57\.0 %; no decision line/);
    assert.match(c.caption, /0 of 2 independent judged derived \(false positives\), 1 of 2 imitators missed/);
    assert.equal(model.tone, 'warn');
    assert.match(model.summary, /a distilled student will be judged inconclusive\.$/);
  });

  it('shows the decision line when the held-out references separate', () => {
    const model = ownershipModel(separating())!;
    assert.equal(model.tone, 'good');
    assert.deepEqual(model.calibration.threshold, { value: 0.485, text: '48.5 %' });
    assert.equal(model.facts.find((f) => f.label === 'Fingerprint decision line')?.value, '48.5 %');
    assert.match(model.calibration.sentence, /separate the held-out references \(independent up to 35\.0 %, imitators from 62\.0 %\): a student distilled from this model can be told/);
    assert.match(model.calibration.alt, /decision line at 48\.5 %/);
    assert.match(model.summary, /Fingerprints: they separate the held-out references, so a student distilled from this model can be judged by its answers\.$/);
  });

  it('warns when a leave-one-out check failed, in either evidence', () => {
    const fingerprints = ownershipModel(separating(1, 0))!;
    assert.equal(fingerprints.tone, 'warn');
    assert.match(fingerprints.summary, /with 1 false positive and 0 misses when each is left out/);
    const weights = ownershipModel({ ...report, ownership: { ...separating().ownership!, weights: { ...record.weights, falsePositives: 2 } } })!;
    assert.equal(weights.tone, 'warn');
    assert.match(weights.summary, /Weights: 2 of 8 references judged weight-derived/);
  });

  it('without independent references or fingerprints, says the function evidence is inconclusive', () => {
    const noIndependent = ownershipModel({ ...report, ownership: { ...record, calibration: { independent: [], imitator: [0.6], falsePositives: 0, misses: 0 } } })!;
    assert.match(noIndependent.calibration.sentence, /no held-out independent references/);
    const none = ownershipModel({ ...report, ownership: { ...record, fingerprints: { ...record.fingerprints, count: 0, answers: [] } } })!;
    assert.match(none.calibration.sentence, /No fingerprint input could be made/);
  });

  it('numbers the bars when the references do not match the calibration (no widths invented)', () => {
    const model = ownershipModel({ ...report, ownership: { ...record, calibration: { ...record.calibration, independent: [0.5, 0.51, 0.52] } } })!;
    assert.deepEqual(model.calibration.bars.slice(0, 3).map((b) => b.label), ['Independent 1', 'Independent 2', 'Independent 3']);
    assert.equal(model.references[2]!.agreement, '—');
  });

  it('explains why a report has none', () => {
    assert.match(ownershipAbsence(report, 'running'), /recorded at the end of the run/);
    assert.match(ownershipAbsence(report, 'cancelled'), /stopped before/);
    assert.match(ownershipAbsence({ ...report, data: { ...report.data, labelled: false } }), /recorded only when the evaluation data has labels/);
    assert.match(ownershipAbsence({ ...report, data: { source: 'probes', samples: 1000, labelled: false } }), /recorded only when the evaluation data has labels/);
    const note = "ownership evidence was not recorded: training its reference networks would take 611·10⁹ multiply-adds, over the 600·10⁹ budget of protect; run 'mimosanet compare <suspect> --original <model> --data … --labels …' when needed";
    assert.match(ownershipAbsence({ ...report, ownershipNote: note }), /^No ownership evidence in this report: it was not recorded: training its reference networks would take 611·10⁹ multiply-adds.*when needed\. A suspect can still be compared/);
    assert.match(ownershipAbsence(report), /turned off \(--no-ownership or the mimosanet\.ownership setting\).*did not record it yet/);
  });
});

describe('ownership in the HTML export', () => {
  const exported = (r: ProtectionReport): string => staticHtml({ report: r, charts: [], colors, exportedAt: '2026-01-01T00:00:00Z', reportPath: '/w/out/report.json' });

  it('has the section with the compare command, the weight baseline, the bars and the references', () => {
    const html = exported(separating());
    assert.ok(html.includes('<h2>Ownership</h2><p class="banner pass">Recorded 8 reference networks'));
    assert.ok(html.includes('<code>mimosanet compare &lt;suspect&gt; --report /w/out/report.json</code>'));
    assert.ok(html.includes('<tr><td>Hidden 1</td><td class="num">128</td><td class="num strong">0.329</td><td class="num">1,024</td><td class="num">0.096–0.164</td><td class="num">0.096–0.163</td></tr>'));
    assert.ok(html.includes('<span class="cal-bar independent" style="width: 31.00%"></span><span class="cal-line" style="left: 48.50%"></span>'));
    assert.ok(html.includes('<span class="cal-bar imitator" style="width: 70.00%"></span>'));
    assert.match(html, /<table class="cal" aria-label="Fingerprint agreement with the original of the held-out references: Independent ×1 31\.0 %/);
    assert.ok(html.includes(`SHA-256 ${record.fingerprints.sha256}`));
    assert.equal((html.match(/<td>(Independent|Imitator)<\/td>/g) ?? []).length, 8);
    assert.ok(html.includes('.cal-bar.imitator { background: #b180d7; }'));
  });

  it('draws no decision line and says a student is inconclusive when the fingerprints do not separate', () => {
    const html = exported(withEvidence);
    assert.ok(!html.includes('class="cal-line"'));
    assert.ok(html.includes('<p class="note warning">The fingerprints do not separate'));
    assert.ok(html.includes('<p class="banner warning">'));
  });

  it('explains the absence for a report without evidence', () => {
    const html = exported(report);
    assert.match(html, /<h2>Ownership<\/h2><p class="muted">No ownership evidence in this report/);
  });
});
