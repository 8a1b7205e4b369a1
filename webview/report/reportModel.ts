/**
 * What the report shows, derived from a (possibly partial) ProtectionReport as plain data: header
 * facts, notes, the equivalence card, the fragility summary table, one chart spec per kind and the
 * attack lab's table.
 * Both the live panel and the static HTML export render from these, so they never disagree.
 * Pure, no DOM and no chart.js: unit-tested with node:test.
 */
import { ATTACK_NOISE, type AttackResult, type AttackVerdict, attackVerdict, skippedByCause, stopLine } from '../../src/core/attacks/attackReport';
import { type FineTuningOutcome, fineTuningOutcome, formatFineTuningValues, formatFineTuningWhere } from '../../src/core/fineTuningOutcome';
import { PERTURBATIONS } from '../../src/core/perturbations';
import { PERTURBATION_TITLES, type FragilitySeries, type PerturbationKind, type ProtectionReport } from '../../src/core/report';
import { formatAmplitude, formatBytes, formatCount, formatFactor, formatMagnitude, formatNumber, formatPercent, formatS50, formatSeconds, magnitudeUnit } from '../../src/core/reportFormat';
import {
  ORIGINAL_INTACT_SHARE,
  type TellingVerdict,
  formatTellingPoint,
  formatTellingRecovery,
  formatTellingValues,
  formatTellingVerdict,
  formatTellingWhere,
  tellingPoint,
} from '../../src/core/tellingPoint';
import type { ReportRunStatus } from '../../src/protocol/webview';
import { baseName, fmtLayers, modelName } from './format';

/** One labelled value. */
export interface Fact {
  /** Row label. */
  label: string;
  /** Formatted value. */
  value: string;
  /** A file the value names; the panel makes it a link that opens the file. */
  path?: string;
  /** Longer explanation, shown as a tooltip. */
  title?: string;
  /** Not measured or written yet by the running job (shown muted). */
  pending?: boolean;
}

/** A titled group of facts (one header card). */
export interface FactGroup {
  /** Card title. */
  heading: string;
  /** Its rows. */
  facts: Fact[];
}

/** A sentence the reader must not miss (probe inputs, tripwire caveat, normalisation). */
export interface Note {
  /** 'warning' for limits of the claim, 'info' otherwise. */
  tone: 'info' | 'warning';
  /** The sentence. */
  text: string;
}

/** The header: title, verdict, fact cards and notes. */
export interface HeaderModel {
  /** "mnist-mlp/model.json". */
  title: string;
  /** The one-sentence verdict, when known. */
  verdict?: string;
  /** Model, Protected, Construction, Data. */
  groups: FactGroup[];
  /** Notes under the cards. */
  notes: Note[];
}

/** Name of the metric on chart axes and in sentences. */
export function metricName(report: Partial<ProtectionReport>): string {
  return report.fragility?.metric === 'agreement' ? 'top-1 agreement' : 'accuracy';
}

/** What a value shows while the run that measures it is going: never a "0" or "—" that reads as a result. */
export const MEASURING = 'measuring…';
/** After the protected file's name while the run has it staged. */
const BEING_WRITTEN = '(being written)';

/**
 * Header of the report. `status` is the run's: while it is 'running' the partial report has
 * zeros and paths for what is not known or not on disk yet (the extension's first report carries
 * only what inspection knew; the protected files are staged until the run commits them), which
 * read "measuring…" and "being written" instead; after a cancelled or failed run, "not written".
 */
export function headerModel(report: Partial<ProtectionReport>, status: ReportRunStatus = 'done'): HeaderModel {
  const groups: FactGroup[] = [];
  const m = report.model;
  const p = report.protected;
  const c = report.construction;
  const d = report.data;
  const running = status === 'running';
  /** The formatted value when it is known (non-zero), "measuring…" while running, else "—". */
  const known = (value: number | undefined, format: (v: number) => string): string => (value ? format(value) : running ? MEASURING : '—');
  /** Marks facts still being measured or written. */
  const mark = (facts: Fact[]): Fact[] => facts.map((f) => (running && (f.value === MEASURING || f.value.endsWith(BEING_WRITTEN)) ? { ...f, pending: true } : f));
  if (m) {
    groups.push({
      heading: 'Original',
      facts: mark([
        { label: 'File', value: modelName(m.path), path: m.path, title: m.path },
        { label: 'Format', value: m.format },
        { label: 'Layers', value: m.layers.length ? fmtLayers(m.inputs || undefined, m.layers) : running ? MEASURING : '—' },
        { label: 'Parameters', value: known(m.parameters, formatCount) },
        { label: 'Size', value: known(m.bytes, formatBytes) },
      ]),
    });
  }
  if (p) {
    const ratio = m?.parameters ? ` (×${formatNumber(p.parameters / m.parameters)})` : '';
    // The files exist only once the run commits them with report.json: no link before.
    const file: Fact =
      status === 'done'
        ? { label: 'File', value: modelName(p.path), path: p.path, title: p.path }
        : running
          ? { label: 'File', value: `${modelName(p.path)} ${BEING_WRITTEN}`, title: `${p.path}\nWritten to a staging folder and moved here with report.json when the run finishes.` }
          : { label: 'File', value: `${modelName(p.path)} (not written)`, title: `${p.path}\nThe run stopped before the protected model was committed: nothing was written.` };
    groups.push({
      heading: 'Protected',
      facts: mark([
        file,
        { label: 'Format', value: m?.format ?? '—', title: 'Written in the same format, so it runs in the same runtime' },
        { label: 'Layers', value: fmtLayers(m?.inputs || undefined, p.layers) },
        { label: 'Parameters', value: known(p.parameters, formatCount) + ratio },
        { label: 'Size', value: known(p.bytes, formatBytes) },
      ]),
    });
  }
  if (c) {
    const search = c.amplitudeMode === 'auto' ? `, searched (${c.amplitudeSearch.length} tried)` : ', fixed';
    groups.push({
      heading: 'Construction',
      facts: [
        { label: 'Methods', value: c.methods.join(' + ') || '—' },
        { label: 'Copies', value: String(c.copies), title: 'Copies per hidden neuron' },
        { label: 'Amplitude', value: formatAmplitude(c.amplitude) + search, title: 'Size M of the cancelling terms: larger is more fragile, until float32 rounding breaks equivalence' },
        { label: 'Rescaling', value: c.rescaleExponent > 0 ? `2^±${c.rescaleExponent}` : 'off' },
        { label: 'Seed', value: String(c.seed) },
        { label: 'Tolerance', value: formatNumber(c.tolerance), title: 'Largest relDiff that passes' },
      ],
    });
  }
  if (d) {
    const facts: Fact[] =
      d.source === 'probes'
        ? [
            {
              label: 'Source',
              value: d.samples ? `${formatCount(d.samples)} generated probe inputs` : `generated probe inputs${running ? ' (being generated)' : ''}`,
              title: d.probeDescription,
              pending: running && !d.samples,
            },
          ]
        : [
            { label: 'Inputs', value: baseName(d.path) || '—', path: d.path, title: d.path },
            { label: 'Labels', value: d.labelsPath ? baseName(d.labelsPath) : 'none', path: d.labelsPath, title: d.labelsPath },
            { label: 'Samples', value: known(d.samples, formatCount) },
          ];
    if (report.fragility) {
      facts.push({ label: 'Sweeps', value: `${formatCount(report.fragility.samples)} samples, ${metricName(report)}`, title: report.fragility.runtime });
    }
    groups.push({ heading: 'Evaluation data', facts: mark(facts) });
  }

  const notes: Note[] = [];
  if (d?.source === 'probes') {
    notes.push({
      tone: 'warning',
      text: `No evaluation data was given: every check ${running ? 'runs' : 'ran'} on ${d.samples ? `${formatCount(d.samples)} ` : ''}generated probe inputs${d.probeDescription ? ` (${d.probeDescription})` : ''}. Without labels, top-1 agreement with the original model replaces accuracy, and equivalence is shown on the probes, not on real data.`,
    });
  } else if (d && !d.labelled) {
    notes.push({ tone: 'info', text: 'The evaluation data has no labels: top-1 agreement with the original model replaces accuracy.' });
  }
  if (c?.caveat) notes.push({ tone: 'warning', text: c.caveat });
  if (m?.normalised.length) notes.push({ tone: 'info', text: `Read with normalisation: ${m.normalised.join('; ')}.` });

  return { title: modelName(m?.path), verdict: report.verdict || undefined, groups, notes };
}

/** The equivalence card. */
export interface EquivalenceModel {
  /** Pass/fail of the whole check (`equivalence.passed`: reference runtime and, in newer reports, the field check). */
  passed: boolean;
  /** One sentence for the banner: what passed or what failed first. */
  summary: string;
  /** Whether the reference runtime alone passed (colours the chart's tolerance line, which is about it). */
  referencePassed: boolean;
  /** The runtime the key numbers and the difference chart come from. */
  runtime: string;
  /** Key numbers of the reference runtime. */
  facts: Fact[];
  /** |Δ| per sample for the chart. */
  perSample: number[];
  /** Samples whose outputs are bit-identical (|Δ| = 0, not drawable on a log axis). */
  exactSamples: number;
  /** Absolute |Δ| the tolerance allows (tolerance × max|original output|), for a threshold line. */
  threshold?: number;
  /** What that line is: "tolerance 1e-4 × max |original logit| (30.8) = 0.00308". */
  thresholdLabel?: string;
}

/** Equivalence card of a report, or undefined while the check has not run. */
export function equivalenceModel(report: Partial<ProtectionReport>): EquivalenceModel | undefined {
  const e = report.equivalence;
  if (!e) return undefined;
  const tolerance = report.construction?.tolerance;
  const labelled = e.accuracyOriginal !== null;
  const facts: Fact[] = [
    { label: 'Top-1 agreement', value: formatPercent(e.top1Agreement, 2), title: 'Samples whose predicted class is the same for both models' },
    { label: 'max |Δ|', value: formatNumber(e.maxAbsDiff), title: `Largest absolute difference of the ${e.compared}` },
    { label: 'mean |Δ|', value: formatNumber(e.meanAbsDiff) },
    {
      label: 'relDiff',
      value: `${formatNumber(e.relDiff)}${tolerance !== undefined ? ` ${e.relDiff <= tolerance ? '≤' : '>'} ${formatNumber(tolerance)}` : ''}`,
      title: 'max |Δ| / max |original output|; passes at or below the tolerance',
    },
    { label: 'float64 max |Δ|', value: formatNumber(e.float64MaxAbsDiff), title: 'The same check in float64: how exact the construction is before float32 rounding' },
  ];
  // Reports of 0.1 carry the sequential-float32 check; newer ones the field check, which supersedes it.
  if (e.strictFloat32 && !e.field) {
    facts.push({
      label: 'Sequential float32 relDiff',
      value: `${formatNumber(e.strictFloat32.relDiff)}, ${formatPercent(e.strictFloat32.top1Agreement, 2)} agree`,
      title: `Both models summed strictly in order in float32, on ${e.strictFloat32.samples} samples: one summation order only. Kernels that sum each output column in its own order (tiled GEMMs) can differ more; reports from 0.2 on check them.`,
    });
  }
  if (labelled) {
    facts.push({ label: 'Accuracy, original', value: formatPercent(e.accuracyOriginal, 2) }, { label: 'Accuracy, protected', value: formatPercent(e.accuracyProtected, 2) });
  }
  // The runtime heads the tiles (panel and export), so it is not a tile of its own.
  facts.push({ label: 'Compared', value: e.compared === 'logits' ? 'logits (before softmax)' : 'outputs' });
  const perSample = e.perSampleMaxAbsDiff ?? [];
  // relDiff = max |Δ| / max |original output|, so the largest original output is max |Δ| / relDiff.
  const maxOriginal = e.relDiff > 0 ? e.maxAbsDiff / e.relDiff : undefined;
  const threshold = tolerance !== undefined && maxOriginal !== undefined ? tolerance * maxOriginal : undefined;
  const outputWord = e.compared === 'logits' ? 'logit' : 'output';
  const thresholdLabel =
    threshold !== undefined ? `tolerance ${formatNumber(tolerance)} × max |original ${outputWord}| (${formatNumber(maxOriginal)}) = ${formatNumber(threshold)}` : undefined;
  const referencePassed = e.field ? e.top1Agreement === 1 && (tolerance === undefined || e.relDiff <= tolerance) : e.passed;
  return {
    passed: e.passed,
    summary: equivalenceSummary(report),
    referencePassed,
    runtime: e.runtime,
    facts,
    perSample,
    exactSamples: perSample.filter((v) => v === 0).length,
    threshold,
    thresholdLabel,
  };
}

/** The banner sentence: every part that passed, or the first part that failed. */
function equivalenceSummary(report: Partial<ProtectionReport>): string {
  const e = report.equivalence!;
  const tolerance = report.construction?.tolerance;
  const within = tolerance !== undefined ? `within the tolerance ${formatNumber(tolerance)}` : 'within the tolerance';
  const field = e.field;
  if (!field) {
    return e.passed
      ? `Equivalent: every sample has the same top-1 class and relDiff is ${within}.`
      : 'Not equivalent: the protected model does not reproduce the original within the tolerance.';
  }
  const runtimes = new Set(field.runtimes.map((r) => r.runtime)).size;
  const batches = [...new Set(field.runtimes.map((r) => r.batch))].sort((a, b) => a - b).map(formatCount);
  const where = `${runtimes} real runtime${runtimes === 1 ? '' : 's'} at batch ${joinWords(batches)}`;
  const orders = `${field.emulated.results.length} emulated kernel summation order${field.emulated.results.length === 1 ? '' : 's'}`;
  if (e.passed) {
    return `Equivalent: every sample has the same top-1 class and relDiff is ${within} in the reference runtime, in ${where}, and under ${orders}.`;
  }
  const reference = e.top1Agreement === 1 && (tolerance === undefined || e.relDiff <= tolerance);
  if (!reference) return `Not equivalent: in the reference runtime (${e.runtime}) ${failureWords(e.top1Agreement, e.relDiff, tolerance)}.`;
  const row = field.runtimes.find((r) => !r.passed);
  if (row) return `Not equivalent in the field: in ${row.runtime} at batch ${formatCount(row.batch)} ${failureWords(row.top1Agreement, row.relDiff, tolerance)}.`;
  const worst = field.emulated.worst;
  return `Not equivalent in the field: under the emulated order “${worst.label}” ${failureWords(worst.top1Agreement, worst.relDiff, tolerance)}.`;
}

function failureWords(top1: number, relDiff: number, tolerance: number | undefined): string {
  const parts: string[] = [];
  if (top1 < 1) parts.push(`top-1 agreement is ${formatPercent(top1, 2)}`);
  if (tolerance === undefined || relDiff > tolerance) parts.push(`relDiff is ${formatNumber(relDiff)}${tolerance !== undefined ? ` > ${formatNumber(tolerance)}` : ''}`);
  return parts.join(' and ') || `relDiff is ${formatNumber(relDiff)}`;
}

/** "1", "1 and 256", "1, 32 and 256". */
function joinWords(words: readonly string[]): string {
  return words.length < 2 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

/** How a relDiff stands against the search limit (tolerance / margin) and the tolerance. */
export type MarginState = 'pass' | 'margin' | 'fail';

/** 'pass' within tolerance / margin, 'margin' within the tolerance only, 'fail' over it or with a changed top-1 class. */
export function marginState(relDiff: number, top1Agreement: number, tolerance: number | undefined, margin: number | undefined): MarginState {
  if (tolerance === undefined) return top1Agreement < 1 ? 'fail' : 'pass';
  if (top1Agreement < 1 || relDiff > tolerance) return 'fail';
  return relDiff > tolerance / (margin ?? 1) ? 'margin' : 'pass';
}

/** One runtime × batch row of the field check. */
export interface FieldRuntimeRow {
  runtime: string;
  batch: string;
  /** Samples compared, or '—' in reports that did not record it. */
  samples: string;
  relDiff: string;
  maxAbsDiff: string;
  top1: string;
  passed: boolean;
}

/** One emulated kernel assignment. */
export interface EmulatedRow {
  label: string;
  relDiff: string;
  maxAbsDiff: string;
  top1: string;
  state: MarginState;
  /** The worst assignment (the one the search limit applies to). */
  worst: boolean;
}

/** The "In the field" section of the Equivalence tab (reports from 0.2 on). */
export interface FieldModel {
  /** `field.passed`: every runtime row and every emulated order within the tolerance. */
  passed: boolean;
  /** What the runtime matrix is. */
  intro: string;
  runtimes: FieldRuntimeRow[];
  /** Runtimes that could not run here (warnings). */
  notes: Note[];
  emulated: {
    /** The worst case against the search limit. */
    state: MarginState;
    /** "Worst of 5 orders on 500 samples: …". */
    summary: string;
    /** Why independent per-column orders matter. */
    why: string;
    rows: EmulatedRow[];
  };
  bound: {
    facts: Fact[];
    /** The honest caption: how loose the bounds are and what chooses the amplitude instead. */
    caption: string;
  };
}

/** The field section, or undefined for reports without one (0.1). */
export function fieldModel(report: Partial<ProtectionReport>): FieldModel | undefined {
  const field = report.equivalence?.field;
  if (!field) return undefined;
  const tolerance = report.construction?.tolerance;
  const { emulated, bound } = field;
  const limit = tolerance !== undefined ? tolerance / emulated.margin : undefined;
  const batches = [...new Set(field.runtimes.map((r) => r.batch))].sort((a, b) => a - b);
  const batchWords = batches.map((b) => (b === 1 ? 'batch 1 (matrix–vector paths)' : `batch ${formatCount(b)} (tiled GEMM paths)`));
  const intro = field.runtimes.length
    ? `Both models run in every runtime the format deploys to that is available here, at ${joinWords(batchWords)}: each row must keep every top-1 class and relDiff${tolerance !== undefined ? ` ≤ ${formatNumber(tolerance)}` : ' within the tolerance'}.`
    : 'No real runtime could run the field check here.';
  const runtimes: FieldRuntimeRow[] = field.runtimes.map((r) => ({
    runtime: r.runtime,
    batch: formatCount(r.batch),
    samples: r.samples !== undefined ? formatCount(r.samples) : '—',
    relDiff: formatNumber(r.relDiff),
    maxAbsDiff: formatNumber(r.maxAbsDiff),
    top1: formatPercent(r.top1Agreement, 2),
    passed: r.passed,
  }));
  const notes: Note[] = field.notes.map((text) => ({ tone: 'warning', text }));
  const worstIndex = emulated.results.findIndex((r) => r.label === emulated.worst.label && r.relDiff === emulated.worst.relDiff);
  const rows: EmulatedRow[] = emulated.results.map((r, i) => ({
    label: r.label,
    relDiff: formatNumber(r.relDiff),
    maxAbsDiff: formatNumber(r.maxAbsDiff),
    top1: formatPercent(r.top1Agreement, 2),
    state: marginState(r.relDiff, r.top1Agreement, tolerance, emulated.margin),
    worst: i === worstIndex,
  }));
  const state = emulated.passed ? 'pass' : marginState(emulated.worst.relDiff, emulated.worst.top1Agreement, tolerance, emulated.margin) === 'fail' ? 'fail' : 'margin';
  const summary =
    `Worst of ${emulated.results.length} assignment${emulated.results.length === 1 ? '' : 's'} on ${formatCount(emulated.samples)} samples: relDiff ${formatNumber(emulated.worst.relDiff)}, ` +
    `${formatPercent(emulated.worst.top1Agreement, 2)} top-1 agreement, under “${emulated.worst.label}”.` +
    (limit !== undefined ? ` The amplitude search required the worst case to stay at or below the tolerance / ${formatNumber(emulated.margin)} = ${formatNumber(limit)}, a margin for orders nobody emulated.` : '');
  const why =
    'Why per-column orders matter: tiled GEMM kernels sum different output columns in different orders, so the rounding errors of a neuron’s split copies, which cancel when every column is summed alike, stop cancelling. One sequential order is therefore not the worst case.';

  const measured = Math.max(emulated.worst.relDiff, ...field.runtimes.map((r) => r.relDiff));
  const facts: Fact[] = [
    { label: 'Proven bound', value: formatNumber(bound.deterministic), title: 'γ_n per dot product and worst-case propagation through the layers (Higham): holds for every summation order, always' },
    {
      label: 'Probabilistic bound',
      value: formatNumber(bound.probabilistic),
      title: `Higham–Mary: holds for every summation order unless rounding errors conspire, which happens with probability at most ${formatNumber(bound.failureProbability)}`,
    },
    { label: 'Fails with probability', value: `≤ ${formatNumber(bound.failureProbability)}`, title: 'For the probabilistic bound, assuming independent, mean-zero rounding errors' },
    { label: 'Largest relDiff measured', value: formatNumber(measured), title: 'Over the real runtimes and the emulated orders above' },
  ];
  const words: string[] = [`Bounds on relDiff that hold for any summation order, on ${formatCount(bound.samples)} samples.`];
  const low = Math.min(bound.deterministic, bound.probabilistic);
  const high = Math.max(bound.deterministic, bound.probabilistic);
  if (measured > 0 && low / measured >= 100) {
    const orders = [Math.log10(low / measured), Math.log10(high / measured)].map((v) => v.toFixed(1));
    words.push(
      `They are far from tight: ${orders[0] === orders[1] ? orders[0] : `${orders[0]}–${orders[1]}`} orders of magnitude above the largest relDiff measured (${formatNumber(measured)}), because they assume every rounding error adds up in the worst direction.`,
    );
  } else if (measured > 0) {
    words.push(`They are within ${formatNumber(high / measured)}× of the largest relDiff measured (${formatNumber(measured)}).`);
  }
  if (high >= 0.5) words.push('A relDiff bound near or above 1 allows differences as large as the outputs themselves, so it proves nothing about equivalence here.');
  const rule = `the emulated worst case with the ×${formatNumber(emulated.margin)} margin${limit !== undefined ? ` (≤ ${formatNumber(limit)})` : ''}`;
  words.push(
    report.construction?.amplitudeMode === 'fixed'
      ? `This amplitude was given, not searched; the search chooses it by ${rule}, not by these bounds.`
      : `The amplitude is chosen by ${rule} and confirmed in the real runtimes, not by these bounds.`,
  );
  return {
    passed: field.passed,
    intro,
    runtimes,
    notes,
    emulated: { state, summary, why, rows },
    bound: { facts, caption: words.join(' ') },
  };
}

/** One row of the fragility summary table. */
export interface SummaryRow {
  /** The kind. */
  kind: PerturbationKind;
  /** "Multiplicative weight noise". */
  title: string;
  /** What a magnitude means, in the units of the s50 cells; what the perturbation is, for one-point kinds. */
  magnitudeLabel: string;
  /** s50 of the original with its unit ("> 300 steps" when never reached on the grid). */
  s50Original: string;
  /** s50 of the protected model with its unit ("≤ 1e-10 σ" when broken at the first grid point). */
  s50Protected: string;
  /** "953,969×", "≥ 300×"; for a one-point kind (float16, int8) its verdict ("breaks"); else "—". */
  factor: string;
  /** The factor as a number, for sorting and highlighting. */
  factorValue: number | null;
  /** The telling point's verdict (core/tellingPoint), for styling; undefined without a measured point. */
  verdict?: TellingVerdict;
  /** Metric at the telling point, original → protected: "94.2 % → 8.8 %"; "—" when nothing is measured. */
  telling: string;
  /** Where: "at 0.1 % noise", "at 300 Adam steps"; "" for one-point kinds. */
  tellingWhere: string;
  /** A second line when the pair alone would mislead: a climb back, a curve that holds, an original that falls too. */
  tellingNote?: string;
  /**
   * Set for fine-tuning kinds, which show where the attacker ends instead of s50s and a factor:
   * the s50 cells are "—", `factor` is the head start, `telling` the attacker's final metric.
   */
  fineTuning?: { source: 'lab' | 'sweep'; verdict?: AttackVerdict };
}

/** What the summary's last column shows, for its heading's tooltip. */
export function tellingPointRule(report: Partial<ProtectionReport>): string {
  const metric = metricName(report);
  return `The ${metric} of original → protected at the first perturbation size where the protected model has fallen halfway to chance (where s50 is measured) while the original keeps at least ${formatPercent(ORIGINAL_INTACT_SHARE, 0)} of its clean ${metric}; float16 and int8 are measured at one point.`;
}

/** The fragility summary table. */
export function summaryRows(report: Partial<ProtectionReport>): SummaryRow[] {
  const chance = report.fragility?.chance ?? 0;
  return (report.fragility?.kinds ?? []).map((k) => {
    const outcome = fineTuningOutcome(k, report.attacks);
    if (outcome) return fineTuningRow(k.kind, outcome, metricName(report));
    const point = tellingPoint(k, chance);
    const single = k.magnitudes.length === 1;
    const s50 = (series: FragilitySeries): string => formatS50(k, series, chance, (v) => formatMagnitude(k.kind, v));
    let tellingNote: string | undefined;
    if (point?.recovers) tellingNote = formatTellingRecovery(k, point);
    else if (point?.verdict === 'holds' && !single) tellingNote = 'the protected model holds on the whole grid';
    else if (point?.verdict === 'both-fall') tellingNote = `the original falls too${single ? '' : ': the protected model only falls where the original does'}`;
    return {
      kind: k.kind,
      title: PERTURBATION_TITLES[k.kind],
      magnitudeLabel: single ? (PERTURBATIONS.find((q) => q.kind === k.kind)?.description ?? k.magnitudeLabel) : (magnitudeUnit(k.kind).axis ?? k.magnitudeLabel),
      s50Original: s50(k.original),
      s50Protected: s50(k.protected),
      factor: single && point ? formatTellingVerdict(point.verdict) : formatFactor(k.fragilityFactor, k.fragilityFactorBound),
      factorValue: k.fragilityFactor,
      verdict: point?.verdict,
      telling: point ? formatTellingValues(point) : '—',
      tellingWhere: point ? formatTellingWhere(k, point) : '',
      tellingNote,
    };
  });
}

/**
 * A fine-tuning row: where the attacker ends, original → protected, and the head start over
 * training from scratch (when the attack lab ran), instead of s50s and a factor.
 */
function fineTuningRow(kind: PerturbationKind, outcome: FineTuningOutcome, metric: string): SummaryRow {
  return {
    kind,
    title: PERTURBATION_TITLES[kind],
    magnitudeLabel: `An attacker fine-tuning the network on labelled data: the ${metric} they end at, not an s50`,
    s50Original: '—',
    s50Protected: '—',
    factor: outcome.headStart !== null ? `${formatPoints(outcome.headStart)} head start` : '—',
    factorValue: null,
    telling: formatFineTuningValues(outcome),
    tellingWhere: formatFineTuningWhere(kind, outcome),
    tellingNote:
      outcome.scratch !== null
        ? `from scratch ${formatPercent(outcome.scratch)}${outcome.verdict ? `: ${outcome.verdict}` : ''}`
        : 'head start not measured: the attack lab did not run',
    fineTuning: { source: outcome.source, ...(outcome.verdict ? { verdict: outcome.verdict } : {}) },
  };
}

/** Everything a fragility chart draws. */
export interface KindChartSpec {
  /** The kind (also the chart's key for live updates). */
  kind: PerturbationKind;
  /** Chart title. */
  title: string;
  /** Title of the magnitude axis, in the units of `xScale` (multi-magnitude kinds). */
  xLabel: string;
  /** Shown magnitude = magnitude × xScale: relative sizes read as percentages, as in the summary table. */
  xScale: number;
  /** y-axis label (accuracy or agreement). */
  yLabel: string;
  /** The magnitudes (x values). */
  magnitudes: number[];
  /** Log-scaled x axis: magnitudes are positive and span at least a decade. */
  logX: boolean;
  /** One magnitude only (float16, int8): drawn as bars, not a curve. */
  single: boolean;
  /** The two bar groups of a one-magnitude kind: ["clean", "after float16 conversion"]. */
  barGroups: [string, string];
  /** Chance level (dashed line). */
  chance: number;
  /** Original model's curve. */
  original: FragilitySeries;
  /** Protected model's curve. */
  protected: FragilitySeries;
  /** s50 as the table words it, with its unit ("109 %", "≤ 1 step", "> 300 steps"), for the markers' labels. */
  s50Text: { original: string; protected: string };
  /** Draw the s50 markers (not for fine-tuning, which is reported by where the attacker ends). */
  s50Markers: boolean;
  /** Subtitle: "fragility factor 953,969×" or the verdict of a one-magnitude kind. */
  subtitle: string;
  /** The kind's notes (learning rate, what counts as broken). */
  notes?: string;
  /** Repeats per magnitude (band is min–max over them). */
  repeats: number;
}

/** One chart spec per fragility kind, in report order. */
export function chartSpecs(report: Partial<ProtectionReport>): KindChartSpec[] {
  const f = report.fragility;
  if (!f) return [];
  const yLabel = metricName(report);
  return f.kinds.map((k) => {
    const single = k.magnitudes.length < 2;
    const point = tellingPoint(k, f.chance);
    const outcome = fineTuningOutcome(k, report.attacks);
    const subtitle = outcome
      ? // Short enough for a chart subtitle; the table row and the caption carry the rest.
        `attacker ends at ${formatFineTuningValues(outcome)} (${outcome.source === 'lab' ? 'attack lab' : formatFineTuningWhere(k.kind, outcome)})${outcome.headStart !== null ? `, ${formatPoints(outcome.headStart)} head start` : ''}`
      : single
      ? point
        ? `${formatTellingPoint(k, point)} (${yLabel}, original → protected)`
        : yLabel
      : k.fragilityFactor !== null
        ? `fragility factor ${formatFactor(k.fragilityFactor, k.fragilityFactorBound)}`
        : 'no fragility factor: s50 not reached on the grid';
    const unit = magnitudeUnit(k.kind);
    const s50 = (series: FragilitySeries): string => formatS50(k, series, f.chance, (v) => formatMagnitude(k.kind, v));
    return {
      kind: k.kind,
      title: PERTURBATION_TITLES[k.kind],
      xLabel: unit.axis ?? k.magnitudeLabel,
      xScale: unit.scale,
      yLabel,
      magnitudes: k.magnitudes,
      logX: isLogGrid(k.magnitudes),
      single,
      barGroups: ['clean', `after ${lowerFirst(PERTURBATION_TITLES[k.kind])}`],
      chance: f.chance,
      original: k.original,
      protected: k.protected,
      s50Text: { original: s50(k.original), protected: s50(k.protected) },
      s50Markers: !outcome,
      subtitle,
      notes: k.notes,
      repeats: k.repeats,
    };
  });
}

/** "Magnitude pruning" → "magnitude pruning"; "float16 conversion" unchanged. */
function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** Whether magnitudes form a log grid worth a log axis: all positive, at least 3, spanning ≥ 10×. */
export function isLogGrid(magnitudes: readonly number[]): boolean {
  if (magnitudes.length < 3 || magnitudes.some((m) => !(m > 0))) return false;
  return Math.max(...magnitudes) / Math.min(...magnitudes) >= 10;
}

/** One amplitude the search tried. */
export interface SearchRow {
  amplitude: string;
  /** relDiff in the reference runtime. */
  relDiff: string;
  /** Worst relDiff under the emulated orders; "—" when they did not run for this trial. */
  emulatedRelDiff: string;
  passed: boolean;
  chosen: boolean;
  /** Why it failed, when it did and the report tells. */
  title?: string;
}

/** One row of the amplitude trade-off table. */
export interface TradeOffRow {
  /** "×¼", "×1", "×4": relative to the chosen amplitude. */
  relative: string;
  amplitude: string;
  /** Worst relDiff under the emulated kernel orders. */
  emulatedRelDiff: string;
  /** That relDiff as a share of the tolerance ("26.9 %"). */
  ofTolerance: string;
  /** Against the search limit and the tolerance. */
  state: MarginState;
  /** Worst emulated top-1 agreement. */
  top1: string;
  probabilisticBound: string;
  /** Quick-sweep multiplicative fragility factor. */
  factor: string;
  chosen: boolean;
}

/** Caption of the Timings card's real-runtime rows. */
export const RUNTIME_TIMINGS_CAPTION = 'Of which running the original and protected files in the real runtimes (calibrate and equivalence):';

/** The Details tab: amplitude trade-off, amplitude search, timings, written files. */
export interface DetailsModel {
  /** Amplitude against fidelity and fragility (reports from 0.2 on; empty before). */
  tradeOff: TradeOffRow[];
  /** What the trade-off columns are, the quick sweep included. */
  tradeOffCaption: string;
  /** Amplitudes tried, in order. */
  amplitudeSearch: SearchRow[];
  /** Whether the trials carry emulated-order relDiffs (reports from 0.2 on). */
  searchHasEmulated: boolean;
  /** What a trial had to pass. */
  searchCaption: string;
  /** Wall time per phase, plus the total. */
  timings: Fact[];
  /** Seconds in each real runtime, labelled by runtime (part of calibrate and equivalence; reports from 0.3 on). */
  runtimeTimings: Fact[];
  /** Written files with their SHA-256. */
  files: { name: string; sha256: string }[];
  /** Heading of the files card: written, being written (run going), or not written (run stopped). */
  filesHeading: string;
  /** Tool and time. */
  facts: Fact[];
}

const RELATIVE_WORDS: [number, string][] = [
  [0.25, '×¼'],
  [0.5, '×½'],
  [1, '×1'],
];

/** "×¼", "×½", "×1", "×2", "×4" (other ratios in 3 digits). */
export function fmtRelative(ratio: number): string {
  const word = RELATIVE_WORDS.find(([r]) => Math.abs(ratio - r) < 1e-9);
  return word ? word[1] : `×${formatNumber(ratio)}`;
}

/** Details of a report. */
export function detailsModel(report: Partial<ProtectionReport>, status: ReportRunStatus = 'done'): DetailsModel {
  const c = report.construction;
  const field = report.equivalence?.field;
  const tolerance = c?.tolerance;
  const margin = field?.emulated.margin;
  const limit = tolerance !== undefined && margin !== undefined ? tolerance / margin : undefined;
  const trials = c?.amplitudeSearch ?? [];
  // The chosen amplitude is the last passing trial at that amplitude (a step-down can revisit one).
  const same = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
  let chosenIndex = -1;
  trials.forEach((t, i) => {
    if (c && same(t.amplitude, c.amplitude) && (t.passed || chosenIndex < 0)) chosenIndex = i;
  });
  const amplitudeSearch: SearchRow[] = trials.map((t, i) => ({
    amplitude: formatAmplitude(t.amplitude),
    relDiff: formatNumber(t.relDiff),
    emulatedRelDiff: t.emulatedRelDiff !== undefined ? formatNumber(t.emulatedRelDiff) : '—',
    passed: t.passed,
    chosen: i === chosenIndex,
    title: t.passed
      ? undefined
      : t.failedIn
        ? `Stepped down: ${t.failedIn.runtime} at batch ${formatCount(t.failedIn.batch)} had relDiff ${formatNumber(t.failedIn.relDiff)}`
        : searchFailure(t.relDiff, t.emulatedRelDiff, tolerance, limit, field !== undefined),
  }));
  const searchHasEmulated = trials.some((t) => t.emulatedRelDiff !== undefined);
  const searchCaption = searchHasEmulated
    ? `A trial passes when the reference runtime keeps every top-1 class with relDiff ≤ ${formatNumber(tolerance)} and the worst emulated kernel order stays at or below ${limit !== undefined ? formatNumber(limit) : 'the tolerance over the margin'} (tolerance / ${formatNumber(margin)}).` +
      (trials.some((t) => t.emulatedRelDiff === undefined)
        ? ' “—”: the emulated orders did not run, because the reference runtime already failed or the row is a step-down after a real runtime failed.'
        : '')
    : c?.amplitudeMode === 'auto'
      ? `A trial passes when every top-1 class is kept and relDiff ≤ ${formatNumber(tolerance)} in the reference runtime.`
      : '';

  const chosenAmplitude = c?.amplitude;
  const tradeOff: TradeOffRow[] = (c?.tradeOff ?? []).map((t) => ({
    relative: chosenAmplitude ? fmtRelative(t.amplitude / chosenAmplitude) : '—',
    amplitude: formatAmplitude(t.amplitude),
    emulatedRelDiff: formatNumber(t.emulatedRelDiff),
    ofTolerance: tolerance ? formatPercent(t.emulatedRelDiff / tolerance) : '—',
    state: marginState(t.emulatedRelDiff, t.emulatedTop1Agreement, tolerance, margin),
    top1: formatPercent(t.emulatedTop1Agreement, 2),
    probabilisticBound: formatNumber(t.probabilisticBound),
    factor: formatFactor(t.fragilityFactor),
    chosen: t.chosen,
  }));
  const full = report.fragility?.kinds.find((k) => k.kind === 'multiplicative');
  const fullFactor = full && full.fragilityFactor !== null ? formatFactor(full.fragilityFactor, full.fragilityFactorBound) : undefined;
  // With tripwires the rows measure the splitting alone (the engine leaves the tripwires out).
  const tripwires = c?.methods.includes('tripwires') ?? false;
  const rowSamples = c?.tradeOff?.[0]?.samples;
  const tradeOffCaption = tradeOff.length
    ? [
        tripwires
          ? `Each row rebuilds the copy at that amplitude with the same seed, without its tripwires, so the chosen row differs from the copy that was written${field ? ` (its worst emulated relDiff is ${formatNumber(field.emulated.worst.relDiff)}, on the Equivalence tab and in the search below)` : ''}.`
          : 'Each row rebuilds the copy at that amplitude with the same seed.',
        `Worst emulated relDiff: the largest relDiff over the emulated kernel orders${rowSamples !== undefined ? ` on ${formatCount(rowSamples)} samples` : field ? ` on ${formatCount(field.emulated.samples)} samples` : ''}, also as a share of the tolerance ${formatNumber(tolerance)}${limit !== undefined ? `; the search accepts at most ${formatPercent(1 / margin!, 0)} of it (${formatNumber(limit)})` : ''}.`,
        'Probabilistic bound: the relDiff bound for any summation order, far from tight (see the Equivalence tab).',
        tripwires
          ? `Fragility factor: multiplicative weight noise on the splitting alone (tripwires left out: their fragility does not depend on the amplitude), from a quick sweep on 200 samples with one repeat; the full sweep on the Fragility tab measures the whole protected copy${fullFactor ? ` (${fullFactor})` : ''}.`
          : `Fragility factor: multiplicative weight noise from a quick sweep on 200 samples with one repeat, so it is noisier than the full sweep on the Fragility tab${fullFactor ? ` (${fullFactor} at the chosen amplitude)` : ''}.`,
      ].join(' ')
    : '';

  const entries = Object.entries(report.timings ?? {});
  const timings: Fact[] = entries.map(([phase, s]) => ({ label: phase, value: formatSeconds(s) }));
  if (entries.length) timings.push({ label: 'total', value: formatSeconds(entries.reduce((n, [, s]) => n + s, 0)) });
  // Part of calibrate and equivalence: where a slow field check spends its time (tfjs cpu runs at ~1 GFLOP/s).
  const runtimeTimings: Fact[] = Object.entries(report.runtimeSeconds ?? {})
    .filter((entry): entry is [string, number] => typeof entry[1] === 'number' && Number.isFinite(entry[1]))
    .map(([runtime, s]) => ({ label: runtime, value: formatSeconds(s) }));
  const files = (report.protected?.files ?? []).map((name) => ({ name, sha256: report.protected?.sha256[name] ?? '—' }));
  const facts: Fact[] = [];
  if (report.tool) facts.push({ label: 'Made by', value: `${report.tool.name} ${report.tool.version}` });
  if (report.createdAt) facts.push({ label: 'Created', value: new Date(report.createdAt).toLocaleString('en-GB') });
  if (report.fragility) facts.push({ label: 'Sweeps ran in', value: report.fragility.runtime });
  const filesHeading = status === 'done' ? 'Written files (SHA-256)' : status === 'running' ? 'Files being written (SHA-256)' : 'Files, not written (SHA-256)';
  return { tradeOff, tradeOffCaption, amplitudeSearch, searchHasEmulated, searchCaption, timings, runtimeTimings, files, filesHeading, facts };
}

function searchFailure(relDiff: number, emulated: number | undefined, tolerance: number | undefined, limit: number | undefined, hasField: boolean): string | undefined {
  if (tolerance !== undefined && relDiff > tolerance) return `relDiff ${formatNumber(relDiff)} > tolerance ${formatNumber(tolerance)}`;
  if (emulated !== undefined && limit !== undefined && emulated > limit) return `worst emulated order ${formatNumber(emulated)} > ${formatNumber(limit)} (tolerance / margin)`;
  if (emulated === undefined) return hasField ? 'A top-1 class changed, or a real runtime failed at this amplitude (step-down)' : 'A top-1 class changed';
  return 'A top-1 class changed under an emulated order';
}

/** How a verdict reads at a glance: stops → good, slows → warn, does not stop → bad. */
export type AttackTone = 'good' | 'warn' | 'bad';

const ATTACK_TONES: Record<AttackVerdict, AttackTone> = { 'stops it': 'good', 'slows it': 'warn', 'does not stop it': 'bad' };

/** A short human name per attack (the CLI and the verdict use the kind). */
export const ATTACK_TITLES: Record<AttackResult['kind'], string> = {
  'finetune-adam': 'Fine-tune with Adam',
  'finetune-sgd': 'Fine-tune with SGD',
  'head-retrain': 'Retrain the last layer',
  merge: 'Merge split neurons back (knows the method)',
  'least-squares': 'Least-squares refit (knows the method)',
  distill: 'Distil from the copy’s answers',
};

/** One row of the attack table. */
export interface AttackRow {
  kind: AttackResult['kind'];
  /** "Fine-tune with Adam". */
  title: string;
  /** What the attacker knows, as the CLI words it: "none" or "construction". */
  knowledge: string;
  /** What data the attack needs: "labelled", "unlabelled", "nothing". */
  needs: string;
  /** The attacker's accuracy after the same attack on the original. */
  original: string;
  /** … on the protected copy. */
  copy: string;
  /** The copy's result under 0.1 % weight noise (fragility left). */
  noisy: string;
  /** Copy − from scratch, in points with a sign: "+0.8 pt", "−3.3 pt". */
  headStart: string;
  /** Time the attack took on the copy. */
  time: string;
  verdict: AttackVerdict;
  tone: AttackTone;
  /** What the attacker does (the row's tooltip). */
  description: string;
}

/** An attack (or the from-scratch baseline) the lab skipped: a greyed row with the reason. */
export interface SkippedAttackRow {
  kind: string;
  /** "Fine-tune with Adam", "Train from scratch (baseline)". */
  title: string;
  /** "labelled". */
  needs: string;
  /** "needs labels: it trains on them, and the data has none". */
  reason: string;
  /** What it would have done (the row's tooltip). */
  description: string;
}

/** The Attacks tab. */
export interface AttacksModel {
  /** One sentence: how many attacks are stopped, which are slowed and which are not stopped (and which were skipped). */
  summary: string;
  /** 'good' when every attack is stopped, 'bad' when none is stopped or slowed, else 'warn'. */
  summaryTone: AttackTone;
  /** Clean accuracy, from scratch, the data split and the modification cost. */
  facts: Fact[];
  rows: AttackRow[];
  /** Attacks the lab could not run (no labels), with the reason, after the rows. */
  skipped: SkippedAttackRow[];
  /** What the columns show: "Accuracy" or "Agreement" (top-1 agreement with the original, without labels). */
  metricLabel: string;
  /** What the columns and verdicts mean, the data split, the baseline and the modification cost. */
  caption: string;
}

/** "+0.8 pt", "−3.3 pt", "0.0 pt". */
export function formatPoints(fraction: number): string {
  const points = Math.round(fraction * 1000) / 10;
  const sign = points > 0 ? '+' : points < 0 ? '−' : '';
  return `${sign}${Math.abs(points).toFixed(1)} pt`;
}

/** The attack lab's table and summary, or undefined when the report has no attack lab. */
export function attacksModel(report: Partial<ProtectionReport>): AttacksModel | undefined {
  const lab = report.attacks;
  if (!lab) return undefined;
  const noise = formatPercent(ATTACK_NOISE, 1);
  const agreement = lab.metric === 'agreement';
  const metric = agreement ? 'top-1 agreement with the original' : 'accuracy';
  const rows: AttackRow[] = lab.attacks.map((a) => {
    const verdict = attackVerdict(a, lab);
    return {
      kind: a.kind,
      title: ATTACK_TITLES[a.kind] ?? a.kind,
      knowledge: a.knowledge,
      needs: a.needs,
      original: formatPercent(a.original.accuracyAfter, 1),
      copy: formatPercent(a.accuracyAfter, 1),
      noisy: formatPercent(a.noiseAccuracyAfter, 1),
      headStart: a.headStart === null ? '—' : formatPoints(a.headStart),
      time: formatSeconds(a.seconds),
      verdict,
      tone: ATTACK_TONES[verdict],
      description: a.description,
    };
  });
  const skipped: SkippedAttackRow[] = (lab.skipped ?? []).map((s) => ({
    kind: s.kind,
    title: s.kind === 'scratch' ? 'Train from scratch (baseline)' : (ATTACK_TITLES[s.kind] ?? s.kind),
    needs: s.needs ?? 'labelled',
    reason: s.reason,
    description: s.description,
  }));
  const kinds = (verdict: AttackVerdict): string[] => rows.filter((r) => r.verdict === verdict).map((r) => r.kind);
  const stopped = kinds('stops it');
  const slowed = kinds('slows it');
  const notStopped = kinds('does not stop it');
  const total = rows.length;
  const skippedAttacks = skippedByCause(lab);
  const summary =
    (stopped.length === total && total > 1 ? `The protected copy stops all ${total} of the lab’s attacks` : `The protected copy stops ${stopped.length} of the lab’s ${total} attack${total === 1 ? '' : 's'}`) +
    (slowed.length ? ` and slows ${joinWords(slowed)}` : '') +
    (notStopped.length ? `; ${joinWords(notStopped)} ${notStopped.length === 1 ? 'is' : 'are'} not stopped` : '') +
    (skippedAttacks.labels.length ? `; ${joinWords(skippedAttacks.labels)} need${skippedAttacks.labels.length === 1 ? 's' : ''} labels and ${skippedAttacks.labels.length === 1 ? 'was' : 'were'} skipped` : '') +
    (skippedAttacks.budget.length ? `; ${joinWords(skippedAttacks.budget)} ${skippedAttacks.budget.length === 1 ? 'was' : 'were'} skipped (over protect’s work budget for this model’s size)` : '') +
    '.';
  const summaryTone: AttackTone = !notStopped.length ? (slowed.length ? 'warn' : 'good') : stopped.length || slowed.length ? 'warn' : 'bad';
  const stop = stopLine(lab);
  const facts: Fact[] = [
    {
      label: agreement ? 'Clean agreement' : 'Clean accuracy',
      value: formatPercent(lab.cleanAccuracy, 1),
      title: agreement ? 'Top-1 agreement of the protected copy with the original before any attack' : 'Accuracy of the protected copy (= the original’s) before any attack',
    },
    lab.scratchAccuracy !== null
      ? { label: 'From scratch', value: formatPercent(lab.scratchAccuracy, 1), title: 'The original’s architecture trained from scratch on the attacker’s data: the baseline an attacker always has' }
      : { label: 'Stopped at or below', value: formatPercent(stop, 1), title: 'Without labels there is no from-scratch baseline: an attack counts as stopped when the attacker’s agreement is no better than halfway from the clean copy to chance' },
    { label: 'Attacker’s data', value: `${formatCount(lab.attackerSamples)} ${agreement ? 'unlabelled' : 'labelled'} samples`, title: 'What the attacker trains on, besides the protected copy' },
    { label: 'Measured on', value: `${formatCount(lab.evaluationSamples)} other samples`, title: 'Every result is measured on these, disjoint from the attacker’s data' },
    lab.modificationCost !== null
      ? { label: 'Modification cost', value: `${(lab.modificationCost * 100).toFixed(1)} points`, title: 'Clean accuracy − the best fine-tuning result on the copy (whole network and last layer)' }
      : { label: 'Modification cost', value: 'needs labels', title: 'Clean accuracy − the best fine-tuning result on the copy: fine-tuning needs labels' },
  ];
  const caption = [
    `The attacker holds the protected copy and ${formatCount(lab.attackerSamples)} ${agreement ? 'unlabelled' : 'labelled'} samples; every ${agreement ? 'result' : 'accuracy'} is measured on ${formatCount(lab.evaluationSamples)} other samples, disjoint from the attacker’s.`,
    agreement
      ? `Without labels every number is the top-1 agreement of the attacker’s network with the original (as the fragility sweeps measure it), and the attacks that train on labels are listed as skipped.`
      : '',
    `Original / copy: the attacker’s ${metric} after the attack on the original and on the protected copy; noisy: the copy’s result under ${noise} weight noise (fragility left); head start: copy − from scratch` +
      (lab.scratchAccuracy !== null ? `, where from scratch (${formatPercent(lab.scratchAccuracy, 1)}) is the original’s architecture trained on the attacker’s data, the baseline an attacker always has.` : ', which needs labels.'),
    lab.scratchAccuracy !== null
      ? 'Stops it: the attacker ends no better than from scratch; slows it: a head start is kept, but over 2 points below the same attack on the original; does not stop it: otherwise.'
      : `Stops it: the attacker ends at or below ${formatPercent(stop, 1)}, halfway from the clean copy to chance; slows it: over 2 points below the same attack on the original; does not stop it: otherwise.`,
    lab.modificationCost !== null ? `Modification cost (clean ${formatPercent(lab.cleanAccuracy, 1)} − the best fine-tuning result on the copy): ${(lab.modificationCost * 100).toFixed(1)} points.` : '',
    'Hover over a row for what the attacker does.',
  ]
    .filter(Boolean)
    .join(' ');
  return { summary, summaryTone, facts, rows, skipped, metricLabel: agreement ? 'Agreement' : 'Accuracy', caption };
}
