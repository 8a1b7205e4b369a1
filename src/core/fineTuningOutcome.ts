/**
 * What a fine-tuning entry of the fragility sweep reports instead of an s50 factor. Fine-tuning
 * is an attacker working towards a goal, not noise: the protected curve drops at the first step
 * and then climbs back, so "≥ 300× more fragile to Adam" read as "fine-tuning is hopeless" while
 * the attacker ended near the original. The honest numbers are where the attacker ends (on the
 * original and on the copy) and, when the attack lab ran, the head start over training the same
 * architecture from scratch (DESIGN §4). Chosen here only, so the panel, its HTML export, the
 * CLI and the sidebar never disagree. Pure.
 */
import { attackVerdict, type AttackReport, type AttackVerdict } from './attacks/attackReport';
import type { FragilityKind, PerturbationKind } from './report';
import { formatMagnitudePhrase, formatPercent } from './reportFormat';

/** The sweep kinds that are fine-tuning (an attacker training the copy), reported by outcome, not by s50. */
export const FINE_TUNING_KINDS: readonly PerturbationKind[] = ['finetune-adam', 'finetune-sgd'];

/** Whether a sweep kind is fine-tuning. */
export function isFineTuningKind(kind: PerturbationKind): boolean {
  return FINE_TUNING_KINDS.includes(kind);
}

/** Where the attacker ends after fine-tuning. */
export interface FineTuningOutcome {
  /**
   * 'lab': the attack lab's result for the same attack (best of its learning rates and step
   * counts, on data disjoint from the attacker's); 'sweep': the last point of the sweep's curve.
   */
  source: 'lab' | 'sweep';
  /** The attacker's final metric when fine-tuning the original, and the protected copy. */
  original: number;
  protected: number;
  /** The sweep's last step count (source 'sweep'). */
  steps?: number;
  /** Copy − the original's architecture trained from scratch on the attacker's data; null without a lab (or without labels). */
  headStart: number | null;
  /** That from-scratch accuracy. */
  scratch: number | null;
  /** The lab's plain verdict on the attack (source 'lab'). */
  verdict?: AttackVerdict;
}

/** The outcome of a fine-tuning kind, or undefined for any other kind (or a kind with no measured point). */
export function fineTuningOutcome(kind: Pick<FragilityKind, 'kind' | 'magnitudes' | 'original' | 'protected'>, attacks?: AttackReport): FineTuningOutcome | undefined {
  if (!isFineTuningKind(kind.kind)) return undefined;
  const lab = attacks?.attacks.find((a) => a.kind === kind.kind);
  if (lab && attacks) {
    return {
      source: 'lab',
      original: lab.original.accuracyAfter,
      protected: lab.accuracyAfter,
      headStart: lab.headStart,
      scratch: attacks.scratchAccuracy,
      verdict: attackVerdict(lab, attacks),
    };
  }
  const n = Math.min(kind.magnitudes.length, kind.original.mean.length, kind.protected.mean.length);
  if (n === 0) return undefined;
  return { source: 'sweep', original: kind.original.mean[n - 1]!, protected: kind.protected.mean[n - 1]!, steps: kind.magnitudes[n - 1]!, headStart: null, scratch: null };
}

/** "96.0 % → 87.1 %" (original → protected). */
export function formatFineTuningValues(outcome: FineTuningOutcome): string {
  return `${formatPercent(outcome.original)} → ${formatPercent(outcome.protected)}`;
}

/** Where the numbers come from: "attack lab, the attacker's best" or "after 300 Adam steps". */
export function formatFineTuningWhere(kind: PerturbationKind, outcome: FineTuningOutcome): string {
  return outcome.source === 'lab' ? 'attack lab, the attacker’s best' : `after ${formatMagnitudePhrase(kind, outcome.steps!)}`;
}

/** "−3.3 pt head start over from scratch (90.4 %)", or undefined without a from-scratch baseline. */
export function formatHeadStart(outcome: FineTuningOutcome): string | undefined {
  if (outcome.headStart === null || outcome.scratch === null) return undefined;
  const points = Math.round(outcome.headStart * 1000) / 10;
  const sign = points > 0 ? '+' : points < 0 ? '−' : '';
  return `${sign}${Math.abs(points).toFixed(1)} pt head start over from scratch (${formatPercent(outcome.scratch)})`;
}

/**
 * The outcome in one line, for places with room for one string (CLI, tooltips): "attacker ends at
 * 96.0 % → 87.1 % (attack lab, the attacker's best); −3.3 pt head start over from scratch (90.4 %):
 * stops it", or "attacker ends at 93.2 % → 78.4 % (after 300 Adam steps); head start not measured
 * (no attack lab)".
 */
export function formatFineTuningOutcome(kind: PerturbationKind, outcome: FineTuningOutcome): string {
  const head = formatHeadStart(outcome);
  const tail = head ? `; ${head}${outcome.verdict ? `: ${outcome.verdict}` : ''}` : '; head start not measured (no attack lab)';
  return `attacker ends at ${formatFineTuningValues(outcome)} (${formatFineTuningWhere(kind, outcome)})${tail}`;
}
