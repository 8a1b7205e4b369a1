/**
 * Messages between the extension host and the engine worker (dist/worker.js). Plain data only:
 * errors travel as SerializedError. Types only; import with `import type`.
 */
import type { SerializedError } from '../core/errors';
import type { ProtectionReport } from '../core/report';
import type { ModelInfo } from '../formats/format';
import type { AttackJob, AttackReport, CompareJob, CompareReport, ProtectJob, ProtectResult, VerifyJob, VerifyResult } from './jobs';
import type { JobProgress } from './progress';

// Extension host → worker ---------------------------------------------------------------------

/** Start protecting a model. */
export interface ProtectRequest {
  type: 'protect';
  /** Correlates replies. */
  id: number;
  job: ProtectJob;
}

/** Describe a model file (architecture, support status). */
export interface InspectRequest {
  type: 'inspect';
  id: number;
  path: string;
}

/** Check a protected model against its report (hashes, then the equivalence re-run); cancellable. */
export interface VerifyRequest {
  type: 'verify';
  id: number;
  job: VerifyJob;
}

/** Judge whether a suspect model is derived from an original (trains reference networks: minutes); cancellable. */
export interface CompareRequest {
  type: 'compare';
  id: number;
  job: CompareJob;
}

/** Run the attack lab on a protected copy (trains several networks: a minute or more); cancellable. */
export interface AttackRequest {
  type: 'attack';
  id: number;
  job: AttackJob;
}

/** Cancel the job with this id; the worker replies with an error of code CANCELLED. */
export interface CancelRequest {
  type: 'cancel';
  id: number;
}

/** Every message the worker accepts. */
export type ToWorkerMessage = ProtectRequest | InspectRequest | VerifyRequest | CompareRequest | AttackRequest | CancelRequest;

// Worker → extension host ---------------------------------------------------------------------

/** Progress of job `id`. */
export interface ProgressNotification {
  type: 'progress';
  id: number;
  progress: JobProgress;
}

/** A partial report (fragility kinds filled in so far), so charts update while the sweep runs. */
export interface PartialReportNotification {
  type: 'partialReport';
  id: number;
  report: Partial<ProtectionReport>;
}

/** Job `id` finished protecting. */
export interface ProtectResponse {
  type: 'protectResult';
  id: number;
  result: ProtectResult;
}

/** Job `id` finished inspecting. */
export interface InspectResponse {
  type: 'inspectResult';
  id: number;
  info: ModelInfo;
}

/** Job `id` finished verifying (a tampered or wrong file is a result, not an error). */
export interface VerifyResponse {
  type: 'verifyResult';
  id: number;
  result: VerifyResult;
}

/** Job `id` finished comparing (every verdict, inconclusive included, is a result). */
export interface CompareResponse {
  type: 'compareResult';
  id: number;
  report: CompareReport;
}

/** Job `id` finished its attack lab. */
export interface AttackResponse {
  type: 'attackResult';
  id: number;
  report: AttackReport;
}

/** Where job `id` stages its output: the client removes it if it has to terminate the worker. */
export interface StagingNotification {
  type: 'staging';
  id: number;
  path: string;
}

/** Job `id` failed or was cancelled (code CANCELLED). */
export interface ErrorResponse {
  type: 'error';
  id: number;
  error: SerializedError;
}

/** Every message the worker sends. */
export type FromWorkerMessage =
  | ProgressNotification
  | PartialReportNotification
  | ProtectResponse
  | InspectResponse
  | VerifyResponse
  | CompareResponse
  | AttackResponse
  | StagingNotification
  | ErrorResponse;
