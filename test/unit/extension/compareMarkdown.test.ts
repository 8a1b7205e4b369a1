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
const references: CompareReport['baselines']['references'] = [
  { role: 'independent', widthScale: 1, rows: 'first', steps: 1500, trainingRows: 800, layerSimilarity: [0.1529, 0.2383, 0.3237], strength: 0.9025, correlation: 0.7171 },
  { role: 'independent', widthScale: 0.5, rows: 'first', steps: 1500, trainingRows: 800, layerSimilarity: [0.0965, 0.1215, 0.2152], strength: 0.9125, correlation: 0.6997 },
  { role: 'independent', widthScale: 1, rows: 'second', steps: 1500, trainingRows: 800, layerSimilarity: [0.1597, 0.2228, 0.3008], strength: 0.91, correlation: 0.6267 },
  { role: 'independent', widthScale: 1.5, rows: 'second', steps: 1500, trainingRows: 800, layerSimilarity: [0.1643, 0.2539, 0.2826], strength: 0.9175, correlation: 0.5969 },
  { role: 'independent', widthScale: 1, rows: 'both', steps: 1500, trainingRows: 1600, layerSimilarity: [0.1676, 0.2341, 0.3479], strength: 0.935, correlation: 0.687 },
  { role: 'independent', widthScale: 1.5, rows: 'both', steps: 3000, trainingRows: 1600, layerSimilarity: [0.1757, 0.2567, 0.3827], strength: 0.95, correlation: 0.7031 },
  { role: 'imitator', widthScale: 1, rows: 'first', steps: 1500, trainingRows: 800, layerSimilarity: [0.1723, 0.2186, 0.2808], strength: 0.9325, correlation: 0.865 },
  { role: 'imitator', widthScale: 0.5, rows: 'first', steps: 1500, trainingRows: 800, layerSimilarity: [0.1007, 0.1078, 0.2433], strength: 0.925, correlation: 0.8438 },
  { role: 'imitator', widthScale: 1, rows: 'second', steps: 1500, trainingRows: 800, layerSimilarity: [0.1742, 0.2232, 0.3322], strength: 0.9275, correlation: 0.8722 },
  { role: 'imitator', widthScale: 1.5, rows: 'second', steps: 1500, trainingRows: 800, layerSimilarity: [0.1878, 0.2479, 0.3426], strength: 0.96, correlation: 0.8531 },
  { role: 'imitator', widthScale: 1, rows: 'both', steps: 1500, trainingRows: 1600, layerSimilarity: [0.1858, 0.2337, 0.3515], strength: 0.95, correlation: 0.8753 },
  { role: 'imitator', widthScale: 1.5, rows: 'both', steps: 3000, trainingRows: 1600, layerSimilarity: [0.2207, 0.2509, 0.3707], strength: 0.97, correlation: 0.88549 },
];

const functionCalibration: CompareReport['baselines']['functionCalibration'] = {
  rows: 400,
  points: references.map(({ role, strength, correlation }) => ({ role, strength: strength!, correlation: correlation! })),
  independentFit: { intercept: 0.2047, slope: 0.507, residualSd: 0.0531, meanStrength: 0.9213, spread: 0.00158, count: 6 },
  imitatorFit: { intercept: 0.4912, slope: 0.3967, residualSd: 0.0149, meanStrength: 0.9442, spread: 0.00173, count: 6 },
  strengthRange: { min: 0.9025, max: 0.97 },
  falsePositives: 0,
  misses: 0,
};

const derivedByWeights = {
  schemaVersion: 2,
  suspect: '/w/mnist-mlp/model.mimosa/model.json',
  original: '/w/mnist-mlp/model.json',
  verdict: 'derived',
  decidedBy: 'weights',
  reason: "128 of 128 hidden units have a counterpart closer to the original's than any unit of 12 reference networks reaches (chance for an independent network < 1e-300; 0 of 12 references judged derived)",
  evidence: {
    identical: false,
    weights: {
      layers: [
        { originalUnits: 128, suspectUnits: 160, meanSimilarity: 1, threshold: 0.3483621519, closerThanReferences: 128, pValue: 0 },
        { originalUnits: 64, suspectUnits: 96, meanSimilarity: 1, threshold: 0.4198426120, closerThanReferences: 64, pValue: 1.9985e-185 },
      ],
      outputSimilarity: 1,
      pValue: 0,
      derived: true,
    },
    // The copy answers as the original on every held-out row: stronger than every reference.
    function: {
      strength: 1,
      correlation: 1,
      expectedIndependent: 0.7117,
      expectedImitator: 0.888,
      independentBound: 1.0817,
      judgement: 'inconclusive',
      reason: 'the suspect agrees with the original on 100.0 % of the held-out rows, above the strongest reference (97.0 %): the references do not speak for a model that strong (independent networks that strong reach the imitators’ correlation)',
    },
    dataAgreement: 1,
  },
  baselines: { references, weightFalsePositives: 0, functionCalibration },
  data: { source: 'file', samples: 2000, labelled: true },
  seconds: 16.4,
  baselineSource: { kind: 'trained' },
} as CompareReport;

const labels = { suspect: 'model.mimosa/model.json', original: 'mnist-mlp/model.json', dataPath: '/w/mnist-mlp/eval-x.npy', labelsPath: '/w/mnist-mlp/eval-y.npy' };

/** Measured: a 784-100-10 network trained on the example's labels (other depth, so no weights; the function evidence decides). */
const independentByFunction = {
  ...derivedByWeights,
  suspect: '/w/other/model.json',
  verdict: 'independent',
  decidedBy: 'function',
  reason:
    'the suspect has 2 layers and the original 3: no unit-by-unit alignment, and dark-knowledge correlation 0.727 at 95.5 % agreement; references of that strength: independent 0.689, imitators 0.870: nearer the independent references (0 of 6 independent references judged derived, each against the others)',
  evidence: {
    identical: false,
    weightsSkipped: 'the suspect has 2 layers and the original 3: no unit-by-unit alignment',
    function: {
      strength: 0.955,
      correlation: 0.727,
      expectedIndependent: 0.6888,
      expectedImitator: 0.8701,
      independentBound: 0.9143,
      judgement: 'independent',
      reason: 'dark-knowledge correlation 0.727 at 95.5 % agreement; references of that strength: independent 0.689, imitators 0.870: nearer the independent references',
    },
    dataAgreement: 0.9525,
  },
} as CompareReport;

/** Data without labels: every reference imitates the original, so there is no independent line. */
const inconclusiveOnProbes = {
  ...derivedByWeights,
  verdict: 'inconclusive',
  decidedBy: 'none',
  reason: 'weights share nothing beyond what references share, and the function evidence is inconclusive: no labels: no independently trained references to compare with',
  evidence: {
    identical: false,
    weightsSkipped: 'the suspect has 2 layers and the original 3: no unit-by-unit alignment',
    function: { strength: 0.94, correlation: 0.86, judgement: 'inconclusive', reason: 'no labels: no independently trained references to compare with' },
    dataAgreement: 0.94,
  },
  baselines: {
    references: references.filter((r) => r.role === 'imitator'),
    weightFalsePositives: 0,
    functionCalibration: {
      rows: 400,
      points: functionCalibration.points.filter((p) => p.role === 'imitator'),
      imitatorFit: functionCalibration.imitatorFit!,
      strengthRange: { min: 0.925, max: 0.97 },
      falsePositives: 0,
      misses: 0,
    },
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
    assert.equal(facts[3]![1], '12 trained here (6 independent, 6 imitators)');
    assert.equal(facts[4]![1], '16.4 s');
  });

  it('tabulates the weight evidence per hidden layer, with the reference threshold, the count and the p-value', () => {
    const md = compareMarkdown(derivedByWeights, labels);
    const rows = table(md, '| Hidden layer |');
    assert.deepEqual(rows, [
      ['1', '128', '160', '1', '0.348', '128 of 128', '< 1e-300'],
      ['2', '64', '96', '1', '0.42', '64 of 64', '2e-185'],
    ]);
    assert.match(md, /\*\*Combined p-value:\*\* < 1e-300 .*: \*\*derived\*\*/);
    assert.match(md, /\*\*False positives:\*\* 0 of 12 reference networks judged weight-derived/);
  });

  it('sets the suspect’s dark-knowledge correlation against references of its strength, with the bound, the judgement and the calibration errors', () => {
    const md = compareMarkdown(independentByFunction, labels);
    assert.deepEqual(table(md, '| Function evidence |'), [
      ['Suspect’s strength', '**95.5 %**'],
      ['Suspect’s dark-knowledge correlation', '**0.727**'],
      ['Independent references of that strength reach', '0.689'],
      ['Imitators of that strength reach', '0.870'],
      ['Independent networks of that strength stay below (99.9 %)', '0.914'],
      ['References’ strengths', '90.3 % – 97.0 %'],
      ['False positives, each reference left out', '0 of 6 independent references judged derived'],
      ['Misses, each reference left out', '0 of 6 imitators judged independent'],
    ]);
    assert.match(md, /On each of 400 held-out rows of the owner’s data \(no reference network trained on them\), the original’s top class is left out/);
    assert.match(md, /\*\*Judgement: independent\*\* — Dark\\-knowledge correlation 0\.727 at 95\.5 % agreement; .*: nearer the independent references\.$/m);
    assert.doesNotMatch(md, /The weights already decided/);
    assert.doesNotMatch(md, /fingerprint/i);
  });

  it('says what the dark-knowledge correlation cannot see, and marks figures read off the lines beyond the references’ strengths', () => {
    const md = compareMarkdown(derivedByWeights, labels);
    assert.match(md, /A student trained only on the original’s top answers, not its probabilities, learns no dark knowledge and is judged like independent work\./);
    assert.match(md, /A suspect stronger than every reference \(97\.0 % here, by more than one standard error of its own agreement\) is inconclusive/);
    const rows = table(md, '| Function evidence |');
    assert.deepEqual(rows[0], ['Suspect’s strength', '**100 %**']);
    assert.deepEqual(rows[2], ['Independent references of that strength reach', '0.712 (line extended beyond the references)']);
    assert.deepEqual(rows[4], ['Independent networks of that strength stay below (99.9 %)', '1.082 (line extended beyond the references)']);
    assert.match(md, /\*\*Judgement: inconclusive\*\* — The suspect agrees with the original on 100\.0 % of the held\\-out rows, above the strongest reference/);
    assert.match(md, /The weights already decided\. This evidence carries the verdict for copies whose weights share nothing/);
    assert.doesNotMatch(md, /fingerprint/i);
  });

  it('gives the data agreement and every reference network’s training, similarity and function point', () => {
    const md = compareMarkdown(derivedByWeights, labels);
    assert.match(md, /Top-1 agreement with the original on the owner’s data: \*\*100 %\*\* of 2,000 samples\./);
    const header = md.split('\n').find((l) => l.startsWith('| # | Role |'))!;
    assert.equal(header, '| # | Role | Width | Trained on | Steps | Layer 1 | Layer 2 | Output | Strength | Correlation |');
    const rows = table(md, '| # | Role |');
    assert.equal(rows.length, 12);
    assert.deepEqual(rows[1], ['2', 'independent', '×0.5', '800 rows (first part)', '1,500', '0.0965', '0.121', '0.215', '91.3 %', '0.700']);
    assert.deepEqual(rows[11], ['12', 'imitator', '×1.5', '1,600 rows (both parts)', '3,000', '0.221', '0.251', '0.371', '97.0 %', '0.885']);
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
    const fn = table(md, '| Function evidence |');
    assert.deepEqual(fn[2], ['Independent references of that strength reach', '— (none trained)']);
    assert.deepEqual(fn[3], ['Imitators of that strength reach', '—']);
    assert.deepEqual(fn[6], ['False positives, each reference left out', '— (no independent references)']);
    assert.match(md, /\*\*Judgement: inconclusive\*\* — No labels: no independently trained references to compare with\./);
    assert.match(md, /on generated probe inputs: \*\*94\.00 %\*\*/);
    assert.match(md, /No independent references: without labels every reference imitates the original, so the function evidence has nothing to set a suspect against/);
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
    assert.equal(facts[3]![1], '12 recorded in `/w/mnist-mlp/model.mimosa/report.json` (6 independent, 6 imitators)');
    assert.match(md, /## Data agreement\n\nNot measured: no data was given/);
    assert.match(md, /Trained when the original was protected from fresh weights/);
    assert.deepEqual(table(md, '| # | Role |')[0], ['1', 'independent', '×1', '800 rows (first part)', '1,500', '—', '90.3 %', '0.717']);
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
    assert.equal(compareNotification(derivedByWeights, labels), 'model.mimosa/model.json is derived from mnist-mlp/model.json (decided by weights; 16.4 s).');
    assert.equal(
      compareNotification({ ...derivedByWeights, decidedBy: 'identical', seconds: 75 }, labels),
      'model.mimosa/model.json is derived from mnist-mlp/model.json (decided by identity; 1 min 15 s).',
    );
    assert.match(compareNotification(inconclusiveOnProbes, labels), /^Inconclusive: .*\(no evidence decided;/);
    assert.equal(
      compareLogLine(derivedByWeights),
      'compare /w/mnist-mlp/model.mimosa/model.json vs /w/mnist-mlp/model.json: DERIVED (decided by weights; weights p < 1e-300; dark-knowledge correlation 1.000 at strength 100 %; data agreement 100 %; 16.4 s)',
    );
    assert.match(compareLogLine(independentByFunction), /INDEPENDENT \(decided by function; weights not aligned; dark-knowledge correlation 0\.727 at strength 95\.5 %; data agreement 95\.25 %/);
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
