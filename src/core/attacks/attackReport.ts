/**
 * What the attack lab reports (DESIGN §7 `attack` JSON, `report.attacks`) and the plain verdict
 * on each attack, read from the numbers. Types and pure rules only, no attack code: the
 * extension host and the webview read reports without loading the lab (core/attacks/lab).
 */
import type { Attack } from './attack';

/** Relative weight noise at which "fragility left" is measured (DESIGN §4: 1e-3). */
export const ATTACK_NOISE = 1e-3;

/** One attack's result, as DESIGN §7's `attack` JSON has it. */
export interface AttackResult {
  kind: Attack['kind'];
  knowledge: Attack['knowledge'];
  needs: Attack['needs'];
  description: string;
  /**
   * The attacker's network made from the protected copy, measured by the lab's metric (accuracy,
   * or top-1 agreement with the original without labels; the field keeps its contract name), and
   * the same under 1e-3 weight noise.
   */
  accuracyAfter: number;
  noiseAccuracyAfter: number;
  /** The same attack on the original. */
  original: { accuracyAfter: number; noiseAccuracyAfter: number };
  /**
   * accuracyAfter − the accuracy of the same architecture trained from scratch on the attacker's
   * data; null when there are no labels to train from scratch on.
   */
  headStart: number | null;
  seconds: number;
}

/** An attack (or the from-scratch baseline) the lab did not run, and why, in words. */
export interface SkippedAttack {
  kind: Attack['kind'] | 'scratch';
  /** What it would have done (the tooltip of its row). */
  description: string;
  /** "needs labels: it trains on them". */
  reason: string;
  /** Why, for sentences that group them: the data has no labels, or its training is over protect's work budget (absent in reports before 0.5: labels). */
  cause?: 'labels' | 'budget';
  /** What data it needs (absent: labels, as every attack skipped for want of them). */
  needs?: Attack['needs'];
}

/** The skipped attacks (not the baseline) by cause: the ones that need labels, and the ones over protect's work budget. */
export function skippedByCause(lab: Pick<AttackReport, 'skipped'>): { labels: string[]; budget: string[] } {
  const attacks = (lab.skipped ?? []).filter((s) => s.kind !== 'scratch');
  return { labels: attacks.filter((s) => (s.cause ?? 'labels') === 'labels').map((s) => s.kind), budget: attacks.filter((s) => s.cause === 'budget').map((s) => s.kind) };
}

/** The whole lab's result. */
export interface AttackReport {
  schemaVersion: 1;
  /**
   * What every number is (reports from 0.3 on; absent means 'accuracy'): accuracy on labelled
   * evaluation data, or top-1 agreement with the original when the data has no labels (as the
   * sweeps measure, DESIGN §4).
   */
  metric?: 'accuracy' | 'agreement';
  /** 1/classes, the floor of the metric (absent in reports made before it was recorded). */
  chance?: number;
  /** Samples the attacker held and samples every accuracy is measured on (disjoint). */
  attackerSamples: number;
  evaluationSamples: number;
  /** The protected copy's metric before any attack (accuracy = the original's; agreement ≈ 1). */
  cleanAccuracy: number;
  attacks: AttackResult[];
  /** Attacks that need labels, listed with the reason when the data has none (absent or empty otherwise). */
  skipped?: SkippedAttack[];
  /** The original's architecture trained from scratch on the attacker's data (the baseline an attacker always has); null without labels. */
  scratchAccuracy: number | null;
  /** Clean accuracy − the best accuracyAfter of the fine-tuning attacks (whole network and head) on the protected copy; null when none ran. */
  modificationCost: number | null;
}

/** A plain verdict on one attack, in words for tables and tooltips. */
export type AttackVerdict = 'stops it' | 'slows it' | 'does not stop it';

/**
 * The verdict from the numbers: the attack "stops it" when the attacker ends no better than
 * training from scratch (without labels, when there is no such baseline: no better than halfway
 * from a perfect copy to chance, the line s50 is measured at); "slows it" when they keep a head
 * start but end over 2 points below the same attack on the original; "does not stop it" otherwise.
 */
export function attackVerdict(attack: AttackResult, report: Pick<AttackReport, 'scratchAccuracy' | 'chance' | 'cleanAccuracy'>): AttackVerdict {
  if (attack.accuracyAfter <= stopLine(report)) return 'stops it';
  if (attack.original.accuracyAfter - attack.accuracyAfter > 0.02) return 'slows it';
  return 'does not stop it';
}

/** The metric at or below which an attack counts as stopped: the from-scratch baseline, or halfway from clean to chance without one. */
export function stopLine(report: Pick<AttackReport, 'scratchAccuracy' | 'chance' | 'cleanAccuracy'>): number {
  if (report.scratchAccuracy !== null) return report.scratchAccuracy;
  const chance = report.chance ?? 0;
  return chance + (report.cleanAccuracy - chance) / 2;
}
