/**
 * Summarising a saved report.json (parsed by core/reportParse) for the Reports view, the Models
 * view tooltip and notifications. Pure (no `vscode`, no file access).
 */
import { type Headline, headline } from '../../core/headline';
import type { PerturbationKind, ProtectionReport } from '../../core/report';
import { formatCount } from '../../core/reportFormat';
import { fineTuningOutcome, formatFineTuningOutcome } from '../../core/fineTuningOutcome';
import { formatFactorOrVerdict } from '../../core/tellingPoint';

/** What the sidebar needs of one saved report. */
export interface ReportSummary {
  /** Absolute path of report.json. */
  reportPath: string;
  /** Absolute path of the original model, as the report names it. */
  modelPath: string;
  /** Absolute path of the protected model's main file. */
  protectedPath: string;
  /** Format id of both models. */
  format: string;
  /** Equivalence check passed. */
  passed: boolean;
  /** The headline fragility factor (core/headline), when a sweep produced one. */
  headline?: Headline;
  /** When the report was made (ISO). */
  createdAt: string;
  /** The one-sentence verdict. */
  verdict: string;
  /** Data source, for the tooltip ("probes" means agreement replaced accuracy). */
  dataSource: 'file' | 'probes';
  /**
   * Per kind, the text the tooltip shows: the factor, a verdict such as "breaks: 94.2 % → 14.2 %"
   * for float16/int8, or for fine-tuning where the attacker ends and the head start.
   */
  factors: { kind: PerturbationKind; text: string }[];
}

/** Summarises a report for the sidebar. */
export function summariseReport(report: ProtectionReport, reportPath: string): ReportSummary {
  return {
    reportPath,
    modelPath: report.model.path,
    protectedPath: protectedMainFile(report, reportPath),
    format: report.model.format,
    passed: report.equivalence.passed,
    headline: headline(report),
    createdAt: report.createdAt,
    verdict: report.verdict,
    dataSource: report.data.source,
    factors: report.fragility.kinds.map((k) => {
      // Fine-tuning: where the attacker ends and the head start, never an s50 factor (core/fineTuningOutcome).
      const outcome = fineTuningOutcome(k, report.attacks);
      return { kind: k.kind, text: outcome ? formatFineTuningOutcome(k.kind, outcome) : formatFactorOrVerdict(k, report.fragility.chance) };
    }),
  };
}

/**
 * The protected model's main file. Its files always sit beside report.json, while the recorded path
 * may be relative to wherever the CLI ran; so it is rebuilt from the report's own folder.
 */
export function protectedMainFile(report: ProtectionReport, reportPath: string): string {
  const main = report.protected.files[0] ?? baseName(report.protected.path);
  return joinPath(dirName(reportPath), main);
}

/** Whether a model path recorded in a report (absolute, or relative to where the CLI ran) names this file. */
export function namesModel(recorded: string, fsPath: string): boolean {
  const norm = (p: string): string => p.replace(/\\/g, '/').replace(/^\.\//, '');
  const a = norm(recorded);
  const b = norm(fsPath);
  const isAbsolute = a.startsWith('/') || /^[A-Za-z]:\//.test(a);
  if (isAbsolute) return a === b || (/^[A-Za-z]:\//.test(a) && a.toLowerCase() === b.toLowerCase());
  return b === a || b.endsWith(`/${a}`);
}

function baseName(p: string): string {
  return p.slice(Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1);
}

function dirName(p: string): string {
  return p.slice(0, Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')));
}

function joinPath(dir: string, name: string): string {
  const sep = dir.includes('\\') && !dir.includes('/') ? '\\' : '/';
  return `${dir}${sep}${name}`;
}

/** Parameter counts for the Models view: "109,386 params". */
export function formatParameters(count: number): string {
  return `${formatCount(count)} param${count === 1 ? '' : 's'}`;
}

/** "just now", "5 min ago", "3 h ago", "yesterday", "4 days ago", else the date (YYYY-MM-DD). */
export function formatRelativeTime(iso: string, now: Date = new Date()): string {
  const then = new Date(iso);
  const ms = now.getTime() - then.getTime();
  if (!Number.isFinite(ms)) return iso;
  const min = Math.round(ms / 60_000);
  if (min < 1) return 'just now';
  if (min < 60) return `${min} min ago`;
  const h = Math.round(min / 60);
  if (h < 24) return `${h} h ago`;
  const d = Math.round(h / 24);
  if (d === 1) return 'yesterday';
  if (d < 14) return `${d} days ago`;
  return then.toISOString().slice(0, 10);
}
