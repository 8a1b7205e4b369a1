/**
 * The Ownership tab (issue 12): what `protect` recorded for a later `compare --report` — the
 * reference networks, the weight baseline they set per hidden layer, and the function evidence's
 * calibration: each reference's dark-knowledge correlation with the original against its strength,
 * with the line fitted through each role — as plain data for the panel and the HTML export. Every
 * figure comes from `report.ownership`; nothing is estimated here. Pure, no DOM: unit-tested.
 */
import type { ReferenceSummary } from '../../src/core/ownership/compare';
import { derivedStrengths, judge, judgedStrengthRange, lineAt, type FunctionCalibration, type ReferencePoint, type StrengthFit } from '../../src/core/ownership/functionEvidence';
import type { OwnershipRecord } from '../../src/core/ownership/record';
import type { ProtectionReport } from '../../src/core/report';
import { formatCount, formatPercent, formatSeconds } from '../../src/core/reportFormat';
import type { ReportRunStatus } from '../../src/protocol/webview';
import type { Fact } from './reportModel';

/** How the summary reads at a glance: 'good' when both evidences are calibrated cleanly, 'warn' when a limit applies. */
export type OwnershipTone = 'good' | 'warn';

type Role = ReferenceSummary['role'];

/** One hidden layer of the weight baseline. */
export interface WeightBandRow {
  /** "Hidden 1". */
  layer: string;
  /** The original's units in the layer, "128"; "—" when the report does not say. */
  units: string;
  /** The highest aligned similarity any reference unit reached: a suspect's unit above it beats every reference. */
  threshold: string;
  /** Reference units the threshold was taken over (its significance depends on it). */
  pooledUnits: string;
  /** The independent references' mean aligned similarity in this layer, lowest–highest. */
  independentMean: string;
  /** The imitators' mean aligned similarity in this layer, lowest–highest. */
  imitatorMean: string;
}

/** One reference network. */
export interface ReferenceRow {
  /** "Independent" or "Imitator". */
  role: string;
  /** What that role is trained on (the row's tooltip). */
  roleTitle: string;
  /** Hidden widths as a multiple of the original's: "×0.5". */
  width: string;
  /** "400 rows, 1,500 steps". */
  training: string;
  /** Which part of the owner's rows, in words. */
  trainingTitle: string;
  /** Mean aligned similarity to the original per layer (hidden layers, then the output), "0.412"; "—" when not recorded. */
  similarity: string[];
  /** Its top-1 agreement with the original on the held-out rows, "88.5 %"; "—" when the calibration does not match the references. */
  strength: string;
  /** Its dark-knowledge correlation with the original on them, "0.612"; "—" likewise. */
  correlation: string;
}

/** A (strength, correlation) pair: a point of the function chart. */
export interface StrengthPoint {
  strength: number;
  correlation: number;
}

/** One reference's point on the function chart. */
export interface FunctionPoint extends StrengthPoint {
  role: Role;
  /** "Independent ×1, 400 rows, 1,500 steps" (the tooltip); "Independent 3" when the references do not match. */
  label: string;
}

/** A fitted line, drawn across the strengths the references span (where it speaks). */
export interface FunctionLine {
  role: Role;
  from: StrengthPoint;
  to: StrengthPoint;
}

/**
 * How the two lines lie across the references' strengths. Straight lines, so comparing them at
 * the two ends says it for every strength between: 'partly' when they cross inside the range.
 */
export type Separation = 'separate' | 'partly' | 'none' | 'no-independent' | 'no-imitator';

/** The function evidence's calibration, in words and as a chart. */
export interface FunctionModel {
  /** Independent references first, then imitators (each in the record's order). */
  points: FunctionPoint[];
  /** The independent references' line, then the imitators', as far as each exists. */
  lines: FunctionLine[];
  /** The correlation independent networks stay below (99.9 %), sampled across the strengths: a suspect is judged derived only above it. */
  bound: StrengthPoint[];
  /** The chart's axes: at least this range, padded around every point, line and bound (the chart rounds it out to its ticks). */
  strengthAxis: { min: number; max: number };
  correlationAxis: { min: number; max: number };
  separation: Separation;
  /** Whether the lines separate, and what that means for a distilled student. */
  sentence: string;
  /** The leave-one-out false positives and misses. */
  errors: string;
  /** What the evidence cannot see, with the strengths it speaks for. */
  limits: string;
  /** The held-out rows' file beside report.json, its SHA-256 and its rows. */
  heldOut: { name: string; sha256: string; rows: string };
  /** The chart's text alternative: every point and the lines in words. */
  alt: string;
  /** How to read the chart. */
  caption: string;
}

/** The Ownership tab of a report with recorded evidence. */
export interface OwnershipModel {
  /** One or two sentences: what was recorded and whether each evidence is calibrated. */
  summary: string;
  tone: OwnershipTone;
  /** References, their data, false positives and misses, time. */
  facts: Fact[];
  /** The weight baseline, one row per hidden layer. */
  bands: WeightBandRow[];
  /** "0 of 8": references judged weight-derived against the others. */
  weightFalsePositives: string;
  /** What the weight table means and how a suspect is judged against it. */
  weightsCaption: string;
  /** Column headings of the references' similarity: "Hidden 1", "Hidden 2", "Output". */
  similarityHeadings: string[];
  references: ReferenceRow[];
  function: FunctionModel;
  /** The CLI line that judges a suspect with this evidence (the report's path when known). */
  compareCommand: string;
}

const ROLE_WORDS: Record<Role, { name: string; title: string }> = {
  independent: { name: 'Independent', title: 'Trained from fresh weights on the owner’s labels: what a network made without the original reaches' },
  imitator: {
    name: 'Imitator',
    title: 'Trained from fresh weights on the original’s probabilities (temperature 3): what a student distilled from the original reaches',
  },
};

const ROWS_WORDS: Record<ReferenceSummary['rows'], string> = {
  first: 'the first part of the owner’s training rows',
  second: 'the second part of the owner’s training rows (disjoint from the first)',
  both: 'both parts of the owner’s training rows',
};

const pct = (v: number): string => formatPercent(v, 1);
/** Correlations read to three decimals, as `compare` prints them. */
const corr = (v: number): string => v.toFixed(3);

/** "×1", "×0.5", "×1.5". */
function widthText(scale: number): string {
  return `×${Number(scale.toPrecision(3))}`;
}

/** Similarities read to three decimals, as the CLI prints the bands. */
function similarityText(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(3);
}

/** "0.301–0.342", one value when they are equal, "—" for none. */
function rangeText(values: readonly number[]): string {
  const finite = values.filter(Number.isFinite);
  if (!finite.length) return '—';
  const low = similarityText(Math.min(...finite));
  const high = similarityText(Math.max(...finite));
  return low === high ? low : `${low}–${high}`;
}

/** "400 rows, 1,500 steps". */
function trainingText(r: ReferenceSummary): string {
  return `${formatCount(r.trainingRows)} rows, ${formatCount(r.steps)} steps`;
}

/**
 * The calibration's point of each reference. The record lists the points in the references'
 * order; a point is matched only when the counts and the roles agree, so no reference is ever
 * shown with another's figures.
 */
export function pointsOfReferences(references: readonly ReferenceSummary[], points: readonly ReferencePoint[]): (ReferencePoint | undefined)[] {
  const matches = references.length === points.length && references.every((r, i) => r.role === points[i]!.role);
  return references.map((_, i) => (matches ? points[i] : undefined));
}

/** Where the two lines cross, or undefined when they are parallel. */
function crossing(ind: StrengthFit, imi: StrengthFit): number | undefined {
  const dSlope = imi.slope - ind.slope;
  return dSlope === 0 ? undefined : (ind.intercept - imi.intercept) / dSlope;
}

/** How the imitators' line lies against the independents' across the references' strengths (at both ends: the lines are straight). */
export function separation(c: FunctionCalibration): Separation {
  if (!c.independentFit) return 'no-independent';
  if (!c.imitatorFit) return 'no-imitator';
  const gap = (s: number): number => lineAt(c.imitatorFit!, s) - lineAt(c.independentFit!, s);
  const above = [gap(c.strengthRange.min) > 0, gap(c.strengthRange.max) > 0];
  return above[0] && above[1] ? 'separate' : above[0] || above[1] ? 'partly' : 'none';
}

/** The independents' 99.9 % bound across the strengths, from `judge` itself (so the chart draws the line it decides by). */
function boundCurve(c: FunctionCalibration, samples = 24): StrengthPoint[] {
  if (!c.independentFit || !c.imitatorFit) return [];
  const { min, max } = c.strengthRange;
  return Array.from({ length: samples + 1 }, (_, i) => {
    const strength = min + ((max - min) * i) / samples;
    return { strength, correlation: judge(c, { strength, correlation: 0 }).independentBound ?? NaN };
  }).filter((p) => Number.isFinite(p.correlation));
}

/** [min, max] of the values, widened by `share` of their span (at least `least`) on each side. */
function padded(values: readonly number[], share: number, least: number): { min: number; max: number } {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const pad = Math.max(least, share * (hi - lo));
  return { min: lo - pad, max: hi + pad };
}

/** The function evidence: points, lines, bound, and what they say in words. */
export function functionModel(o: OwnershipRecord): FunctionModel {
  const c = o.calibration;
  const refs = o.references;
  const matched = pointsOfReferences(refs, c.points);
  const numbering: Record<Role, number> = { independent: 0, imitator: 0 };
  const points: FunctionPoint[] = c.points
    .map((p, i) => {
      const ref = matched[i] ? refs[i] : undefined;
      const label = ref ? `${ROLE_WORDS[p.role].name} ${widthText(ref.widthScale)}, ${trainingText(ref)}` : `${ROLE_WORDS[p.role].name} ${++numbering[p.role]}`;
      return { role: p.role, strength: p.strength, correlation: p.correlation, label };
    })
    .sort((a, b) => (a.role === b.role ? 0 : a.role === 'independent' ? -1 : 1));
  const { min, max } = c.strengthRange;
  const lines: FunctionLine[] = (
    [
      ['independent', c.independentFit],
      ['imitator', c.imitatorFit],
    ] as const
  ).flatMap(([role, fit]) => (fit ? [{ role, from: { strength: min, correlation: lineAt(fit, min) }, to: { strength: max, correlation: lineAt(fit, max) } }] : []));
  const bound = boundCurve(c);
  const xs = points.map((p) => p.strength);
  const ys = [...points.map((p) => p.correlation), ...lines.flatMap((l) => [l.from.correlation, l.to.correlation]), ...bound.map((p) => p.correlation)];
  const kind = separation(c);
  const judged = judgedStrengthRange(c.strengthRange, c.rows);
  const count = (role: Role): number => c.points.filter((p) => p.role === role).length;
  const span = `${pct(min)}–${pct(max)}`;

  return {
    points,
    lines,
    bound,
    strengthAxis: xs.length ? padded(xs, 0.08, 0.005) : { min: 0, max: 1 },
    correlationAxis: ys.length ? padded(ys, 0.08, 0.02) : { min: -1, max: 1 },
    separation: kind,
    sentence: separationSentence(o, kind),
    errors: `Each reference judged against the others (leave one out): ${c.falsePositives} of ${count('independent')} independent references judged derived (false positives), ${c.misses} of ${count('imitator')} imitators judged independent (misses).`,
    limits:
      'What it cannot see: a student trained on the original’s top answers alone carries no dark knowledge and is judged like an independent network; ' +
      `a suspect stronger than every reference is judged inconclusive (independent networks that strong reach the imitators’ correlation), and so is one weaker than every reference: ` +
      (c.points.length ? `these references speak for suspects agreeing with the original on ${pct(judged.min)}–${pct(judged.max)} of the held-out rows.` : 'there are no references here.'),
    heldOut: { name: o.heldOutRows.file, sha256: o.heldOutRows.sha256, rows: formatCount(o.heldOutRows.count) },
    alt:
      `Dark-knowledge correlation with the original against strength (agreement with the original) on ${formatCount(c.rows)} held-out rows: ` +
      `${points.map((p) => `${p.label}: ${pct(p.strength)}, ${corr(p.correlation)}`).join('; ') || 'no references'}. ` +
      lines.map((l) => `${l.role === 'independent' ? 'Independent references’' : 'Imitators’'} line from ${corr(l.from.correlation)} at ${pct(l.from.strength)} to ${corr(l.to.correlation)} at ${pct(l.to.strength)}.`).join(' '),
    caption:
      `Each point is a reference network measured on the ${formatCount(c.rows)} held-out rows: across, how often its top answer is the original’s (its strength); up, how closely it ranks the other classes as the original does (dark-knowledge correlation). ` +
      `The lines are fitted through each role’s points over the references’ strengths (${span}). A suspect is judged by the line it lies nearer at its strength, and derived only above the dotted line, which independent networks of that strength stay below (99.9 %).`,
  };
}

/** Whether the lines separate, and what that means for a distilled student. */
function separationSentence(o: OwnershipRecord, kind: Separation): string {
  const c = o.calibration;
  const { min, max } = c.strengthRange;
  const span = `${pct(min)}–${pct(max)}`;
  const inconclusive = 'a suspect whose weights share nothing with the original will be judged inconclusive';
  switch (kind) {
    case 'no-independent':
      return o.data.labelled
        ? `Too few independent references of different strengths for a line: a student cannot be told from independent work, and ${inconclusive}.`
        : `Independent references are missing (the data had no labels to train them on): a student cannot be told from independent work, and ${inconclusive}.`;
    case 'no-imitator':
      return `Too few imitating references of different strengths for a line: a distilled student cannot be recognised, and ${inconclusive}.`;
    case 'none':
      return `The imitators’ line does not lie above the independent references’ anywhere in their strengths (${span} agreement with the original): dark knowledge does not tell a student from an independent network here, and ${inconclusive}.`;
    case 'partly': {
      const at = crossing(c.independentFit!, c.imitatorFit!)!;
      const aboveHigh = lineAt(c.imitatorFit!, max) > lineAt(c.independentFit!, max);
      return aboveHigh
        ? `The lines cross at ${pct(at)} agreement with the original: the imitators’ line lies above the independent references’ only from there to ${pct(max)}, so only a suspect at least that strong can be recognised as a student; a weaker one whose weights share nothing with the original will be judged inconclusive.`
        : `The lines cross at ${pct(at)} agreement with the original: the imitators’ line lies above the independent references’ only from ${pct(min)} to there, so a stronger suspect whose weights share nothing with the original will be judged inconclusive.`;
    }
    case 'separate': {
      const gaps = [min, max].map((s) => lineAt(c.imitatorFit!, s) - lineAt(c.independentFit!, s));
      return (
        `The imitators’ line lies above the independent references’ across their strengths (${span} agreement with the original), by ${corr(Math.min(...gaps))}–${corr(Math.max(...gaps))} in correlation` +
        (imitatorsClearBound(c)
          ? ', and above the bound independent networks stay below: a student distilled from this model’s probabilities can be told from an independently trained network of its strength.'
          : ', but not everywhere above the bound independent networks stay below: a student like the imitators may be judged inconclusive rather than derived.')
      );
    }
  }
}

/** Whether a student on the imitators' line is judged derived at every strength the references span, not inconclusive. */
function imitatorsClearBound(c: FunctionCalibration): boolean {
  const derived = derivedStrengths(c);
  return derived !== undefined && derived.min === c.strengthRange.min && derived.max === c.strengthRange.max;
}

/** Whether the function evidence is calibrated cleanly: lines that separate, imitators above the bound, no leave-one-out error. */
function functionClean(c: FunctionCalibration): boolean {
  return separation(c) === 'separate' && imitatorsClearBound(c) && c.falsePositives === 0 && c.misses === 0;
}

/** The Ownership tab's content, or undefined when the report recorded no evidence this version reads. */
export function ownershipModel(report: Partial<ProtectionReport>, reportPath?: string): OwnershipModel | undefined {
  const o: OwnershipRecord | undefined = report.ownership;
  // Version 1 recorded fingerprints, which `compare` no longer judges by: ownershipAbsence says so.
  if (!o || o.schemaVersion !== 2) return undefined;
  const refs = o.references;
  const c = o.calibration;
  const total = refs.length;
  const count = (role: Role): number => refs.filter((r) => r.role === role).length;
  const pointCount = (role: Role): number => c.points.filter((p) => p.role === role).length;

  const layers = report.model?.layers ?? [];
  const bands: WeightBandRow[] = o.weights.bands.map((band, l) => {
    const meanOf = (role: Role): number[] => refs.filter((r) => r.role === role).flatMap((r) => (r.layerSimilarity?.[l] !== undefined ? [r.layerSimilarity[l]!] : []));
    return {
      layer: `Hidden ${l + 1}`,
      units: layers[l] ? formatCount(layers[l]!.units) : '—',
      threshold: similarityText(band.threshold),
      pooledUnits: formatCount(band.pooledUnits),
      independentMean: rangeText(meanOf('independent')),
      imitatorMean: rangeText(meanOf('imitator')),
    };
  });
  const hidden = o.weights.bands.length;
  const similarityHeadings = [...Array.from({ length: hidden }, (_, l) => `Hidden ${l + 1}`), 'Output'];
  const matched = pointsOfReferences(refs, c.points);
  const references: ReferenceRow[] = refs.map((r, i) => ({
    role: ROLE_WORDS[r.role].name,
    roleTitle: ROLE_WORDS[r.role].title,
    width: widthText(r.widthScale),
    training: trainingText(r),
    trainingTitle: `${formatCount(r.trainingRows)} rows, ${ROWS_WORDS[r.rows]}; ${formatCount(r.steps)} Adam steps of 32 rows`,
    similarity: similarityHeadings.map((_, l) => similarityText(r.layerSimilarity?.[l])),
    strength: matched[i] ? pct(matched[i]!.strength) : '—',
    correlation: matched[i] ? corr(matched[i]!.correlation) : '—',
  }));
  const weightFalsePositives = `${o.weights.falsePositives} of ${total}`;
  const weightsCaption =
    'After canonicalisation and alignment, each of a suspect’s hidden units is compared with its counterpart in the original. ' +
    'The threshold is the highest aligned similarity any reference unit reached in that layer (over the pooled units): a suspect is judged weight-derived when at least half of a layer’s units are above it, more than chance allows. ' +
    `Each reference judged against the others (leave one out): ${weightFalsePositives} judged weight-derived (false positives).`;

  const trained = Math.max(0, o.data.rows - o.heldOutRows.count);
  const fn = functionModel(o);
  const weightsClean = o.weights.falsePositives === 0;
  const clean = functionClean(c);
  const summary =
    `Recorded ${total} reference networks (${count('independent')} independent, ${count('imitator')} imitating the original) trained on ${formatCount(trained)} of ${formatCount(o.data.rows)} ${o.data.labelled ? 'labelled ' : ''}samples, the other ${formatCount(o.heldOutRows.count)} held out to measure a suspect on. ` +
    `Weights: ${weightFalsePositives} references judged weight-derived against the others (false positives). Function: ${functionWords(c, fn.separation, clean)}.`;

  const facts: Fact[] = [
    { label: 'References', value: `${total} networks`, title: `${count('independent')} independent (trained on the labels) and ${count('imitator')} imitators (trained on the original’s probabilities), at different widths, rows and training lengths` },
    {
      label: 'Trained on',
      value: `${formatCount(trained)} samples`,
      title: `Of the ${formatCount(o.data.rows)} ${o.data.labelled ? 'labelled ' : ''}samples of this run’s evaluation data, in two disjoint parts; the other ${formatCount(o.heldOutRows.count)} are held out in ${o.heldOutRows.file}, where a suspect’s dark knowledge is measured`,
    },
    { label: 'Weight false positives', value: weightFalsePositives, title: 'References judged weight-derived against the others (leave one out)' },
    { label: 'Function false positives', value: `${c.falsePositives} of ${pointCount('independent')}`, title: 'Independent references judged derived against the others (leave one out)' },
    { label: 'Function misses', value: `${c.misses} of ${pointCount('imitator')}`, title: 'Imitators judged independent against the others (leave one out)' },
    { label: 'Recorded in', value: formatSeconds(o.seconds), title: 'Training the references and measuring them on the held-out rows' },
  ];

  return {
    summary,
    tone: weightsClean && clean ? 'good' : 'warn',
    facts,
    bands,
    weightFalsePositives,
    weightsCaption,
    similarityHeadings,
    references,
    function: fn,
    compareCommand: `mimosanet compare <suspect> --report ${reportPath ?? 'report.json'}`,
  };
}

/** The banner's clause on the function evidence: what it can decide; the section gives its numbers. */
function functionWords(c: FunctionCalibration, kind: Separation, clean: boolean): string {
  const plural = (n: number, word: string, many: string): string => `${n} ${n === 1 ? word : many}`;
  switch (kind) {
    case 'no-independent':
      return 'independent references are missing, so a student cannot be told from independent work and will be judged inconclusive';
    case 'no-imitator':
      return 'too few imitators for a line, so a distilled student will be judged inconclusive';
    case 'none':
      return 'the imitators’ and the independent references’ lines do not separate, so a distilled student will be judged inconclusive';
    case 'partly':
      return `the imitators’ and the independent references’ lines separate only over part of the references’ strengths (they cross at ${pct(crossing(c.independentFit!, c.imitatorFit!)!)}), so a distilled student may be judged inconclusive`;
    case 'separate':
      return clean
        ? 'the imitators’ line lies above the independent references’ across their strengths, so a student distilled from this model’s probabilities can be judged by its dark knowledge'
        : `the imitators’ line lies above the independent references’ across their strengths, with ${plural(c.falsePositives, 'false positive', 'false positives')} and ${plural(c.misses, 'miss', 'misses')} when each is left out${c.falsePositives + c.misses === 0 ? ', but not everywhere above the bound independent networks stay below' : ''}`;
  }
}

/** Why a report has no Ownership content: running, stopped, no labels, or turned off / an older version. */
export function ownershipAbsence(report: Partial<ProtectionReport>, status: ReportRunStatus = 'done'): string {
  if (status === 'running') return 'Ownership evidence is recorded at the end of the run, when the evaluation data has labels.';
  if (status === 'cancelled' || status === 'failed') return 'The run stopped before any ownership evidence was recorded.';
  const compareInstead = 'A suspect can still be compared with the original model file (MimosaNet: Compare with Original…), which trains the references then.';
  // A record of version 1 (fingerprints, which did not separate students from independent networks) is not judged by any more.
  if (report.ownership && report.ownership.schemaVersion !== 2) {
    return `This report records ownership evidence in an older form (version ${String(report.ownership.schemaVersion)}, fingerprints) that this version no longer judges by: protect the model again to record the dark-knowledge calibration. ${compareInstead}`;
  }
  // Protect says why when it left the evidence out although the data had labels (a model too large for its budget).
  if (report.ownershipNote) return `No ownership evidence in this report: ${report.ownershipNote.replace(/^ownership evidence /, 'it ')}. ${compareInstead}`;
  const d = report.data;
  if (!d || d.source === 'probes' || !d.labelled) {
    return `No ownership evidence in this report: it is recorded only when the evaluation data has labels, since the independent reference networks train on them. Protect again with labelled data to record it. ${compareInstead}`;
  }
  return `No ownership evidence in this report: it was protected with the ownership check turned off (--no-ownership or the mimosanet.ownership setting), with too few samples, or by a MimosaNet version that did not record it yet. ${compareInstead}`;
}
