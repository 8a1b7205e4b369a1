/**
 * The read-only Markdown documents of "Compare with Original…" (shown in the Markdown preview,
 * like "Inspect Model"), each with the CompareReport it renders, so "Save Comparison…" writes
 * exactly what the document shows, as the JSON `mimosanet compare --json` prints.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CompareReport } from '../protocol/jobs';
import { type CompareLabels, compareMarkdown } from './compareMarkdown';

/** URI scheme of the comparison documents. */
export const COMPARE_SCHEME = 'mimosanet-compare';

/** One comparison shown in this session. */
export interface Comparison {
  report: CompareReport;
  labels: CompareLabels;
}

/** The comparisons of this session, served as Markdown. */
export class ComparisonDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly shown = new Map<string, Comparison>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  /** The newest comparison: what "Save Comparison…" saves when run from the palette. */
  latest: vscode.Uri | undefined;

  /** Stores (or replaces, for the same pair) a comparison; returns its document's Uri. */
  show(comparison: Comparison): vscode.Uri {
    const { report, labels } = comparison;
    // A path segment cannot hold '/': the division slash looks the same in the tab title.
    const name = `Compare ${labels.suspect} with ${labels.original}`.replace(/\//g, '\u2215');
    // The query keeps the pair unique when two pairs share their labels.
    const uri = vscode.Uri.from({ scheme: COMPARE_SCHEME, path: `/${name}.md`, query: `${report.suspect}|${report.original}` });
    this.shown.set(uri.toString(), comparison);
    this.latest = uri;
    this.changed.fire(uri);
    return uri;
  }

  /** The comparison a document shows (a Uri of this scheme), else the newest one. */
  get(uri: vscode.Uri | undefined): Comparison | undefined {
    const key = uri?.scheme === COMPARE_SCHEME ? uri : this.latest;
    return key ? this.shown.get(key.toString()) : undefined;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const comparison = this.shown.get(uri.toString());
    return comparison ? compareMarkdown(comparison.report, comparison.labels) : '# Comparison expired\n\nRun "MimosaNet: Compare with Original…" again.\n';
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/**
 * Writes the report as JSON through a hidden sibling file renamed into place, so an existing
 * file is never left half-written (the workspace file system renames atomically on disk).
 */
export async function saveComparisonJson(report: CompareReport, target: vscode.Uri): Promise<void> {
  const staging = target.with({ path: path.posix.join(path.posix.dirname(target.path), `.${path.posix.basename(target.path)}.partial-${process.pid}-${Date.now()}`) });
  const bytes = new TextEncoder().encode(`${JSON.stringify(report, null, 2)}\n`);
  try {
    await vscode.workspace.fs.writeFile(staging, bytes);
    await vscode.workspace.fs.rename(staging, target, { overwrite: true });
  } catch (e) {
    await vscode.workspace.fs.delete(staging).then(undefined, () => undefined);
    throw e;
  }
}
