/**
 * Messages between the extension host and the report webview, and the state the webview keeps.
 * The webview is browser code: this module and what it imports are types only (schema types
 * from core), so nothing of the engine or the formats enters the webview's type graph.
 */
import type { SerializedError } from '../core/errors';
import type { ProtectionReport } from '../core/report';
import type { JobProgress } from './progress';

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

/**
 * "Compare a Suspect…" on the Ownership tab: run Compare with Original with this panel's report as
 * the baseline. It names no path: the host uses the report it shows, so the webview cannot point
 * the command at another file.
 */
export interface CompareSuspectRequest {
  type: 'compareSuspect';
}

/** Every message the report webview posts to the host. */
export type FromWebviewMessage = ReadyMessage | SaveHtmlRequest | SavePngRequest | OpenPathRequest | ShowLogRequest | CompareSuspectRequest;
