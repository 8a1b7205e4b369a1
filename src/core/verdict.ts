import type { FragilityKind, ProtectionReport } from './report';

/** "4,100×", "≥ 12,000×" or "n/a": a fragility factor as people read it. */
export function formatFactor(kind: Pick<FragilityKind, 'fragilityFactor' | 'fragilityFactorBound'>): string {
  if (kind.fragilityFactor === null) return 'n/a';
  const value = kind.fragilityFactor >= 100 ? Math.round(kind.fragilityFactor).toLocaleString('en-US') : kind.fragilityFactor.toPrecision(3);
  return `${kind.fragilityFactorBound === 'lower' ? '≥ ' : ''}${value}×`;
}

/** The one-sentence verdict at the top of a report, built only from measured numbers. */
export function verdictSentence(report: Pick<ProtectionReport, 'equivalence' | 'fragility' | 'data' | 'construction'>): string {
  const eq = report.equivalence;
  const agreement = `${(eq.top1Agreement * 100).toFixed(eq.top1Agreement === 1 ? 0 : 2)} % top-1 agreement, relDiff ${eq.relDiff.toExponential(1)}`;
  const where = report.data.source === 'probes' ? 'generated probe inputs' : `${report.data.samples.toLocaleString('en-US')} samples`;
  if (!eq.passed) {
    const failed = fieldFailure(report);
    return `Not equivalent on ${where} (${failed ?? agreement}): do not ship this copy.`;
  }
  const parts: string[] = [];
  const byKind = new Map(report.fragility.kinds.map((k) => [k.kind, k]));
  const mult = byKind.get('multiplicative');
  if (mult && mult.fragilityFactor !== null) parts.push(`${formatFactor(mult)} more fragile to multiplicative weight noise`);
  const metric = report.fragility.metric;
  const drops = (['int8', 'float16'] as const)
    .map((name) => byKind.get(name))
    .filter((k): k is FragilityKind => k !== undefined)
    .map((k) => `${k.kind} takes ${metric} ${k.original.mean[0]!.toFixed(2)} → ${k.protected.mean[0]!.toFixed(2)} (original → protected)`);
  if (drops.length) parts.push(drops.join(', '));
  const base = `Equivalent on ${where} (${agreement}${report.equivalence.field ? `; worst ${fieldWorst(report)} across real runtimes and emulated kernel orders` : ''})`;
  return parts.length ? `${base}; ${parts.join('; ')}.` : `${base}.`;
}

/** "2,896 (2^11.5)": an amplitude with its power-of-two exponent, as the search chooses them. */
export function formatAmplitude(amplitude: number): string {
  const exponent = Math.log2(amplitude);
  const rounded = Math.round(exponent * 2) / 2;
  // From 100 on, whole and grouped (724, 2,896); below, three significant digits without padding (1, 5.66, 22.6).
  const value = amplitude >= 100 ? Math.round(amplitude).toLocaleString('en-US') : amplitude.toLocaleString('en-US', { maximumSignificantDigits: 3 });
  return Math.abs(exponent - rounded) < 1e-9 ? `${value} (2^${rounded})` : value;
}

/** The first failing row of the field check, in words, or null when the field check passed or is absent. */
function fieldFailure(report: Pick<ProtectionReport, 'equivalence' | 'construction'>): string | null {
  const field = report.equivalence.field;
  if (!field || field.passed) return null;
  const row = field.runtimes.find((r) => !r.passed);
  const tolerance = report.construction.tolerance;
  if (row) return `${row.runtime} at batch ${row.batch}: ${(row.top1Agreement * 100).toFixed(2)} % top-1 agreement, relDiff ${row.relDiff.toExponential(1)} > ${tolerance}`;
  const worst = field.emulated.worst;
  return `emulated kernel orders (${worst.label}): ${(worst.top1Agreement * 100).toFixed(2)} % top-1 agreement, relDiff ${worst.relDiff.toExponential(1)} > ${tolerance}`;
}

/** Largest relDiff over the field check's runtime rows and emulated orders. */
function fieldWorst(report: Pick<ProtectionReport, 'equivalence'>): string {
  const field = report.equivalence.field!;
  return `relDiff ${Math.max(field.emulated.worst.relDiff, ...field.runtimes.map((r) => r.relDiff)).toExponential(1)}`;
}
