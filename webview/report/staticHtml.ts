/**
 * "Save as HTML": a self-contained document (inline CSS, charts as embedded PNG images, no
 * script) rendered from the same view models as the panel, in the colours of the theme the user
 * exported from. Pure string building, no DOM: unit-tested with node:test.
 */
import type { ProtectionReport } from '../../src/core/report';
import { escapeHtml as esc } from './format';
import type { ReportRunStatus } from '../../src/protocol/webview';
import { type FunctionModel, type OwnershipModel, ownershipAbsence, ownershipModel } from './ownershipModel';
import { type AttackTone, type AttacksModel, type Fact, type FieldModel, type MarginState, RUNTIME_TIMINGS_CAPTION, attacksModel, detailsModel, equivalenceModel, fieldModel, headerModel, metricName, summaryRows, tellingPointRule } from './reportModel';

/** Colours and font baked into the export. */
export interface ExportColors {
  foreground: string;
  muted: string;
  background: string;
  border: string;
  pass: string;
  fail: string;
  warning: string;
  fontFamily: string;
  /** The independent references (Ownership); the muted colour when absent. */
  original?: string;
  /** The imitating references (Ownership); the foreground when absent. */
  accent?: string;
}

/** What the export contains besides the report. */
export interface StaticHtmlInput {
  /** The report. */
  report: Partial<ProtectionReport>;
  /** Fragility chart images in report order (PNG data URLs). */
  charts: { title: string; dataUrl: string }[];
  /** The output-difference chart image. */
  differenceChart?: string;
  /** The Ownership chart image (dark-knowledge correlation against strength). */
  ownershipChart?: string;
  /** Theme colours at export time. */
  colors: ExportColors;
  /** When the export was made (ISO). */
  exportedAt: string;
  /** Status of the run behind the report ('done' unless it was cancelled or failed). */
  status?: ReportRunStatus;
  /** report.json on disk, for the compare command line of the Ownership section. */
  reportPath?: string;
}

/** The whole HTML document. */
export function staticHtml(input: StaticHtmlInput): string {
  const { report, colors: c } = input;
  const header = headerModel(report, input.status);
  const eq = equivalenceModel(report);
  const rows = summaryRows(report);
  const details = detailsModel(report, input.status);
  const badge = eq ? `<span class="badge ${eq.passed ? 'pass' : 'fail'}">${eq.passed ? 'Equivalence passed' : 'Equivalence failed'}</span>` : '';

  const parts: string[] = [];
  parts.push(`<header><h1>${esc(header.title)} ${badge}</h1>`);
  if (header.verdict) parts.push(`<p class="verdict">${esc(header.verdict)}</p>`);
  parts.push('</header>');
  for (const note of header.notes) parts.push(`<p class="note ${note.tone}">${esc(note.text)}</p>`);
  parts.push('<section class="cards">');
  for (const group of header.groups) parts.push(`<div class="card"><h3>${esc(group.heading)}</h3>${factTable(group.facts)}</div>`);
  parts.push('</section>');

  if (rows.length) {
    const metric = metricName(report);
    parts.push(
      `<h2>Fragility</h2><table class="grid"><thead><tr><th>Perturbation</th><th class="num">s50 original</th><th class="num">s50 protected</th><th class="num">Fragility factor</th><th class="num" title="${esc(tellingPointRule(report))}">${esc(metric.charAt(0).toUpperCase() + metric.slice(1))}, original → protected</th></tr></thead><tbody>`,
    );
    for (const r of rows) {
      const note = r.tellingNote ? `<div class="muted">${esc(r.tellingNote)}</div>` : '';
      parts.push(
        `<tr><td>${esc(r.title)}<div class="muted">${esc(r.magnitudeLabel)}</div></td><td class="num">${esc(r.s50Original)}</td><td class="num">${esc(r.s50Protected)}</td><td class="num strong">${esc(r.factor)}</td><td class="num">${esc(r.telling)}${r.tellingWhere ? ` ${esc(r.tellingWhere)}` : ''}${note}</td></tr>`,
      );
    }
    parts.push('</tbody></table>');
    parts.push(
      `<p class="muted">s50: the perturbation size at which the metric falls halfway from its clean value to chance. Fragility factor = s50(original) / s50(protected); “≥” marks a lower bound. The last column: ${esc(tellingPointRule(report))}${rows.some((r) => r.fineTuning) ? ' Fine-tuning rows show where the attacker ends, original → protected, and in the factor column the head start over training the same architecture from scratch, not an s50 factor.' : ''}</p>`,
    );
  }
  if (input.charts.length) {
    parts.push('<section class="charts">');
    for (const chart of input.charts) parts.push(`<figure><img src="${esc(chart.dataUrl)}" alt="${esc(chart.title)}"></figure>`);
    parts.push('</section>');
  }

  if (eq) {
    const field = fieldModel(report);
    parts.push(`<h2>Equivalence ${badge}</h2><p class="banner ${eq.passed ? 'pass' : 'fail'}">${esc(eq.summary)}</p>`);
    parts.push(`<h3>${field ? 'Reference runtime' : 'Checked with'} <span class="muted">${esc(eq.runtime)}</span></h3>`);
    parts.push(factTable(eq.facts, 'grid facts'));
    if (input.differenceChart) parts.push(`<figure class="wide"><img src="${esc(input.differenceChart)}" alt="Largest output difference per sample"></figure>`);
    if (field) parts.push(fieldHtml(field));
  }

  const attacks = attacksModel(report);
  if (attacks) parts.push(attacksHtml(attacks));
  parts.push(ownershipSection(report, input.status, input.reportPath, input.ownershipChart));

  if (details.amplitudeSearch.length || details.timings.length || details.files.length) {
    parts.push('<h2>Details</h2>');
    if (details.tradeOff.length) {
      parts.push(
        '<h3>Amplitude trade-off</h3><table class="grid auto"><thead><tr><th>vs chosen</th><th class="num">amplitude</th><th class="num">worst emulated relDiff</th><th class="num">of tolerance</th><th>search limit</th><th class="num">probabilistic bound</th><th class="num">fragility factor (quick)</th></tr></thead><tbody>',
      );
      for (const t of details.tradeOff) {
        parts.push(
          `<tr${t.chosen ? ' class="chosen"' : ''}><td>${esc(t.relative)}${t.chosen ? ' (chosen)' : ''}</td><td class="num">${esc(t.amplitude)}</td><td class="num">${esc(t.emulatedRelDiff)}</td><td class="num">${esc(t.ofTolerance)}</td><td>${stateText(t.state)}</td><td class="num">${esc(t.probabilisticBound)}</td><td class="num">${esc(t.factor)}</td></tr>`,
        );
      }
      parts.push(`</tbody></table><p class="muted">${esc(details.tradeOffCaption)}</p>`);
    }
    if (details.amplitudeSearch.length) {
      const emulated = details.searchHasEmulated;
      parts.push(`<h3>Amplitude search</h3><table class="grid auto"><thead><tr><th class="num">amplitude</th><th class="num">reference relDiff</th>${emulated ? '<th class="num">worst emulated</th>' : ''}<th>result</th></tr></thead><tbody>`);
      for (const t of details.amplitudeSearch) {
        parts.push(
          `<tr${t.chosen ? ' class="chosen"' : ''}${t.title ? ` title="${esc(t.title)}"` : ''}><td class="num">${esc(t.amplitude)}</td><td class="num">${esc(t.relDiff)}</td>${emulated ? `<td class="num">${esc(t.emulatedRelDiff)}</td>` : ''}<td>${t.passed ? 'pass' : 'fail'}${t.chosen ? ' (chosen)' : ''}</td></tr>`,
        );
      }
      parts.push(`</tbody></table>${details.searchCaption ? `<p class="muted">${esc(details.searchCaption)}</p>` : ''}`);
    }
    parts.push('<section class="cards">');
    if (details.timings.length) parts.push(timingsCard(details.timings, details.runtimeTimings));
    if (details.files.length || details.facts.length) {
      parts.push(`<div class="card"><h3>${esc(details.filesHeading)}</h3>${factTable(details.files.map((f) => ({ label: f.name, value: f.sha256 })), 'facts mono')}${factTable(details.facts)}</div>`);
    }
    parts.push('</section>');
  }
  parts.push(`<footer class="muted">Exported from MimosaNet on ${esc(new Date(input.exportedAt).toLocaleString('en-GB'))}.</footer>`);

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>MimosaNet report: ${esc(header.title)}</title>
<style>${css(c)}</style>
</head>
<body>
${parts.join('\n')}
</body>
</html>
`;
}

const STATE_TEXT: Record<MarginState, string> = { pass: '<span class="ok">pass</span>', margin: '<span class="warn">no margin</span>', fail: '<span class="bad">fail</span>' };

function stateText(state: MarginState): string {
  return STATE_TEXT[state];
}

function passText(passed: boolean): string {
  return passed ? '<span class="ok">pass</span>' : '<span class="bad">fail</span>';
}

const TONE_BANNERS: Record<AttackTone, string> = { good: 'pass', warn: 'warning', bad: 'fail' };

/** The attack lab: summary, key numbers, one row per attack (its description as the tooltip), caption. */
function attacksHtml(model: AttacksModel): string {
  const parts: string[] = [`<h2>Attacks</h2><p class="banner ${TONE_BANNERS[model.summaryTone]}">${esc(model.summary)}</p>`, factTable(model.facts, 'grid facts')];
  parts.push(
    '<table class="grid attacks"><thead><tr><th>Attack</th><th>Knowledge</th><th>Needs</th><th class="num">Original</th><th class="num">Copy</th><th class="num">Noisy</th><th class="num">Head start</th><th class="num">Time</th><th>Verdict</th></tr></thead><tbody>',
  );
  for (const r of model.rows) {
    parts.push(
      `<tr title="${esc(r.description)}"><td>${esc(r.title)}</td><td>${esc(r.knowledge)}</td><td>${esc(r.needs)}</td><td class="num">${esc(r.original)}</td><td class="num strong">${esc(r.copy)}</td><td class="num">${esc(r.noisy)}</td><td class="num">${esc(r.headStart)}</td><td class="num">${esc(r.time)}</td><td><span class="tone ${r.tone}">${esc(r.verdict)}</span></td></tr>`,
    );
  }
  for (const r of model.skipped) {
    parts.push(
      `<tr title="${esc(r.description)}"><td class="muted">${esc(r.title)}</td><td>—</td><td>${esc(r.needs)}</td><td class="num">—</td><td class="num">—</td><td class="num">—</td><td class="num">—</td><td class="num">—</td><td><span class="muted">skipped: ${esc(r.reason)}</span></td></tr>`,
    );
  }
  parts.push(`</tbody></table><p class="muted">${esc(model.caption)}</p>`);
  return parts.join('\n');
}

/** The Ownership section, or why the report has none. */
function ownershipSection(report: Partial<ProtectionReport>, status: ReportRunStatus | undefined, reportPath: string | undefined, chart: string | undefined): string {
  const model = ownershipModel(report, reportPath);
  return model ? ownershipHtml(model, chart) : `<h2>Ownership</h2><p class="muted">${esc(ownershipAbsence(report, status))}</p>`;
}

/** The Ownership section: what was recorded, the weight baseline, the function evidence, the references; the compare command instead of the panel's button. */
function ownershipHtml(model: OwnershipModel, chart: string | undefined): string {
  const parts: string[] = [`<h2>Ownership</h2><p class="banner ${model.tone === 'good' ? 'pass' : 'warning'}">${esc(model.summary)}</p>`, factTable(model.facts, 'grid facts')];
  parts.push(`<p>Judge a suspect with this evidence: <code>${esc(model.compareCommand)}</code>, or “Compare a Suspect…” on the Ownership tab of the report in VS Code.</p>`);
  parts.push(
    `<h3>Weight evidence baseline <span class="muted">false positives ${esc(model.weightFalsePositives)}</span></h3><table class="grid auto"><thead><tr><th>Layer</th><th class="num">Units</th><th class="num">Reference threshold</th><th class="num">Pooled units</th><th class="num">Independent, mean</th><th class="num">Imitators, mean</th></tr></thead><tbody>`,
  );
  for (const b of model.bands) {
    parts.push(`<tr><td>${esc(b.layer)}</td><td class="num">${esc(b.units)}</td><td class="num strong">${esc(b.threshold)}</td><td class="num">${esc(b.pooledUnits)}</td><td class="num">${esc(b.independentMean)}</td><td class="num">${esc(b.imitatorMean)}</td></tr>`);
  }
  parts.push(`</tbody></table><p class="muted">${esc(model.weightsCaption)}</p>`);
  parts.push(functionHtml(model.function, chart));
  parts.push(
    `<h3>Reference networks</h3><table class="grid auto"><thead><tr><th>Role</th><th class="num">Width</th><th>Trained on</th>${model.similarityHeadings.map((s) => `<th class="num">${esc(s)}</th>`).join('')}<th class="num">Strength</th><th class="num">Dark knowledge</th></tr></thead><tbody>`,
  );
  for (const r of model.references) {
    parts.push(
      `<tr title="${esc(r.roleTitle)}"><td>${esc(r.role)}</td><td class="num">${esc(r.width)}</td><td title="${esc(r.trainingTitle)}">${esc(r.training)}</td>${r.similarity.map((v) => `<td class="num">${esc(v)}</td>`).join('')}<td class="num">${esc(r.strength)}</td><td class="num strong">${esc(r.correlation)}</td></tr>`,
    );
  }
  parts.push(
    '</tbody></table><p class="muted">Similarity: mean aligned similarity to the original per layer, after canonicalisation. Strength: top-1 agreement with the original on the held-out rows. Dark knowledge: the correlation of the two networks’ logits over the classes other than the original’s answer, averaged over the held-out rows.</p>',
  );
  return parts.join('\n');
}

/** The function evidence: the sentence, the chart (an image, its text alternative from the model), the counts, the limits, the held-out rows' file. */
function functionHtml(fn: FunctionModel, chart: string | undefined): string {
  const parts: string[] = [`<h3>Function evidence: dark knowledge <span class="muted">${esc(fn.heldOut.rows)} held-out rows in ${esc(fn.heldOut.name)}</span></h3>`];
  parts.push(`<p class="note${fn.separation === 'separate' ? '' : ' warning'}">${esc(fn.sentence)}</p>`);
  if (chart) parts.push(`<figure class="function-chart"><img src="${esc(chart)}" alt="${esc(fn.alt)}"><figcaption class="muted">${esc(fn.caption)}</figcaption></figure>`);
  else parts.push(`<p class="muted">${esc(fn.alt)} ${esc(fn.caption)}</p>`);
  parts.push(`<p>${esc(fn.errors)}</p><p class="note">${esc(fn.limits)}</p>`);
  parts.push(`<p class="muted">Held-out rows: <code>${esc(fn.heldOut.name)}</code> beside report.json, SHA-256 <code>${esc(fn.heldOut.sha256)}</code></p>`);
  return parts.join('\n');
}

/** The "In the field" section: runtime matrix, notes, emulated orders, bounds. */
function fieldHtml(field: FieldModel): string {
  const parts: string[] = [`<h3>In the field ${passText(field.passed)}</h3><p class="muted">${esc(field.intro)}</p>`];
  if (field.runtimes.length) {
    parts.push('<table class="grid"><thead><tr><th>Runtime</th><th class="num">Batch</th><th class="num">Samples</th><th class="num">relDiff</th><th class="num">max |Δ|</th><th class="num">Top-1 agreement</th><th>Result</th></tr></thead><tbody>');
    for (const r of field.runtimes) {
      parts.push(
        `<tr><td>${esc(r.runtime)}</td><td class="num">${esc(r.batch)}</td><td class="num">${esc(r.samples)}</td><td class="num">${esc(r.relDiff)}</td><td class="num">${esc(r.maxAbsDiff)}</td><td class="num">${esc(r.top1)}</td><td>${passText(r.passed)}</td></tr>`,
      );
    }
    parts.push('</tbody></table>');
  }
  for (const note of field.notes) parts.push(`<p class="note ${note.tone}">${esc(note.text)}</p>`);
  parts.push(`<h3>Emulated kernel summation orders ${stateText(field.emulated.state)}</h3><p>${esc(field.emulated.summary)}</p><p class="muted">${esc(field.emulated.why)}</p>`);
  parts.push('<table class="grid"><thead><tr><th>Emulated assignment</th><th class="num">relDiff</th><th class="num">max |Δ|</th><th class="num">Top-1 agreement</th><th>Result</th></tr></thead><tbody>');
  for (const r of field.emulated.rows) {
    parts.push(
      `<tr${r.worst ? ' class="strong"' : ''}><td>${esc(r.label)}${r.worst ? ' (worst)' : ''}</td><td class="num">${esc(r.relDiff)}</td><td class="num">${esc(r.maxAbsDiff)}</td><td class="num">${esc(r.top1)}</td><td>${stateText(r.state)}</td></tr>`,
    );
  }
  parts.push('</tbody></table>');
  parts.push(`<h3>Bounds for any summation order</h3>${factTable(field.bound.facts, 'grid facts')}<p class="note">${esc(field.bound.caption)}</p>`);
  return parts.join('\n');
}

/** Phase timings, then the seconds in each real runtime. */
function timingsCard(timings: readonly Fact[], runtimes: readonly Fact[]): string {
  const inRuntimes = runtimes.length ? `<p class="muted">${esc(RUNTIME_TIMINGS_CAPTION)}</p>${factTable(runtimes)}` : '';
  return `<div class="card"><h3>Timings</h3>${factTable(timings)}${inRuntimes}</div>`;
}

function factTable(facts: readonly Fact[], className = 'facts'): string {
  const rows = facts.map((f) => `<tr><th>${esc(f.label)}</th><td${f.title ? ` title="${esc(f.title)}"` : ''}>${esc(f.value)}</td></tr>`).join('');
  return `<table class="${className}"><tbody>${rows}</tbody></table>`;
}

function css(c: ExportColors): string {
  // Only values captured from the theme are interpolated, and they pass through a colour check.
  const col = (v: string): string => (/^[#\w(),.%\s-]+$/.test(v) ? v : 'inherit');
  const font = c.fontFamily.replace(/[;{}<>]/g, '');
  return `
body { margin: 0 auto; max-width: 1200px; padding: 24px; background: ${col(c.background)}; color: ${col(c.foreground)}; font: 14px/1.45 ${font}; }
h1 { font-size: 1.6em; margin: 0 0 8px; } h2 { margin: 28px 0 10px; font-size: 1.25em; } h3 { margin: 0 0 6px; font-size: 1em; }
.verdict { font-size: 1.1em; margin: 0 0 12px; }
.muted { color: ${col(c.muted)}; font-size: 0.9em; }
.badge { display: inline-block; vertical-align: middle; font-size: 0.55em; padding: 2px 8px; border-radius: 10px; color: ${col(c.background)}; }
.badge.pass { background: ${col(c.pass)}; } .badge.fail { background: ${col(c.fail)}; }
.note { border-left: 3px solid ${col(c.muted)}; padding: 4px 10px; margin: 8px 0; }
.note.warning { border-color: ${col(c.warning)}; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 12px; margin-top: 12px; }
.card { border: 1px solid ${col(c.border)}; border-radius: 4px; padding: 10px 12px; }
table { border-collapse: collapse; } .facts th { text-align: left; font-weight: normal; color: ${col(c.muted)}; padding: 1px 12px 1px 0; vertical-align: top; }
.facts td { padding: 1px 0; overflow-wrap: anywhere; } .mono td { font-family: monospace; font-size: 0.85em; }
.grid { width: 100%; } .grid th, .grid td { border-bottom: 1px solid ${col(c.border)}; padding: 5px 8px; text-align: left; vertical-align: top; }
.grid.facts, .grid.auto { width: auto; } .grid.auto th, .grid.auto td { padding-right: 16px; } .num { white-space: nowrap; } .num { text-align: right !important; font-variant-numeric: tabular-nums; } .strong { font-weight: 600; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(460px, 1fr)); gap: 12px; margin-top: 12px; }
figure { margin: 0; } figure img { width: 100%; height: auto; border: 1px solid ${col(c.border)}; border-radius: 4px; }
figure.wide { margin-top: 12px; } footer { margin-top: 32px; }
h3 { margin-top: 18px; } .card h3 { margin-top: 0; }
.banner { border: 1px solid ${col(c.border)}; border-left-width: 4px; border-radius: 4px; padding: 6px 10px; margin: 8px 0 12px; }
.banner.pass { border-left-color: ${col(c.pass)}; } .banner.fail { border-left-color: ${col(c.fail)}; } .banner.warning { border-left-color: ${col(c.warning)}; }
.grid.attacks { margin-top: 12px; }
.tone { white-space: nowrap; padding: 0 6px; border: 1px solid ${col(c.border)}; border-radius: 4px; } .tone::before { content: '●'; margin-right: 5px; }
.tone.good { border-color: ${col(c.pass)}; } .tone.good::before { color: ${col(c.pass)}; } .tone.warn { border-color: ${col(c.warning)}; } .tone.warn::before { color: ${col(c.warning)}; }
.tone.bad { border-color: ${col(c.fail)}; } .tone.bad::before { color: ${col(c.fail)}; } .tone.warn, .tone.bad { color: inherit; }
.ok { color: ${col(c.pass)}; } .bad { color: ${col(c.fail)}; } .warn { color: ${col(c.warning)}; }
tr.chosen td { font-weight: 600; border-bottom-color: ${col(c.foreground)}; }
code { font-family: monospace; overflow-wrap: anywhere; } h3 .muted { font-weight: normal; }
figure.function-chart { max-width: 680px; margin: 8px 0; }
`;
}
