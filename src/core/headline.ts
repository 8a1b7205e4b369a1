/**
 * The headline of a report: the one fragility factor quoted where there is room for one (the
 * verdict, the panel's badge, the sidebar's descriptions, notifications). Chosen here only, so
 * they never disagree.
 */
import { isFineTuningKind } from './fineTuningOutcome';
import type { FragilityKind, PerturbationKind, ProtectionReport } from './report';

/** The quoted factor and the kind it belongs to. */
export interface Headline {
  kind: PerturbationKind;
  factor: number;
  bound: FragilityKind['fragilityFactorBound'];
}

/**
 * Multiplicative noise when it has a factor (DESIGN §3 quotes that kind), otherwise the largest
 * exact factor, otherwise the largest lower bound; undefined when no sweep produced a factor
 * (or, in a run still streaming, none has yet). Fine-tuning never heads a report: its s50 comes
 * from the first steps, while the attacker's curve climbs back (core/fineTuningOutcome).
 */
export function headline(report: { fragility?: Pick<ProtectionReport['fragility'], 'kinds'> }): Headline | undefined {
  const withFactor = (report.fragility?.kinds ?? []).filter((k): k is FragilityKind & { fragilityFactor: number } => k.fragilityFactor !== null && !isFineTuningKind(k.kind));
  const best =
    withFactor.find((k) => k.kind === 'multiplicative') ??
    [...withFactor].sort(
      (a, b) => Number(a.fragilityFactorBound === 'lower') - Number(b.fragilityFactorBound === 'lower') || b.fragilityFactor - a.fragilityFactor,
    )[0];
  return best && { kind: best.kind, factor: best.fragilityFactor, bound: best.fragilityFactorBound };
}
