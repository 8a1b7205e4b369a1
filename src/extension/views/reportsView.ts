/**
 * The Reports view: saved reports, newest first; a click opens the report panel.
 */
import * as vscode from 'vscode';
import { COMMANDS } from '../ids';
import type { ReportStore } from '../reports/reportStore';
import type { ReportSummary } from '../reports/reportSummary';
import { toTreeItem } from './modelsView';
import { describeReport } from './treeItemData';

/** A node of the Reports view: one saved report. */
export interface ReportNode {
  kind: 'report';
  summary: ReportSummary;
}

/** Tree data of the Reports view. */
export class ReportsTreeProvider implements vscode.TreeDataProvider<ReportNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ReportNode | undefined>();
  private readonly subscription: vscode.Disposable;
  private readonly clock: vscode.Disposable;

  /** Fires when the tree should be re-read. */
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly store: ReportStore) {
    this.subscription = store.onDidChange(() => this.changed.fire(undefined));
    // "5 min ago" goes stale; a redraw a minute keeps it honest at no real cost.
    const timer = setInterval(() => this.changed.fire(undefined), 60_000);
    this.clock = new vscode.Disposable(() => clearInterval(timer));
  }

  getTreeItem(node: ReportNode): vscode.TreeItem {
    const item = toTreeItem(describeReport(node.summary), vscode.TreeItemCollapsibleState.None);
    item.id = `report:${node.summary.reportPath}`;
    item.command = { command: COMMANDS.openReport, title: 'Open Report', arguments: [vscode.Uri.file(node.summary.reportPath)] };
    return item;
  }

  getChildren(node?: ReportNode): ReportNode[] {
    return node ? [] : this.store.all.map((summary) => ({ kind: 'report', summary }));
  }

  dispose(): void {
    this.subscription.dispose();
    this.clock.dispose();
    this.changed.dispose();
  }
}
