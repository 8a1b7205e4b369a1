/**
 * The report panel (webview-sample style): one class with createOrShow()/revive(), one panel per
 * report, strict CSP with a nonce, resources only from dist/webview and media, no
 * retainContextWhenHidden (the webview keeps its state with setState and the host re-sends the
 * report after the webview's `ready`).
 */
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SerializedError } from '../core/errors';
import type { ProtectionReport } from '../core/report';
import type { JobProgress } from '../protocol/progress';
import type { FromWebviewMessage, ReportRunStatus, ReportViewState, ToWebviewMessage } from '../protocol/webview';
import type { CompareCommandOptions } from './compareFlow';
import { COMMANDS, REPORT_VIEW_TYPE } from './ids';
import { decodePngDataUrl, isFromWebviewMessage } from './messages';
import { ReportStore } from './reports/reportStore';
import { reportHtml } from './reportHtml';
import { modelLabel } from './views/treeItemData';

/** What a panel shows. */
export interface ReportContent {
  /** The report, partial while the run goes on. */
  report: Partial<ProtectionReport>;
  /** report.json on disk, once written. */
  reportPath?: string;
  /** Run status. */
  status: ReportRunStatus;
  /** Why the run failed or was cancelled. */
  error?: SerializedError;
}

/** What panels need from the extension. */
export interface ReportPanelHost {
  /** Root of the installed extension (dist/webview and media live below it). */
  extensionUri: vscode.Uri;
  /** The "MimosaNet" log. */
  log: vscode.LogOutputChannel;
}

/** A report panel. */
export class ReportPanel {
  /** Open panels by key (the report.json path, also for a run that has not written it yet). */
  private static readonly panels = new Map<string, ReportPanel>();

  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private closed = false;
  private lastProgress: JobProgress | undefined;

  /** Shows the panel for `key` (creating it when needed) with `content`. */
  static createOrShow(host: ReportPanelHost, key: string, content: ReportContent): ReportPanel {
    const existing = ReportPanel.panels.get(key);
    if (existing) {
      existing.panel.reveal(undefined, true);
      existing.update(content);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(REPORT_VIEW_TYPE, titleOf(content), { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, {
      enableScripts: true,
      enableFindWidget: true,
      localResourceRoots: ReportPanel.resourceRoots(host.extensionUri),
    });
    return new ReportPanel(panel, host, key, content);
  }

  /** Restores a panel VS Code kept across a reload, from the state the webview saved. */
  static revive(panel: vscode.WebviewPanel, host: ReportPanelHost, state: ReportViewState | undefined): ReportPanel {
    panel.webview.options = { enableScripts: true, localResourceRoots: ReportPanel.resourceRoots(host.extensionUri) };
    // A run cannot survive a reload of the extension host: a panel saved mid-run shows what it had, as cancelled.
    const status: ReportRunStatus = state?.status === 'running' ? 'cancelled' : (state?.status ?? 'done');
    const content: ReportContent = { report: state?.report ?? {}, reportPath: state?.reportPath, status, error: state?.error };
    return new ReportPanel(panel, host, state?.reportPath ?? `restored:${randomBytes(4).toString('hex')}`, content);
  }

  /** The panel shown for `key`, when open. */
  static get(key: string): ReportPanel | undefined {
    return ReportPanel.panels.get(key);
  }

  /** Every open panel (the extension-host tests look at them). */
  static get all(): readonly ReportPanel[] {
    return [...ReportPanel.panels.values()];
  }

  private static resourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
    return [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')];
  }

  private constructor(
    /** The VS Code panel. */
    readonly panel: vscode.WebviewPanel,
    private readonly host: ReportPanelHost,
    private key: string,
    private content: ReportContent,
  ) {
    ReportPanel.panels.set(key, this);
    panel.iconPath = vscode.Uri.joinPath(host.extensionUri, 'media', 'mimosanet.svg');
    panel.onDidDispose(() => this.dispose(), undefined, this.disposables);
    panel.webview.onDidReceiveMessage((m: unknown) => void this.onMessage(m), undefined, this.disposables);
    panel.webview.html = this.html();
  }

  /** Whether the user closed the panel (a running job then stops updating it). */
  get disposed(): boolean {
    return this.closed;
  }

  /** The content currently shown. */
  get current(): ReportContent {
    return this.content;
  }

  /** Replaces (or updates, during a run) the content; re-keys the panel once report.json exists. */
  update(content: ReportContent): void {
    this.content = content;
    if (content.reportPath && content.reportPath !== this.key) {
      ReportPanel.panels.delete(this.key);
      this.key = content.reportPath;
      ReportPanel.panels.set(this.key, this);
    }
    this.panel.title = titleOf(content);
    this.post({ type: 'showReport', report: content.report, reportPath: content.reportPath, status: content.status, error: content.error });
  }

  /** Shows the progress of the run behind the panel. */
  progress(progress: JobProgress): void {
    this.lastProgress = progress;
    this.post({ type: 'runProgress', progress });
  }

  /** Closes the panel. */
  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    if (ReportPanel.panels.get(this.key) === this) ReportPanel.panels.delete(this.key);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }

  private post(message: ToWebviewMessage): void {
    // Messages before `ready` would be lost; the content is re-sent when `ready` arrives.
    if (this.ready) void this.panel.webview.postMessage(message);
  }

  private async onMessage(value: unknown): Promise<void> {
    if (!isFromWebviewMessage(value)) {
      this.host.log.warn(`report panel: ignored an unknown message ${JSON.stringify(value)?.slice(0, 200)}`);
      return;
    }
    const message: FromWebviewMessage = value;
    switch (message.type) {
      case 'ready':
        this.ready = true;
        await this.refreshFromDisk();
        this.update(this.content);
        if (this.content.status === 'running' && this.lastProgress) this.progress(this.lastProgress);
        return;
      case 'saveHtml':
        await this.save(message.messageId, message.suggestedName, { HTML: ['html'] }, () => new TextEncoder().encode(message.html));
        return;
      case 'savePng':
        await this.save(message.messageId, message.suggestedName, { 'PNG image': ['png'] }, () => decodePngDataUrl(message.dataUrl));
        return;
      case 'openPath':
        await this.openPath(message.path, message.reveal);
        return;
      case 'showLog':
        this.host.log.show();
        return;
      case 'compareSuspect':
        await this.compareSuspect();
        return;
      default: {
        const never: never = message;
        this.host.log.warn(`report panel: unhandled message ${JSON.stringify(never)}`);
      }
    }
  }

  /**
   * "Compare a Suspect…": Compare with Original… with the evidence this report recorded as the
   * baseline (no original, no data, nothing trained); the command asks for the suspect. The path
   * is the panel's own report, never one the webview names.
   */
  private async compareSuspect(): Promise<void> {
    const { reportPath, report, status } = this.content;
    if (!reportPath || status !== 'done' || !report.ownership) {
      this.host.log.warn(`report panel: compare asked for a report without recorded ownership evidence (${reportPath ?? 'not written'})`);
      void vscode.window.showInformationMessage('This report recorded no ownership evidence: use "MimosaNet: Compare with Original…" on the suspect and pick the original model.');
      return;
    }
    // The original's path names it in the picker's title and the result (the report alone would read "report.json").
    const options: CompareCommandOptions = { reportPath, ...(report.model?.path ? { originalPath: report.model.path } : {}) };
    await vscode.commands.executeCommand(COMMANDS.compareModel, undefined, options);
  }

  /** A finished report is re-read on `ready` (panel restored or re-shown), so an edited file shows its current content. */
  private async refreshFromDisk(): Promise<void> {
    const { reportPath, status } = this.content;
    if (!reportPath || status === 'running') return;
    try {
      this.content = { ...this.content, report: await ReportStore.read(vscode.Uri.file(reportPath)) };
    } catch (e) {
      this.host.log.warn(`report panel: could not re-read ${reportPath}: ${(e as Error).message}`);
    }
  }

  private async save(messageId: number, suggestedName: string, filters: Record<string, string[]>, bytes: () => Uint8Array): Promise<void> {
    const dir = this.content.reportPath ? path.dirname(this.content.reportPath) : vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const defaultUri = dir ? vscode.Uri.file(path.join(dir, suggestedName)) : undefined;
    const target = await vscode.window.showSaveDialog({ defaultUri, filters, saveLabel: 'Save' });
    if (!target) {
      this.post({ type: 'saveResult', inReplyTo: messageId });
      return;
    }
    try {
      await vscode.workspace.fs.writeFile(target, bytes());
      this.host.log.info(`saved ${target.fsPath}`);
      this.post({ type: 'saveResult', inReplyTo: messageId, path: target.fsPath });
      void vscode.window.showInformationMessage(`Saved ${path.basename(target.fsPath)}.`, 'Open', 'Reveal in Explorer').then((choice) => {
        if (choice === 'Open') void vscode.env.openExternal(target);
        if (choice === 'Reveal in Explorer') void vscode.commands.executeCommand('revealFileInOS', target);
      });
    } catch (e) {
      const error = (e as Error).message;
      this.host.log.error(`could not save ${target.fsPath}: ${error}`);
      this.post({ type: 'saveResult', inReplyTo: messageId, error });
      void vscode.window.showErrorMessage(`Could not save ${path.basename(target.fsPath)}: ${error}`);
    }
  }

  /** Opens only files the report itself names: the webview renders report content and is not trusted further. */
  private async openPath(requested: string, reveal: boolean): Promise<void> {
    const r = this.content.report;
    const reportDir = this.content.reportPath ? path.dirname(this.content.reportPath) : undefined;
    const named = [r.model?.path, r.protected?.path, r.data?.path, r.data?.labelsPath, this.content.reportPath];
    if (reportDir) named.push(...(r.protected?.files ?? []).map((f) => path.join(reportDir, f)));
    if (!named.includes(requested)) {
      this.host.log.warn(`report panel: refused to open ${requested} (not named by the report)`);
      return;
    }
    const uri = await this.locate(requested, reportDir);
    if (!uri) {
      void vscode.window.showWarningMessage(`${requested} no longer exists.`);
      return;
    }
    if (reveal) await vscode.commands.executeCommand('revealInExplorer', uri);
    else await vscode.commands.executeCommand('vscode.open', uri, { preview: true });
  }

  /**
   * The existing file a report path names. Reports written by the CLI may hold paths relative to
   * where it ran, so relative paths are tried against the report's folder (where the protected
   * files always are) and each workspace folder.
   */
  private async locate(recorded: string, reportDir: string | undefined): Promise<vscode.Uri | undefined> {
    const candidates = path.isAbsolute(recorded)
      ? [recorded]
      : [
          ...(reportDir ? [path.join(reportDir, recorded), path.join(reportDir, path.basename(recorded))] : []),
          ...(vscode.workspace.workspaceFolders ?? []).map((f) => path.join(f.uri.fsPath, recorded)),
        ];
    for (const candidate of candidates) {
      try {
        await vscode.workspace.fs.stat(vscode.Uri.file(candidate));
        return vscode.Uri.file(candidate);
      } catch {
        // try the next one
      }
    }
    return undefined;
  }

  private html(): string {
    const webview = this.panel.webview;
    const nonce = randomBytes(16).toString('base64');
    const asset = (...parts: string[]): string => webview.asWebviewUri(vscode.Uri.joinPath(this.host.extensionUri, ...parts)).toString();
    return reportHtml({ cspSource: webview.cspSource, nonce, scriptUri: asset('dist', 'webview', 'report.js'), styleUri: asset('dist', 'webview', 'report.css') });
  }
}

function titleOf(content: ReportContent): string {
  const model = content.report.model?.path;
  const name = model ? modelLabel({ fsPath: model }) : 'report';
  return content.status === 'running' ? `Protecting ${name}…` : `MimosaNet: ${name}`;
}
