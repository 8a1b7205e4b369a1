/**
 * "MimosaNet: Compare with Original…": the file it is invoked on is the suspect; asks for the
 * original (the workspace's other models, a report whose protect run recorded ownership evidence,
 * or Browse…) and, unless the evidence is recorded, the owner's data (the shared data picker;
 * labels let compare train independent references), runs `compare` in the engine
 * process under a cancellable progress notification, and shows the verdict and its evidence as
 * a Markdown document in the preview, with "Save Comparison…" and a line in the log.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CompareJob, CompareReport } from '../protocol/jobs';
import { type CompareLabels, compareLogLine, compareNotification, defaultComparisonPath } from './compareMarkdown';
import { type ComparisonDocuments, saveComparisonJson } from './comparisonDocuments';
import { type DataChoice, pickData } from './dataPicker';
import type { ModelEntry } from './discovery/modelEntry';
import { runEngineJob } from './engineJob';
import { CONFIG_SECTION } from './ids';
import { showError } from './protectFlow';
import type { Services } from './services';
import { ReportStore } from './reports/reportStore';
import type { ReportSummary } from './reports/reportSummary';
import { readProtectOptions } from './settings';
import { reportForModel } from './verifySummary';
import { modelLabel } from './views/treeItemData';

/** Options for calling the command from code (tests): skip the questions they answer. */
export interface CompareCommandOptions {
  /** The original's main file; asked with a quick pick when absent (and no reportPath). */
  originalPath?: string;
  /** A report.json with recorded ownership evidence, instead of an original: nothing is trained. */
  reportPath?: string;
  /** The owner's data; asked with a quick pick when absent. */
  data?: DataChoice;
}

/** Compares `suspect` with an original; resolves with the report, or undefined when the user backed out, it failed or was cancelled. */
export async function compareWithOriginal(
  services: Services,
  documents: ComparisonDocuments,
  suspect: ModelEntry,
  options: CompareCommandOptions = {},
): Promise<CompareReport | undefined> {
  const original: OriginalChoice | undefined = options.reportPath
    ? { kind: 'report', reportPath: options.reportPath, modelPath: options.originalPath ?? options.reportPath }
    : options.originalPath
      ? { kind: 'model', fsPath: options.originalPath }
      : await pickOriginal(services, suspect);
  if (!original) return undefined;
  const originalPath = original.kind === 'model' ? original.fsPath : original.modelPath;
  if (original.kind === 'model' && path.resolve(originalPath) === path.resolve(suspect.fsPath)) {
    void vscode.window.showWarningMessage(`${modelLabel(suspect)} is the suspect: pick a different model as the original.`);
    return undefined;
  }
  // Recorded evidence needs no data (it only adds the agreement on it): one pick fewer.
  const data = options.data ?? (original.kind === 'report' ? { kind: 'probes' as const } : await pickOwnerData(services, originalPath));
  if (!data) return undefined;

  const config = vscode.workspace.getConfiguration(CONFIG_SECTION, vscode.Uri.file(originalPath));
  // Compare uses the same seed and engine as protect; a bad value falls back to its default (protect warns about it).
  const { options: settings, problems } = readProtectOptions((key) => config.get(key));
  for (const problem of problems) services.log.warn(problem);
  const job: CompareJob = {
    suspectPath: suspect.fsPath,
    ...(original.kind === 'report' ? { reportPath: original.reportPath } : { originalPath }),
    ...(data.kind === 'files' ? { dataPath: data.dataPath, ...(data.labelsPath ? { labelsPath: data.labelsPath } : {}) } : {}),
    seed: settings.seed,
    engine: settings.engine,
  };
  const labels: CompareLabels = {
    suspect: modelLabel(suspect),
    original: modelLabel({ fsPath: originalPath }),
    ...(data.kind === 'files' ? { dataPath: data.dataPath, ...(data.labelsPath ? { labelsPath: data.labelsPath } : {}) } : {}),
  };
  const report = await runCompare(services, job, labels);
  if (report) await showComparison(services, documents, report, labels);
  return report;
}

/** What the suspect is compared with: a model (references trained now) or a report's recorded evidence. */
type OriginalChoice = { kind: 'model'; fsPath: string } | { kind: 'report'; reportPath: string; modelPath: string };

interface OriginalPickItem extends vscode.QuickPickItem {
  choice?: OriginalChoice;
  action?: 'browse';
}

/**
 * The original: the workspace's other models (the suspect's own original first, when a report
 * says so), the reports that recorded ownership evidence, or Browse….
 */
async function pickOriginal(services: Services, suspect: ModelEntry): Promise<OriginalChoice | undefined> {
  await Promise.all([services.discovery.whenReady(), services.reports.scan()]);
  const reports = services.reports.all;
  const found = reportForModel(suspect.fsPath, reports);
  const knownOriginal = found?.role === 'protectedCopy' ? services.reports.get(found.reportPath)?.modelPath : undefined;
  const candidates = services.discovery.models.filter((m) => m.fsPath !== suspect.fsPath);
  const isCopy = (m: ModelEntry): boolean => services.reports.isInOutputFolder(m.fsPath);
  // Likely originals first: the one a report names, then models that are not protected copies.
  const rank = (m: ModelEntry): number => (m.fsPath === knownOriginal ? 0 : isCopy(m) ? 2 : 1);
  const items: OriginalPickItem[] = [...candidates]
    .sort((a, b) => rank(a) - rank(b) || a.relativePath.localeCompare(b.relativePath))
    .map((m) => ({
      label: modelLabel(m),
      description: [m.fsPath === knownOriginal ? 'the original this copy was protected from' : undefined, isCopy(m) ? 'protected copy' : undefined, m.format.displayName]
        .filter(Boolean)
        .join(' · '),
      detail: `${m.workspaceFolder}/${m.relativePath}`,
      choice: { kind: 'model', fsPath: m.fsPath },
    }));
  const recorded = await reportsWithEvidence(reports);
  if (recorded.length) items.push({ label: 'Evidence recorded when protecting', kind: vscode.QuickPickItemKind.Separator });
  for (const summary of recorded) {
    items.push({
      label: `$(shield) ${modelLabel({ fsPath: summary.modelPath })}`,
      description: 'recorded evidence: no references to train',
      detail: summary.reportPath,
      choice: { kind: 'report', reportPath: summary.reportPath, modelPath: summary.modelPath },
    });
  }
  items.push(
    { label: '', kind: vscode.QuickPickItemKind.Separator },
    { label: '$(folder-opened) Browse…', detail: 'The original model’s main file anywhere: model.json, .onnx, .keras, .h5', action: 'browse' },
  );
  const picked = await vscode.window.showQuickPick(items, {
    title: `Compare ${modelLabel(suspect)} with Original…`,
    placeHolder: `Which model is the original? ${modelLabel(suspect)} is judged as the suspect`,
    matchOnDetail: true,
    ignoreFocusOut: true,
  });
  if (!picked) return undefined;
  if (picked.action !== 'browse') return picked.choice;
  const chosen = await vscode.window.showOpenDialog({
    defaultUri: vscode.Uri.file(path.dirname(suspect.fsPath)),
    canSelectMany: false,
    openLabel: 'Use as Original',
    title: 'The original model',
  });
  if (!chosen?.length) return undefined;
  const entry = await services.discovery.recognise(chosen[0]!);
  if (!entry) void vscode.window.showErrorMessage(`${path.basename(chosen[0]!.fsPath)} is not a model file MimosaNet recognises.`);
  return entry && { kind: 'model', fsPath: entry.fsPath };
}

/** Reports whose protect run recorded ownership evidence (with labels, unless turned off); unreadable ones are left out. */
async function reportsWithEvidence(reports: readonly ReportSummary[]): Promise<ReportSummary[]> {
  const read = await Promise.all(
    reports.map((summary) => ReportStore.read(vscode.Uri.file(summary.reportPath)).then((report) => (report.ownership ? summary : undefined), () => undefined)),
  );
  return read.filter((s): s is ReportSummary => s !== undefined);
}

/** The owner's data, looked for beside the original (where an owner keeps it). */
function pickOwnerData(services: Services, originalPath: string): Promise<DataChoice | undefined> {
  const label = modelLabel({ fsPath: originalPath });
  return pickData(services, {
    dir: path.dirname(originalPath),
    models: new Set(services.discovery.models.map((m) => m.fsPath).concat(originalPath)),
    memoryKey: `mimosanet.compareData:${originalPath}`,
    title: `Owner’s data for comparing with ${label}`,
    placeHolder: 'Labels let compare train independent reference networks',
    pairDescription: 'inputs + labels: trains independent references',
    inputsOnlyDescription: 'no labels: references only imitate the original',
    probes: {
      label: 'No data (generated probes)',
      detail: 'References only imitate the original: weights still decide, the function evidence cannot',
    },
    noun: 'Owner’s Data',
    noLabelsDescription: 'references only imitate the original',
  });
}

/** Runs the job in the engine process; undefined when it failed or was cancelled (both said to the user). */
async function runCompare(services: Services, job: CompareJob, labels: CompareLabels): Promise<CompareReport | undefined> {
  const { log, worker } = services;
  const what = `${labels.suspect} with ${labels.original}`;
  log.info(`compare ${job.suspectPath} with ${job.reportPath ? `the evidence recorded in ${job.reportPath}` : `original ${job.originalPath}`} (${job.dataPath ? `data ${job.dataPath}${job.labelsPath ? `, labels ${job.labelsPath}` : ''}` : 'generated probes'}; seed ${job.seed}, engine ${job.engine})`);
  return runEngineJob(
    services,
    {
      title: `Comparing ${what}`,
      logTag: 'compare',
      cancelledMessage: `Comparing ${what} was cancelled.`,
      cancelledLog: `compare ${job.suspectPath}: cancelled`,
      failedLog: `compare ${job.suspectPath} with ${job.reportPath ?? job.originalPath} failed`,
      // Both files are named: a message about shapes or data does not say which model it means.
      failedMessage: `Comparing ${what} failed`,
    },
    (handlers, signal) => worker.compare(job, handlers, signal),
  );
}

/** Opens the document in the Markdown preview, logs the summary, and offers the next steps. */
async function showComparison(services: Services, documents: ComparisonDocuments, report: CompareReport, labels: CompareLabels): Promise<void> {
  services.log.info(compareLogLine(report));
  const uri = documents.show({ report, labels });
  try {
    await vscode.commands.executeCommand('markdown.showPreview', uri);
  } catch {
    // Without the built-in Markdown extension the source is still readable.
    await vscode.window.showTextDocument(uri, { preview: true });
  }
  const show = report.verdict === 'inconclusive' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  const choice = await show(compareNotification(report, labels), 'Save Comparison…', 'Show Log');
  if (choice === 'Save Comparison…') await saveComparison(services, documents, uri);
  if (choice === 'Show Log') services.log.show();
}

/** "MimosaNet: Save Comparison…": the comparison a document shows (or the newest), as JSON where the user says. */
export async function saveComparison(services: Services, documents: ComparisonDocuments, target?: unknown): Promise<vscode.Uri | undefined> {
  const comparison = documents.get(target instanceof vscode.Uri ? target : undefined);
  if (!comparison) {
    void vscode.window.showInformationMessage('No comparison to save yet: run "MimosaNet: Compare with Original…" first.');
    return undefined;
  }
  const destination = await vscode.window.showSaveDialog({
    defaultUri: vscode.Uri.file(defaultComparisonPath(comparison.report)),
    filters: { 'Comparison (JSON)': ['json'] },
    saveLabel: 'Save Comparison',
    title: `Save the comparison of ${comparison.labels.suspect} with ${comparison.labels.original}`,
  });
  if (!destination) return undefined;
  try {
    await saveComparisonJson(comparison.report, destination);
  } catch (e) {
    void showError(services, `Could not save the comparison to ${destination.fsPath}: ${(e as Error).message}`);
    return undefined;
  }
  services.log.info(`saved the comparison of ${comparison.report.suspect} with ${comparison.report.original} to ${destination.fsPath}`);
  void vscode.window.showInformationMessage(`Saved the comparison to ${path.basename(destination.fsPath)}.`, 'Open').then((c) => {
    if (c) void vscode.commands.executeCommand('vscode.open', destination);
  });
  return destination;
}
