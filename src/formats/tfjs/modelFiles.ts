import { ModelFormatError } from '../../core/errors';
import type { FileReader, WrittenFile } from '../format';
import { parseModelJson, TFJS_FORMAT_ID } from './modelJson';
import type { WeightsGroup } from './topology';

/**
 * Reads the shard files of every manifest group, in manifest order, and only those. Throws
 * ModelFormatError naming model.json and the shard when one cannot be read.
 */
export async function readShards(path: string, groups: WeightsGroup[], files: FileReader): Promise<Uint8Array[][]> {
  const result: Uint8Array[][] = [];
  for (const group of groups) {
    const parts: Uint8Array[] = [];
    for (const shard of group.paths) parts.push(await readListed(path, shard, files));
    result.push(parts);
  }
  return result;
}

/**
 * A model on disk as WrittenFile[] (model.json first, then its shards named as the manifest
 * spells them), so the runtime can run the original files exactly as it runs a written copy.
 */
export async function readModelFiles(path: string, files: FileReader): Promise<WrittenFile[]> {
  const main = await readMain(path, files);
  const json = parseModelJson(main, path);
  const out: WrittenFile[] = [{ name: path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1), bytes: main }];
  for (const group of json.weightsManifest ?? []) {
    for (const shard of group.paths) out.push({ name: shard, bytes: await readListed(path, shard, files) });
  }
  return out;
}

/** Reads model.json itself, naming it when it cannot be read. */
export async function readMain(path: string, files: FileReader): Promise<Uint8Array> {
  try {
    return await files.read(path);
  } catch (error) {
    throw new ModelFormatError(path, TFJS_FORMAT_ID, `cannot be read (${message(error)})`);
  }
}

/**
 * True for a relative path that stays inside the model's folder. A hostile model.json could
 * otherwise make us read any file on the machine (an absolute path, a URL, or '../..').
 */
export function isContainedRelativePath(shard: string): boolean {
  if (shard === '' || /^[\\/]/.test(shard) || /^[a-zA-Z]:/.test(shard) || /^[a-zA-Z][\w+.-]*:/.test(shard)) return false;
  let depth = 0;
  for (const part of shard.split(/[\\/]+/)) {
    if (part === '..') depth--;
    else if (part !== '.' && part !== '') depth++;
    if (depth < 0) return false;
  }
  return depth > 0;
}

async function readListed(path: string, shard: string, files: FileReader): Promise<Uint8Array> {
  if (!isContainedRelativePath(shard)) {
    throw new ModelFormatError(path, TFJS_FORMAT_ID, `weights file '${shard}' in the weights manifest is not a relative path inside the model's folder; refusing to read it`);
  }
  try {
    return await files.read(files.resolve(path, shard));
  } catch (error) {
    throw new ModelFormatError(path, TFJS_FORMAT_ID, `weights file '${shard}' listed in the weights manifest cannot be read (${message(error)})`);
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
