import { open, readdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { FileAccessError } from '../core/errors';
import { ACCEPTED_DATA_EXTENSIONS, sniffDataFile } from '../formats/data/sniff';
import { formatsForName, SNIFF_BYTES, sniffFormat } from '../formats/registry';

/** True when something exists at `path` (file or folder). */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** What a path the caller gave is for; decides the hint of a FileAccessError. */
export type PathRole = 'model' | 'data' | 'labels' | 'report';

/**
 * Checks that `path` is a readable file and returns it resolved; otherwise a FileAccessError
 * naming the path and what to give instead (for a folder, a fitting file inside it when there is one).
 */
export async function requireFile(path: string, role: PathRole): Promise<string> {
  const absolute = resolve(path);
  let isFolder: boolean;
  try {
    isFolder = (await stat(absolute)).isDirectory();
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new FileAccessError(absolute, 'missing', await missingHint(absolute, role));
    throw new FileAccessError(absolute, 'unreadable', 'check that it exists and that you may read it', code === 'EACCES' ? 'permission denied' : (error as Error).message);
  }
  if (isFolder) throw new FileAccessError(absolute, 'folder', await folderHint(absolute, role));
  return absolute;
}

/** What each role's flag is called and what it wants, for hints. */
const WANTED: Record<PathRole, { what: string; example: string; kind: string }> = {
  model: { what: "the model's main file", example: 'model.json', kind: 'model file' },
  data: { what: `--data an evaluation inputs file (${ACCEPTED_DATA_EXTENSIONS})`, example: 'eval-x.npy', kind: 'data file' },
  labels: { what: `--labels a file of class labels (${ACCEPTED_DATA_EXTENSIONS})`, example: 'eval-y.npy', kind: 'labels file' },
  report: { what: '--report the report.json written beside the protected model', example: 'model.mimosa/report.json', kind: 'report.json' },
};

/** Hint for a path with nothing at it: a fitting file in the same folder when there is one. */
async function missingHint(path: string, role: PathRole): Promise<string> {
  const [candidate] = await candidates(dirname(path), role, false);
  const { what, example } = WANTED[role];
  return candidate ? `give ${what}, e.g. ${candidate}` : `give ${what}, e.g. ${example}`;
}

/** Hint for a folder: the fitting file inside it, or that there is none. */
async function folderHint(folder: string, role: PathRole): Promise<string> {
  const found = await candidates(folder, role);
  const { what, example, kind } = WANTED[role];
  if (found.length === 0) return `there is no ${kind} in it; give ${what}, e.g. ${example}`;
  return `give ${what} inside it, e.g. ${found[0]}${found.length > 1 ? ` (${found.length - 1} more found)` : ''}`;
}

/** Entries looked at in a folder when suggesting a file, so a huge folder does not stall an error. */
const MAX_ENTRIES = 200;

/**
 * Files of `folder` that fit the role, the most likely first; for a model or report, when the
 * folder itself holds none and `nested` is set, those of its direct subfolders.
 */
async function candidates(folder: string, role: PathRole, nested = true): Promise<string[]> {
  const files = await listFiles(folder);
  if (role === 'model' || role === 'report') {
    const fits = role === 'model' ? isModelFile : async (file: string) => basename(file) === 'report.json';
    const found = await filterAsync(files, fits);
    if (found.length > 0 || !nested) return found.sort((a, b) => Number(basename(b) === 'model.json') - Number(basename(a) === 'model.json'));
    const subfolders = (await listFolders(folder)).filter((d) => role === 'report' || !d.endsWith('.mimosa'));
    return filterAsync((await Promise.all(subfolders.map(listFiles))).flat(), fits);
  }
  const data = await filterAsync(files, async (f) => DATA_EXTENSIONS.has(extname(f).toLowerCase()) && (await isDataFile(f)));
  // Labels files are usually called y / labels / targets; inputs files anything else.
  const isLabels = (file: string): boolean => /(^|[-_.])(y|labels?|targets?)([-_.]|$)/i.test(basename(file, extname(file)));
  return data.filter((f) => isLabels(f) === (role === 'labels'));
}

const DATA_EXTENSIONS = new Set(['.npy', '.npz', '.csv', '.tsv', '.json', '.txt']);

async function filterAsync(items: string[], keep: (item: string) => Promise<boolean>): Promise<string[]> {
  const kept: string[] = [];
  for (const item of items) if (await keep(item)) kept.push(item);
  return kept;
}

async function listFiles(folder: string): Promise<string[]> {
  try {
    const entries = (await readdir(folder, { withFileTypes: true })).slice(0, MAX_ENTRIES);
    return entries.filter((e) => e.isFile()).map((e) => join(folder, e.name)).sort();
  } catch {
    return [];
  }
}

async function listFolders(folder: string): Promise<string[]> {
  try {
    const entries = (await readdir(folder, { withFileTypes: true })).slice(0, MAX_ENTRIES);
    return entries.filter((e) => e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules').map((e) => join(folder, e.name)).sort();
  } catch {
    return [];
  }
}

/** True when the file's first bytes pass the data sniff (so a README or a model is not suggested as data). */
async function isDataFile(path: string): Promise<boolean> {
  try {
    sniffDataFile(path, await readHead(path, SNIFF_BYTES, null));
    return true;
  } catch {
    return false;
  }
}

/** True when a format recognises the file as a model's main file. */
async function isModelFile(path: string): Promise<boolean> {
  if (formatsForName(path).length === 0) return false;
  try {
    return sniffFormat(path, await readHead(path, SNIFF_BYTES, null)) !== undefined;
  } catch {
    return false;
  }
}

/**
 * The first `bytes` bytes of a file (by default enough for any format's sniff), without reading
 * the rest. A missing path or a folder is a FileAccessError with the hint of `role` (a model's by default).
 */
export async function readHead(path: string, bytes = SNIFF_BYTES, role: PathRole | null = 'model'): Promise<Uint8Array> {
  if (role) await requireFile(path, role);
  const handle = await open(path, 'r');
  try {
    const buffer = new Uint8Array(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
