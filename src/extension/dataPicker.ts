/**
 * The data quick pick shared by "Protect with MimosaNet" (evaluation data) and "Compare with
 * Original…" (the owner's data): detected files next to a model (inputs and labels paired by
 * name), the previous choice first, "Browse…", and a no-data option. Each flow brings its own
 * wording, since what the data is for (and what labels buy) differs.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { type DataSuggestion, DATA_EXTENSIONS, suggestEvaluationData } from './discovery/dataFiles';
import type { Services } from './services';

/** Data of a run: files, or generated probe inputs. */
export type DataChoice = { kind: 'probes' } | { kind: 'files'; dataPath: string; labelsPath?: string };

/** What one flow's picker says and where it looks. */
export interface DataPickRequest {
  /** Folder whose data files are offered (the model's). */
  dir: string;
  /** Files never offered as data (the models themselves). */
  models: ReadonlySet<string>;
  /** workspaceState key remembering the last choice, so running the same thing again is one Enter. */
  memoryKey: string;
  title: string;
  placeHolder: string;
  /** Description of a detected inputs + labels pair. */
  pairDescription: string;
  /** Description of detected inputs without labels. */
  inputsOnlyDescription: string;
  /** The no-data item. */
  probes: { label: string; detail: string };
  /** What the data is called in the open dialog ("Evaluation Data", "Owner’s Data"). */
  noun: string;
  /** Description of "No labels" when browsing for inputs. */
  noLabelsDescription: string;
}

interface DataPickItem extends vscode.QuickPickItem {
  choice?: DataChoice;
  action?: 'browse';
}

/** Asks for data; undefined when the user backed out. */
export async function pickData(services: Services, request: DataPickRequest): Promise<DataChoice | undefined> {
  const { dir } = request;
  const suggestions = suggestEvaluationData(await listFolder(dir), request.models);
  const last = services.context.workspaceState.get<DataChoice>(request.memoryKey);

  const items: DataPickItem[] = suggestions.map((s) => suggestionItem(s, request));
  if (last) {
    // The previous choice goes first, so running the same thing again is one Enter.
    const index = items.findIndex((i) => sameChoice(i.choice, last));
    if (index > 0) items.unshift(...items.splice(index, 1));
    else if (index < 0 && last.kind === 'files') items.unshift(suggestionItem({ dataPath: last.dataPath, labelsPath: last.labelsPath }, request));
  }
  if (items.length) items.unshift({ label: 'Data files', kind: vscode.QuickPickItemKind.Separator });
  items.push(
    { label: '', kind: vscode.QuickPickItemKind.Separator },
    { label: '$(folder-opened) Browse…', detail: 'Choose inputs (and labels) anywhere: .npy, .npz, .csv or .json', action: 'browse' },
    { label: `$(beaker) ${request.probes.label}`, detail: request.probes.detail, choice: { kind: 'probes' } },
  );
  if (last?.kind === 'probes') items.push(...items.splice(items.findIndex((i) => i.choice?.kind === 'probes'), 1));

  const picked = await vscode.window.showQuickPick(items, { title: request.title, placeHolder: request.placeHolder, matchOnDetail: true, ignoreFocusOut: true });
  if (!picked) return undefined;
  const choice = picked.action === 'browse' ? await browseForData(services, request) : picked.choice;
  if (choice) await services.context.workspaceState.update(request.memoryKey, choice);
  return choice;
}

function suggestionItem(s: DataSuggestion, request: DataPickRequest): DataPickItem {
  const rel = (p: string): string => (path.dirname(p) === request.dir ? path.basename(p) : p);
  return s.labelsPath
    ? { label: `$(table) ${rel(s.dataPath)} + ${rel(s.labelsPath)}`, description: request.pairDescription, choice: { kind: 'files', ...s } }
    : { label: `$(file) ${rel(s.dataPath)}`, description: request.inputsOnlyDescription, choice: { kind: 'files', dataPath: s.dataPath } };
}

async function browseForData(services: Services, request: DataPickRequest): Promise<DataChoice | undefined> {
  const extensions = DATA_EXTENSIONS.map((e) => e.slice(1));
  const picked = await vscode.window.showOpenDialog({
    defaultUri: vscode.Uri.file(request.dir),
    canSelectMany: true,
    filters: { [request.noun]: extensions },
    openLabel: `Use as ${request.noun}`,
    title: `${request.noun}: inputs (select the labels file too, if there is one)`,
  });
  if (!picked?.length) return undefined;
  const paths = picked.map((u) => u.fsPath);
  if (paths.length >= 2) {
    // Two files picked together: let the naming rules tell inputs from labels.
    const pair = suggestEvaluationData(paths, new Set()).find((s) => s.labelsPath);
    if (pair) return { kind: 'files', dataPath: pair.dataPath, labelsPath: pair.labelsPath };
    return { kind: 'files', dataPath: paths[0]!, labelsPath: paths[1] };
  }
  const dataPath = paths[0]!;
  const detected = suggestEvaluationData(await listFolder(path.dirname(dataPath)), new Set(services.discovery.models.map((m) => m.fsPath))).find(
    (s) => s.dataPath === dataPath && s.labelsPath,
  );
  const items: (vscode.QuickPickItem & { labels?: string | null })[] = [];
  if (detected?.labelsPath) items.push({ label: `$(tag) ${path.basename(detected.labelsPath)}`, description: 'detected labels', labels: detected.labelsPath });
  items.push({ label: '$(folder-opened) Browse for labels…', labels: null }, { label: '$(circle-slash) No labels', description: request.noLabelsDescription });
  const labelsItem = await vscode.window.showQuickPick(items, { title: `Labels for ${path.basename(dataPath)}`, ignoreFocusOut: true });
  if (!labelsItem) return undefined;
  if (labelsItem.labels === null) {
    const labels = await vscode.window.showOpenDialog({
      defaultUri: vscode.Uri.file(path.dirname(dataPath)),
      filters: { Labels: extensions },
      openLabel: 'Use as Labels',
    });
    if (!labels?.length) return undefined;
    return { kind: 'files', dataPath, labelsPath: labels[0]!.fsPath };
  }
  return { kind: 'files', dataPath, labelsPath: labelsItem.labels };
}

function sameChoice(a: DataChoice | undefined, b: DataChoice): boolean {
  if (!a || a.kind !== b.kind) return false;
  return a.kind === 'probes' || (b.kind === 'files' && a.dataPath === b.dataPath && a.labelsPath === b.labelsPath);
}

async function listFolder(dir: string): Promise<string[]> {
  try {
    const entries = await vscode.workspace.fs.readDirectory(vscode.Uri.file(dir));
    return entries.filter(([, type]) => type & vscode.FileType.File).map(([name]) => path.join(dir, name));
  } catch {
    return [];
  }
}
