/**
 * The saved reports of the workspace: every `report.json` that is a MimosaNet report, kept current
 * with a FileSystemWatcher. Feeds the Reports view and the "already protected" state of models.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ProtectionReport } from '../../core/report';
import { parseReport } from '../../core/reportParse';
import { OUTPUT_FOLDER_GLOB, REPORT_FILE_GLOB, isStagingPath } from '../discovery/globs';
import { debounce, findInWorkspace, isIncluded } from '../discovery/workspaceFiles';
import { type ReportSummary, namesModel, summariseReport } from './reportSummary';

/** Largest report.json read; real ones are well under a megabyte (per-sample diffs are capped). */
const MAX_REPORT_BYTES = 32 * 1024 * 1024;

/** Saved reports, keyed by the fsPath of report.json. */
export class ReportStore implements vscode.Disposable {
  private readonly reports = new Map<string, ReportSummary>();
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private readonly pendingPaths = new Set<string>();
  private scanning: Promise<void> | undefined;

  /** Fires after the set of reports changed. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly log: vscode.LogOutputChannel) {
    const watcher = vscode.workspace.createFileSystemWatcher(REPORT_FILE_GLOB);
    const flush = debounce(() => void this.flush(), 250);
    const queue = (uri: vscode.Uri): void => {
      if (isStagingPath(uri.fsPath)) return;
      this.pendingPaths.add(uri.fsPath);
      flush();
    };
    watcher.onDidCreate(queue, undefined, this.disposables);
    watcher.onDidChange(queue, undefined, this.disposables);
    watcher.onDidDelete(queue, undefined, this.disposables);
    // A finished run's folder arrives by rename: one event for the folder, none for its report.json.
    const folders = vscode.workspace.createFileSystemWatcher(OUTPUT_FOLDER_GLOB, false, true, false);
    const queueFolder = (uri: vscode.Uri): void => queue(vscode.Uri.file(path.join(uri.fsPath, 'report.json')));
    folders.onDidCreate(queueFolder, undefined, this.disposables);
    folders.onDidDelete(queueFolder, undefined, this.disposables);
    this.disposables.push(watcher, folders, flush);
  }

  /** Every report, newest first. */
  get all(): ReportSummary[] {
    return [...this.reports.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  /** The report at this path, when known. */
  get(reportPath: string): ReportSummary | undefined {
    return this.reports.get(reportPath);
  }

  /** The newest report made from this model: one in its output folder, or one naming it as the original. */
  forModel(modelPath: string, expectedReportPath: string | undefined): ReportSummary | undefined {
    const direct = expectedReportPath ? this.reports.get(expectedReportPath) : undefined;
    return direct ?? this.all.find((r) => namesModel(r.modelPath, modelPath));
  }

  /** Whether a file sits in a folder MimosaNet wrote (beside a report), i.e. is a protected copy. */
  isInOutputFolder(filePath: string): boolean {
    const dir = path.dirname(filePath);
    for (const reportPath of this.reports.keys()) if (path.dirname(reportPath) === dir) return true;
    return false;
  }

  /** Full rescan; concurrent callers share one scan. */
  scan(): Promise<void> {
    this.scanning ??= this.doScan().finally(() => (this.scanning = undefined));
    return this.scanning;
  }

  /** Reads one report.json (for the panel); throws a ReportFormatError naming the file. */
  static async read(uri: vscode.Uri): Promise<ProtectionReport> {
    const bytes = await vscode.workspace.fs.readFile(uri);
    return parseReport(new TextDecoder().decode(bytes), uri.fsPath);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  private async doScan(): Promise<void> {
    const found = (await findInWorkspace(REPORT_FILE_GLOB)).filter(({ uri }) => !isStagingPath(uri.fsPath));
    const next = new Map<string, ReportSummary>();
    await Promise.all(
      found.map(async ({ uri }) => {
        const summary = await this.load(uri);
        if (summary) next.set(uri.fsPath, summary);
      }),
    );
    this.reports.clear();
    for (const [k, v] of next) this.reports.set(k, v);
    this.log.debug(`reports: ${this.reports.size} found`);
    this.changed.fire();
  }

  private async flush(): Promise<void> {
    const paths = [...this.pendingPaths];
    this.pendingPaths.clear();
    let dirty = false;
    for (const fsPath of paths) {
      const uri = vscode.Uri.file(fsPath);
      const summary = (await isIncluded(uri).catch(() => undefined)) ? await this.load(uri) : undefined;
      if (summary) {
        this.reports.set(fsPath, summary);
        dirty = true;
      } else if (this.reports.delete(fsPath)) {
        dirty = true;
      }
    }
    if (dirty) this.changed.fire();
  }

  private async load(uri: vscode.Uri): Promise<ReportSummary | undefined> {
    try {
      const stat = await vscode.workspace.fs.stat(uri);
      if (stat.size > MAX_REPORT_BYTES) return undefined;
      return summariseReport(await ReportStore.read(uri), uri.fsPath);
    } catch (e) {
      // Any report.json that is not ours (or vanished meanwhile) is simply not a MimosaNet report.
      this.log.trace(`skipped ${uri.fsPath}: ${(e as Error).message}`);
      return undefined;
    }
  }
}
