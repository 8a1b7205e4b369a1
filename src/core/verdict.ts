import { attackVerdict, skippedByCause, type AttackReport } from './attacks/attackReport';
import { headline } from './headline';
import { PERTURBATION_TITLES, type FragilityKind, type ProtectionReport } from './report';
import { formatFactor, formatPercent } from './reportFormat';

/**
 * The one-sentence verdict at the top of a report, built only from measured numbers. It is stored
 * in report.json, so its spelling is part of the report: relDiff keeps two significant digits in
 * exponent form and accuracies two decimals, as every report so far has them.
 */
export function verdictSentence(report: Pick<ProtectionReport, 'equivalence' | 'fragility' | 'data' | 'construction' | 'attacks'>): string {
  const eq = report.equivalence;
  const agreement = `${formatPercent(eq.top1Agreement, 2)} top-1 agreement, relDiff ${eq.relDiff.toExponential(1)}`;
  const samples = report.equivalence.samples ?? report.data.samples;
  const where = report.data.source === 'probes' ? 'generated probe inputs' : `${samples.toLocaleString('en-US')} samples`;
  if (!eq.passed) {
    const failed = fieldFailure(report);
    return `Not equivalent on ${where} (${failed ?? agreement}): do not ship this copy.`;
  }
  const parts: string[] = [];
  const top = headline(report);
  if (top) parts.push(`${formatFactor(top.factor, top.bound)} more fragile to ${lowerFirst(PERTURBATION_TITLES[top.kind])}`);
  const metric = report.fragility.metric;
  const byKind = new Map(report.fragility.kinds.map((k) => [k.kind, k]));
  const drops = (['int8', 'float16'] as const)
    .map((name) => byKind.get(name))
    .filter((k): k is FragilityKind => k !== undefined)
    .map((k) => `${k.kind} takes ${metric} ${k.original.mean[0]!.toFixed(2)} → ${k.protected.mean[0]!.toFixed(2)} (original → protected)`);
  if (drops.length) parts.push(drops.join(', '));
  if (report.attacks) parts.push(attackClause(report.attacks));
  const base = `Equivalent on ${where} (${agreement}${report.equivalence.field ? `; worst ${fieldWorst(report)} across real runtimes and emulated kernel orders` : ''})`;
  return parts.length ? `${base}; ${parts.join('; ')}.` : `${base}.`;
}

/** "Multiplicative weight noise" → "multiplicative weight noise" (titles keep their inner capitals: "Adam"). */
function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** The first failing row of the field check, in words, or null when the field check passed or is absent. */
function fieldFailure(report: Pick<ProtectionReport, 'equivalence' | 'construction'>): string | null {
  const field = report.equivalence.field;
  if (!field || field.passed) return null;
  const row = field.runtimes.find((r) => !r.passed);
  const tolerance = report.construction.tolerance;
  if (row) return `${row.runtime} at batch ${row.batch}: ${formatPercent(row.top1Agreement, 2)} top-1 agreement, relDiff ${row.relDiff.toExponential(1)} > ${tolerance}`;
  const worst = field.emulated.worst;
  return `emulated kernel orders (${worst.label}): ${formatPercent(worst.top1Agreement, 2)} top-1 agreement, relDiff ${worst.relDiff.toExponential(1)} > ${tolerance}`;
}

/** Largest relDiff over the field check's runtime rows and emulated orders. */
function fieldWorst(report: Pick<ProtectionReport, 'equivalence'>): string {
  const field = report.equivalence.field!;
  return `relDiff ${Math.max(field.emulated.worst.relDiff, ...field.runtimes.map((r) => r.relDiff)).toExponential(1)}`;
}

/**
 * What the attack lab found, stopped or not, in one clause (the verdict claims no stop the lab did
 * not measure). Without labels the numbers are top-1 agreement with the original, and the
 * attacks that need labels are named as not measured.
 */
function attackClause(lab: AttackReport): string {
  const by = (verdict: string) => lab.attacks.filter((a) => attackVerdict(a, lab) === verdict).map((a) => a.kind);
  const notStopped = by('does not stop it');
  const stopped = by('stops it');
  const agreement = lab.metric === 'agreement';
  const baseline = lab.scratchAccuracy !== null ? `from scratch ${(lab.scratchAccuracy * 100).toFixed(1)} %` : 'top-1 agreement with the original';
  const skipped = skippedByCause(lab);
  return [
    stopped.length
      ? `the attack lab's ${listed(stopped)} end${stopped.length === 1 ? 's' : ''} ${agreement ? 'no better than halfway to chance' : 'no better than training from scratch'}`
      : '',
    notStopped.length ? `${listed(notStopped)} ${notStopped.length === 1 ? 'is' : 'are'} not stopped (${lab.attacks.filter((a) => notStopped.includes(a.kind)).map((a) => `${a.kind} ${(a.accuracyAfter * 100).toFixed(1)} %`).join(', ')}, ${baseline})` : '',
    skipped.labels.length ? `${listed(skipped.labels)} need${skipped.labels.length === 1 ? 's' : ''} labels and ${skipped.labels.length === 1 ? 'was' : 'were'} not measured` : '',
    skipped.budget.length ? `${listed(skipped.budget)} ${skipped.budget.length === 1 ? 'was' : 'were'} not measured (over protect's work budget for this model's size)` : '',
  ]
    .filter(Boolean)
    .join('; ');
}

/** "a", "a and b", "a, b and c". */
function listed(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
