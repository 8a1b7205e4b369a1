import type { ComputeBackend } from '../compute';
import type { DenseNetwork } from '../network';
import type { Rng } from '../rng';

/**
 * The attack lab (DESIGN §3, §4, §7): each attack turns a network (the protected copy, or the
 * original for comparison) into the attacker's best network, using the attacker's own data,
 * which is disjoint from the data the result is measured on.
 */

/** What the attacker holds besides the file: their data, and the engine that trains. */
export interface AttackContext {
  compute: ComputeBackend;
  /** The attacker's inputs [rows × inputs] (their own, disjoint from the evaluation). */
  x: Float32Array;
  rows: number;
  /**
   * The attacker's labels; absent when the data has none. The lab runs only attacks whose
   * `needs` is not 'labelled' then, so an attack that reads them may assume they are here.
   */
  labels?: Int32Array;
  /** The layer widths of the original (the architecture an attacker distils into or trains). */
  original: DenseNetwork;
  /** Scores a candidate on the evaluation data: the attacker's best is chosen with it. */
  score: (network: DenseNetwork) => Promise<number>;
  rng: Rng;
  signal?: AbortSignal;
}

/** The attacks of the lab (DESIGN §7 `kind`). */
export type AttackKind = 'finetune-adam' | 'finetune-sgd' | 'head-retrain' | 'merge' | 'least-squares' | 'distill';

/** One attack. */
export interface Attack {
  readonly kind: AttackKind;
  /** 'construction': the attacker knows how MimosaNet builds its copies. */
  readonly knowledge: 'none' | 'construction';
  /** What data it needs. */
  readonly needs: 'nothing' | 'unlabelled' | 'labelled';
  /** One line for tables: what the attacker does. */
  readonly description: string;
  /**
   * The training it does, for the lab's work estimate: `runs` trainings of up to `steps` steps
   * (batch 32) of the attacked network ('target') or of a fresh one of the original's
   * architecture ('original'). Absent: it trains nothing (a repair computed in closed form).
   */
  readonly training?: { runs: number; steps: number; network: 'target' | 'original' };
  run(network: DenseNetwork, context: AttackContext): Promise<DenseNetwork>;
}

/** The attacker's labels, for an attack whose `needs` is 'labelled' (the lab never runs one without). */
export function requireLabels(context: AttackContext, kind: AttackKind): Int32Array {
  if (!context.labels) throw new Error(`the ${kind} attack needs labels; the lab skips it without them`);
  return context.labels;
}
