/**
 * How a `compare` result reads in VS Code: the Markdown document "Compare with Original…" opens
 * in the Markdown preview (verdict headline, the reason, the weight, fingerprint and data
 * evidence, the reference networks' own figures), the notification line and the log line.
 * Pure (no `vscode`), so the wording is unit-tested; numbers format through core/reportFormat
 * like every other report figure.
 */
import * as path from 'node:path';
import { formatCount, formatNumber, formatPercent, formatSeconds } from '../core/reportFormat';
import type { CompareReport } from '../protocol/jobs';
import { code, escapeMarkdown } from './views/treeItemData';

/** Names the document uses for the two models and the data (labels the user recognises, not just paths). */
export interface CompareLabels {
  /** The suspect, as the Models view names it ("model.mimosa/model.json"). */
  suspect: string;
  /** The original, likewise. */
  original: string;
  /** The owner's data file as picked (the report records only its size), when there was one. */
  dataPath?: string;
  /** The labels file as picked, when there was one. */
  labelsPath?: string;
}

/** Why the deciding evidence decided, in words: the headline's second line ("decided by weights: …"). */
export const DECIDED_BY: Record<CompareReport['decidedBy'], string> = {
  identical: 'the canonicalised networks are the same (units rescaled, merged and permuted back)',
  weights: 'aligned hidden units are closer to the original’s than any reference network’s',
  function: 'fingerprint inputs are answered as the original answers them, beyond what independent references do',
  none: 'no evidence separates the suspect from the reference networks',
};

/** The verdict as a headline: "X is derived from Y", "X is independent of Y", "Inconclusive: …". */
export function compareHeadline(report: Pick<CompareReport, 'verdict'>, labels: Pick<CompareLabels, 'suspect' | 'original'>): string {
  switch (report.verdict) {
    case 'derived':
      return `${labels.suspect} is derived from ${labels.original}`;
    case 'independent':
      return `${labels.suspect} is independent of ${labels.original}`;
    case 'inconclusive':
      return `Inconclusive: cannot tell whether ${labels.suspect} is derived from ${labels.original}`;
    default: {
      const never: never = report.verdict;
      throw new Error(`unknown verdict ${String(never)}`);
    }
  }
}

/** The notification: the headline, which evidence decided, and how long it took. */
export function compareNotification(report: CompareReport, labels: CompareLabels): string {
  const decided = report.decidedBy === 'none' ? 'no evidence decided' : `decided by ${report.decidedBy === 'identical' ? 'identity' : report.decidedBy}`;
  return `${compareHeadline(report, labels)} (${decided}; ${formatSeconds(report.seconds)}).`;
}

/** One line for the MimosaNet log. */
export function compareLogLine(report: CompareReport): string {
  const w = report.evidence.weights;
  const weights = w ? `weights p ${formatP(w.pValue)}` : 'weights not aligned';
  return `compare ${report.suspect} vs ${report.original}: ${report.verdict.toUpperCase()} (decided by ${report.decidedBy}; ${weights}; fingerprints ${formatPercent(report.evidence.function.agreement)}; ${report.evidence.dataAgreement === undefined ? 'no data' : `data agreement ${formatPercent(report.evidence.dataAgreement, 2)}`}; ${formatSeconds(report.seconds)})`;
}

/** The whole document. */
export function compareMarkdown(report: CompareReport, labels: CompareLabels): string {
  const out: string[] = [
    `# ${escapeMarkdown(compareHeadline(report, labels))}`,
    '',
    `**Verdict: ${report.verdict}** · ${report.decidedBy === 'none' ? 'nothing decided' : `decided by **${report.decidedBy}**`}: ${escapeMarkdown(DECIDED_BY[report.decidedBy])}.`,
    '',
    `> ${escapeMarkdown(sentence(report.reason))}`,
    '',
    '| | |',
    '|---|---|',
    `| Suspect | ${cellCode(report.suspect)} |`,
    `| Original | ${cellCode(report.original)} |`,
    `| Owner’s data | ${dataLine(report.data, labels)} |`,
    `| Reference networks | ${report.baselines.references.length} ${baselineWords(report)} (${referenceRoles(report)}) |`,
    `| Time | ${formatSeconds(report.seconds)} |`,
  ];
  out.push(...weightSection(report), ...fingerprintSection(report), ...dataSection(report), ...referenceSection(report));
  out.push(
    '',
    '---',
    '',
    'Weights and fingerprints are measured against reference networks trained from fresh weights, so every threshold comes with its false-positive count on them. “MimosaNet: Save Comparison…” writes this comparison as JSON (the document `mimosanet compare --json` prints).',
  );
  return out.join('\n') + '\n';
}

function weightSection(report: CompareReport): string[] {
  const w = report.evidence.weights;
  const out = ['', '## Weight evidence', ''];
  if (report.evidence.identical) out.push('The canonicalised networks are identical: every unit of the original is in the suspect, rescaled, merged or permuted.', '');
  if (!w) {
    out.push(`Not compared: ${escapeMarkdown(report.evidence.weightsSkipped ?? 'the hidden layers could not be aligned')}.`);
    return out;
  }
  out.push(
    '| Hidden layer | Original units | Suspect units | Mean aligned similarity | Reference threshold | Units closer than any reference | p-value |',
    '|---:|---:|---:|---:|---:|---:|---:|',
  );
  w.layers.forEach((l, i) => {
    out.push(
      `| ${i + 1} | ${formatCount(l.originalUnits)} | ${formatCount(l.suspectUnits)} | ${formatNumber(l.meanSimilarity)} | ${formatNumber(l.threshold)} | ${formatCount(l.closerThanReferences)} of ${formatCount(l.originalUnits)} | ${formatP(l.pValue)} |`,
    );
  });
  const refs = report.baselines.references.length;
  out.push(
    '',
    `- **Output layer similarity:** ${formatNumber(w.outputSimilarity)} (classes are not permuted, so compared in place)`,
    `- **Combined p-value:** ${formatP(w.pValue)} (smallest layer p-value × hidden layers): ${w.derived ? '**derived**' : 'not significant'}`,
    `- **False positives:** ${report.baselines.weightFalsePositives} of ${refs} reference networks judged weight-derived against the others`,
  );
  return out;
}

function fingerprintSection(report: CompareReport): string[] {
  const f = report.evidence.function;
  const c = report.baselines.fingerprintCalibration;
  const out = ['', '## Fingerprint evidence', ''];
  out.push(
    '| | Agreement with the original |',
    '|---|---:|',
    `| Suspect | **${formatPercent(f.agreement)}** of ${formatCount(f.fingerprints)} fingerprints |`,
    `| Independent references (held out) | ${band(c.independent)} |`,
    `| Imitators (held out) | ${band(c.imitator)} |`,
    `| Decision line | ${c.threshold === undefined ? 'none: the bands overlap or one is missing' : formatPercent(c.threshold)} |`,
    `| False positives on held-out references | ${c.falsePositives} of ${c.independent.length} independent |`,
    `| Misses on held-out references | ${c.misses} of ${c.imitator.length} imitators |`,
    '',
    `**Judgement: ${f.judgement}** — ${escapeMarkdown(f.reason)}.`,
  );
  // Said so a reader does not take an inconclusive fingerprint line as doubt about a weight verdict.
  if (report.decidedBy === 'identical' || report.decidedBy === 'weights') {
    out.push('', 'The weights already decided. This evidence carries the verdict for copies whose weights share nothing with the original, such as a student distilled from its outputs.');
  }
  return out;
}

function dataSection(report: CompareReport): string[] {
  const { data } = report;
  const agreement = report.evidence.dataAgreement;
  if (!data || agreement === undefined) return ['', '## Data agreement', '', 'Not measured: no data was given, and the recorded baseline brings none.'];
  const what = data.source === 'file' ? 'the owner’s data' : 'generated probe inputs';
  return ['', '## Data agreement', '', `Top-1 agreement with the original on ${what}: **${formatPercent(agreement, 2)}** of ${formatCount(data.samples)} samples.`];
}

function referenceSection(report: CompareReport): string[] {
  const refs = report.baselines.references;
  const hidden = Math.max(0, ...refs.map((r) => (r.layerSimilarity?.length ?? 0) - 1));
  const out = ['', '## Reference networks', ''];
  if (refs.length === 0) return [...out, 'None were trained.'];
  out.push(
    `${baselineWords(report) === 'trained here' ? 'Trained here' : 'Trained when the original was protected'} from fresh weights, in the original’s architecture at several widths: independent ones on the labels, imitators on the original’s answers. Similarity is the mean aligned similarity to the original, per layer; the first half of each role selects the fingerprints, the held-out half calibrates them.`,
    '',
    `| # | Role | Width | Used for | ${[...Array.from({ length: hidden }, (_, i) => `Layer ${i + 1}`), 'Output'].join(' | ')} | Fingerprint agreement |`,
    `|---:|---|---:|---|${'---:|'.repeat(hidden + 1)}---:|`,
  );
  refs.forEach((r, i) => {
    const sims = Array.from({ length: hidden + 1 }, (_, l) => formatNumber(r.layerSimilarity?.[l]));
    const use = r.heldOut ? 'calibration' : 'selection';
    out.push(`| ${i + 1} | ${r.role} | ×${formatNumber(r.widthScale)} | ${use} | ${sims.join(' | ')} | ${r.fingerprintAgreement === undefined ? '—' : formatPercent(r.fingerprintAgreement)} |`);
  });
  if (!refs.some((r) => r.role === 'independent')) {
    out.push('', 'No independent references: without labels every reference imitates the original, so the fingerprint evidence cannot tell an imitation from an independent model. Pick labelled data to train independent ones.');
  }
  return out;
}

/** "0.0e+0"-style p-values read badly: a p-value below what a double holds is "< 1e-300". */
export function formatP(p: number): string {
  if (p <= 0) return '< 1e-300';
  return formatNumber(p, 2);
}

function band(values: readonly number[]): string {
  if (values.length === 0) return '— (none trained)';
  const low = Math.min(...values);
  const high = Math.max(...values);
  return low === high ? formatPercent(low) : `${formatPercent(low)} – ${formatPercent(high)}`;
}

function dataLine(data: CompareReport['data'], labels: CompareLabels): string {
  if (!data) return 'none';
  if (data.source === 'probes') return `${formatCount(data.samples)} generated probe inputs (no labels)`;
  const files = [labels.dataPath, labels.labelsPath].filter((p): p is string => Boolean(p)).map(cellCode);
  const what = `${formatCount(data.samples)} samples, ${data.labelled ? 'labelled' : 'no labels'}`;
  return files.length ? `${files.join(' + ')}: ${what}` : what;
}

/** Where the references' figures come from: trained in this run, or recorded in a protect report (CompareReport.baselineSource). */
function baselineWords(report: CompareReport): string {
  const source = (report as { baselineSource?: { kind: string; report?: string } }).baselineSource;
  return source?.kind === 'report' && source.report ? `recorded in ${cellCode(source.report)}` : 'trained here';
}

function referenceRoles(report: CompareReport): string {
  const count = (role: 'independent' | 'imitator'): number => report.baselines.references.filter((r) => r.role === role).length;
  return `${count('independent')} independent, ${count('imitator')} imitators`;
}

/** A path in a table cell: a code span whose pipes are escaped, or GFM would split the cell there. */
function cellCode(text: string): string {
  return code(text).replace(/\|/g, '\\|');
}

/** The reason as a sentence: capital first letter, final full stop. */
function sentence(text: string): string {
  const t = text.trim();
  if (!t) return t;
  return `${t[0]!.toUpperCase()}${t.slice(1)}${/[.!?]$/.test(t) ? '' : '.'}`;
}

/** Where "Save Comparison…" proposes to write: beside the original (the owner's side), named after both models. */
export function defaultComparisonPath(report: Pick<CompareReport, 'suspect' | 'original'>): string {
  const stem = (p: string): string => {
    const base = path.basename(p, path.extname(p));
    // "model.json" says little: the folder names the model.
    return /^(model|saved_model|weights)$/i.test(base) ? path.basename(path.dirname(p)) || base : base;
  };
  return path.join(path.dirname(report.original), `${stem(report.suspect)}-vs-${stem(report.original)}.compare.json`);
}
