/**
 * Finds model files in every workspace folder: a cheap name pre-filter (findFiles glob and each
 * format's `matchesName`), then a content sniff of the first 64 KiB only. Keeps the set current with
 * a FileSystemWatcher, publishes it as the `mimosanet:modelFiles` context key for `when` clauses,
 * and inspects models (in the worker) when the sidebar needs their architecture.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { serializeError } from '../../core/errors';
import type { ModelInfo } from '../../formats/format';
import { CONFIG_SECTION, CONTEXT_KEYS } from '../ids';
import type { ReportStore } from '../reports/reportStore';
import { resolveOutputFolder } from '../settings';
import { JobError } from '../../client/workerClient';
import { HEAD_BYTES, MODEL_FILE_GLOB, OUTPUT_FOLDER_GLOB, isStagingPath } from './globs';
import { type ModelEntry, headSaysMimosa } from './modelEntry';
import { debounce, findInWorkspace, isIncluded, readHead } from './workspaceFiles';

/** Recognises model files; built from the format registry in extension.ts. */
export interface FormatSniffer {
  /** Cheap check on the file name, before anything is read. */
  matchesName(fileName: string): boolean;
  /** Content check on the first bytes; the recognising format, or undefined. */
  sniff(fileName: string, head: Uint8Array): { id: string; displayName: string } | undefined;
}

/** Describes a model (the format's own inspect in the extension; a stub in tests). */
export interface ModelInspector {
  /** Architecture and support status of the model at `fsPath`, recognised as format `formatId`. */
  inspect(fsPath: string, formatId: string): Promise<ModelInfo>;
}

/** The recognised model files of the workspace. */
export class ModelDiscovery implements vscode.Disposable {
  private readonly entries = new Map<string, ModelEntry>();
  /** Inspection results keyed by fsPath, valid while the file's mtime and size are unchanged. */
  private readonly inspected = new Map<string, { stamp: string; info?: ModelInfo; error?: ModelEntry['inspectError'] }>();
  private readonly inspecting = new Set<string>();
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private readonly pendingPaths = new Set<string>();
  /** Files whose own content names MimosaNet as producer (the entry flag also counts output folders). */
  private readonly mimosaHeads = new Set<string>();
  private firstScan: Promise<void> | undefined;
  private scanning: Promise<void> | undefined;

  /** Fires after models were added, removed or re-described. */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly sniffer: FormatSniffer,
    private readonly inspector: ModelInspector,
    private readonly reports: ReportStore,
    private readonly log: vscode.LogOutputChannel,
  ) {
    const watcher = vscode.workspace.createFileSystemWatcher(MODEL_FILE_GLOB);
    const flush = debounce(() => void this.flush(), 250);
    const queue = (uri: vscode.Uri): void => {
      if ((uri.scheme !== 'file' && uri.scheme !== 'vscode-remote') || isStagingPath(uri.fsPath)) return;
      this.pendingPaths.add(uri.fsPath);
      flush();
    };
    watcher.onDidCreate(queue, undefined, this.disposables);
    watcher.onDidChange(queue, undefined, this.disposables);
    watcher.onDidDelete(queue, undefined, this.disposables);
    // A finished run's folder arrives by rename (globs.ts): look inside it for the protected model.
    const folders = vscode.workspace.createFileSystemWatcher(OUTPUT_FOLDER_GLOB, false, true, true);
    folders.onDidCreate(
      (uri) =>
        void vscode.workspace.fs.readDirectory(uri).then(
          (entries) => entries.filter(([, type]) => type & vscode.FileType.File).forEach(([name]) => queue(vscode.Uri.joinPath(uri, name))),
          () => undefined,
        ),
      undefined,
      this.disposables,
    );
    this.disposables.push(
      watcher,
      folders,
      flush,
      // A new or deleted report changes "protectable" into "protected" and back.
      reports.onDidChange(() => this.attachReports()),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.refresh()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('files.exclude') || e.affectsConfiguration('search.exclude')) void this.refresh();
        else if (e.affectsConfiguration(`${CONFIG_SECTION}.outputFolder`)) this.attachReports();
      }),
    );
  }

  /** Every recognised model, ordered by workspace folder then path. */
  get models(): ModelEntry[] {
    return [...this.entries.values()].sort(
      (a, b) => a.workspaceFolder.localeCompare(b.workspaceFolder) || a.relativePath.localeCompare(b.relativePath),
    );
  }

  /** The entry of a model file, when recognised. */
  get(fsPath: string): ModelEntry | undefined {
    return this.entries.get(fsPath);
  }

  /** Resolves once the first scan has finished (commands wait for it before offering a quick pick). */
  whenReady(): Promise<void> {
    return this.firstScan ?? this.refresh();
  }

  /** Full rescan of every workspace folder; forgets cached inspections. */
  refresh(): Promise<void> {
    this.inspected.clear();
    this.scanning ??= this.scan().finally(() => (this.scanning = undefined));
    this.firstScan ??= this.scanning;
    return this.scanning;
  }

  /** Starts inspecting the models not described yet; called by the Models view when it renders. */
  inspectPending(): void {
    for (const entry of this.entries.values()) if (!entry.info && !entry.inspectError) void this.inspect(entry.fsPath);
  }

  /** Inspects one model now (or returns the cached description); updates its entry. */
  async inspect(fsPath: string): Promise<ModelEntry | undefined> {
    const entry = this.entries.get(fsPath);
    if (!entry) return undefined;
    const stamp = await this.stamp(fsPath);
    if (this.inspected.get(fsPath)?.stamp !== stamp) {
      if (this.inspecting.has(fsPath)) return this.waitForInspection(fsPath);
      this.inspecting.add(fsPath);
      try {
        const info = await this.inspector.inspect(fsPath, entry.format.id);
        this.inspected.set(fsPath, { stamp, info });
      } catch (e) {
        const error = e instanceof JobError ? e.serialized : serializeError(e);
        this.log.warn(`could not inspect ${fsPath}: ${error.message}`);
        this.inspected.set(fsPath, { stamp, error });
      } finally {
        this.inspecting.delete(fsPath);
      }
    }
    const current = this.entries.get(fsPath);
    if (current) {
      const result = this.inspected.get(fsPath)!;
      this.entries.set(fsPath, { ...current, info: result.info, inspectError: result.error });
      this.changed.fire();
    }
    return this.entries.get(fsPath);
  }

  /**
   * Re-checks these files now. A folder renamed into place (the engine's atomic output) or moved to
   * the trash reaches the watcher as one folder event, not as events for the files inside.
   */
  async refreshPaths(paths: readonly string[]): Promise<void> {
    for (const p of paths) this.pendingPaths.add(p);
    await this.flush();
  }

  /** Forgets every model at or below a folder that was deleted. */
  async forgetFolder(folder: string): Promise<void> {
    const prefix = folder.endsWith(path.sep) ? folder : folder + path.sep;
    await this.refreshPaths([...this.entries.keys()].filter((p) => p.startsWith(prefix)));
  }

  /** Recognises one file on demand (a command invoked on a file discovery has not seen, e.g. outside the workspace). */
  async recognise(uri: vscode.Uri): Promise<ModelEntry | undefined> {
    const known = this.entries.get(uri.fsPath);
    if (known) return known;
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    return this.sniff(uri, folder);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  private async scan(): Promise<void> {
    await vscode.commands.executeCommand('setContext', CONTEXT_KEYS.scanning, true);
    const started = Date.now();
    try {
      const candidates = (await findInWorkspace(MODEL_FILE_GLOB)).filter(
        ({ uri }) => this.sniffer.matchesName(path.basename(uri.fsPath)) && !isStagingPath(uri.fsPath),
      );
      const found = await mapLimit(candidates, 8, ({ uri, folder }) => this.sniff(uri, folder));
      this.entries.clear();
      for (const entry of found) if (entry) this.entries.set(entry.fsPath, entry);
      await this.reports.scan();
      this.attachReports(false);
      this.log.info(`discovery: ${this.entries.size} model(s) among ${candidates.length} candidate file(s) in ${Date.now() - started} ms`);
    } catch (e) {
      this.log.error(`discovery failed: ${(e as Error).message}`);
    } finally {
      await vscode.commands.executeCommand('setContext', CONTEXT_KEYS.scanning, false);
      await this.publish();
    }
  }

  private async flush(): Promise<void> {
    const paths = [...this.pendingPaths];
    this.pendingPaths.clear();
    for (const fsPath of paths) {
      const uri = vscode.Uri.file(fsPath);
      this.inspected.delete(fsPath);
      const folder = this.sniffer.matchesName(path.basename(fsPath)) ? await isIncluded(uri).catch(() => undefined) : undefined;
      const entry = folder ? await this.sniff(uri, folder) : undefined;
      if (entry) this.entries.set(fsPath, entry);
      else this.entries.delete(fsPath);
    }
    this.attachReports(false);
    await this.publish();
  }

  private async sniff(uri: vscode.Uri, folder: vscode.WorkspaceFolder | undefined): Promise<ModelEntry | undefined> {
    const fileName = path.basename(uri.fsPath);
    if (!this.sniffer.matchesName(fileName)) return undefined;
    let head: Uint8Array | undefined;
    try {
      head = await readHead(uri, HEAD_BYTES);
    } catch {
      return undefined; // deleted or unreadable between listing and reading
    }
    if (!head) return undefined;
    const format = this.sniffer.sniff(fileName, head);
    if (!format) return undefined;
    if (headSaysMimosa(head)) this.mimosaHeads.add(uri.fsPath);
    else this.mimosaHeads.delete(uri.fsPath);
    return {
      fsPath: uri.fsPath,
      uri: uri.toString(),
      workspaceFolder: folder?.name ?? path.dirname(uri.fsPath),
      relativePath: folder ? path.relative(folder.uri.fsPath, uri.fsPath).split(path.sep).join('/') : fileName,
      format,
      producedByMimosa: headSaysMimosa(head),
    };
  }

  /** Links each model to its saved report and marks files inside output folders as protected copies. */
  private attachReports(fire = true): void {
    for (const [fsPath, entry] of this.entries) {
      const report = this.reports.forModel(fsPath, this.expectedReportPath(fsPath));
      const producedByMimosa = this.mimosaHeads.has(fsPath) || this.reports.isInOutputFolder(fsPath);
      this.entries.set(fsPath, { ...entry, report, producedByMimosa });
    }
    if (fire) this.changed.fire();
  }

  private expectedReportPath(modelPath: string): string | undefined {
    const uri = vscode.Uri.file(modelPath);
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const pattern = vscode.workspace.getConfiguration(CONFIG_SECTION, uri).get<string>('outputFolder');
    try {
      return path.join(resolveOutputFolder(pattern, modelPath, folder?.uri.fsPath), 'report.json');
    } catch {
      return undefined;
    }
  }

  private async publish(): Promise<void> {
    await vscode.commands.executeCommand('setContext', CONTEXT_KEYS.modelFiles, [...this.entries.keys()]);
    this.changed.fire();
  }

  private async stamp(fsPath: string): Promise<string> {
    try {
      const stat = await vscode.workspace.fs.stat(vscode.Uri.file(fsPath));
      return `${stat.mtime}:${stat.size}`;
    } catch {
      return 'missing';
    }
  }

  private waitForInspection(fsPath: string): Promise<ModelEntry | undefined> {
    return new Promise((resolve) => {
      const sub = this.changed.event(() => {
        if (this.inspecting.has(fsPath)) return;
        sub.dispose();
        resolve(this.entries.get(fsPath));
      });
    });
  }
}

/** Maps with at most `limit` promises in flight, so a large workspace does not open thousands of files at once. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const run = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
  return out;
}
