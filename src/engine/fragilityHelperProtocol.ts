/**
 * Engine-private messages between the engine (parallelFragility.ts) and the fragility helper
 * thread (fragilityHelper.ts, dist/fragilityWorker.js) that runs half of the sweeps on a second
 * core. Neither the extension nor the webview sees them. Types only.
 */
import type { EngineChoice } from '../core/compute';
import type { SerializedError } from '../core/errors';
import type { SweepData } from '../core/fragility';
import type { DenseNetwork } from '../core/network';
import type { FragilityKind, PerturbationKind } from '../core/report';

/** Run the sweeps of `kinds` on both networks. */
export interface FragilityRunRequest {
  type: 'run';
  original: DenseNetwork;
  protectedNet: DenseNetwork;
  data: SweepData;
  options: { kinds: PerturbationKind[]; repeats: number; seed: number; fineTuneSteps?: number[] };
  /** The compute engine to start (the one the job's own thread runs). */
  engine: EngineChoice;
}

/** Stop at the next evaluation; the helper answers with an error of code CANCELLED. */
export interface FragilityCancelRequest {
  type: 'cancel';
}

/** Every message the fragility helper accepts. */
export type ToFragilityHelperMessage = FragilityRunRequest | FragilityCancelRequest;

/** Every message the fragility helper sends: progress in [0, 1], each finished kind, the end. */
export type FromFragilityHelperMessage =
  | { type: 'progress'; fraction: number; message: string }
  | { type: 'kind'; kind: FragilityKind }
  | { type: 'done' }
  | { type: 'error'; error: SerializedError };
