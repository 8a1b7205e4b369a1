/**
 * The Ownership tab (issue 12): what `protect` recorded for a later `compare --report` — the
 * reference networks, the weight baseline they set per hidden layer, the fingerprints and their
 * calibration on held-out references — as plain data for the panel and the HTML export. Every
 * figure comes from `report.ownership`; nothing is estimated here. Pure, no DOM: unit-tested.
 */
import type { ReferenceSummary } from '../../src/core/ownership/compare';
import type { OwnershipRecord } from '../../src/core/ownership/record';
import type { ProtectionReport } from '../../src/core/report';
import { formatCount, formatPercent, formatSeconds } from '../../src/core/reportFormat';
import type { ReportRunStatus } from '../../src/protocol/webview';
import type { Fact } from './reportModel';

/** How the summary reads at a glance: 'good' when both evidences are calibrated cleanly, 'warn' when a limit applies. */
export type OwnershipTone = 'good' | 'warn';

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
  /** "selects fingerprints" or "calibrates (held out)". */
  use: string;
  /** Mean aligned similarity to the original per layer (hidden layers, then the output), "0.412"; "—" when not recorded. */
  similarity: string[];
  /** Its fingerprint agreement with the original, for the held-out references that calibrate; "—" for the others. */
  agreement: string;
}

/** One bar of the calibration chart: a held-out reference's fingerprint agreement. */
export interface CalibrationBar {
  /** "Independent ×1". */
  label: string;
  role: ReferenceSummary['role'];
  /** Agreement, 0…1 (the bar's length). */
  value: number;
  /** "34.0 %". */
  text: string;
}

/** The fingerprint calibration. */
export interface CalibrationModel {
  /** Held-out independents first, then held-out imitators. */
  bars: CalibrationBar[];
  /** The decision line, when the two groups separate. */
  threshold?: { value: number; text: string };
  /** Whether the held-out references separate (a line exists). */
  separates: boolean;
  /** One sentence: whether they separate, and what that means for a distilled student. */
  sentence: string;
  /** The chart's text alternative: every bar and the line in words. */
  alt: string;
  /** How the line is drawn and what the leave-one-out counts are. */
  caption: string;
}

/** The Ownership tab of a report with recorded evidence. */
export interface OwnershipModel {
  /** One or two sentences: what was recorded and whether each evidence is calibrated. */
  summary: string;
  tone: OwnershipTone;
  /** References, their data, fingerprints, false positives, time. */
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
  calibration: CalibrationModel;
  /** The fingerprint file beside report.json and its SHA-256. */
  fingerprintFile: { name: string; sha256: string };
  /** The CLI line that judges a suspect with this evidence (the report's path when known). */
  compareCommand: string;
}

const ROLE_WORDS: Record<ReferenceSummary['role'], { name: string; title: string }> = {
  independent: { name: 'Independent', title: 'Trained from fresh weights on the owner’s labels: what a network made without the original reaches' },
  imitator: { name: 'Imitator', title: 'Trained from fresh weights on the original’s answers: what a student distilled from the original reaches' },
};

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

/** The Ownership tab's content, or undefined when the report recorded no ownership evidence. */
export function ownershipModel(report: Partial<ProtectionReport>, reportPath?: string): OwnershipModel | undefined {
  const o: OwnershipRecord | undefined = report.ownership;
  if (!o) return undefined;
  const refs = o.references;
  const c = o.calibration;
  const total = refs.length;
  const count = (role: ReferenceSummary['role']): number => refs.filter((r) => r.role === role).length;
  const pct = (v: number): string => formatPercent(v, 1);

  const { calibration, agreementOf } = calibrationModel(o);
  const separates = calibration.separates;
  const layers = report.model?.layers ?? [];
  const bands: WeightBandRow[] = o.weights.bands.map((band, l) => {
    const meanOf = (role: ReferenceSummary['role']): number[] => refs.filter((r) => r.role === role).flatMap((r) => (r.layerSimilarity?.[l] !== undefined ? [r.layerSimilarity[l]!] : []));
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
  const references: ReferenceRow[] = refs.map((r) => ({
    role: ROLE_WORDS[r.role].name,
    roleTitle: ROLE_WORDS[r.role].title,
    width: widthText(r.widthScale),
    use: r.heldOut ? 'calibrates (held out)' : 'selects fingerprints',
    similarity: similarityHeadings.map((_, l) => similarityText(r.layerSimilarity?.[l])),
    agreement: agreementOf.has(r) ? pct(agreementOf.get(r)!) : '—',
  }));
  const weightFalsePositives = `${o.weights.falsePositives} of ${total}`;
  const weightsCaption =
    'After canonicalisation and alignment, each of a suspect’s hidden units is compared with its counterpart in the original. ' +
    'The threshold is the highest aligned similarity any reference unit reached in that layer (over the pooled units): a suspect is judged weight-derived when at least half of a layer’s units are above it, more than chance allows. ' +
    `Each reference judged against the others (leave one out): ${weightFalsePositives} judged weight-derived (false positives).`;

  const weightsClean = o.weights.falsePositives === 0;
  const fingerprintsClean = separates && c.falsePositives === 0 && c.misses === 0;
  // The banner says what each evidence can decide; the calibration section gives its numbers.
  const fingerprintWords =
    o.fingerprints.count === 0 || c.independent.length === 0 || !separates
      ? 'they cannot separate derived from independent references, so a distilled student will be judged inconclusive'
      : `they separate the held-out references${fingerprintsClean ? '' : ` with ${c.falsePositives} false positive${c.falsePositives === 1 ? '' : 's'} and ${c.misses} miss${c.misses === 1 ? '' : 'es'} when each is left out`}, so a student distilled from this model can be judged by its answers`;
  const summary =
    `Recorded ${total} reference networks (${count('independent')} independent, ${count('imitator')} imitating the original) trained on ${formatCount(o.data.rows)} ${o.data.labelled ? 'labelled ' : ''}samples, and ${formatCount(o.fingerprints.count)} fingerprints. ` +
    `Weights: ${weightFalsePositives} references judged weight-derived against the others (false positives). Fingerprints: ${fingerprintWords}.`;

  const facts: Fact[] = [
    { label: 'References', value: `${total} networks`, title: `${count('independent')} independent (trained on the labels) and ${count('imitator')} imitators (trained on the original’s answers), at different widths and seeds` },
    { label: 'Trained on', value: `${formatCount(o.data.rows)} samples`, title: o.data.labelled ? 'The labelled evaluation data of this run' : 'The evaluation data of this run (no labels)' },
    { label: 'Fingerprints', value: formatCount(o.fingerprints.count), title: `Inputs chosen near the original’s decision boundaries, in ${o.fingerprints.file} beside report.json (${formatCount(o.fingerprints.inputs)} inputs each)` },
    { label: 'Weight false positives', value: weightFalsePositives, title: 'References judged weight-derived against the others (leave one out)' },
    {
      label: 'Fingerprint decision line',
      value: separates ? pct(c.threshold!) : 'none',
      title: separates ? 'Agreement at or above which a suspect is judged derived by its answers' : 'The held-out independent and imitating references overlap: no line separates them',
    },
    { label: 'Recorded in', value: formatSeconds(o.seconds), title: 'Training the references, choosing and calibrating the fingerprints' },
  ];

  return {
    summary,
    tone: weightsClean && fingerprintsClean ? 'good' : 'warn',
    facts,
    bands,
    weightFalsePositives,
    weightsCaption,
    similarityHeadings,
    references,
    calibration,
    fingerprintFile: { name: o.fingerprints.file, sha256: o.fingerprints.sha256 },
    compareCommand: `mimosanet compare <suspect> --report ${reportPath ?? 'report.json'}`,
  };
}

/** The held-out references' fingerprint agreement, and which reference each value belongs to. */
function calibrationModel(o: OwnershipRecord): { calibration: CalibrationModel; agreementOf: Map<ReferenceSummary, number> } {
  const refs = o.references;
  const c = o.calibration;
  const pct = (v: number): string => formatPercent(v, 1);
  // The calibration lists the held-out references' agreement in reference order, role by role.
  const heldOut = (role: ReferenceSummary['role']): ReferenceSummary[] => refs.filter((r) => r.role === role && r.heldOut);
  const agreementOf = new Map<ReferenceSummary, number>();
  const bars: CalibrationBar[] = [];
  for (const [role, values] of [['independent', c.independent], ['imitator', c.imitator]] as const) {
    const group = heldOut(role);
    values.forEach((value, i) => {
      const ref = group.length === values.length ? group[i] : undefined;
      if (ref) agreementOf.set(ref, value);
      bars.push({ label: `${ROLE_WORDS[role].name}${ref ? ` ${widthText(ref.widthScale)}` : ` ${i + 1}`}`, role, value, text: pct(value) });
    });
  }

  const separates = c.threshold !== undefined;
  const spread = c.independent.length && c.imitator.length ? `independent up to ${pct(Math.max(...c.independent))}, imitators from ${pct(Math.min(...c.imitator))}` : '';
  const sentence =
    o.fingerprints.count === 0
      ? 'No fingerprint input could be made for this model: a suspect whose weights share nothing with the original will be judged inconclusive.'
      : c.independent.length === 0
        ? 'There are no held-out independent references to compare with: a distilled student will be judged inconclusive.'
        : separates
          ? `The fingerprints separate the held-out references (${spread}): a student distilled from this model can be told from an independently trained network.`
          : `The fingerprints do not separate the held-out references (${spread}): a distilled student will be judged inconclusive. Copies that keep the original’s weights are still judged by the weight evidence.`;
  const alt =
    `Fingerprint agreement with the original of the held-out references: ${bars.map((b) => `${b.label} ${b.text}`).join(', ') || 'none'}` +
    (separates ? `; decision line at ${pct(c.threshold!)}.` : '; no decision line, the groups overlap.');
  const caption = [
    'Each bar is a held-out reference network (never used to choose the fingerprints): the share of the fingerprints on which it gives the original’s answer.',
    separates
      ? `The decision line (${pct(c.threshold!)}) lies halfway between the highest independent and the lowest imitator; a suspect at or above it is judged derived.`
      : 'A decision line needs every independent below every imitator; here they overlap, so there is none.',
    `Each held-out reference judged against the others (leave one out): ${c.falsePositives} of ${c.independent.length} independent judged derived (false positives), ${c.misses} of ${c.imitator.length} imitators missed.`,
  ].join(' ');

  return { calibration: { bars, ...(separates ? { threshold: { value: c.threshold!, text: pct(c.threshold!) } } : {}), separates, sentence, alt, caption }, agreementOf };
}

/** Why a report has no Ownership content: running, stopped, no labels, or turned off / an older version. */
export function ownershipAbsence(report: Partial<ProtectionReport>, status: ReportRunStatus = 'done'): string {
  if (status === 'running') return 'Ownership evidence is recorded at the end of the run, when the evaluation data has labels.';
  if (status === 'cancelled' || status === 'failed') return 'The run stopped before any ownership evidence was recorded.';
  const compareInstead = 'A suspect can still be compared with the original model file (MimosaNet: Compare with Original…), which trains the references then.';
  // Protect says why when it left the evidence out although the data had labels (a model too large for its budget).
  if (report.ownershipNote) return `No ownership evidence in this report: ${report.ownershipNote.replace(/^ownership evidence /, 'it ')}. ${compareInstead}`;
  const d = report.data;
  if (!d || d.source === 'probes' || !d.labelled) {
    return `No ownership evidence in this report: it is recorded only when the evaluation data has labels, since the independent reference networks train on them. Protect again with labelled data to record it. ${compareInstead}`;
  }
  return `No ownership evidence in this report: it was protected with the ownership check turned off (--no-ownership or the mimosanet.ownership setting), with too few samples, or by a MimosaNet version that did not record it yet. ${compareInstead}`;
}
