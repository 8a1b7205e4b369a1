/**
 * What "MimosaNet: Verify Protected Model" tells the user about a VerifyResult: one notification
 * sentence, its severity, and the lines for the log. Pure (no `vscode`), so every outcome is
 * unit-tested; the words follow `mimosanet verify` (src/cli/format.ts) so both say the same.
 */
import { formatNumber, formatPercent } from '../core/reportFormat';
import type { VerifyResult } from '../protocol/jobs';
import { namesModel, type ReportSummary } from './reports/reportSummary';

/**
 * 'equivalent': every file matches and the re-run against the original passed.
 * 'unchanged': every file matches; the original was not found, so equivalence was not re-run.
 * 'tampered': a file is missing or differs from its recorded SHA-256.
 * 'notEquivalent': the files match but the re-run failed (the original or the runtime changed).
 * 'notTheProtectedModel': the file given is not the one the report describes; nothing was checked.
 */
export type VerifyOutcome = 'equivalent' | 'unchanged' | 'tampered' | 'notEquivalent' | 'notTheProtectedModel';

/** The notification and log text of one verification. */
export interface VerifySummary {
  outcome: VerifyOutcome;
  /** Which notification shows it: information for a clean result, warning for a wrong file, error for a failed check. */
  severity: 'info' | 'warning' | 'error';
  /** The notification's sentence. */
  message: string;
  /** What goes to the MimosaNet log: the outcome, one line per file, the re-run. */
  logLines: string[];
}

/** The outcome of a verification, the first failing check deciding. */
export function verifyOutcome(result: VerifyResult): VerifyOutcome {
  if (result.notTheProtectedModel) return 'notTheProtectedModel';
  if (result.files.some((f) => !f.ok)) return 'tampered';
  if (result.equivalence && !result.equivalence.passed) return 'notEquivalent';
  return result.equivalence ? 'equivalent' : 'unchanged';
}

/** Summarises a verification of `label` (the model's short name, e.g. "model.mimosa/model.json"). */
export function summariseVerification(result: VerifyResult, label: string): VerifySummary {
  const outcome = verifyOutcome(result);
  const eq = result.equivalence;
  const rerun = eq
    ? `re-run against the original in ${eq.runtime} on ${eq.samples.toLocaleString('en-US')} samples: top-1 agreement ${formatPercent(eq.top1Agreement, 2)}, relDiff ${formatNumber(eq.relDiff)}`
    : undefined;
  const bad = result.files.filter((f) => !f.ok);
  const fileCount = `${result.files.length} file${result.files.length === 1 ? '' : 's'}`;
  const logLines = [`verify ${result.modelPath} against ${result.reportPath}: ${outcome}`];
  if (result.notTheProtectedModel) logLines.push(`  ${result.notTheProtectedModel}; nothing was checked`);
  for (const f of result.files) logLines.push(`  ${f.ok ? 'ok ' : 'BAD'} ${f.name}${f.ok ? '' : ` (${f.problem ?? 'differs'})`}`);
  if (rerun) logLines.push(`  ${rerun} → ${eq!.passed ? 'equivalent' : 'NOT equivalent'}`);
  else if (!result.notTheProtectedModel) logLines.push(`  original not found at ${result.originalPath}: checked file hashes only`);

  switch (outcome) {
    case 'notTheProtectedModel':
      return {
        outcome,
        severity: 'warning',
        message: `${label} is not the protected model the report describes: ${result.notTheProtectedModel}. Nothing was checked.`,
        logLines,
      };
    case 'tampered':
      return {
        outcome,
        severity: 'error',
        message: `${label} was TAMPERED with: ${bad.map((f) => `${f.name} ${f.problem === 'missing' ? 'is missing' : 'differs from the report (SHA-256)'}`).join(', ')}${eq ? `; ${rerun} (${eq.passed ? 'still equivalent' : 'not equivalent'})` : ''}.`,
        logLines,
      };
    case 'notEquivalent':
      return { outcome, severity: 'error', message: `${label}: the files match the report, but it is NOT equivalent to the original any more (${rerun}).`, logLines };
    case 'equivalent':
      return { outcome, severity: 'info', message: `${label} is intact and equivalent: ${fileCount} match the report (SHA-256); ${rerun}.`, logLines };
    case 'unchanged':
      return {
        outcome,
        severity: 'info',
        message: `${label} is unchanged: ${fileCount} match the report (SHA-256). The original is not at ${result.originalPath}, so equivalence was not re-run.`,
        logLines,
      };
    default: {
      const never: never = outcome;
      throw new Error(`unknown verify outcome ${String(never)}`);
    }
  }
}

/** A model file and the report to check it against. */
export interface VerifyPair {
  modelPath: string;
  reportPath: string;
}

/**
 * The report that describes a model file, and the file's role in it: 'protectedCopy' when the
 * file is a report's protected main file (newest report first), 'original' when a report was
 * made from it. Undefined when no report mentions the file.
 */
export function reportForModel(
  fsPath: string,
  reports: readonly Pick<ReportSummary, 'reportPath' | 'modelPath' | 'protectedPath'>[],
): { reportPath: string; role: 'protectedCopy' | 'original' } | undefined {
  const copy = reports.find((r) => r.protectedPath === fsPath);
  if (copy) return { reportPath: copy.reportPath, role: 'protectedCopy' };
  const original = reports.find((r) => namesModel(r.modelPath, fsPath));
  return original && { reportPath: original.reportPath, role: 'original' };
}
