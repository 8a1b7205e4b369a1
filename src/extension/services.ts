/**
 * The long-lived objects of the extension, passed to command handlers (one place to see what a
 * command may touch), and the API `activate` returns for the extension-host tests.
 */
import type * as vscode from 'vscode';
import type { ModelDiscovery, ModelInspector } from './discovery/modelDiscovery';
import type { ReportPanelHost } from './reportPanel';
import type { ReportStore } from './reports/reportStore';
import type { WorkerClient } from '../client/workerClient';

/** Everything the commands work with. */
export interface Services {
  /** The extension's context (workspaceState remembers the last data choice per model). */
  context: vscode.ExtensionContext;
  /** The "MimosaNet" log. */
  log: vscode.LogOutputChannel;
  /** Recognised model files. */
  discovery: ModelDiscovery;
  /** Describes models (also ones outside the workspace). */
  inspector: ModelInspector;
  /** Saved reports. */
  reports: ReportStore;
  /** The engine worker (started on first use). */
  worker: WorkerClient;
  /** What report panels need. */
  panelHost: ReportPanelHost;
}

/** Returned by `activate`; used by the extension-host tests, not a public contract. */
export interface MimosaNetApi {
  /** Recognised model files. */
  readonly discovery: ModelDiscovery;
  /** Saved reports. */
  readonly reports: ReportStore;
  /** The engine worker; `started` is false until the first inspection or protect job. */
  readonly worker: WorkerClient;
}
