/**
 * The telling point of a fragility curve: the one magnitude quoted where a table has room for a
 * single "original → protected" pair (the panel's summary table, its HTML export, the CLI summary,
 * the sidebar). Chosen here only, so they never disagree. Pure.
 *
 * The rule: the first magnitude where the protected model has fallen (its metric at or below
 * halfway from clean to chance, the line s50 is measured at) while the original has not (it keeps
 * at least 90 % of its clean metric). A kind measured at one point (float16, int8) is judged at
 * that point. When no magnitude qualifies the point says why: the protected model holds on the
 * whole grid, or it only falls where the original falls too.
 */
import type { FragilityKind, FragilitySeries } from './report';
import { formatFactor, formatMagnitudePhrase, formatPercent } from './reportFormat';

/** The original counts as intact while it keeps this share of its clean metric. */
export const ORIGINAL_INTACT_SHARE = 0.9;

/**
 * 'breaks': the protected model has fallen and the original has not.
 * 'holds': the protected model never falls on the grid (the point is the largest magnitude).
 * 'both-fall': the protected model falls only where the original falls too (the first such magnitude).
 */
export type TellingVerdict = 'breaks' | 'holds' | 'both-fall';

/** The quoted point of one kind. */
export interface TellingPoint {
  verdict: TellingVerdict;
  /** Index into the kind's magnitudes. */
  index: number;
  /** The magnitude; null for a kind measured at one point only (nothing to quote beside the kind's name). */
  magnitude: number | null;
  /** Metric of the original and of the protected model there (the line: mean, or the attacker's best). */
  original: number;
  protected: number;
  /**
   * Set when the protected curve climbs back above halfway at a larger magnitude (fine-tuning can
   * repair what the first steps broke): the first such magnitude and the protected metric there.
   */
  recovers?: { index: number; magnitude: number; protected: number };
}

/** What the rule reads of a kind. */
export type TellingKind = Pick<FragilityKind, 'kind' | 'magnitudes'> & { original: Pick<FragilitySeries, 'mean' | 'clean'>; protected: Pick<FragilitySeries, 'mean' | 'clean'> };

/** The telling point of a kind, or undefined when it has no measured magnitude. */
export function tellingPoint(kind: TellingKind, chance: number): TellingPoint | undefined {
  const n = Math.min(kind.magnitudes.length, kind.original.mean.length, kind.protected.mean.length);
  if (n === 0) return undefined;
  const halfway = chance + (kind.protected.clean - chance) / 2;
  const fallen = (i: number): boolean => kind.protected.mean[i]! <= halfway;
  const intact = (i: number): boolean => kind.original.mean[i]! >= ORIGINAL_INTACT_SHARE * kind.original.clean;
  const single = kind.magnitudes.length === 1;
  const at = (index: number, verdict: TellingVerdict): TellingPoint => ({
    verdict,
    index,
    magnitude: single ? null : kind.magnitudes[index]!,
    original: kind.original.mean[index]!,
    protected: kind.protected.mean[index]!,
  });

  const indices = [...Array(n).keys()];
  const breaks = indices.find((i) => fallen(i) && intact(i));
  if (breaks !== undefined) {
    const point = at(breaks, 'breaks');
    const back = indices.find((i) => i > breaks && !fallen(i));
    if (back !== undefined) point.recovers = { index: back, magnitude: kind.magnitudes[back]!, protected: kind.protected.mean[back]! };
    return point;
  }
  const bothFall = indices.find(fallen);
  return bothFall !== undefined ? at(bothFall, 'both-fall') : at(n - 1, 'holds');
}

/** The verdict in one or two words: "breaks", "holds", "both fall". */
export function formatTellingVerdict(verdict: TellingVerdict): string {
  return verdict === 'both-fall' ? 'both fall' : verdict;
}

/** The pair at the point: "94.2 % → 8.8 %" (original → protected). */
export function formatTellingValues(point: TellingPoint): string {
  return `${formatPercent(point.original)} → ${formatPercent(point.protected)}`;
}

/** Where the point is: "at 0.1 % noise", "at 300 Adam steps", "at 50 % pruned"; "" for one-point kinds. */
export function formatTellingWhere(kind: Pick<FragilityKind, 'kind'>, point: Pick<TellingPoint, 'magnitude'>): string {
  return point.magnitude === null ? '' : `at ${formatMagnitudePhrase(kind.kind, point.magnitude)}`;
}

/** The climb back, when there is one: "back to 78.4 % at 100 Adam steps"; "" otherwise. */
export function formatTellingRecovery(kind: Pick<FragilityKind, 'kind'>, point: TellingPoint): string {
  return point.recovers ? `back to ${formatPercent(point.recovers.protected)} at ${formatMagnitudePhrase(kind.kind, point.recovers.magnitude)}` : '';
}

/**
 * The point in one line, for places with room for one string (CLI, tooltips):
 * "94.2 % → 8.8 % at 0.1 % noise", "93.2 % → 10.8 % at 1 Adam step (back to 78.4 % at 100 Adam steps)",
 * "breaks: 94.2 % → 14.2 %" (one-point kinds), "holds: 94.2 % → 92.4 % at +100 % to one weight",
 * "both fall: 40.1 % → 9.5 % at 50 % pruned".
 */
export function formatTellingPoint(kind: Pick<FragilityKind, 'kind'>, point: TellingPoint): string {
  const prefix = point.verdict === 'breaks' && point.magnitude !== null ? '' : `${formatTellingVerdict(point.verdict)}: `;
  const where = formatTellingWhere(kind, point);
  const recovery = formatTellingRecovery(kind, point);
  return `${prefix}${formatTellingValues(point)}${where ? ` ${where}` : ''}${recovery ? ` (${recovery})` : ''}`;
}

/**
 * The kind's result where a fragility factor is expected: the factor when it has one ("953,969×",
 * "≥ 300×"), else for a one-point kind its verdict ("breaks: 94.2 % → 14.2 %"), else "—".
 */
export function formatFactorOrVerdict(kind: TellingKind & Pick<FragilityKind, 'fragilityFactor' | 'fragilityFactorBound'>, chance: number): string {
  if (kind.fragilityFactor !== null) return formatFactor(kind.fragilityFactor, kind.fragilityFactorBound);
  const point = kind.magnitudes.length === 1 ? tellingPoint(kind, chance) : undefined;
  return point ? formatTellingPoint(kind, point) : '—';
}
