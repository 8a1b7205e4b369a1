/**
 * How a `compare` result reads in VS Code: the Markdown document "Compare with Original…" opens
 * in the Markdown preview (verdict headline, the reason, the weight, dark-knowledge and data
 * evidence, the reference networks' own figures), the notification line and the log line.
 * Pure (no `vscode`), so the wording is unit-tested; numbers format through core/reportFormat
 * like every other report figure.
 */
import * as path from 'node:path';
import { formatCount, formatNumber, formatPercent, formatSeconds } from '../core/reportFormat';
import type { ReferenceSummary } from '../core/ownership/compare';
import type { ReferencePoint } from '../core/ownership/functionEvidence';
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
  function: 'how closely the suspect follows the original’s ranking of the wrong classes (its dark knowledge), against reference networks of the suspect’s strength',
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
  return `compare ${report.suspect} vs ${report.original}: ${report.verdict.toUpperCase()} (decided by ${report.decidedBy}; ${weights}; dark-knowledge correlation ${report.evidence.function.correlation.toFixed(3)} at strength ${formatPercent(report.evidence.function.strength)}; ${report.evidence.dataAgreement === undefined ? 'no data' : `data agreement ${formatPercent(report.evidence.dataAgreement, 2)}`}; ${formatSeconds(report.seconds)})`;
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
  out.push(...weightSection(report), ...functionSection(report), ...dataSection(report), ...referenceSection(report));
  out.push(
    '',
    '---',
    '',
    'Weights and dark knowledge are measured against reference networks trained from fresh weights, so every threshold comes with its false-positive count on them. “MimosaNet: Save Comparison…” writes this comparison as JSON (the document `mimosanet compare --json` prints).',
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

/** Correlations as the judge's reason writes them (three decimals), so the table and the reason agree. */
function formatCorrelation(v: number | undefined): string {
  return v === undefined ? '—' : v.toFixed(3);
}

function functionSection(report: CompareReport): string[] {
  const f = report.evidence.function;
  const c = report.baselines.functionCalibration;
  const count = (role: ReferencePoint['role']): number => c.points.filter((p) => p.role === role).length;
  // Outside the references' strengths the lines are extended, not measured: said beside each figure.
  const beyond = f.expectedIndependent !== undefined && (f.strength < c.strengthRange.min || f.strength > c.strengthRange.max) ? ' (line extended beyond the references)' : '';
  const out = ['', '## Function evidence: dark knowledge', ''];
  out.push(
    `On each of ${formatCount(c.rows)} held-out rows of the owner’s data (no reference network trained on them), the original’s top class is left out and the two networks’ logits over the other classes are correlated; the mean is the **dark-knowledge correlation**. A student trained on the original’s probabilities learns how it ranks the wrong classes; a network trained on the task follows that ranking only as far as the task dictates, and further the better it is. So the suspect is set against reference networks of its own **strength** (top-1 agreement with the original on the same rows): a line is fitted through the independent references’ points and one through the imitators’.`,
    '',
    '| Function evidence | |',
    '|---|---:|',
    `| Suspect’s strength | **${formatPercent(f.strength)}** |`,
    `| Suspect’s dark-knowledge correlation | **${formatCorrelation(f.correlation)}** |`,
    `| Independent references of that strength reach | ${lineValue(f.expectedIndependent, count('independent'))}${beyond} |`,
    `| Imitators of that strength reach | ${lineValue(f.expectedImitator, count('imitator'))}${beyond} |`,
    `| Independent networks of that strength stay below (99.9 %) | ${lineValue(f.independentBound, count('independent'))}${beyond} |`,
    `| References’ strengths | ${band(c.points.map((p) => p.strength))} |`,
    `| False positives, each reference left out | ${count('independent') ? `${c.falsePositives} of ${count('independent')} independent references judged derived` : '— (no independent references)'} |`,
    `| Misses, each reference left out | ${count('independent') ? `${c.misses} of ${count('imitator')} imitators judged independent` : '— (no independent references)'} |`,
    '',
    `**Judgement: ${f.judgement}** — ${escapeMarkdown(sentence(f.reason))}`,
    '',
    `**What it cannot see.** A student trained only on the original’s top answers, not its probabilities, learns no dark knowledge and is judged like independent work. A suspect stronger than every reference${c.points.length ? ` (${formatPercent(c.strengthRange.max)} here, by more than one standard error of its own agreement)` : ''} is inconclusive: independent networks that strong reach the imitators’ correlation, so the owner’s references cannot speak for it.`,
  );
  // Said so a reader does not take an inconclusive function judgement as doubt about a weight verdict.
  if (report.decidedBy === 'identical' || report.decidedBy === 'weights') {
    out.push('', 'The weights already decided. This evidence carries the verdict for copies whose weights share nothing with the original, such as a student distilled from its probabilities.');
  }
  return out;
}

/** A line's value at the suspect's strength; without one the judgement's reason says why. */
function lineValue(value: number | undefined, references: number): string {
  if (value !== undefined) return formatCorrelation(value);
  return references === 0 ? '— (none trained)' : '—';
}

function dataSection(report: CompareReport): string[] {
  const { data } = report;
  const agreement = report.evidence.dataAgreement;
  if (!data || agreement === undefined) return ['', '## Data agreement', '', 'Not measured: no data was given, and the recorded baseline brings none.'];
  const what = data.source === 'file' ? 'the owner’s data' : 'generated probe inputs';
  return ['', '## Data agreement', '', `Top-1 agreement with the original on ${what}: **${formatPercent(agreement, 2)}** of ${formatCount(data.samples)} samples.`];
}

/** Which part of the owner's rows a reference trained on (the held-out part is never one). */
const PART: Record<ReferenceSummary['rows'], string> = { first: 'first part', second: 'second part', both: 'both parts' };

function referenceSection(report: CompareReport): string[] {
  const refs = report.baselines.references;
  const hidden = Math.max(0, ...refs.map((r) => (r.layerSimilarity?.length ?? 0) - 1));
  const out = ['', '## Reference networks', ''];
  if (refs.length === 0) return [...out, 'None were trained.'];
  out.push(
    `${baselineWords(report) === 'trained here' ? 'Trained here' : 'Trained when the original was protected'} from fresh weights, in the original’s architecture at several widths, on parts of the owner’s data of different sizes and for different lengths, so their strengths span a range: independent ones on the labels, imitators on the original’s softened probabilities (as a distillation attacker would). Similarity is the mean aligned similarity to the original, per layer; strength and correlation are measured on the held-out rows.`,
    '',
    `| # | Role | Width | Trained on | Steps | ${[...Array.from({ length: hidden }, (_, i) => `Layer ${i + 1}`), 'Output'].join(' | ')} | Strength | Correlation |`,
    `|---:|---|---:|---|---:|${'---:|'.repeat(hidden + 1)}---:|---:|`,
  );
  refs.forEach((r, i) => {
    const sims = Array.from({ length: hidden + 1 }, (_, l) => formatNumber(r.layerSimilarity?.[l]));
    out.push(
      `| ${i + 1} | ${r.role} | ×${formatNumber(r.widthScale)} | ${formatCount(r.trainingRows)} rows (${PART[r.rows]}) | ${formatCount(r.steps)} | ${sims.join(' | ')} | ${formatPercent(r.strength)} | ${formatCorrelation(r.correlation)} |`,
    );
  });
  if (!refs.some((r) => r.role === 'independent')) {
    out.push('', 'No independent references: without labels every reference imitates the original, so the function evidence has nothing to set a suspect against and is inconclusive. Pick labelled data to train independent ones.');
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
