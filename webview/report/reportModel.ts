/**
 * What the report shows, derived from a (possibly partial) ProtectionReport as plain data: header
 * facts, notes, the equivalence card, the fragility summary table and one chart spec per kind.
 * Both the live panel and the static HTML export render from these, so they never disagree.
 * Pure, no DOM and no chart.js: unit-tested with node:test.
 */
import { PERTURBATION_TITLES, type FragilityKind, type FragilitySeries, type PerturbationKind, type ProtectionReport } from '../../src/core/report';
import {
  baseName,
  fmtAmplitude,
  fmtBytes,
  fmtCount,
  fmtFactor,
  fmtLayers,
  fmtNum,
  fmtPct,
  fmtSeconds,
  modelName,
} from './format';

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

/** Header of the report. */
export function headerModel(report: Partial<ProtectionReport>): HeaderModel {
  const groups: FactGroup[] = [];
  const m = report.model;
  const p = report.protected;
  const c = report.construction;
  const d = report.data;
  if (m) {
    groups.push({
      heading: 'Original',
      facts: [
        { label: 'File', value: modelName(m.path), path: m.path, title: m.path },
        { label: 'Format', value: m.format },
        { label: 'Layers', value: fmtLayers(m.inputs || undefined, m.layers) },
        { label: 'Parameters', value: fmtCount(m.parameters) },
        { label: 'Size', value: fmtBytes(m.bytes) },
      ],
    });
  }
  if (p) {
    const ratio = m?.parameters ? ` (×${fmtNum(p.parameters / m.parameters)})` : '';
    groups.push({
      heading: 'Protected',
      facts: [
        { label: 'File', value: modelName(p.path), path: p.path, title: p.path },
        { label: 'Format', value: m?.format ?? '—', title: 'Written in the same format, so it runs in the same runtime' },
        { label: 'Layers', value: fmtLayers(m?.inputs || undefined, p.layers) },
        { label: 'Parameters', value: fmtCount(p.parameters) + ratio },
        { label: 'Size', value: fmtBytes(p.bytes) },
      ],
    });
  }
  if (c) {
    const search = c.amplitudeMode === 'auto' ? ` (searched, ${c.amplitudeSearch.length} tried)` : ' (fixed)';
    groups.push({
      heading: 'Construction',
      facts: [
        { label: 'Methods', value: c.methods.join(' + ') || '—' },
        { label: 'Copies', value: String(c.copies), title: 'Copies per hidden neuron' },
        { label: 'Amplitude', value: fmtAmplitude(c.amplitude) + search, title: 'Size M of the cancelling terms: larger is more fragile, until float32 rounding breaks equivalence' },
        { label: 'Rescaling', value: c.rescaleExponent > 0 ? `2^±${c.rescaleExponent}` : 'off' },
        { label: 'Seed', value: String(c.seed) },
        { label: 'Tolerance', value: fmtNum(c.tolerance), title: 'Largest relDiff that passes' },
      ],
    });
  }
  if (d) {
    const facts: Fact[] =
      d.source === 'probes'
        ? [{ label: 'Source', value: `${fmtCount(d.samples)} generated probe inputs`, title: d.probeDescription }]
        : [
            { label: 'Inputs', value: baseName(d.path) || '—', path: d.path, title: d.path },
            { label: 'Labels', value: d.labelsPath ? baseName(d.labelsPath) : 'none', path: d.labelsPath, title: d.labelsPath },
            { label: 'Samples', value: fmtCount(d.samples) },
          ];
    if (report.fragility) {
      facts.push({ label: 'Sweeps', value: `${fmtCount(report.fragility.samples)} samples, ${metricName(report)}`, title: report.fragility.runtime });
    }
    groups.push({ heading: 'Evaluation data', facts });
  }

  const notes: Note[] = [];
  if (d?.source === 'probes') {
    notes.push({
      tone: 'warning',
      text: `No evaluation data was given: every check ran on ${fmtCount(d.samples)} generated probe inputs${d.probeDescription ? ` (${d.probeDescription})` : ''}. Without labels, top-1 agreement with the original model replaces accuracy, and equivalence is shown on the probes, not on real data.`,
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
  /** Pass/fail of the check. */
  passed: boolean;
  /** Key numbers. */
  facts: Fact[];
  /** |Δ| per sample for the chart. */
  perSample: number[];
  /** Samples whose outputs are bit-identical (|Δ| = 0, not drawable on a log axis). */
  exactSamples: number;
  /** Absolute |Δ| the tolerance allows (tolerance × max|original output|), for a threshold line. */
  threshold?: number;
}

/** Equivalence card of a report, or undefined while the check has not run. */
export function equivalenceModel(report: Partial<ProtectionReport>): EquivalenceModel | undefined {
  const e = report.equivalence;
  if (!e) return undefined;
  const tolerance = report.construction?.tolerance;
  const labelled = e.accuracyOriginal !== null;
  const facts: Fact[] = [
    { label: 'Top-1 agreement', value: fmtPct(e.top1Agreement, 2), title: 'Samples whose predicted class is the same for both models' },
    { label: 'max |Δ|', value: fmtNum(e.maxAbsDiff), title: `Largest absolute difference of the ${e.compared}` },
    { label: 'mean |Δ|', value: fmtNum(e.meanAbsDiff) },
    {
      label: 'relDiff',
      value: `${fmtNum(e.relDiff)}${tolerance !== undefined ? ` ${e.relDiff <= tolerance ? '≤' : '>'} ${fmtNum(tolerance)}` : ''}`,
      title: 'max |Δ| / max |original output|; passes at or below the tolerance',
    },
    { label: 'float64 max |Δ|', value: fmtNum(e.float64MaxAbsDiff), title: 'The same check in float64: how exact the construction is before float32 rounding' },
  ];
  // Reports written before the sequential-float32 check existed have no such field.
  if (e.strictFloat32) {
    facts.push({
      label: 'Sequential float32 relDiff',
      value: `${fmtNum(e.strictFloat32.relDiff)}, ${fmtPct(e.strictFloat32.top1Agreement, 2)} agree`,
      title: `Both models summed strictly in order in float32 (the worst case, as GPU/WebGL backends sum), on ${e.strictFloat32.samples} samples`,
    });
  }
  if (labelled) {
    facts.push({ label: 'Accuracy, original', value: fmtPct(e.accuracyOriginal, 2) }, { label: 'Accuracy, protected', value: fmtPct(e.accuracyProtected, 2) });
  }
  facts.push({ label: 'Compared', value: e.compared === 'logits' ? 'logits (before softmax)' : 'outputs' }, { label: 'Checked with', value: e.runtime });
  const perSample = e.perSampleMaxAbsDiff ?? [];
  const threshold = tolerance !== undefined && e.relDiff > 0 ? (tolerance * e.maxAbsDiff) / e.relDiff : undefined;
  return { passed: e.passed, facts, perSample, exactSamples: perSample.filter((v) => v === 0).length, threshold };
}

/** One row of the fragility summary table. */
export interface SummaryRow {
  /** The kind. */
  kind: PerturbationKind;
  /** "Multiplicative weight noise". */
  title: string;
  /** What a magnitude means. */
  magnitudeLabel: string;
  /** s50 of the original, formatted ("> 10" when never reached on the grid). */
  s50Original: string;
  /** s50 of the protected model ("≤ 1e-6" when broken at the first grid point). */
  s50Protected: string;
  /** "×1.19e6", "≥ ×100", or "—". */
  factor: string;
  /** The factor as a number, for sorting and highlighting. */
  factorValue: number | null;
  /** Metric at the largest magnitude: "94.2 % → 8.6 %" (original → protected). */
  atLargest: string;
}

/** The fragility summary table. */
export function summaryRows(report: Partial<ProtectionReport>): SummaryRow[] {
  const chance = report.fragility?.chance ?? 0;
  return (report.fragility?.kinds ?? []).map((k) => {
    const last = k.magnitudes.length - 1;
    return {
      kind: k.kind,
      title: PERTURBATION_TITLES[k.kind],
      magnitudeLabel: k.magnitudeLabel,
      s50Original: fmtS50(k, k.original, chance),
      s50Protected: fmtS50(k, k.protected, chance),
      factor: fmtFactor(k.fragilityFactor, k.fragilityFactorBound),
      factorValue: k.fragilityFactor,
      atLargest: last >= 0 ? `${fmtPct(k.original.mean[last])} → ${fmtPct(k.protected.mean[last])}` : '—',
    };
  });
}

/** s50 in words: a number, "> largest" when never reached, "≤ smallest" when broken from the first magnitude, "—" for one-magnitude kinds. */
export function fmtS50(kind: FragilityKind, series: FragilitySeries, chance: number): string {
  const mags = kind.magnitudes;
  if (mags.length < 2) return '—';
  if (series.s50 === null) return `> ${fmtNum(mags[mags.length - 1])}`;
  // Reports before schema field s50BelowGrid: the curve already at or below halfway at the first magnitude.
  const belowGrid = series.s50BelowGrid ?? (series.s50 === mags[0] && (series.mean[0] ?? series.clean) <= halfway(series.clean, chance));
  if (belowGrid) return `≤ ${fmtNum(series.s50)}`;
  return fmtNum(series.s50);
}

function halfway(clean: number, chance: number): number {
  return chance + (clean - chance) / 2;
}

/** Everything a fragility chart draws. */
export interface KindChartSpec {
  /** The kind (also the chart's key for live updates). */
  kind: PerturbationKind;
  /** Chart title. */
  title: string;
  /** x-axis label (the kind's magnitude label). */
  xLabel: string;
  /** y-axis label (accuracy or agreement). */
  yLabel: string;
  /** The magnitudes (x values). */
  magnitudes: number[];
  /** Log-scaled x axis: magnitudes are positive and span at least a decade. */
  logX: boolean;
  /** One magnitude only (float16, int8): drawn as bars, not a curve. */
  single: boolean;
  /** Chance level (dashed line). */
  chance: number;
  /** Original model's curve. */
  original: FragilitySeries;
  /** Protected model's curve. */
  protected: FragilitySeries;
  /** s50 as the table words it ("1.19", "≤ 1e-6", "> 10"), original and protected, for the markers' labels. */
  s50Text: { original: string; protected: string };
  /** Subtitle: "fragility ×1.19e6" or the effect of a one-magnitude kind. */
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
    const subtitle = single
      ? `${yLabel}: original ${fmtPct(k.original.mean[0])}, protected ${fmtPct(k.protected.mean[0])}`
      : k.fragilityFactor !== null
        ? `fragility factor ${fmtFactor(k.fragilityFactor, k.fragilityFactorBound)}`
        : 'no fragility factor: s50 not reached on the grid';
    return {
      kind: k.kind,
      title: PERTURBATION_TITLES[k.kind],
      xLabel: k.magnitudeLabel,
      yLabel,
      magnitudes: k.magnitudes,
      logX: isLogGrid(k.magnitudes),
      single,
      chance: f.chance,
      original: k.original,
      protected: k.protected,
      s50Text: { original: fmtS50(k, k.original, f.chance), protected: fmtS50(k, k.protected, f.chance) },
      subtitle,
      notes: k.notes,
      repeats: k.repeats,
    };
  });
}

/** Whether magnitudes form a log grid worth a log axis: all positive, at least 3, spanning ≥ 10×. */
export function isLogGrid(magnitudes: readonly number[]): boolean {
  if (magnitudes.length < 3 || magnitudes.some((m) => !(m > 0))) return false;
  return Math.max(...magnitudes) / Math.min(...magnitudes) >= 10;
}

/** The Details tab: amplitude search, timings, written files. */
export interface DetailsModel {
  /** Amplitudes tried, in order. */
  amplitudeSearch: { amplitude: string; relDiff: string; passed: boolean; chosen: boolean }[];
  /** Wall time per phase, plus the total. */
  timings: Fact[];
  /** Written files with their SHA-256. */
  files: { name: string; sha256: string }[];
  /** Tool and time. */
  facts: Fact[];
}

/** Details of a report. */
export function detailsModel(report: Partial<ProtectionReport>): DetailsModel {
  const c = report.construction;
  const amplitudeSearch = (c?.amplitudeSearch ?? []).map((t) => ({
    amplitude: fmtAmplitude(t.amplitude),
    relDiff: fmtNum(t.relDiff),
    passed: t.passed,
    chosen: t.amplitude === c?.amplitude,
  }));
  const entries = Object.entries(report.timings ?? {});
  const timings: Fact[] = entries.map(([phase, s]) => ({ label: phase, value: fmtSeconds(s) }));
  if (entries.length) timings.push({ label: 'total', value: fmtSeconds(entries.reduce((n, [, s]) => n + s, 0)) });
  const files = (report.protected?.files ?? []).map((name) => ({ name, sha256: report.protected?.sha256[name] ?? '—' }));
  const facts: Fact[] = [];
  if (report.tool) facts.push({ label: 'Made by', value: `${report.tool.name} ${report.tool.version}` });
  if (report.createdAt) facts.push({ label: 'Created', value: new Date(report.createdAt).toLocaleString('en-GB') });
  if (report.fragility) facts.push({ label: 'Sweeps ran in', value: report.fragility.runtime });
  return { amplitudeSearch, timings, files, facts };
}
