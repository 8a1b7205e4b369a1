/**
 * "Protect with MimosaNet": pick evaluation data, read the settings, confirm overwriting, run the
 * job in the worker under a cancellable progress notification, stream partial reports into the
 * report panel, and finish with a notification.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { headline } from '../core/headline';
import type { ProtectionReport } from '../core/report';
import { formatFactor, formatNumber } from '../core/reportFormat';
import type { ProtectJob, ProtectResult } from '../protocol/jobs';
import { type DataChoice, pickData } from './dataPicker';
import { type ModelEntry, modelState } from './discovery/modelEntry';
import { COMMANDS, CONFIG_SECTION } from './ids';
import { ReportPanel } from './reportPanel';
import type { Services } from './services';
import { readProtectOptions, resolveOutputFolder } from './settings';
import { modelLabel } from './views/treeItemData';
import { JobError } from '../client/workerClient';

/** Evaluation data of a run: files, or generated probe inputs. */
export type { DataChoice };

/** Options for calling the command from code (tests, other extensions): skip the questions they answer. */
export interface ProtectCommandOptions {
  /** Evaluation data; asked with a quick pick when absent. */
  data?: DataChoice;
  /** Overwrite an existing output folder without asking. */
  force?: boolean;
  /** Output folder; the `mimosanet.outputFolder` pattern when absent. */
  outDir?: string;
}

/** Output folders of the runs going on, so a second click shows the running one instead of starting another. */
const running = new Set<string>();

/** Protects one model; resolves with the result, or undefined when the user backed out, it failed or was cancelled. */
export async function protectModel(services: Services, entry: ModelEntry, options: ProtectCommandOptions = {}): Promise<ProtectResult | undefined> {
  const { log, discovery } = services;
  const label = modelLabel(entry);
  const described = (await discovery.inspect(entry.fsPath)) ?? (await describeOutsideWorkspace(services, entry));
  const state = modelState(described);
  if (state === 'unsupported' && described.info?.blocker) {
    const b = described.info.blocker;
    void vscode.window.showErrorMessage(`Cannot protect ${label}: layer '${b.layer}' (${b.className}) ${b.reason}.`, 'Inspect').then((c) => {
      if (c) void vscode.commands.executeCommand(COMMANDS.inspectModel, vscode.Uri.file(entry.fsPath));
    });
    return undefined;
  }
  if (state === 'error') {
    void showError(services, `Cannot read ${label}: ${described.inspectError?.message ?? 'unknown error'}`);
    return undefined;
  }
  if (state === 'protectedCopy' && !options.data) {
    const again = await vscode.window.showWarningMessage(
      `${label} is already a MimosaNet-protected copy.`,
      { modal: true, detail: 'Protecting it again stacks a second set of constructions on top of the first. Usually you want to protect the original model instead.' },
      'Protect Anyway',
    );
    if (!again) return undefined;
  }

  const data = options.data ?? (await pickEvaluationData(services, described));
  if (!data) return undefined;

  const config = vscode.workspace.getConfiguration(CONFIG_SECTION, vscode.Uri.file(entry.fsPath));
  const { options: protectOptions, problems } = readProtectOptions((key) => config.get(key));
  for (const problem of problems) {
    log.warn(problem);
    void vscode.window.showWarningMessage(problem, 'Open Settings').then((c) => {
      if (c) void vscode.commands.executeCommand('workbench.action.openSettings', `@ext:${services.context.extension.id}`);
    });
  }

  let outDir: string;
  try {
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(entry.fsPath));
    outDir = options.outDir ?? resolveOutputFolder(config.get<string>('outputFolder'), entry.fsPath, folder?.uri.fsPath);
  } catch (e) {
    void showError(services, (e as Error).message);
    return undefined;
  }
  const reportKey = path.join(outDir, 'report.json');
  if (running.has(outDir)) {
    ReportPanel.get(reportKey)?.panel.reveal();
    void vscode.window.showInformationMessage(`${label} is already being protected.`);
    return undefined;
  }

  let force = options.force ?? false;
  if (!force && (await exists(outDir))) {
    const answer = await vscode.window.showWarningMessage(
      `${path.basename(outDir)} already exists. Overwrite?`,
      { modal: true, detail: `${outDir} holds an earlier protected copy. Overwriting replaces it once the new one is complete; the original model is never touched.` },
      'Overwrite',
    );
    if (answer !== 'Overwrite') return undefined;
    force = true;
  }

  const job: ProtectJob = {
    modelPath: entry.fsPath,
    outDir,
    dataPath: data.kind === 'files' ? data.dataPath : undefined,
    labelsPath: data.kind === 'files' ? data.labelsPath : undefined,
    force,
    options: protectOptions,
  };
  log.info(`protect ${entry.fsPath} → ${outDir} (${data.kind === 'files' ? `data ${data.dataPath}${data.labelsPath ? `, labels ${data.labelsPath}` : ''}` : 'generated probe inputs'})`);
  log.info(`options ${JSON.stringify(protectOptions)}`);
  running.add(outDir);
  try {
    return await runJob(services, job, label, reportKey, described);
  } finally {
    running.delete(outDir);
  }
}

async function runJob(services: Services, job: ProtectJob, label: string, reportKey: string, entry: ModelEntry): Promise<ProtectResult | undefined> {
  const { log, worker, panelHost } = services;
  let report: Partial<ProtectionReport> = initialReport(entry, job);
  const panel = ReportPanel.createOrShow(panelHost, reportKey, { report, status: 'running' });
  const panelOpen = (): boolean => !panel.disposed;
  const started = Date.now();

  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Protecting ${label}`, cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        const sub = token.onCancellationRequested(() => abort.abort());
        let reported = 0;
        try {
          return await worker.protect(
            job,
            {
              onProgress: (p) => {
                const increment = Math.max(0, p.fraction - reported) * 100;
                reported = Math.max(reported, p.fraction);
                progress.report({ message: p.message, increment });
                log.info(`[${p.phase}] ${p.message}`);
                if (panelOpen()) panel.progress(p);
              },
              onPartialReport: (partial) => {
                report = { ...report, ...partial };
                if (panelOpen()) panel.update({ report, status: 'running' });
              },
            },
            abort.signal,
          );
        } finally {
          sub.dispose();
        }
      },
    );
    log.info(`protected ${job.modelPath} in ${((Date.now() - started) / 1000).toFixed(1)} s → ${result.protectedPath}`);
    if (panelOpen()) panel.update({ report: result.report, reportPath: result.reportPath, status: 'done' });
    void services.reports.scan();
    const outDir = path.dirname(result.reportPath);
    void services.discovery.refreshPaths(result.report.protected.files.map((f) => path.join(outDir, f)));
    void notifyDone(label, result);
    return result;
  } catch (e) {
    const error = e instanceof JobError ? e.serialized : { name: 'Error', code: 'INTERNAL' as const, message: (e as Error).message };
    if (error.code === 'CANCELLED') {
      log.info(`protect ${job.modelPath}: cancelled`);
      if (panelOpen()) panel.update({ report, status: 'cancelled', error });
      void vscode.window.showInformationMessage(`Protecting ${label} was cancelled; nothing was written.`);
    } else {
      log.error(`protect ${job.modelPath} failed: ${error.name}: ${error.message}`);
      if (panelOpen()) panel.update({ report, status: 'failed', error });
      void showError(services, `Protecting ${label} failed: ${error.message}`);
    }
    return undefined;
  }
}

/** The first thing the panel shows while the worker reads the model: what is already known from inspection. */
function initialReport(entry: ModelEntry, job: ProtectJob): Partial<ProtectionReport> {
  const info = entry.info;
  if (!info) return {};
  const layers = info.layers.filter((l) => l.units !== undefined).map((l) => ({ units: l.units!, activation: l.activation ?? 'linear' }));
  return {
    model: { path: entry.fsPath, format: entry.format.id, layers, inputs: info.inputs ?? 0, parameters: info.parameters, bytes: 0, normalised: [] },
    data: job.dataPath
      ? { source: 'file', path: job.dataPath, labelsPath: job.labelsPath, samples: 0, labelled: !!job.labelsPath }
      : { source: 'probes', samples: 0, labelled: false },
  };
}

async function notifyDone(label: string, result: ProtectResult): Promise<void> {
  const r = result.report;
  const top = headline(r);
  const factor = top ? ` Fragility ${formatFactor(top.factor, top.bound)}.` : '';
  const message = r.equivalence.passed
    ? `Protected ${label}: equivalence passed.${factor}`
    : `Protected ${label}, but the equivalence check failed (relDiff ${formatNumber(r.equivalence.relDiff)}).`;
  const show = r.equivalence.passed ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
  const choice = await show(message, 'Open Report', 'Reveal Protected Model');
  if (choice === 'Open Report') await vscode.commands.executeCommand(COMMANDS.openReport, vscode.Uri.file(result.reportPath));
  if (choice === 'Reveal Protected Model') await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(result.protectedPath));
}

/** Shows an error message (no stack) with a "Show Log" button. */
export async function showError(services: Services, message: string): Promise<void> {
  const choice = await vscode.window.showErrorMessage(message, 'Show Log');
  if (choice) services.log.show();
}

/** A model outside the workspace is not in discovery's list; describe it directly. */
async function describeOutsideWorkspace(services: Services, entry: ModelEntry): Promise<ModelEntry> {
  try {
    return { ...entry, info: await services.inspector.inspect(entry.fsPath, entry.format.id) };
  } catch (e) {
    const error = e instanceof JobError ? e.serialized : { name: 'Error', code: 'INTERNAL' as const, message: (e as Error).message };
    return { ...entry, inspectError: error };
  }
}

/** The evaluation-data quick pick: detected files (inputs + labels paired), "Browse…", or probes. */
export async function pickEvaluationData(services: Services, entry: ModelEntry): Promise<DataChoice | undefined> {
  return pickData(services, {
    dir: path.dirname(entry.fsPath),
    models: new Set([entry.fsPath, ...services.discovery.models.map((m) => m.fsPath)]),
    memoryKey: `mimosanet.data:${entry.fsPath}`,
    title: `Evaluation data for ${modelLabel(entry)}`,
    placeHolder: 'Data for the equivalence check and the fragility sweeps',
    pairDescription: 'inputs + labels',
    inputsOnlyDescription: 'inputs only: agreement replaces accuracy',
    probes: { label: 'Use generated probe inputs', detail: 'No data needed; without labels, top-1 agreement with the original replaces accuracy' },
    noun: 'Evaluation Data',
    noLabelsDescription: 'agreement replaces accuracy',
  });
}

async function exists(fsPath: string): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(vscode.Uri.file(fsPath));
    return true;
  } catch {
    return false;
  }
}
