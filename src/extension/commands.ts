/**
 * Command handlers. Each accepts what its menus pass (an Explorer/editor Uri, a tree node) and
 * falls back to a quick pick when run from the command palette.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { formatFactor } from '../core/reportFormat';
import { type CompareCommandOptions, compareWithOriginal, saveComparison } from './compareFlow';
import { COMPARE_SCHEME, ComparisonDocuments } from './comparisonDocuments';
import type { ModelEntry } from './discovery/modelEntry';
import { COMMANDS, VIEWS } from './ids';
import { type ProtectCommandOptions, protectModel, showError } from './protectFlow';
import { ReportPanel } from './reportPanel';
import { ReportStore } from './reports/reportStore';
import { type ReportSummary, formatParameters, protectedMainFile } from './reports/reportSummary';
import type { Services } from './services';
import { inspectionMarkdown, modelLabel } from './views/treeItemData';
import type { ModelsNode } from './views/modelsView';
import type { ReportNode } from './views/reportsView';
import { type VerifyTarget, verifyProtectedModel } from './verifyFlow';

/** URI scheme of the read-only inspection documents (shown in the Markdown preview). */
export const INSPECT_SCHEME = 'mimosanet-inspect';

/** Registers every command; the returned disposables go into context.subscriptions. */
export function registerCommands(services: Services): vscode.Disposable[] {
  const inspections = new InspectionDocuments();
  const comparisons = new ComparisonDocuments();
  const register = (id: string, handler: (...args: unknown[]) => unknown): vscode.Disposable =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await handler(...args);
      } catch (e) {
        services.log.error(`${id} failed: ${(e as Error).stack ?? e}`);
        void showError(services, (e as Error).message);
        return undefined;
      }
    });

  return [
    inspections,
    vscode.workspace.registerTextDocumentContentProvider(INSPECT_SCHEME, inspections),
    comparisons,
    vscode.workspace.registerTextDocumentContentProvider(COMPARE_SCHEME, comparisons),
    register(COMMANDS.protectModel, async (target, options) => {
      const entry = await resolveModel(services, target, 'Protect with MimosaNet');
      return entry ? protectModel(services, entry, isProtectOptions(options) ? options : {}) : undefined;
    }),
    register(COMMANDS.inspectModel, async (target) => {
      const found = await resolveModel(services, target, 'Inspect model');
      if (!found) return;
      const entry = (await services.discovery.inspect(found.fsPath)) ?? found;
      const uri = inspections.show(entry);
      // The Markdown preview renders the tables; without the built-in markdown extension, the source is still readable.
      try {
        await vscode.commands.executeCommand('markdown.showPreview', uri);
      } catch {
        await vscode.window.showTextDocument(uri, { preview: true });
      }
    }),
    register(COMMANDS.openReport, async (target) => {
      const uri = await resolveReport(services, target);
      if (!uri) return;
      const report = await ReportStore.read(uri);
      ReportPanel.createOrShow(services.panelHost, uri.fsPath, { report, reportPath: uri.fsPath, status: 'done' });
    }),
    register(COMMANDS.refreshModels, () =>
      vscode.window.withProgress({ location: { viewId: VIEWS.models } }, () => services.discovery.refresh()),
    ),
    register(COMMANDS.showLog, () => services.log.show()),
    register(COMMANDS.deleteReport, async (target) => {
      const uri = await resolveReport(services, target);
      if (uri) await deleteReport(services, uri);
    }),
    register(COMMANDS.openProtectedModel, async (target) => {
      const uri = await resolveReport(services, target);
      if (!uri) return;
      const protectedPath = protectedMainFile(await ReportStore.read(uri), uri.fsPath);
      await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(protectedPath));
      await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(protectedPath));
    }),
    register(COMMANDS.verifyModel, (target) => verifyProtectedModel(services, verifyTarget(target))),
    register(COMMANDS.compareModel, async (target, options) => {
      const suspect = await resolveModel(services, target, 'Compare with Original: pick the suspect model');
      return suspect ? compareWithOriginal(services, comparisons, suspect, isCompareOptions(options) ? options : {}) : undefined;
    }),
    register(COMMANDS.saveComparison, (target) => saveComparison(services, comparisons, target)),
    register(COMMANDS.revealModel, async (target) => {
      const entry = await resolveModel(services, target, 'Reveal model in Explorer');
      if (entry) await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(entry.fsPath));
    }),
  ];
}

/** The model a command was invoked on: a tree node, a Uri (Explorer, editor), or a quick pick of recognised models. */
async function resolveModel(services: Services, target: unknown, title: string): Promise<ModelEntry | undefined> {
  const { discovery } = services;
  if (isModelsNode(target) && target.kind === 'model') return target.entry;
  if (target instanceof vscode.Uri) {
    const entry = await discovery.recognise(target);
    if (!entry) void vscode.window.showErrorMessage(`${path.basename(target.fsPath)} is not a model file MimosaNet recognises.`);
    return entry;
  }
  await discovery.whenReady();
  const models = discovery.models;
  if (models.length === 0) {
    const choice = await vscode.window.showInformationMessage('No model files found in this workspace.', 'Refresh', 'Open Folder…');
    if (choice === 'Refresh') await discovery.refresh();
    if (choice === 'Open Folder…') await vscode.commands.executeCommand('vscode.openFolder');
    return undefined;
  }
  const active = vscode.window.activeTextEditor?.document.uri.fsPath;
  const sorted = [...models].sort((a, b) => Number(b.fsPath === active) - Number(a.fsPath === active));
  if (sorted.length === 1 && sorted[0]!.fsPath === active) return sorted[0];
  const picked = await vscode.window.showQuickPick(
    sorted.map((entry) => ({
      label: modelLabel(entry),
      description: [entry.format.displayName, entry.info ? formatParameters(entry.info.parameters) : undefined, entry.fsPath === active ? 'active editor' : undefined]
        .filter(Boolean)
        .join(' · '),
      detail: `${entry.workspaceFolder}/${entry.relativePath}`,
      entry,
    })),
    { title, placeHolder: 'Pick a model' },
  );
  return picked?.entry;
}

/** The report a command was invoked on: a Reports node, a report.json Uri, a model Uri (its report), or a quick pick. */
async function resolveReport(services: Services, target: unknown): Promise<vscode.Uri | undefined> {
  if (isReportNode(target)) return vscode.Uri.file(target.summary.reportPath);
  if (isModelsNode(target) && target.kind === 'model' && target.entry.report) return vscode.Uri.file(target.entry.report.reportPath);
  if (target instanceof vscode.Uri) {
    const model = services.discovery.get(target.fsPath);
    return model?.report ? vscode.Uri.file(model.report.reportPath) : target;
  }
  await services.reports.scan();
  const reports = services.reports.all;
  if (reports.length === 0) {
    void vscode.window.showInformationMessage('No MimosaNet reports in this workspace yet. Protect a model to make one.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    reports.map((summary) => ({ label: modelLabel({ fsPath: summary.modelPath }), description: reportDescription(summary), detail: summary.reportPath, summary })),
    { title: 'MimosaNet reports', placeHolder: 'Pick a report' },
  );
  return picked ? vscode.Uri.file(picked.summary.reportPath) : undefined;
}

function reportDescription(summary: ReportSummary): string {
  const parts = [summary.passed ? 'passed' : 'failed'];
  if (summary.headline) parts.unshift(formatFactor(summary.headline.factor, summary.headline.bound));
  parts.push(new Date(summary.createdAt).toLocaleString('en-GB'));
  return parts.join(' · ');
}

async function deleteReport(services: Services, uri: vscode.Uri): Promise<void> {
  const folder = path.dirname(uri.fsPath);
  const choice = await vscode.window.showWarningMessage(
    `Delete the report ${path.basename(folder)}/${path.basename(uri.fsPath)}?`,
    {
      modal: true,
      detail: `"Move Report to Trash" removes only report.json. "Move Folder to Trash" also removes the protected model in ${folder}. The original model is not touched.`,
    },
    'Move Report to Trash',
    'Move Folder to Trash',
  );
  if (!choice) return;
  const target = choice === 'Move Folder to Trash' ? vscode.Uri.file(folder) : uri;
  try {
    await vscode.workspace.fs.delete(target, { recursive: true, useTrash: true });
  } catch (e) {
    // Some file systems have no trash; deleting for good needs its own confirmation.
    const again = await vscode.window.showWarningMessage(
      `Could not move ${path.basename(target.fsPath)} to the trash (${(e as Error).message}). Delete it permanently?`,
      { modal: true },
      'Delete Permanently',
    );
    if (!again) return;
    await vscode.workspace.fs.delete(target, { recursive: true, useTrash: false });
  }
  services.log.info(`deleted ${target.fsPath}`);
  ReportPanel.get(uri.fsPath)?.dispose();
  await services.reports.scan();
  if (target.fsPath === folder) await services.discovery.forgetFolder(folder);
}

/** What Verify was invoked on: a Reports node, a Models node, an Explorer/editor Uri, or nothing (command palette). */
function verifyTarget(target: unknown): VerifyTarget {
  if (isReportNode(target)) return { kind: 'report', summary: target.summary };
  if (isModelsNode(target) && target.kind === 'model') return { kind: 'model', entry: target.entry };
  if (target instanceof vscode.Uri) return { kind: 'uri', uri: target };
  return { kind: 'none' };
}

function isModelsNode(value: unknown): value is ModelsNode {
  return typeof value === 'object' && value !== null && 'kind' in value && (value.kind === 'model' || value.kind === 'layer' || value.kind === 'folder');
}

function isReportNode(value: unknown): value is ReportNode {
  return typeof value === 'object' && value !== null && 'kind' in value && value.kind === 'report' && 'summary' in value;
}

function isProtectOptions(value: unknown): value is ProtectCommandOptions {
  // Explorer passes the multi-selection (an array of Uris) as the second argument.
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCompareOptions(value: unknown): value is CompareCommandOptions {
  // As for protect: the Explorer's second argument is the multi-selection, not options.
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Read-only Markdown documents of model inspections. */
class InspectionDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  /** Stores (or updates) the inspection of a model; returns the document's Uri. */
  show(entry: ModelEntry): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: INSPECT_SCHEME, path: `/${modelLabel(entry).replace(/\//g, ' – ')}.md`, query: entry.fsPath });
    this.texts.set(uri.toString(), inspectionMarkdown(entry));
    this.changed.fire(uri);
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '# Inspection expired\n\nRun "MimosaNet: Inspect Model" again.\n';
  }

  dispose(): void {
    this.changed.dispose();
  }
}
