import { stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { UsageError } from '../../core/errors';
import type { LoadedModel, ModelFormat, WrittenFile } from '../../formats/format';
import { requireFormat } from '../../formats/registry';
import { readHead } from '../fileSystem';
import { nodeFileReader } from '../nodeFileReader';

/** The model to protect, as read from disk. */
export interface OriginalModel {
  /** Absolute path of its main file. */
  path: string;
  format: ModelFormat;
  model: LoadedModel;
  /** Its files as the runtime loads them (main file first). */
  files: WrittenFile[];
  /** Total size on disk of every file it consists of. */
  bytes: number;
  /** Absolute paths of those files. */
  paths: Set<string>;
}

/** Default output folder: `<dir>/<name>.mimosa` beside the model. */
export function defaultOutDir(modelPath: string): string {
  const name = basename(modelPath, extname(modelPath));
  return join(dirname(modelPath), `${name}.mimosa`);
}

/** Recognises and reads a model file and the files it names; never writes. */
export async function readModel(modelPath: string): Promise<{ path: string; format: ModelFormat; model: LoadedModel }> {
  const path = resolve(modelPath);
  const format = requireFormat(path, await readHead(path));
  return { path, format, model: await format.load(path, nodeFileReader) };
}

/** Reads the model to protect and refuses what cannot be protected (an already protected copy). */
export async function readOriginal(modelPath: string): Promise<OriginalModel> {
  const { path, format, model } = await readModel(modelPath);
  if (model.info.producer === 'MimosaNet') {
    // Its weights already span 2^±16 around large amplitudes: there is no fidelity budget left
    // for a second layer of cancellation, and the copy is already protected.
    throw new UsageError(`${path} is already a MimosaNet-protected copy; protect the original model instead`);
  }
  const files = await format.readFiles(path, nodeFileReader);
  const paths = new Set(files.map((f) => resolve(dirname(path), f.name)));
  paths.add(path);
  let bytes = 0;
  for (const file of paths) bytes += (await stat(file)).size;
  return { path, format, model, files, bytes, paths };
}

/** The output folder of a job: never the model's own folder or one of its files. */
export function resolveOutDir(original: OriginalModel, outDir: string | undefined): string {
  const resolved = resolve(outDir ?? defaultOutDir(original.path));
  if (original.paths.has(resolved) || dirname(original.path) === resolved) {
    throw new UsageError(`The output folder ${resolved} is the model's own folder; choose another output folder`);
  }
  return resolved;
}
