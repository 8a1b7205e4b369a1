import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { judge, judgedStrengthRange, lineAt, type FunctionCalibration, type StrengthFit } from '../../../src/core/ownership/functionEvidence';
import type { OwnershipRecord } from '../../../src/core/ownership/record';
import type { ProtectionReport } from '../../../src/core/report';
import { ownershipAbsence, ownershipModel, pointsOfReferences, separation } from '../../../webview/report/ownershipModel';
import { type ExportColors, staticHtml } from '../../../webview/report/staticHtml';

const report = JSON.parse(readFileSync(new URL('./fixtures/report.json', import.meta.url), 'utf8')) as ProtectionReport;
/**
 * The ownership evidence of a real run (buildBaseline on the first 1,000 labelled rows of
 * examples/mnist-mlp's eval data, seed 1, as protect records it): 0 of 12 weight false positives;
 * 200 held-out rows; independent references at 84–93 % strength and 0.53–0.64 correlation,
 * imitators at 89–94 % and 0.82–0.86; 0 false positives and 0 misses.
 */
const record = JSON.parse(readFileSync(new URL('./fixtures/ownership.json', import.meta.url), 'utf8')) as OwnershipRecord;
const withEvidence: ProtectionReport = { ...report, ownership: record };
const withCalibration = (calibration: Partial<FunctionCalibration>, data = record.data): ProtectionReport => ({
  ...report,
  ownership: { ...record, data, calibration: { ...record.calibration, ...calibration } },
});
/** A line with a residual spread, as `fitStrength` gives it. */
const fit = (intercept: number, slope: number, residualSd = 0.01): StrengthFit => ({ intercept, slope, residualSd, meanStrength: 0.89, spread: 0.007, count: 6 });
const close = (actual: number, expected: number, digits = 6): void => assert.ok(Math.abs(actual - expected) < 10 ** -digits, `${actual} ≠ ${expected}`);
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
  it('is absent without recorded evidence, and for a record of version 1 (fingerprints), which it says', () => {
    assert.equal(ownershipModel(report), undefined);
    assert.equal(ownershipModel({}), undefined);
    const old = { ...report, ownership: { schemaVersion: 1, fingerprints: { file: 'fingerprints.npy' } } as unknown as OwnershipRecord };
    assert.equal(ownershipModel(old), undefined);
    assert.match(ownershipAbsence(old), /^This report records ownership evidence in an older form \(version 1, fingerprints\) that this version no longer judges by: protect the model again/);
  });

  it('says what was recorded, from the report’s numbers', () => {
    const model = ownershipModel(withEvidence, '/w/out/report.json')!;
    assert.deepEqual(
      model.facts.map((f) => [f.label, f.value]),
      [
        ['References', '12 networks'],
        ['Trained on', '800 samples'],
        ['Weight false positives', '0 of 12'],
        ['Function false positives', '0 of 6'],
        ['Function misses', '0 of 6'],
        ['Recorded in', '2 min 16 s'],
      ],
    );
    assert.match(model.facts[1]!.title!, /Of the 1,000 labelled samples .* the other 200 are held out in ownership-rows\.npy/);
    assert.match(model.summary, /^Recorded 12 reference networks \(6 independent, 6 imitating the original\) trained on 800 of 1,000 labelled samples, the other 200 held out to measure a suspect on\./);
    assert.match(model.summary, /Function: the imitators’ line lies above the independent references’ across their strengths, so a student distilled from this model’s probabilities can be judged by its dark knowledge\.$/);
    assert.equal(model.tone, 'good');
    assert.equal(model.compareCommand, 'mimosanet compare <suspect> --report /w/out/report.json');
  });

  it('has the weight baseline per hidden layer: threshold, pooled units, the references’ mean similarity by role', () => {
    const model = ownershipModel(withEvidence)!;
    assert.deepEqual(model.bands, [
      { layer: 'Hidden 1', units: '128', threshold: '0.349', pooledUnits: '1,536', independentMean: '0.092–0.159', imitatorMean: '0.090–0.214' },
      { layer: 'Hidden 2', units: '64', threshold: '0.425', pooledUnits: '768', independentMean: '0.112–0.262', imitatorMean: '0.116–0.251' },
    ]);
    assert.equal(model.weightFalsePositives, '0 of 12');
    assert.match(model.weightsCaption, /0 of 12 judged weight-derived \(false positives\)/);
  });

  it('lists every reference with its role, width, rows and steps, per-layer similarity, strength and dark-knowledge correlation', () => {
    const model = ownershipModel(withEvidence)!;
    assert.deepEqual(model.similarityHeadings, ['Hidden 1', 'Hidden 2', 'Output']);
    assert.deepEqual(
      model.references.map((r) => [r.role, r.width, r.training, ...r.similarity, r.strength, r.correlation]),
      [
        ['Independent', '×1', '400 rows, 1,500 steps', '0.142', '0.229', '0.272', '85.0 %', '0.639'],
        ['Independent', '×0.5', '400 rows, 1,500 steps', '0.092', '0.112', '0.181', '84.0 %', '0.623'],
        ['Independent', '×1', '400 rows, 1,500 steps', '0.147', '0.236', '0.324', '87.0 %', '0.533'],
        ['Independent', '×1.5', '400 rows, 1,500 steps', '0.149', '0.248', '0.342', '89.0 %', '0.559'],
        ['Independent', '×1', '800 rows, 1,500 steps', '0.152', '0.232', '0.238', '93.0 %', '0.612'],
        ['Independent', '×1.5', '800 rows, 3,000 steps', '0.159', '0.262', '0.315', '92.5 %', '0.630'],
        ['Imitator', '×1', '400 rows, 1,500 steps', '0.161', '0.227', '0.263', '89.0 %', '0.824'],
        ['Imitator', '×0.5', '400 rows, 1,500 steps', '0.090', '0.116', '0.227', '89.5 %', '0.824'],
        ['Imitator', '×1', '400 rows, 1,500 steps', '0.165', '0.219', '0.228', '91.0 %', '0.854'],
        ['Imitator', '×1.5', '400 rows, 1,500 steps', '0.174', '0.242', '0.378', '89.0 %', '0.837'],
        ['Imitator', '×1', '800 rows, 1,500 steps', '0.177', '0.228', '0.306', '92.0 %', '0.852'],
        ['Imitator', '×1.5', '800 rows, 3,000 steps', '0.214', '0.251', '0.399', '94.0 %', '0.861'],
      ],
    );
    assert.match(model.references[2]!.trainingTitle, /second part of the owner’s training rows/);
    assert.match(model.references[6]!.roleTitle, /original’s probabilities \(temperature 3\)/);
  });

  it('draws each reference as a point and each role’s line across the references’ strengths, the bound above the independents', () => {
    const fn = ownershipModel(withEvidence)!.function;
    assert.deepEqual(fn.points.map((p) => p.role), [...Array(6).fill('independent'), ...Array(6).fill('imitator')]);
    assert.equal(fn.points[0]!.label, 'Independent ×1, 400 rows, 1,500 steps');
    assert.deepEqual(fn.points.map((p) => [p.strength, p.correlation]), record.calibration.points.map((p) => [p.strength, p.correlation]));
    const [ind, imi] = fn.lines;
    assert.equal(ind!.role, 'independent');
    assert.equal(imi!.role, 'imitator');
    assert.deepEqual([ind!.from.strength, ind!.to.strength], [0.84, 0.94]);
    close(ind!.from.correlation, record.calibration.independentFit!.intercept + record.calibration.independentFit!.slope * 0.84);
    close(imi!.to.correlation, record.calibration.imitatorFit!.intercept + record.calibration.imitatorFit!.slope * 0.94);
    // The bound is the one `judge` decides by, above the independents' line and below the imitators' here.
    assert.ok(fn.bound.length > 2);
    for (const b of fn.bound) {
      close(b.correlation, judge(record.calibration, { strength: b.strength, correlation: 0 }).independentBound!);
      assert.ok(b.correlation > lineAt(record.calibration.independentFit!, b.strength) && b.correlation < lineAt(record.calibration.imitatorFit!, b.strength));
    }
    // Every point inside the axes.
    for (const p of fn.points) {
      assert.ok(p.strength > fn.strengthAxis.min && p.strength < fn.strengthAxis.max);
      assert.ok(p.correlation > fn.correlationAxis.min && p.correlation < fn.correlationAxis.max);
    }
    assert.match(fn.alt, /Independent ×1, 400 rows, 1,500 steps: 85\.0 %, 0\.639;.*Imitator ×1\.5, 800 rows, 3,000 steps: 94\.0 %, 0\.861\. Independent references’ line from 0\.599 at 84\.0 % to 0\.600 at 94\.0 %\. Imitators’ line from 0\.794 at 84\.0 % to 0\.865 at 94\.0 %\.$/);
  });

  it('says in plain words that the lines separate, the leave-one-out counts, the held-out rows’ file and the limits', () => {
    const fn = ownershipModel(withEvidence)!.function;
    assert.equal(fn.separation, 'separate');
    assert.match(fn.sentence, /^The imitators’ line lies above the independent references’ across their strengths \(84\.0 %–94\.0 % agreement with the original\), by 0\.195–0\.265 in correlation, and above the bound/);
    assert.equal(fn.errors, 'Each reference judged against the others (leave one out): 0 of 6 independent references judged derived (false positives), 0 of 6 imitators judged independent (misses).');
    assert.deepEqual(fn.heldOut, { name: 'ownership-rows.npy', sha256: record.heldOutRows.sha256, rows: '200' });
    assert.match(fn.limits, /a student trained on the original’s top answers alone carries no dark knowledge and is judged like an independent network; a suspect stronger than every reference is judged inconclusive/);
    assert.match(fn.limits, /speak for suspects agreeing with the original on 81\.2 %–95\.5 % of the held-out rows\.$/);
  });

  it('gives the strengths `judge` speaks for: the references’ range widened by a suspect’s standard error', () => {
    const c = record.calibration;
    const { min, max } = judgedStrengthRange(c.strengthRange, c.rows);
    assert.ok(min < c.strengthRange.min && max > c.strengthRange.max);
    const outside = (strength: number): boolean => /reference \(/.test(judge(c, { strength, correlation: 0.9 }).reason);
    assert.equal(outside(max - 1e-6), false);
    assert.equal(outside(max + 1e-6), true);
    assert.equal(outside(min + 1e-6), false);
    assert.equal(outside(min - 1e-6), true);
    assert.ok(judgedStrengthRange({ min: 0.99, max: 0.999 }, 200).max <= 1);
  });

  it('says where the lines cross when they separate over part of the strengths only', () => {
    // At 84 %: independent 0.588, imitators 0.580; at 94 %: 0.658 and 0.780. They cross at 1.1 / 1.3 = 84.6 %.
    const partly = withCalibration({ independentFit: fit(0, 0.7), imitatorFit: fit(-1.1, 2) });
    assert.equal(separation(partly.ownership!.calibration), 'partly');
    const model = ownershipModel(partly)!;
    assert.match(model.function.sentence, /^The lines cross at 84\.6 % agreement with the original: the imitators’ line lies above the independent references’ only from there to 94\.0 %/);
    assert.match(model.summary, /separate only over part of the references’ strengths \(they cross at 84\.6 %\), so a distilled student may be judged inconclusive\.$/);
    assert.equal(model.tone, 'warn');
    const reversed = ownershipModel(withCalibration({ independentFit: fit(-1.1, 2), imitatorFit: fit(0, 0.7) }))!;
    assert.match(reversed.function.sentence, /only from 84\.0 % to there, so a stronger suspect/);
  });

  it('says a distilled student will be judged inconclusive when the imitators’ line is nowhere above the independents’', () => {
    const none = ownershipModel(withCalibration({ independentFit: fit(0.2, 0.5), imitatorFit: fit(0.1, 0.5) }))!;
    assert.equal(none.function.separation, 'none');
    assert.match(none.function.sentence, /does not lie above the independent references’ anywhere in their strengths \(84\.0 %–94\.0 % agreement with the original\)/);
    assert.equal(none.tone, 'warn');
    assert.match(none.summary, /lines do not separate, so a distilled student will be judged inconclusive\.$/);
  });

  it('without independent references (no labels), says students cannot be told from independent work', () => {
    const unlabelled = withCalibration({ independentFit: undefined }, { rows: 1000, labelled: false });
    const model = ownershipModel(unlabelled)!;
    assert.equal(model.function.separation, 'no-independent');
    assert.match(model.function.sentence, /^Independent references are missing \(the data had no labels to train them on\): a student cannot be told from independent work/);
    assert.match(model.summary, /Function: independent references are missing, so a student cannot be told from independent work and will be judged inconclusive\.$/);
    assert.deepEqual(model.function.lines.map((l) => l.role), ['imitator']);
    assert.deepEqual(model.function.bound, []);
    assert.match(ownershipModel(withCalibration({ independentFit: undefined }))!.function.sentence, /^Too few independent references of different strengths for a line/);
    assert.match(ownershipModel(withCalibration({ imitatorFit: undefined }))!.function.sentence, /^Too few imitating references/);
  });

  it('warns when a leave-one-out check failed, in either evidence, or when the imitators’ line is not above the bound', () => {
    const function1 = ownershipModel(withCalibration({ falsePositives: 1 }))!;
    assert.equal(function1.tone, 'warn');
    assert.match(function1.summary, /with 1 false positive and 0 misses when each is left out\.$/);
    assert.equal(function1.facts.find((f) => f.label === 'Function false positives')?.value, '1 of 6');
    const weights = ownershipModel({ ...report, ownership: { ...record, weights: { ...record.weights, falsePositives: 2 } } })!;
    assert.equal(weights.tone, 'warn');
    assert.match(weights.summary, /Weights: 2 of 12 references judged weight-derived/);
    // A wide spread of independents lifts their bound over the imitators' line.
    const spread = ownershipModel(withCalibration({ independentFit: { ...record.calibration.independentFit!, residualSd: 0.1 } }))!;
    assert.equal(spread.function.separation, 'separate');
    assert.match(spread.function.sentence, /but not everywhere above the bound independent networks stay below: a student like the imitators may be judged inconclusive rather than derived\.$/);
    assert.equal(spread.tone, 'warn');
  });

  it('shows no reference’s figures against another’s when the calibration does not match the references', () => {
    const shuffled = withCalibration({ points: [...record.calibration.points].reverse() });
    const model = ownershipModel(shuffled)!;
    assert.deepEqual(
      model.references.map((r) => [r.strength, r.correlation]),
      model.references.map(() => ['—', '—']),
    );
    assert.deepEqual(model.function.points.slice(0, 2).map((p) => p.label), ['Independent 1', 'Independent 2']);
    assert.deepEqual(pointsOfReferences(record.references.slice(1), record.calibration.points), Array(11).fill(undefined));
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
  const exported = (r: ProtectionReport, ownershipChart?: string): string =>
    staticHtml({ report: r, charts: [], colors, exportedAt: '2026-01-01T00:00:00Z', reportPath: '/w/out/report.json', ...(ownershipChart ? { ownershipChart } : {}) });

  it('has the section with the compare command, the weight baseline, the function evidence and the references', () => {
    const html = exported(withEvidence, 'data:image/png;base64,AAAA');
    assert.ok(html.includes('<h2>Ownership</h2><p class="banner pass">Recorded 12 reference networks'));
    assert.ok(html.includes('<code>mimosanet compare &lt;suspect&gt; --report /w/out/report.json</code>'));
    assert.ok(html.includes('<tr><td>Hidden 1</td><td class="num">128</td><td class="num strong">0.349</td><td class="num">1,536</td><td class="num">0.092–0.159</td><td class="num">0.090–0.214</td></tr>'));
    assert.ok(html.includes('<h3>Function evidence: dark knowledge <span class="muted">200 held-out rows in ownership-rows.npy</span></h3>'));
    assert.ok(html.includes('<p class="note">The imitators’ line lies above the independent references’'));
    assert.match(html, /<figure class="function-chart"><img src="data:image\/png;base64,AAAA" alt="Dark-knowledge correlation with the original against strength/);
    assert.ok(html.includes(`SHA-256 <code>${record.heldOutRows.sha256}</code>`));
    assert.ok(html.includes('a student trained on the original’s top answers alone carries no dark knowledge'));
    assert.ok(html.includes('<td>Independent</td><td class="num">×1</td><td title="400 rows, the first part of the owner’s training rows; 1,500 Adam steps of 32 rows">400 rows, 1,500 steps</td><td class="num">0.142</td><td class="num">0.229</td><td class="num">0.272</td><td class="num">85.0 %</td><td class="num strong">0.639</td></tr>'));
    assert.equal((html.match(/<td>(Independent|Imitator)<\/td>/g) ?? []).length, 12);
    assert.ok(!/fingerprint|cal-bar/i.test(html));
  });

  it('gives the chart in words when there is no image, and warns when the lines do not separate', () => {
    const html = exported(withCalibration({ independentFit: fit(0.2, 0.5), imitatorFit: fit(0.1, 0.5) }));
    assert.ok(!html.includes('<figure class="function-chart">'));
    assert.match(html, /<p class="muted">Dark-knowledge correlation with the original against strength/);
    assert.ok(html.includes('<p class="note warning">The imitators’ line does not lie above'));
    assert.ok(html.includes('<p class="banner warning">'));
  });

  it('explains the absence for a report without evidence', () => {
    const html = exported(report);
    assert.match(html, /<h2>Ownership<\/h2><p class="muted">No ownership evidence in this report/);
  });
});
