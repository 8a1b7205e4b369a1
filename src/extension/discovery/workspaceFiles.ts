/**
 * Workspace file access for discovery: findFiles per workspace folder with `files.exclude` and
 * `search.exclude` applied, the same check for one file reported by a watcher, and reading only
 * the first bytes of a file.
 */
import * as fs from 'node:fs/promises';
import * as vscode from 'vscode';
import { type ExcludeSetting, buildExcludeGlob, escapeGlob } from './globs';

/** Exclude glob of one workspace folder (settings can differ per folder in a multi-root workspace). */
export function excludeGlobFor(folder: vscode.WorkspaceFolder): string | undefined {
  const files = vscode.workspace.getConfiguration('files', folder.uri).get<ExcludeSetting>('exclude');
  const search = vscode.workspace.getConfiguration('search', folder.uri).get<ExcludeSetting>('exclude');
  return buildExcludeGlob(files, search);
}

/** Every file matching `glob` in every workspace folder, excludes applied, with its folder. */
export async function findInWorkspace(
  glob: string,
  token?: vscode.CancellationToken,
): Promise<{ uri: vscode.Uri; folder: vscode.WorkspaceFolder }[]> {
  const out: { uri: vscode.Uri; folder: vscode.WorkspaceFolder }[] = [];
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const uris = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, glob), excludeGlobFor(folder) ?? null, undefined, token);
    for (const uri of uris) out.push({ uri, folder });
  }
  return out;
}

/**
 * Whether a file a watcher reported is inside the workspace and not excluded. Asks findFiles for
 * exactly that path, so VS Code's own glob semantics decide, not a re-implementation.
 */
export async function isIncluded(uri: vscode.Uri): Promise<vscode.WorkspaceFolder | undefined> {
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  if (!folder) return undefined;
  const relative = vscode.workspace.asRelativePath(uri, false);
  const found = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, escapeGlob(relative)), excludeGlobFor(folder) ?? null, 1);
  return found.length > 0 ? folder : undefined;
}

/**
 * The first `bytes` bytes of a file. Local files are read partially; other file systems have no
 * partial read in the API, so they are read whole only when small, and skipped (undefined) otherwise.
 */
export async function readHead(uri: vscode.Uri, bytes: number): Promise<Uint8Array | undefined> {
  if (uri.scheme === 'file') {
    const handle = await fs.open(uri.fsPath, 'r');
    try {
      const buffer = new Uint8Array(bytes);
      const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }
  const stat = await vscode.workspace.fs.stat(uri);
  if (stat.size > 4 * bytes) return undefined;
  return (await vscode.workspace.fs.readFile(uri)).subarray(0, bytes);
}

/** Runs `fn` at most once per `ms`, after the last call (watcher bursts during a save or a git checkout). */
export function debounce(fn: () => void, ms: number): { (): void; dispose(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const call = (): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      fn();
    }, ms);
  };
  call.dispose = (): void => {
    if (timer) clearTimeout(timer);
  };
  return call;
}
