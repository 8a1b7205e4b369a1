/**
 * Engine-private messages between the engine (twoThreads.ts, for parallelAttackLab.ts and
 * parallelReferences.ts) and the second-core helper thread (attackLabHelper.ts,
 * dist/attackLabWorker.js) that runs part of a job's units: the attack lab's, or the ownership
 * reference networks'. Neither the extension nor the webview sees them. Types only.
 *
 * The engine sends `start` (which job, its inputs, the engine to start), then one `unit` at a
 * time: the first when the helper is `ready`, the next each time it answers with a result,
 * `finish` when none is left.
 */
import type { LabUnit, LabUnitResult } from '../core/attacks/lab';
import type { EngineChoice } from '../core/compute';
import type { SerializedError } from '../core/errors';
import type { DenseNetwork } from '../core/network';
import type { ReferenceData, ReferenceTask } from '../core/ownership/references';

/** Data rows as posted: a copy that owns its buffers. */
interface Rows {
  x: Float32Array;
  rows: number;
  labels?: Int32Array;
}

/**
 * An `Rng`'s fields as a structured clone carries them (its class is lost on the way); the
 * helper gives them back their class (twoThreads.ts `rngState` / `reviveRng`).
 */
export type RngState = Record<string, unknown>;

/** What each job sends at its start, hands out as units, and gets back for each unit. */
export interface HelperJobs {
  /** The attack lab (core/attacks/lab `AttackLabInput` without the engine and the hooks). */
  lab: {
    start: { original: DenseNetwork; protectedNet: DenseNetwork; attacker: Rows; evaluation: Rows; seed: number };
    unit: LabUnit;
    result: LabUnitResult;
  };
  /** The ownership reference networks (core/ownership/references `ReferenceJob`): one trained network per task. */
  references: {
    start: { original: DenseNetwork; first: ReferenceData; second: ReferenceData; rng: RngState };
    unit: ReferenceTask;
    result: DenseNetwork;
  };
}
export type HelperJob = keyof HelperJobs;
export type HelperUnit<J extends HelperJob = HelperJob> = HelperJobs[J]['unit'];
export type HelperResult<J extends HelperJob = HelperJob> = HelperJobs[J]['result'];

/** Start the job's engine (the one the job's own thread runs) and hold the job's inputs. */
export type HelperStartRequest<J extends HelperJob = HelperJob> = { [K in J]: { type: 'start'; job: K; engine: EngineChoice } & HelperJobs[K]['start'] }[J];

/** Every message the helper accepts. `cancel`: stop at the next checkpoint; the helper answers with an error of code CANCELLED. */
export type ToHelperMessage<J extends HelperJob = HelperJob> = HelperStartRequest<J> | { type: 'unit'; unit: HelperUnit<J> } | { type: 'finish' } | { type: 'cancel' };

/**
 * Every message the helper sends: its engine started, the result of the unit it was given, the
 * end (engine disposed), or the error that stopped it (engine disposed; nothing follows).
 */
export type FromHelperMessage<J extends HelperJob = HelperJob> = { type: 'ready' } | { type: 'unit'; result: HelperResult<J> } | { type: 'done' } | { type: 'error'; error: SerializedError };
