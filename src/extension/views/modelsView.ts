/**
 * The Models view: one item per recognised model (grouped by workspace folder in a multi-root
 * workspace), its layers as children. Item contents come from treeItemData.ts.
 */
import * as vscode from 'vscode';
import type { LayerInfo } from '../../formats/format';
import type { ModelDiscovery } from '../discovery/modelDiscovery';
import type { ModelEntry } from '../discovery/modelEntry';
import { type TreeItemData, describeLayer, describeModel } from './treeItemData';

/** A node of the Models view. */
export type ModelsNode =
  | { kind: 'folder'; name: string }
  | { kind: 'model'; entry: ModelEntry }
  | { kind: 'layer'; layer: LayerInfo; blocker?: string; modelPath: string; index: number };

/** Tree data of the Models view. */
export class ModelsTreeProvider implements vscode.TreeDataProvider<ModelsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ModelsNode | undefined>();
  private readonly subscription: vscode.Disposable;

  /** Fires when the tree should be re-read. */
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly discovery: ModelDiscovery) {
    this.subscription = discovery.onDidChange(() => this.changed.fire(undefined));
  }

  /** Re-reads the tree. */
  refresh(): void {
    this.changed.fire(undefined);
  }

  getTreeItem(node: ModelsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'folder': {
        const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.Expanded);
        item.iconPath = new vscode.ThemeIcon('root-folder');
        item.contextValue = 'folder';
        return item;
      }
      case 'model': {
        const hasLayers = (node.entry.info?.layers.length ?? 0) > 0;
        const item = toTreeItem(describeModel(node.entry), hasLayers ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
        item.id = `model:${node.entry.fsPath}`;
        item.resourceUri = vscode.Uri.parse(node.entry.uri);
        return item;
      }
      case 'layer': {
        const item = toTreeItem(describeLayer(node.layer, node.blocker), vscode.TreeItemCollapsibleState.None);
        item.id = `layer:${node.modelPath}#${node.index}`;
        return item;
      }
      default: {
        const never: never = node;
        throw new Error(`unknown node ${JSON.stringify(never)}`);
      }
    }
  }

  getChildren(node?: ModelsNode): ModelsNode[] {
    if (!node) {
      // Rendering the list is the moment to describe the models: the worker starts only now.
      this.discovery.inspectPending();
      const models = this.discovery.models;
      const folders = [...new Set(models.map((m) => m.workspaceFolder))];
      if ((vscode.workspace.workspaceFolders?.length ?? 0) > 1 && folders.length > 0) return folders.map((name) => ({ kind: 'folder', name }));
      return models.map((entry) => ({ kind: 'model', entry }));
    }
    if (node.kind === 'folder') {
      return this.discovery.models.filter((m) => m.workspaceFolder === node.name).map((entry) => ({ kind: 'model', entry }));
    }
    if (node.kind === 'model') {
      const info = node.entry.info;
      return (info?.layers ?? []).map((layer, index) => ({ kind: 'layer', layer, blocker: info?.blocker?.layer, modelPath: node.entry.fsPath, index }));
    }
    return [];
  }

  getParent(node: ModelsNode): ModelsNode | undefined {
    if (node.kind === 'layer') {
      const entry = this.discovery.get(node.modelPath);
      return entry ? { kind: 'model', entry } : undefined;
    }
    if (node.kind === 'model' && (vscode.workspace.workspaceFolders?.length ?? 0) > 1) return { kind: 'folder', name: node.entry.workspaceFolder };
    return undefined;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

/** Builds a TreeItem from plain item data. */
export function toTreeItem(data: TreeItemData, collapsible: vscode.TreeItemCollapsibleState): vscode.TreeItem {
  const item = new vscode.TreeItem(data.label, collapsible);
  item.description = data.description;
  const tooltip = new vscode.MarkdownString(data.tooltip, true);
  tooltip.supportHtml = false;
  item.tooltip = tooltip;
  item.iconPath = new vscode.ThemeIcon(data.icon.id, data.icon.color ? new vscode.ThemeColor(data.icon.color) : undefined);
  item.contextValue = data.contextValue;
  return item;
}
