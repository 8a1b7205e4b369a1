import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import {
  compareHeadline,
  compareLogLine,
  compareMarkdown,
  compareNotification,
  defaultComparisonPath,
  formatP,
} from '../../../src/extension/compareMarkdown';
import type { CompareReport } from '../../../src/protocol/jobs';

/**
 * Measured: the example's protected copy against its original, with the example's labelled data
 * (figures rounded). Asserted to CompareReport: the type grows fields (the report-based baseline)
 * the document reads only when present.
 */
const derivedByWeights = {
  schemaVersion: 1,
  suspect: '/w/mnist-mlp/model.mimosa/model.json',
  original: '/w/mnist-mlp/model.json',
  verdict: 'derived',
  decidedBy: 'weights',
  reason: "128 of 128 hidden units have a counterpart closer to the original's than any unit of 8 reference networks reaches (chance ≤ 0.0e+0; 0 of 8 references judged derived)",
  evidence: {
    identical: false,
    weights: {
      layers: [
        { originalUnits: 128, suspectUnits: 160, meanSimilarity: 1, threshold: 0.3292135617, closerThanReferences: 128, pValue: 0 },
        { originalUnits: 64, suspectUnits: 96, meanSimilarity: 0.99999, threshold: 0.4198426120, closerThanReferences: 64, pValue: 3.5685e-174 },
      ],
      outputSimilarity: 1,
      pValue: 0,
      derived: true,
    },
    function: { fingerprints: 100, agreement: 1, judgement: 'inconclusive', reason: 'the fingerprints do not separate the references (independent up to 59.0 %, imitators from 57.0 %)' },
    dataAgreement: 1,
  },
  baselines: {
    references: [
      { role: 'independent', widthScale: 1, heldOut: false, layerSimilarity: [0.1529, 0.2383, 0.3237] },
      { role: 'independent', widthScale: 0.5, heldOut: false, layerSimilarity: [0.0965, 0.1215, 0.2152] },
      { role: 'independent', widthScale: 1, heldOut: true, layerSimilarity: [0.1597, 0.2228, 0.3008], fingerprintAgreement: 0.58 },
      { role: 'independent', widthScale: 1.5, heldOut: true, layerSimilarity: [0.1643, 0.2539, 0.2826], fingerprintAgreement: 0.59 },
      { role: 'imitator', widthScale: 1, heldOut: false, layerSimilarity: [0.1596, 0.2433, 0.288] },
      { role: 'imitator', widthScale: 0.5, heldOut: false, layerSimilarity: [0.0957, 0.1103, 0.2344] },
      { role: 'imitator', widthScale: 1, heldOut: true, layerSimilarity: [0.1599, 0.2343, 0.2891], fingerprintAgreement: 0.6 },
      { role: 'imitator', widthScale: 1.5, heldOut: true, layerSimilarity: [0.1626, 0.2608, 0.3796], fingerprintAgreement: 0.57 },
    ],
    weightFalsePositives: 0,
    fingerprintCalibration: { independent: [0.58, 0.59], imitator: [0.6, 0.57], falsePositives: 0, misses: 1 },
  },
  data: { source: 'file', samples: 2000, labelled: true },
  seconds: 55.6,
  baselineSource: { kind: 'trained' },
} as CompareReport;

const labels = { suspect: 'model.mimosa/model.json', original: 'mnist-mlp/model.json', dataPath: '/w/mnist-mlp/eval-x.npy', labelsPath: '/w/mnist-mlp/eval-y.npy' };

/** A distilled student: other depth, so no weights; the fingerprints decide. */
const independentByFunction = {
  ...derivedByWeights,
  suspect: '/w/other/model.json',
  verdict: 'independent',
  decidedBy: 'function',
  reason: 'weights share nothing beyond what references share, and 12.0 % of 100 fingerprints answered as the original does',
  evidence: {
    identical: false,
    weightsSkipped: 'the suspect has 2 layers and the original 3: no unit-by-unit alignment',
    function: { fingerprints: 100, agreement: 0.12, judgement: 'independent', reason: '12.0 % of 100 fingerprints answered as the original does' },
    dataAgreement: 0.9312,
  },
  baselines: { ...derivedByWeights.baselines, fingerprintCalibration: { independent: [0.1, 0.15], imitator: [0.7, 0.8], threshold: 0.425, falsePositives: 0, misses: 0 } },
} as CompareReport;

/** Probes only: every reference imitates the original. */
const inconclusiveOnProbes = {
  ...derivedByWeights,
  verdict: 'inconclusive',
  decidedBy: 'none',
  reason: 'weights share nothing beyond what references share, and the function evidence is inconclusive: no labels: no independently trained reference to compare with',
  evidence: { ...derivedByWeights.evidence, function: { fingerprints: 100, agreement: 0.5, judgement: 'inconclusive', reason: 'no labels: no independently trained reference to compare with' } },
  baselines: {
    references: derivedByWeights.baselines.references.filter((r) => r.role === 'imitator'),
    weightFalsePositives: 1,
    fingerprintCalibration: { independent: [], imitator: [0.6, 0.57], falsePositives: 0, misses: 0 },
  },
  data: { source: 'probes', samples: 2000, labelled: false },
} as CompareReport;

/** The rows of the Markdown table that follows the line `header` starts. */
function table(markdown: string, header: string): string[][] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => l.startsWith(header));
  assert.ok(start >= 0, `a table starting ${header}`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim()));
  }
  return rows;
}

describe('compare result as Markdown ("Compare with Original…")', () => {
  it('headlines the verdict and says which evidence decided, then the reason as a sentence', () => {
    const md = compareMarkdown(derivedByWeights, labels);
    const lines = md.split('\n');
    assert.equal(lines[0], '# model.mimosa/model.json is derived from mnist\\-mlp/model.json');
    assert.match(lines[2]!, /^\*\*Verdict: derived\*\* · decided by \*\*weights\*\*: aligned hidden units are closer to the original’s than any reference network’s\.$/);
    assert.match(lines[4]!, /^> 128 of 128 hidden units have a counterpart .*judged derived\\\)\.$/, 'capitalised, with a full stop');
    const facts = table(md, '| | |');
    assert.deepEqual(facts.map((r) => r[0]), ['Suspect', 'Original', 'Owner’s data', 'Reference networks', 'Time']);
    assert.equal(facts[2]![1], '`/w/mnist-mlp/eval-x.npy` + `/w/mnist-mlp/eval-y.npy`: 2,000 samples, labelled');
    assert.equal(facts[3]![1], '8 trained here (4 independent, 4 imitators)');
    assert.equal(facts[4]![1], '55.6 s');
  });

  it('tabulates the weight evidence per hidden layer, with the reference threshold, the count and the p-value', () => {
    const md = compareMarkdown(derivedByWeights, labels);
    const rows = table(md, '| Hidden layer |');
    assert.deepEqual(rows, [
      ['1', '128', '160', '1', '0.329', '128 of 128', '< 1e-300'],
      ['2', '64', '96', '1', '0.42', '64 of 64', '3.6e-174'],
    ]);
    assert.match(md, /\*\*Combined p-value:\*\* < 1e-300 .*: \*\*derived\*\*/);
    assert.match(md, /\*\*False positives:\*\* 0 of 8 reference networks judged weight-derived/);
  });

  it('shows the fingerprint agreement against the held-out bands, the line (or why there is none) and the calibration errors', () => {
    const rows = table(compareMarkdown(derivedByWeights, labels), '| | Agreement with the original |');
    assert.deepEqual(rows, [
      ['Suspect', '**100 %** of 100 fingerprints'],
      ['Independent references (held out)', '58.0 % – 59.0 %'],
      ['Imitators (held out)', '57.0 % – 60.0 %'],
      ['Decision line', 'none: the bands overlap or one is missing'],
      ['False positives on held-out references', '0 of 2 independent'],
      ['Misses on held-out references', '1 of 2 imitators'],
    ]);
    assert.match(compareMarkdown(derivedByWeights, labels), /The weights already decided\. This evidence carries the verdict for copies whose weights share nothing/);
    const separated = compareMarkdown(independentByFunction, labels);
    assert.deepEqual(table(separated, '| | Agreement with the original |')[3], ['Decision line', '42.5 %']);
    assert.doesNotMatch(separated, /The weights already decided/);
  });

  it('gives the data agreement and every reference network’s figures', () => {
    const md = compareMarkdown(derivedByWeights, labels);
    assert.match(md, /Top-1 agreement with the original on the owner’s data: \*\*100 %\*\* of 2,000 samples\./);
    const header = md.split('\n').find((l) => l.startsWith('| # | Role |'))!;
    assert.equal(header, '| # | Role | Width | Used for | Layer 1 | Layer 2 | Output | Fingerprint agreement |');
    const rows = table(md, '| # | Role |');
    assert.equal(rows.length, 8);
    assert.deepEqual(rows[1], ['2', 'independent', '×0.5', 'selection', '0.0965', '0.121', '0.215', '—']);
    assert.deepEqual(rows[7], ['8', 'imitator', '×1.5', 'calibration', '0.163', '0.261', '0.38', '57.0 %']);
    assert.doesNotMatch(md, /No independent references/);
  });

  it('independent, decided by the function: says why the weights were not compared', () => {
    const md = compareMarkdown(independentByFunction, { suspect: 'other/model.json', original: 'mnist-mlp/model.json' });
    assert.match(md.split('\n')[0]!, /^# other\/model\.json is independent of mnist\\-mlp\/model\.json$/);
    assert.match(md, /decided by \*\*function\*\*/);
    assert.match(md, /Not compared: the suspect has 2 layers and the original 3: no unit\\-by\\-unit alignment\./);
    assert.doesNotMatch(md, /\| Hidden layer \|/);
    assert.match(md, /\*\*Judgement: independent\*\*/);
    assert.equal(table(md, '| | |')[2]![1], '2,000 samples, labelled', 'no file names when the caller gave none');
  });

  it('inconclusive on generated probes: the data line says so, and the missing independent references are explained', () => {
    const md = compareMarkdown(inconclusiveOnProbes, labels);
    assert.match(md.split('\n')[0]!, /^# Inconclusive: cannot tell whether model\.mimosa\/model\.json is derived from mnist\\-mlp\/model\.json$/);
    assert.match(md, /nothing decided: no evidence separates/);
    assert.equal(table(md, '| | |')[2]![1], '2,000 generated probe inputs (no labels)');
    assert.deepEqual(table(md, '| | Agreement with the original |')[1], ['Independent references (held out)', '— (none trained)']);
    assert.match(md, /on generated probe inputs: \*\*100 %\*\*/);
    assert.match(md, /No independent references: without labels every reference imitates the original/);
  });

  it('a baseline recorded by protect: names the report, and says when there was no data to measure agreement on', () => {
    const recorded = {
      ...derivedByWeights,
      baselineSource: { kind: 'report', report: '/w/mnist-mlp/model.mimosa/report.json', originalFrom: 'original' },
      evidence: { ...derivedByWeights.evidence, dataAgreement: undefined },
      baselines: { ...derivedByWeights.baselines, references: derivedByWeights.baselines.references.map(({ layerSimilarity: _, ...r }) => r) },
      data: undefined,
    } as unknown as CompareReport;
    const md = compareMarkdown(recorded, { suspect: labels.suspect, original: labels.original });
    const facts = table(md, '| | |');
    assert.equal(facts[2]![1], 'none');
    assert.equal(facts[3]![1], '8 recorded in `/w/mnist-mlp/model.mimosa/report.json` (4 independent, 4 imitators)');
    assert.match(md, /## Data agreement\n\nNot measured: no data was given/);
    assert.match(md, /Trained when the original was protected from fresh weights/);
    assert.deepEqual(table(md, '| # | Role |')[0], ['1', 'independent', '×1', 'selection', '—', '—']);
    assert.match(compareLogLine(recorded), /; no data; /);
  });

  it('keeps tables whole when a path holds a pipe or Markdown characters', () => {
    const md = compareMarkdown({ ...derivedByWeights, suspect: '/w/a|b/*x*.json' }, { ...labels, suspect: 'a|b/*x*.json' });
    const facts = table(md, '| | |');
    assert.equal(facts.length, 5);
    assert.equal(facts[0]![1], '`/w/a\\|b/*x*.json`');
    assert.match(md.split('\n')[0]!, /^# a\\\|b\/\\\*x\\\*\.json is derived/);
  });

  it('notification and log line: verdict, deciding evidence and key figures in one line', () => {
    assert.equal(compareNotification(derivedByWeights, labels), 'model.mimosa/model.json is derived from mnist-mlp/model.json (decided by weights; 55.6 s).');
    assert.equal(
      compareNotification({ ...derivedByWeights, decidedBy: 'identical', seconds: 75 }, labels),
      'model.mimosa/model.json is derived from mnist-mlp/model.json (decided by identity; 1 min 15 s).',
    );
    assert.match(compareNotification(inconclusiveOnProbes, labels), /^Inconclusive: .*\(no evidence decided;/);
    assert.equal(
      compareLogLine(derivedByWeights),
      'compare /w/mnist-mlp/model.mimosa/model.json vs /w/mnist-mlp/model.json: DERIVED (decided by weights; weights p < 1e-300; fingerprints 100 %; data agreement 100 %; 55.6 s)',
    );
    assert.match(compareLogLine(independentByFunction), /INDEPENDENT \(decided by function; weights not aligned; fingerprints 12\.0 %; data agreement 93\.12 %/);
    assert.equal(compareHeadline({ verdict: 'independent' }, labels), 'model.mimosa/model.json is independent of mnist-mlp/model.json');
  });

  it('proposes to save beside the original, named after both models (a folder stands in for "model.json")', () => {
    assert.equal(defaultComparisonPath(derivedByWeights), path.join('/w/mnist-mlp', 'model.mimosa-vs-mnist-mlp.compare.json'));
    assert.equal(defaultComparisonPath({ suspect: '/d/stolen.onnx', original: '/o/mine.keras' }), path.join('/o', 'stolen-vs-mine.compare.json'));
  });

  it('p-values: exponent notation, and "< 1e-300" where a double underflows to 0', () => {
    assert.equal(formatP(0), '< 1e-300');
    assert.equal(formatP(3.5685e-174), '3.6e-174');
    assert.equal(formatP(0.25), '0.25');
    assert.equal(formatP(1), '1');
  });
});
