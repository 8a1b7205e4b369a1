/**
 * Typed messages between the extension host, the engine worker and the report webview
 * (one module, hexeditor-style). Plain data only: errors travel as SerializedError.
 * This module contains types and tiny pure helpers only, so the webview can `import type` it.
 */
import type { SerializedError } from './core/errors';
import type { SweepData } from './core/fragility';
import type { DenseNetwork } from './core/network';
import type { FragilityKind, PerturbationKind, ProtectionReport } from './core/report';
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
  /** Certified tripwires between the first two hidden ReLU layers (0 = none); silent on every input. */
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
// Engine → fragility helper thread (sweeps split over two cores)
// ---------------------------------------------------------------------------------------------

/** Run the sweeps of `kinds` on both networks. */
export interface FragilityRunRequest {
  type: 'run';
  original: DenseNetwork;
  protectedNet: DenseNetwork;
  data: SweepData;
  options: { kinds: PerturbationKind[]; repeats: number; seed: number; fineTuneSteps?: number[] };
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

// ---------------------------------------------------------------------------------------------
// Extension host ↔ report webview
// ---------------------------------------------------------------------------------------------

/** What the run behind a report panel is doing; the webview shows a spinner while 'running'. */
export type ReportRunStatus = 'running' | 'done' | 'failed' | 'cancelled';

/** State the webview keeps with `setState`, and the host gets back when VS Code restores the panel. */
export interface ReportViewState {
  /** The report shown (partial while a run is going on). */
  report: Partial<ProtectionReport>;
  /** report.json on disk, once written; the host re-reads it on restore. */
  reportPath?: string;
  /** Status of the run when the state was saved. */
  status: ReportRunStatus;
  /** Why the run failed, when it did. */
  error?: SerializedError;
  /** Index of the selected tab, so a restored panel opens where the user left it. */
  tab?: number;
}

// Extension host → webview ----------------------------------------------------------------------

/** Show (or update, while a run is going on) the report. */
export interface ShowReportMessage {
  type: 'showReport';
  /** The report; partial while the fragility sweep runs. */
  report: Partial<ProtectionReport>;
  /** report.json on disk, once written. */
  reportPath?: string;
  /** Run status; 'running' keeps the progress indicator and updates charts in place. */
  status: ReportRunStatus;
  /** Why the run failed or was cancelled. */
  error?: SerializedError;
}

/** Progress of the run behind the panel, for the progress line under the header. */
export interface RunProgressMessage {
  type: 'runProgress';
  progress: JobProgress;
}

/** Outcome of a save the webview asked for (SaveHtmlRequest / SavePngRequest). */
export interface SaveResultMessage {
  type: 'saveResult';
  /** The request's `messageId`. */
  inReplyTo: number;
  /** Where the file was written; absent when the user cancelled the dialog or writing failed. */
  path?: string;
  /** Why writing failed. */
  error?: string;
}

/** Every message the host posts to the report webview. */
export type ToWebviewMessage = ShowReportMessage | RunProgressMessage | SaveResultMessage;

// Webview → extension host ----------------------------------------------------------------------

/** The webview's script is loaded and listening; the host posts nothing before this. */
export interface ReadyMessage {
  type: 'ready';
}

/** Save a self-contained HTML export; the host asks where (showSaveDialog) and writes it. */
export interface SaveHtmlRequest {
  type: 'saveHtml';
  /** Correlates the SaveResultMessage. */
  messageId: number;
  /** Suggested file name, e.g. "mnist-mlp-report.html". */
  suggestedName: string;
  /** The whole document. */
  html: string;
}

/** Save a PNG image of the charts; the host asks where and writes the decoded bytes. */
export interface SavePngRequest {
  type: 'savePng';
  /** Correlates the SaveResultMessage. */
  messageId: number;
  /** Suggested file name, e.g. "mnist-mlp-fragility.png". */
  suggestedName: string;
  /** `data:image/png;base64,...` from canvas.toDataURL. */
  dataUrl: string;
}

/** Open a file named in the report (the model, the protected model, the data) in the editor or Explorer. */
export interface OpenPathRequest {
  type: 'openPath';
  /** Absolute path as written in the report. */
  path: string;
  /** Reveal in the Explorer instead of opening. */
  reveal: boolean;
}

/** Show the "MimosaNet" log (from the error banner). */
export interface ShowLogRequest {
  type: 'showLog';
}

/** Every message the report webview posts to the host. */
export type FromWebviewMessage = ReadyMessage | SaveHtmlRequest | SavePngRequest | OpenPathRequest | ShowLogRequest;
