/**
 * Engine-private messages between the engine (parallelAttackLab.ts) and the attack lab helper
 * thread (attackLabHelper.ts, dist/attackLabWorker.js) that runs part of the lab's units on a
 * second core. Neither the extension nor the webview sees them. Types only.
 *
 * The engine sends `start`, then one `unit` at a time: the first when the helper is `ready`, the
 * next each time it answers with a result, `finish` when none is left.
 */
import type { LabUnit, LabUnitResult } from '../core/attacks/lab';
import type { EngineChoice } from '../core/compute';
import type { SerializedError } from '../core/errors';
import type { DenseNetwork } from '../core/network';

/** Start the job's engine and hold the lab's networks and data (core/attacks/lab `AttackLabInput`). */
export interface AttackLabStartRequest {
  type: 'start';
  original: DenseNetwork;
  protectedNet: DenseNetwork;
  attacker: { x: Float32Array; rows: number; labels?: Int32Array };
  evaluation: { x: Float32Array; rows: number; labels?: Int32Array };
  seed: number;
  /** The compute engine to start (the one the job's own thread runs). */
  engine: EngineChoice;
}

/** Every message the attack lab helper accepts. `cancel`: stop at the next checkpoint; the helper answers with an error of code CANCELLED. */
export type ToAttackLabHelperMessage = AttackLabStartRequest | { type: 'unit'; unit: LabUnit } | { type: 'finish' } | { type: 'cancel' };

/**
 * Every message the attack lab helper sends: its engine started, one unit's result, the end
 * (engine disposed), or the error that stopped it (engine disposed; nothing follows).
 */
export type FromAttackLabHelperMessage = { type: 'ready' } | { type: 'unit'; result: LabUnitResult } | { type: 'done' } | { type: 'error'; error: SerializedError };
