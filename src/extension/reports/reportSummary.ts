/**
 * Reading a saved report.json and summarising it for the Reports view, the Models view tooltip
 * and notifications. Pure (no `vscode`, no file access).
 */
import type { FragilityKind, PerturbationKind, ProtectionReport } from '../../core/report';

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
  /** The headline fragility factor, when a sweep produced one. */
  headline?: { kind: PerturbationKind; factor: number; bound: 'exact' | 'lower' };
  /** When the report was made (ISO). */
  createdAt: string;
  /** The one-sentence verdict. */
  verdict: string;
  /** Data source, for the tooltip ("probes" means agreement replaced accuracy). */
  dataSource: 'file' | 'probes';
  /** Every kind's factor, for the tooltip table. */
  factors: { kind: PerturbationKind; factor: number | null; bound: 'exact' | 'lower' }[];
}

/** Parses and checks report.json; throws an Error naming the file and the problem. */
export function parseReport(text: string, file: string): ProtectionReport {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (!isProtectionReport(value)) throw new Error(`${file}: not a MimosaNet report (schemaVersion 1)`);
  return value;
}

/** Structural check of the fields the UI relies on; a report of another schema version is refused. */
export function isProtectionReport(value: unknown): value is ProtectionReport {
  if (!isObject(value) || value.schemaVersion !== 1) return false;
  const { tool, model, equivalence, fragility } = value;
  return (
    isObject(tool) &&
    tool.name === 'mimosanet' &&
    isObject(model) &&
    typeof model.path === 'string' &&
    isObject(value.protected) &&
    typeof value.protected.path === 'string' &&
    isObject(equivalence) &&
    typeof equivalence.passed === 'boolean' &&
    isObject(fragility) &&
    Array.isArray(fragility.kinds)
  );
}

/** Summarises a report for the sidebar. */
export function summariseReport(report: ProtectionReport, reportPath: string): ReportSummary {
  return {
    reportPath,
    modelPath: report.model.path,
    protectedPath: protectedMainFile(report, reportPath),
    format: report.model.format,
    passed: report.equivalence.passed,
    headline: headlineFactor(report.fragility.kinds),
    createdAt: report.createdAt,
    verdict: report.verdict,
    dataSource: report.data?.source ?? 'file',
    factors: report.fragility.kinds.map((k) => ({ kind: k.kind, factor: k.fragilityFactor, bound: k.fragilityFactorBound })),
  };
}

/**
 * The protected model's main file. Its files always sit beside report.json, while the recorded path
 * may be relative to wherever the CLI ran; so it is rebuilt from the report's own folder.
 */
export function protectedMainFile(report: ProtectionReport, reportPath: string): string {
  const main = report.protected.files?.[0] ?? baseName(report.protected.path);
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

/**
 * The factor quoted in one line: multiplicative noise when it has one (DESIGN §3 quotes that
 * kind), otherwise the largest exact factor, otherwise the largest lower bound.
 */
export function headlineFactor(kinds: readonly FragilityKind[]): ReportSummary['headline'] {
  const withFactor = kinds.filter((k): k is FragilityKind & { fragilityFactor: number } => k.fragilityFactor !== null);
  if (withFactor.length === 0) return undefined;
  const mult = withFactor.find((k) => k.kind === 'multiplicative');
  const best =
    mult ??
    [...withFactor].sort(
      (a, b) =>
        Number(a.fragilityFactorBound === 'lower') - Number(b.fragilityFactorBound === 'lower') || b.fragilityFactor - a.fragilityFactor,
    )[0]!;
  return { kind: best.kind, factor: best.fragilityFactor, bound: best.fragilityFactorBound };
}

/** "×3,100", "×3.9e5", "≥×12.5": a fragility factor for one line of UI. */
export function formatFactor(factor: number, bound: 'exact' | 'lower' = 'exact'): string {
  const prefix = bound === 'lower' ? '≥×' : '×';
  return prefix + formatCompact(factor);
}

/** Numbers for one line of UI: 3 significant digits, grouped below 100,000, exponent above. */
export function formatCompact(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs >= 1e5 || abs < 1e-3)) {
    const [mantissa, exp] = value.toExponential(1).split('e');
    return `${mantissa!.replace(/\.0$/, '')}e${Number(exp)}`;
  }
  if (abs >= 100) return Math.round(value).toLocaleString('en-US');
  return String(Number(value.toPrecision(3)));
}

/** Parameter counts for the Models view: "109,386 params". */
export function formatParameters(count: number): string {
  return `${count.toLocaleString('en-US')} param${count === 1 ? '' : 's'}`;
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


function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
