/**
 * Entry point of the extension host bundle (dist/extension.js). Activation wires light objects
 * only: discovery reads file heads, and everything heavy (tfjs, the engine) lives in
 * dist/worker.js, started on first use.
 */
import * as path from 'node:path';
import { startEngineProcess } from '../client/engineProcess';
import * as vscode from 'vscode';
import { FORMATS, sniffFormat } from '../formats/registry';
import { registerCommands } from './commands';
import { type FormatSniffer, type ModelInspector, ModelDiscovery } from './discovery/modelDiscovery';
import { createModelInspector } from './discovery/modelInspector';
import { LOG_NAME, REPORT_VIEW_TYPE, VIEWS } from './ids';
import { ReportPanel } from './reportPanel';
import { ReportStore } from './reports/reportStore';
import type { MimosaNetApi, Services } from './services';
import { ModelsTreeProvider } from './views/modelsView';
import { ReportsTreeProvider } from './views/reportsView';
import { WorkerClient, type WorkerLike } from '../client/workerClient';
import type { ReportViewState } from '../protocol/webview';

/** Called by VS Code on the first activation event; returns an API for the extension-host tests. */
export function activate(context: vscode.ExtensionContext): MimosaNetApi {
  const started = Date.now();
  const log = vscode.window.createOutputChannel(LOG_NAME, { log: true });
  context.subscriptions.push(log);

  const worker = new WorkerClient(() => startWorker(context, log), log);
  context.subscriptions.push({ dispose: () => worker.dispose() });

  const reports = new ReportStore(log);
  const inspector = createInspector(worker);
  const discovery = new ModelDiscovery(registrySniffer, inspector, reports, log);
  context.subscriptions.push(reports, discovery);

  const panelHost = { extensionUri: context.extensionUri, log };
  const services: Services = { context, log, discovery, inspector, reports, worker, panelHost };

  const models = new ModelsTreeProvider(discovery);
  const reportsTree = new ReportsTreeProvider(reports);
  context.subscriptions.push(
    models,
    reportsTree,
    vscode.window.createTreeView(VIEWS.models, { treeDataProvider: models, showCollapseAll: true }),
    vscode.window.createTreeView(VIEWS.reports, { treeDataProvider: reportsTree }),
    ...registerCommands(services),
    vscode.window.registerWebviewPanelSerializer(REPORT_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) => {
        ReportPanel.revive(panel, panelHost, isViewState(state) ? state : undefined);
      },
    }),
    { dispose: () => ReportPanel.all.forEach((p) => p.dispose()) },
  );

  // The scan runs after activation returns: activation itself stays a few milliseconds.
  void discovery.refresh();
  log.info(`activated in ${Date.now() - started} ms`);
  return { discovery, reports, worker };
}

/** Nothing to do: every resource is in context.subscriptions (the worker is terminated there). */
export function deactivate(): void {}

/** Discovery's view of the format registry: name pre-filter and content sniff. */
const registrySniffer: FormatSniffer = {
  matchesName: (fileName) => FORMATS.some((f) => f.matchesName(fileName)),
  sniff: (fileName, head) => {
    const format = sniffFormat(fileName, head);
    return format ? { id: format.id, displayName: format.displayName } : undefined;
  },
};

/** The registry's formats inspected through workspace.fs in the host, or in the worker (see createModelInspector). */
function createInspector(worker: WorkerClient): ModelInspector {
  return createModelInspector(FORMATS, {
    files: {
      read: async (p) => vscode.workspace.fs.readFile(vscode.Uri.file(p)),
      resolve: (from, relative) => path.resolve(path.dirname(from), relative),
    },
    size: async (fsPath) => (await vscode.workspace.fs.stat(vscode.Uri.file(fsPath))).size,
    inspectInWorker: (fsPath) => worker.inspect(fsPath),
  });
}

/** Starts dist/worker.js; its stderr (tfjs warnings, crashes) goes to the log. */
/** The engine process (dist/worker.js); its output lines go to the log. */
function startWorker(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): WorkerLike {
  return startEngineProcess(path.join(context.extensionPath, 'dist'), '../src/engine/worker.ts', {
    stdout: (line) => log.debug(`engine: ${line}`),
    stderr: (line) => log.warn(`engine: ${line}`),
  });
}

function isViewState(value: unknown): value is ReportViewState {
  return typeof value === 'object' && value !== null && 'report' in value && typeof (value as { report: unknown }).report === 'object';
}
