/**
 * Typed messages between the extension host, the engine worker and the report webview
 * (one module, hexeditor-style). Plain data only: errors travel as SerializedError.
 * This module contains types and tiny pure helpers only, so the webview can `import type` it.
 */
import type { SerializedError } from './core/errors';
import type { PerturbationKind, ProtectionReport } from './core/report';
import type { ModelInfo } from './formats/format';

// ---------------------------------------------------------------------------------------------
// Jobs (shared by CLI, worker and extension)
// ---------------------------------------------------------------------------------------------

/** Tunables of a protect run; defaults live in engine/defaults.ts. */
export interface ProtectOptions {
  /** Seed of every random choice; same seed and inputs → byte-identical output. */
  seed: number;
  /** Equivalence tolerance on relDiff. */
  tolerance: number;
  /** 'auto' searches the largest passing amplitude; a number fixes it. */
  amplitude: 'auto' | number;
  /** Copies per hidden neuron (≥ 3: one keeps the weights, the rest cancel). */
  copies: number;
  /** Positive rescaling by powers of two in 2^[-r, r] (ReLU-family layers only); 0 disables it. */
  rescaleExponent: number;
  /** Extra cancelling twin pairs per hidden layer (0 = none). */
  twins: number;
  /** Tripwire neurons per hidden layer (0 = none); equivalence then holds on the calibration data only. */
  tripwires: number;
  /** Perturbation kinds to sweep. */
  kinds: PerturbationKind[];
  /** At most this many evaluation samples are used (first N). */
  maxSamples: number;
  /** Seeded repeats per magnitude for noise sweeps. */
  repeats: number;
}

/** A request to protect one model. */
export interface ProtectJob {
  /** Main file of the model. */
  modelPath: string;
  /** Output folder; default `<dir>/<name>.mimosa/`. */
  outDir?: string;
  /** Evaluation inputs (.npy/.npz/.csv/.json); probes are generated without it. */
  dataPath?: string;
  /** Integer labels for the inputs. */
  labelsPath?: string;
  /** Overwrite an existing output folder. */
  force: boolean;
  /** Tunables. */
  options: ProtectOptions;
}

/** Phases of a protect run, in order; progress bars and timings use these names. */
export type ProtectPhase = 'read' | 'data' | 'calibrate' | 'write' | 'equivalence' | 'fragility' | 'report';

/** Progress of a running job. */
export interface JobProgress {
  /** Current phase. */
  phase: ProtectPhase;
  /** One line for a status bar or log ("amplitude 2^7: relDiff 3.1e-5, pass"). */
  message: string;
  /** Overall completion in [0, 1], for a progress bar. */
  fraction: number;
}

/** Result of a finished protect job. */
export interface ProtectResult {
  /** The report, also written as report.json. */
  report: ProtectionReport;
  /** Absolute path of report.json. */
  reportPath: string;
  /** Absolute path of the protected model's main file. */
  protectedPath: string;
}

// ---------------------------------------------------------------------------------------------
// Extension host → worker
// ---------------------------------------------------------------------------------------------

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

/** Cancel the job with this id; the worker replies with an error of code CANCELLED. */
export interface CancelRequest {
  type: 'cancel';
  id: number;
}

/** Every message the worker accepts. */
export type ToWorkerMessage = ProtectRequest | InspectRequest | CancelRequest;

// ---------------------------------------------------------------------------------------------
// Worker → extension host
// ---------------------------------------------------------------------------------------------

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
  | ErrorResponse;
