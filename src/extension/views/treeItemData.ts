/**
 * Labels, descriptions, tooltips, icons and context values of the sidebar's tree items, as plain
 * data. The tree providers turn these into vscode.TreeItems; keeping the rules here lets unit
 * tests check them without VS Code.
 */
import * as path from 'node:path';
import { PERTURBATION_TITLES } from '../../core/report';
import { formatCount, formatFactor } from '../../core/reportFormat';
import type { LayerInfo } from '../../formats/format';
import { type ModelEntry, type ModelState, modelState } from '../discovery/modelEntry';
import { type ReportSummary, formatParameters, formatRelativeTime } from '../reports/reportSummary';

/** A codicon id and an optional theme colour id (`new ThemeIcon(id, new ThemeColor(color))`). */
export interface IconData {
  /** Codicon id, e.g. "shield". */
  id: string;
  /** Theme colour id, e.g. "charts.green". */
  color?: string;
}

/** Everything a TreeItem shows. */
export interface TreeItemData {
  /** Main text. */
  label: string;
  /** Dimmed text after the label. */
  description: string;
  /** Markdown tooltip. */
  tooltip: string;
  /** State icon. */
  icon: IconData;
  /** Value menus match with `viewItem == ...`. */
  contextValue: string;
}

/** Icon and one-line explanation of each model state. */
export const STATE_PRESENTATION: Record<ModelState, { icon: IconData; text: string }> = {
  pending: { icon: { id: 'loading~spin' }, text: 'Reading the model…' },
  protectable: { icon: { id: 'unlock', color: 'charts.blue' }, text: 'Can be protected' },
  protected: { icon: { id: 'shield', color: 'charts.green' }, text: 'Already protected (a report is saved beside it)' },
  protectedCopy: { icon: { id: 'lock', color: 'charts.purple' }, text: 'A MimosaNet-protected copy' },
  unsupported: { icon: { id: 'circle-slash', color: 'problemsWarningIcon.foreground' }, text: 'Cannot be protected' },
  error: { icon: { id: 'error', color: 'problemsErrorIcon.foreground' }, text: 'Could not be read' },
};

/** Tree item of a model: "mnist-mlp/model.json", "TF.js Layers · 109,386 params", state icon and tooltip. */
export function describeModel(entry: ModelEntry, now: Date = new Date()): TreeItemData {
  const state = modelState(entry);
  const presentation = STATE_PRESENTATION[state];
  const info = entry.info;
  // Parameters first: a narrow sidebar truncates the end of the description.
  const description = info ? [formatParameters(info.parameters), entry.format.displayName] : [entry.format.displayName];
  if (state === 'unsupported' && info?.blocker) description.push(`blocked by ${info.blocker.className}`);
  if (state === 'protected' && entry.report?.headline) description.push(formatFactor(entry.report.headline.factor, entry.report.headline.bound));
  if (state === 'error') description.push('unreadable');

  const tip: string[] = [`**${escapeMarkdown(modelLabel(entry))}** — ${escapeMarkdown(entry.format.displayName)}`, ''];
  tip.push(`$(${presentation.icon.id.replace('~spin', '')}) ${presentation.text}`, '');
  if (info) {
    tip.push(`${architecture(info.layers, info.inputs)}`, '', formatParameters(info.parameters));
  }
  if (state === 'unsupported' && info?.blocker) {
    const b = info.blocker;
    tip.push('', `Blocked by layer ${code(b.layer)} (${escapeMarkdown(b.className)}): ${escapeMarkdown(b.reason)}`);
  }
  if (state === 'error' && entry.inspectError) tip.push('', escapeMarkdown(entry.inspectError.message));
  if (state === 'protected' && entry.report) {
    const r = entry.report;
    tip.push('', `Protected ${formatRelativeTime(r.createdAt, now)}: ${escapeMarkdown(r.verdict)}`);
  }
  tip.push('', `${code(entry.relativePath)} in ${escapeMarkdown(entry.workspaceFolder)}`);

  return {
    label: modelLabel(entry),
    description: description.join(' · '),
    tooltip: tip.join('\n'),
    icon: presentation.icon,
    contextValue: `model.${state}`,
  };
}

/**
 * "mnist-mlp/model.json": a generic main-file name is not enough to tell models apart, so the
 * folder is included; a distinctive file name stands alone.
 */
export function modelLabel(entry: Pick<ModelEntry, 'fsPath'>): string {
  const base = path.basename(entry.fsPath);
  const parent = path.basename(path.dirname(entry.fsPath));
  return /^(model|saved_model|weights)\.\w+$/i.test(base) && parent ? `${parent}/${base}` : base;
}

/** "784 → 128 relu → 64 relu → 10 softmax" (dense widths) or the class names when not dense. */
export function architecture(layers: readonly LayerInfo[], inputs?: number): string {
  const parts: string[] = inputs !== undefined ? [String(inputs)] : [];
  for (const layer of layers) {
    if (layer.units !== undefined) parts.push(layer.activation ? `${layer.units} ${layer.activation}` : String(layer.units));
    else if (!/^(InputLayer|Dropout|Flatten)$/.test(layer.className)) parts.push(layer.className);
  }
  return parts.join(' → ');
}

/** Child item of a model: one layer, with the blocking layer flagged. */
export function describeLayer(layer: LayerInfo, blockerLayer: string | undefined): TreeItemData {
  const blocked = blockerLayer === layer.name;
  const shape = [layer.units !== undefined ? `${layer.units} units` : undefined, layer.activation].filter(Boolean).join(', ');
  return {
    label: layer.name,
    description: [layer.className, shape, layer.parameters ? formatParameters(layer.parameters) : undefined].filter(Boolean).join(' · '),
    tooltip: `**${escapeMarkdown(layer.name)}** (${escapeMarkdown(layer.className)})${blocked ? '\n\nThis layer blocks protection.' : ''}`,
    icon: blocked ? { id: 'circle-slash', color: 'problemsWarningIcon.foreground' } : { id: layer.units !== undefined ? 'symbol-array' : 'symbol-event' },
    contextValue: blocked ? 'layer.blocker' : 'layer',
  };
}

/** Tree item of a saved report: the model's name, "3,100× · passed · 2 h ago", pass/fail icon. */
export function describeReport(summary: ReportSummary, now: Date = new Date()): TreeItemData {
  const label = modelLabel({ fsPath: summary.modelPath });
  const description: string[] = [];
  if (summary.headline) description.push(formatFactor(summary.headline.factor, summary.headline.bound));
  description.push(summary.passed ? 'passed' : 'failed', formatRelativeTime(summary.createdAt, now));

  const tip: string[] = [`**${escapeMarkdown(label)}** — ${summary.passed ? '$(pass) equivalence passed' : '$(error) equivalence failed'}`, ''];
  tip.push(escapeMarkdown(summary.verdict), '');
  if (summary.factors.length) {
    tip.push('| perturbation | fragility factor, or where a fine-tuning attacker ends |', '|---|---:|');
    for (const f of summary.factors) tip.push(`| ${PERTURBATION_TITLES[f.kind]} | ${f.text} |`);
    tip.push('');
  }
  if (summary.dataSource === 'probes') tip.push('Measured on generated probe inputs (agreement replaces accuracy).', '');
  tip.push(`Made ${new Date(summary.createdAt).toLocaleString('en-GB')} · ${code(summary.reportPath)}`);
  return {
    label,
    description: description.join(' · '),
    tooltip: tip.join('\n'),
    icon: summary.passed ? { id: 'pass-filled', color: 'testing.iconPassed' } : { id: 'error', color: 'testing.iconFailed' },
    contextValue: 'report',
  };
}

/** Markdown summary of a model for the Inspect command. */
export function inspectionMarkdown(entry: ModelEntry): string {
  const info = entry.info;
  const state = modelState(entry);
  const out: string[] = [`# ${escapeMarkdown(modelLabel(entry))}`, ''];
  out.push(`- **File:** ${code(entry.fsPath)}`, `- **Format:** ${escapeMarkdown(entry.format.displayName)} (${code(entry.format.id)})`);
  out.push(`- **State:** ${STATE_PRESENTATION[state].text}`);
  if (entry.inspectError) out.push('', `> ${escapeMarkdown(entry.inspectError.message)}`);
  if (info) {
    if (info.inputs !== undefined) out.push(`- **Inputs:** ${info.inputs}`);
    out.push(`- **Parameters:** ${formatCount(info.parameters)}`, `- **Architecture:** ${architecture(info.layers, info.inputs)}`);
    if (info.producer) out.push(`- **Producer:** ${escapeMarkdown(info.producer)}`);
    if (info.blocker) {
      out.push('', `> **Cannot be protected:** layer ${code(info.blocker.layer)} (${escapeMarkdown(info.blocker.className)}) ${escapeMarkdown(info.blocker.reason)}`);
    }
    out.push('', '| # | layer | class | units | activation | parameters |', '|---:|---|---|---:|---|---:|');
    info.layers.forEach((l, i) => {
      const flag = info.blocker?.layer === l.name ? ' ⛔' : '';
      out.push(
        `| ${i + 1} | ${escapeMarkdown(l.name)}${flag} | ${l.className} | ${l.units ?? ''} | ${l.activation ?? ''} | ${formatCount(l.parameters)} |`,
      );
    });
  }
  if (entry.report) {
    const r = entry.report;
    out.push('', '## Last protection', '', escapeMarkdown(r.verdict), '');
    out.push(`- **Equivalence:** ${r.passed ? 'passed' : 'failed'}`);
    for (const f of r.factors) out.push(`- **${PERTURBATION_TITLES[f.kind]}:** ${f.text}`);
    out.push(`- **Report:** ${code(r.reportPath)}`);
  }
  return out.join('\n') + '\n';
}

/** Escapes the characters markdown would interpret in names and messages (including `$(` icon syntax). */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-!|<>$]/g, '\\$&');
}

/** A markdown code span that survives backticks in the text (no escaping inside code spans). */
export function code(text: string): string {
  const fence = text.includes('`') ? '``' : '`';
  return `${fence}${fence.length > 1 ? ' ' : ''}${text}${fence.length > 1 ? ' ' : ''}${fence}`;
}
