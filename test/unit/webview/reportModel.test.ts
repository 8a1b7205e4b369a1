import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { AttackReport } from '../../../src/core/attacks/lab';
import type { FragilityKind, ProtectionReport } from '../../../src/core/report';
import { formatS50, formatSeconds } from '../../../src/core/reportFormat';
import { MEASURING, chartSpecs, detailsModel, equivalenceModel, fieldModel, fmtRelative, headerModel, isLogGrid, marginState, summaryRows, tellingPointRule } from '../../../webview/report/reportModel';

/**
 * A real report of the MNIST example (engine of 2026-12-02, with the field check and the amplitude
 * trade-off), kept fixed so the expected strings stay valid. Only the protected path was moved
 * from a temporary folder to out/demo.
 */
const report = JSON.parse(readFileSync(new URL('./fixtures/report.json', import.meta.url), 'utf8')) as ProtectionReport;
/** A real report of 0.1 (engine of 2026-11-29): sequential-float32 check, no field check, no trade-off. */
const oldReport = JSON.parse(readFileSync(new URL('./fixtures/report-0.1.json', import.meta.url), 'utf8')) as ProtectionReport;
const field = report.equivalence.field!;

describe('report header', () => {
  it('has the original, protected, construction and data cards', () => {
    const header = headerModel(report);
    assert.equal(header.title, 'mnist-mlp/model.json');
    assert.deepEqual(header.groups.map((g) => g.heading), ['Original', 'Protected', 'Construction', 'Evaluation data']);
    const original = header.groups[0]!.facts;
    assert.equal(original.find((f) => f.label === 'Parameters')?.value, '109,386');
    assert.equal(original.find((f) => f.label === 'File')?.path, report.model.path, 'file facts link to the file');
    assert.match(header.groups[1]!.facts.find((f) => f.label === 'Parameters')!.value, /377,290 \(×3\.45\)/);
    assert.equal(header.groups[2]!.facts.find((f) => f.label === 'Amplitude')?.value, '22.6 (2^4.5), searched (7 tried)', 'amplitudes as the CLI and verdict word them');
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

describe('while a run is going', () => {
  /** What the extension shows first (src/extension/protectFlow.ts initialReport): what inspection knew. */
  const initial: Partial<ProtectionReport> = {
    model: { ...report.model, bytes: 0, normalised: [] },
    data: { source: 'file', path: report.data.path, labelsPath: report.data.labelsPath, samples: 0, labelled: true },
  };
  const fact = (r: Partial<ProtectionReport>, status: 'running' | 'done' | 'cancelled' | 'failed', heading: string, label: string) =>
    headerModel(r, status).groups.find((g) => g.heading === heading)?.facts.find((f) => f.label === label);

  it('says "measuring…" for what is not known yet, never "0" or "—"', () => {
    assert.deepEqual(fact(initial, 'running', 'Original', 'Size'), { label: 'Size', value: MEASURING, pending: true });
    assert.deepEqual(fact(initial, 'running', 'Evaluation data', 'Samples'), { label: 'Samples', value: MEASURING, pending: true });
    assert.equal(fact(initial, 'running', 'Original', 'Parameters')!.value, '109,386', 'what inspection knew is shown');
    const probes: Partial<ProtectionReport> = { ...initial, data: { source: 'probes', samples: 0, labelled: false } };
    const source = fact(probes, 'running', 'Evaluation data', 'Source')!;
    assert.deepEqual([source.value, source.pending], ['generated probe inputs (being generated)', true]);
    assert.doesNotMatch(headerModel(probes, 'running').notes[0]!.text, /\b0 generated/);
    const all = JSON.stringify(headerModel(initial, 'running'));
    assert.doesNotMatch(all, /"value":"(0|—)"/);
  });

  it('a finished report with a zero still reads "—", not "measuring…"', () => {
    assert.equal(fact(initial, 'done', 'Original', 'Size')!.value, '—');
    assert.equal(fact(initial, 'cancelled', 'Evaluation data', 'Samples')!.value, '—');
  });

  it('does not link the protected file before the run commits it', () => {
    const running = fact(report, 'running', 'Protected', 'File')!;
    assert.equal(running.value, 'demo/model.json (being written)');
    assert.equal(running.path, undefined, 'no link to a file that does not exist yet');
    assert.equal(running.pending, true);
    for (const stopped of ['cancelled', 'failed'] as const) {
      const file = fact(report, stopped, 'Protected', 'File')!;
      assert.deepEqual([file.value, file.path], ['demo/model.json (not written)', undefined]);
    }
    assert.equal(fact(report, 'done', 'Protected', 'File')!.path, report.protected.path, 'linked once written');
    assert.equal(fact(report, 'running', 'Original', 'File')!.path, report.model.path, 'the original exists all along');
  });

  it('the files card says the files are being written', () => {
    assert.equal(detailsModel(report, 'running').filesHeading, 'Files being written (SHA-256)');
    assert.equal(detailsModel(report, 'cancelled').filesHeading, 'Files, not written (SHA-256)');
    assert.equal(detailsModel(report).filesHeading, 'Written files (SHA-256)');
  });
});

describe('equivalence card', () => {
  it('has the key numbers, the pass state and the tolerance line in absolute units', () => {
    const eq = equivalenceModel(report)!;
    assert.equal(eq.passed, true);
    const value = (label: string) => eq.facts.find((f) => f.label === label)?.value;
    assert.equal(value('Top-1 agreement'), '100 %');
    assert.equal(value('relDiff'), '5.58e-7 ≤ 1e-4');
    assert.equal(value('Accuracy, original'), '95.25 %');
    assert.equal(eq.runtime, '@tensorflow/tfjs 4.22.0 (cpu backend)');
    assert.equal(eq.perSample.length, 2000);
    const maxOutput = report.equivalence.maxAbsDiff / report.equivalence.relDiff;
    assert.ok(Math.abs(eq.threshold! - 1e-4 * maxOutput) < 1e-12);
    assert.equal(eq.thresholdLabel, 'tolerance 1e-4 × max |original logit| (30.8) = 0.00308', 'the line says what it is');
  });

  it('shows the sequential-float32 check of an old report, and not beside a field check', () => {
    const value = (r: ProtectionReport, label: string) => equivalenceModel(r)!.facts.find((f) => f.label === label);
    assert.equal(value(report, 'Sequential float32 relDiff'), undefined);
    const strict = value(oldReport, 'Sequential float32 relDiff')!;
    assert.equal(strict.value, '7.76e-5, 100 % agree');
    assert.doesNotMatch(strict.title!, /worst case/, 'one sequential order is not the worst case');
    const both = { ...report, equivalence: { ...report.equivalence, strictFloat32: { relDiff: 7.8e-5, top1Agreement: 1, samples: 500 } } };
    assert.equal(value(both, 'Sequential float32 relDiff'), undefined, 'the field check supersedes it');
  });

  it('renders an old report (strictFloat32, no field, no trade-off) as before', () => {
    const eq = equivalenceModel(oldReport)!;
    assert.equal(eq.passed, true);
    assert.equal(eq.summary, 'Equivalent: every sample has the same top-1 class and relDiff is within the tolerance 1e-4.');
    assert.equal(fieldModel(oldReport), undefined);
    const d = detailsModel(oldReport);
    assert.deepEqual(d.tradeOff, []);
    assert.equal(d.tradeOffCaption, '');
    assert.equal(d.searchHasEmulated, false);
    assert.deepEqual(d.amplitudeSearch.filter((t) => t.chosen).map((t) => t.amplitude), ['724 (2^9.5)']);
  });

  it('the banner sums up the reference runtime, the real runtimes and the emulated orders', () => {
    assert.equal(
      equivalenceModel(report)!.summary,
      'Equivalent: every sample has the same top-1 class and relDiff is within the tolerance 1e-4 in the reference runtime, in 2 real runtimes at batch 1 and 256, and under 5 emulated kernel summation orders.',
    );
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

  it('words s50 with its unit and the factor as the table shows them', () => {
    const row = (kind: string) => summaryRows(report).find((r) => r.kind === kind)!;
    assert.equal(row('multiplicative').s50Original, '109 %', 'relative noise as a percentage of each weight');
    assert.equal(row('multiplicative').s50Protected, '0.676 %');
    assert.equal(row('multiplicative').factor, '161×', 'as the verdict words it');
    assert.ok(report.verdict.includes(`${row('multiplicative').factor} more fragile`));
    assert.equal(row('additive').s50Original, '0.947 σ');
    // Fine-tuning has no s50s and no factor: where the attacker ends (next tests).
    assert.deepEqual([row('finetune-adam').s50Original, row('finetune-adam').s50Protected, row('finetune-adam').factor], ['—', '—', '—']);
    assert.equal(row('finetune-adam').factorValue, null);
    assert.equal(row('prune').s50Original, '81.8 %');
    assert.equal(row('single-edit').s50Protected, '> 100 %');
    assert.equal(row('float16').s50Original, '—');
  });

  it('the last column is the telling point, with its magnitude and unit', () => {
    const row = (kind: string) => summaryRows(report).find((r) => r.kind === kind)!;
    const cell = (kind: string) => [row(kind).telling, row(kind).tellingWhere, row(kind).tellingNote];
    // Not the largest magnitude, where both models are broken (12.1 % → 12.2 %).
    assert.deepEqual(cell('multiplicative'), ['94.1 % → 37.9 %', 'at 1 % noise', undefined]);
    assert.deepEqual(cell('additive'), ['94.2 % → 33.1 %', 'at 1e-9 σ noise', undefined]);
    // Fine-tuning without an attack lab: the last point of the attacker's curve, not its first step.
    assert.deepEqual(cell('finetune-adam'), ['93.6 % → 82.0 %', 'after 300 Adam steps', 'head start not measured: the attack lab did not run']);
    assert.deepEqual(cell('finetune-sgd'), ['93.2 % → 13.2 %', 'after 300 SGD steps', 'head start not measured: the attack lab did not run']);
    assert.deepEqual(cell('prune'), ['94.2 % → 4.4 %', 'at 1 % pruned', undefined]);
    assert.deepEqual(cell('single-edit'), ['94.2 % → 94.2 %', 'at +100 % to one weight', 'the protected model holds on the whole grid']);
  });

  it('fine-tuning with an attack lab: the lab’s final accuracies, the head start over from scratch and its verdict', () => {
    const lab = JSON.parse(readFileSync(new URL('./fixtures/attacks.json', import.meta.url), 'utf8')) as AttackReport;
    const rows = summaryRows({ ...report, attacks: lab });
    const adam = rows.find((r) => r.kind === 'finetune-adam')!;
    assert.deepEqual(
      [adam.s50Original, adam.s50Protected, adam.factor, adam.telling, adam.tellingWhere, adam.tellingNote],
      ['—', '—', '−3.3 pt head start', '96.0 % → 87.1 %', 'attack lab, the attacker’s best', 'from scratch 90.4 %: stops it'],
    );
    assert.deepEqual(adam.fineTuning, { source: 'lab', verdict: 'stops it' });
    const sgd = rows.find((r) => r.kind === 'finetune-sgd')!;
    assert.deepEqual([sgd.factor, sgd.telling], ['−81.4 pt head start', '96.2 % → 9.0 %']);
    // Other kinds are unchanged by the lab.
    assert.equal(rows.find((r) => r.kind === 'multiplicative')!.factor, '161×');
    // The chart keeps its curve, without s50 markers, and says where the attacker ends.
    const chart = chartSpecs({ ...report, attacks: lab }).find((c) => c.kind === 'finetune-adam')!;
    assert.equal(chart.s50Markers, false);
    assert.equal(chart.protected.mean.length, 6);
    assert.equal(chart.subtitle, 'attacker ends at 96.0 % → 87.1 % (attack lab), −3.3 pt head start');
    assert.equal(chartSpecs(report).find((c) => c.kind === 'finetune-adam')!.subtitle, 'attacker ends at 93.6 % → 82.0 % (after 300 Adam steps)');
    assert.equal(chartSpecs(report).find((c) => c.kind === 'multiplicative')!.s50Markers, true);
    assert.doesNotMatch(chartSpecs(report).find((c) => c.kind === 'finetune-sgd')!.subtitle, /factor|×/);
  });

  it('float16 and int8 get a verdict where other kinds have a factor', () => {
    const row = (kind: string) => summaryRows(report).find((r) => r.kind === kind)!;
    assert.deepEqual([row('float16').factor, row('float16').verdict, row('float16').telling, row('float16').tellingWhere], ['breaks', 'breaks', '94.2 % → 8.6 %', '']);
    assert.deepEqual([row('int8').factor, row('int8').telling], ['breaks', '94.2 % → 11.2 %']);
    const kind = report.fragility.kinds.find((k) => k.kind === 'int8')!;
    const holds = { ...report, fragility: { ...report.fragility, kinds: [{ ...kind, protected: { ...kind.protected, mean: [0.93] } }] } };
    assert.deepEqual([summaryRows(holds)[0]!.factor, summaryRows(holds)[0]!.telling], ['holds', '94.2 % → 93.0 %']);
    const both = { ...report, fragility: { ...report.fragility, kinds: [{ ...kind, original: { ...kind.original, mean: [0.3] } }] } };
    assert.deepEqual([summaryRows(both)[0]!.factor, summaryRows(both)[0]!.tellingNote], ['both fall', 'the original falls too']);
    assert.match(tellingPointRule(report), /first perturbation size where the protected model has fallen halfway to chance .* at least 90 % of its clean accuracy/);
  });

  it('uses s50BelowGrid when the report has it', () => {
    const kind = report.fragility.kinds[0]!;
    const series = { ...kind.protected, s50: 0.01, s50BelowGrid: true };
    assert.equal(formatS50({ ...kind, magnitudes: [0.01, 0.1, 1] } as FragilityKind, series, 0.1), '≤ 0.01');
    assert.equal(formatS50({ ...kind, magnitudes: [0.01, 0.1, 1] } as FragilityKind, { ...series, s50BelowGrid: false }, 0.1), '0.01');
  });

  it('log axes for log grids, bars for one-magnitude kinds', () => {
    const spec = (kind: string) => chartSpecs(report).find((c) => c.kind === kind)!;
    assert.equal(spec('multiplicative').logX, true);
    assert.equal(spec('float16').single, true);
    assert.equal(spec('float16').subtitle, 'breaks: 94.2 % → 8.6 % (accuracy, original → protected)');
    assert.deepEqual(spec('float16').barGroups, ['clean', 'after float16 conversion'], 'the bars name their groups: no axis title');
    assert.equal(spec('multiplicative').yLabel, 'accuracy');
    assert.equal(chartSpecs({ ...report, fragility: { ...report.fragility, metric: 'agreement' } })[0]!.yLabel, 'top-1 agreement');
    assert.equal(isLogGrid([0, 10, 100]), false);
    assert.equal(isLogGrid([1, 2, 3]), false);
    assert.equal(isLogGrid([1, 10, 100]), true);
  });
});

describe('in the field', () => {
  it('one row per runtime and batch, in report order, with relDiff, top-1 and pass', () => {
    const f = fieldModel(report)!;
    assert.equal(f.passed, true);
    assert.deepEqual(
      f.runtimes.map((r) => [r.runtime, r.batch, r.relDiff, r.top1, r.passed]),
      [
        ['@tensorflow/tfjs 4.22.0 (cpu backend)', '1', '4.87e-7', '100 %', true],
        ['@tensorflow/tfjs 4.22.0 (cpu backend)', '256', '5.58e-7', '100 %', true],
        ['@tensorflow/tfjs-backend-wasm 4.22.0 (wasm backend, SIMD)', '1', '3.5e-6', '100 %', true],
        ['@tensorflow/tfjs-backend-wasm 4.22.0 (wasm backend, SIMD)', '256', '3.2e-6', '100 %', true],
      ],
    );
    assert.match(f.intro, /batch 1 \(matrix–vector paths\) and batch 256 \(tiled GEMM paths\)/);
    assert.deepEqual(f.notes, []);
  });

  it('a failed runtime shows as fail, and the headline follows equivalence.passed', () => {
    const runtimes = field.runtimes.map((r, i) => (i === 3 ? { ...r, relDiff: 3.1e-4, passed: false } : r));
    const failed: ProtectionReport = { ...report, equivalence: { ...report.equivalence, passed: false, field: { ...field, runtimes, passed: false } } };
    const f = fieldModel(failed)!;
    assert.equal(f.passed, false);
    assert.deepEqual(f.runtimes.map((r) => r.passed), [true, true, true, false]);
    assert.equal(f.runtimes[3]!.relDiff, '3.1e-4');
    const eq = equivalenceModel(failed)!;
    assert.equal(eq.passed, false, 'the headline follows equivalence.passed');
    assert.equal(eq.referencePassed, true, 'the reference runtime itself passed (its chart stays green)');
    assert.equal(eq.summary, 'Not equivalent in the field: in @tensorflow/tfjs-backend-wasm 4.22.0 (wasm backend, SIMD) at batch 256 relDiff is 3.1e-4 > 1e-4.');
  });

  it('runtimes that could not run are warnings', () => {
    const note = '@tensorflow/tfjs-backend-wasm was left out: its .wasm binaries were not found';
    const f = fieldModel({ ...report, equivalence: { ...report.equivalence, field: { ...field, notes: [note] } } })!;
    assert.deepEqual(f.notes, [{ tone: 'warning', text: note }]);
  });

  it('emulated orders: every assignment, the worst marked, the search margin and why per-column orders matter', () => {
    const e = fieldModel(report)!.emulated;
    assert.equal(e.state, 'pass');
    assert.equal(e.rows.length, 5);
    assert.deepEqual(e.rows.filter((r) => r.worst).map((r) => [r.label, r.relDiff]), [['independent order per column, 96 orders (draw 1)', '2.69e-5']]);
    assert.match(e.summary, /Worst of 5 assignments on 500 samples: relDiff 2\.69e-5/);
    assert.match(e.summary, /tolerance \/ 2 = 5e-5/);
    assert.match(e.why, /tiled GEMM kernels sum different output columns in different orders/);
    assert.match(e.why, /stop cancelling/);
  });

  it('the bounds say plainly that they are far from tight and do not choose the amplitude', () => {
    const b = fieldModel(report)!.bound;
    const value = (label: string) => b.facts.find((f) => f.label === label)?.value;
    assert.equal(value('Proven bound'), '1.83');
    assert.equal(value('Probabilistic bound'), '0.909');
    assert.equal(value('Fails with probability'), '≤ 2e-6');
    assert.equal(value('Largest relDiff measured'), '2.69e-5');
    assert.match(b.caption, /far from tight: 4\.5–4\.8 orders of magnitude above the largest relDiff measured \(2\.69e-5\)/);
    assert.match(b.caption, /chosen by the emulated worst case with the ×2 margin .*not by these bounds/);
    const fixed = fieldModel({ ...report, construction: { ...report.construction, amplitudeMode: 'fixed' } })!;
    assert.match(fixed.bound.caption, /This amplitude was given, not searched/);
  });

  it('margin states: within tolerance / margin, within tolerance only, over', () => {
    assert.equal(marginState(4e-5, 1, 1e-4, 2), 'pass');
    assert.equal(marginState(6e-5, 1, 1e-4, 2), 'margin');
    assert.equal(marginState(2e-4, 1, 1e-4, 2), 'fail');
    assert.equal(marginState(1e-6, 0.999, 1e-4, 2), 'fail');
  });
});

describe('details', () => {
  it('marks the chosen amplitude and totals the timings', () => {
    const d = detailsModel(report);
    assert.deepEqual(d.amplitudeSearch.filter((t) => t.chosen).map((t) => t.amplitude), ['22.6 (2^4.5)']);
    assert.equal(d.timings.at(-1)!.label, 'total');
    assert.deepEqual(d.files.map((f) => f.name), report.protected.files);
  });

  it('lists the seconds spent in each real runtime apart from the phases, and ignores malformed entries', () => {
    const withRuntimes = { ...report, runtimeSeconds: { '@tensorflow/tfjs 4.22.0 (cpu backend)': 2.9, bad: 'x' as unknown as number } };
    const d = detailsModel(withRuntimes);
    assert.equal(d.timings.at(-1)!.label, 'total', 'the phases still end with their total');
    assert.deepEqual(d.runtimeTimings, [{ label: '@tensorflow/tfjs 4.22.0 (cpu backend)', value: formatSeconds(2.9) }]);
    assert.deepEqual(detailsModel(report).runtimeTimings, [], 'older reports have no runtime seconds');
  });

  it('the amplitude search shows the emulated orders and why a trial failed', () => {
    const d = detailsModel(report);
    assert.equal(d.searchHasEmulated, true);
    const at32 = d.amplitudeSearch.find((t) => t.amplitude === '32 (2^5)')!;
    assert.deepEqual([at32.relDiff, at32.emulatedRelDiff, at32.passed], ['8.37e-7', '6.12e-5', false]);
    assert.equal(at32.title, 'worst emulated order 6.12e-5 > 5e-5 (tolerance / margin)');
    assert.match(d.searchCaption, /at or below 5e-5 \(tolerance \/ 2\)/);
    assert.doesNotMatch(JSON.stringify(d), /worst case/i, 'no label presents one order as the worst case');
  });

  it('the trade-off table marks the chosen amplitude', () => {
    const rows = detailsModel(report).tradeOff;
    assert.deepEqual(rows.map((r) => r.relative), ['×¼', '×½', '×1', '×2', '×4']);
    assert.deepEqual(rows.map((r) => r.chosen), [false, false, true, false, false]);
    const chosen = rows.find((r) => r.chosen)!;
    assert.deepEqual(
      [chosen.amplitude, chosen.emulatedRelDiff, chosen.ofTolerance, chosen.state, chosen.probabilisticBound, chosen.factor],
      ['22.6 (2^4.5)', '2.69e-5', '26.9 %', 'pass', '0.909', '174×'],
    );
    assert.deepEqual(rows.map((r) => r.state), ['pass', 'pass', 'pass', 'fail', 'fail'], '×2 breaks the tolerance under emulated orders');
    assert.deepEqual(rows.map((r) => r.factor), ['13.2×', '47.3×', '174×', '711×', '2,987×']);
  });

  it('the trade-off caption says what the quick sweep is', () => {
    const caption = detailsModel(report).tradeOffCaption;
    assert.match(caption, /quick sweep on 200 samples with one repeat/);
    assert.match(caption, /full sweep on the Fragility tab \(161× at the chosen amplitude\)/);
    assert.match(caption, /the search accepts at most 50 % of it \(5e-5\)/);
    const withTripwires = detailsModel({ ...report, construction: { ...report.construction, methods: [...report.construction.methods, 'tripwires'] } }).tradeOffCaption;
    assert.match(withTripwires, /on the splitting alone \(tripwires left out/);
  });

  it('relative amplitudes', () => {
    assert.equal(fmtRelative(0.25), '×¼');
    assert.equal(fmtRelative(2), '×2');
    assert.equal(fmtRelative(1 / Math.SQRT2), '×0.707');
  });
});
