import type { FileReader, ModelRuntime, WrittenFile } from '../format';
import { createTfjsRuntime } from '../tfjs/runtime';
import { createTfjsWasmRuntime } from '../tfjs/wasmRuntime';
import { writeTfjsModel } from '../tfjs/writeModel';
import { loadKeras } from './loadKeras';

/**
 * Runs Keras files in @tensorflow/tfjs: each call reads the files through MimosaNet's Keras
 * reader (zip, HDF5, config), builds the TF.js Layers model of the same Keras config and weights,
 * and predicts with `tf.loadLayersModel` on the inner runtime's backend. So the check covers the
 * written bytes end to end (a copy our reader cannot read back fails it) and the arithmetic is
 * tfjs's kernels, not MimosaNet's own forward pass.
 */
export function kerasOnTfjs(inner: ModelRuntime): ModelRuntime {
  return {
    name: `${inner.name}, on the Keras file as read back by MimosaNet`,
    predict: async (files, x, rows, options) => inner.predict(await asTfjsFiles(files), x, rows, options),
  };
}

/** The reference runtime of Keras files: tfjs on its cpu backend. */
export async function createKerasRuntime(): Promise<ModelRuntime> {
  return kerasOnTfjs(await createTfjsRuntime());
}

/** tfjs's cpu backend, then its wasm backend (left out with a note when it cannot start here). */
export async function createKerasFieldRuntimes(): Promise<{ runtimes: ModelRuntime[]; notes: string[] }> {
  const cpu = await createKerasRuntime();
  try {
    return { runtimes: [cpu, kerasOnTfjs(await createTfjsWasmRuntime())], notes: [] };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { runtimes: [cpu], notes: [`@tensorflow/tfjs-backend-wasm was left out: ${reason}`] };
  }
}

/** The TF.js Layers files of a Keras model given as files in memory (main file first). */
export async function asTfjsFiles(files: WrittenFile[]): Promise<WrittenFile[]> {
  const main = files[0];
  if (!main) throw new Error('no model files were given to the Keras runtime');
  const loaded = await loadKeras(main.name, memoryReader(files));
  return writeTfjsModel(loaded.source.tfjs, loaded.network, 'model');
}

/** A FileReader over files in memory, found by name (paths are reduced to their last segment). */
export function memoryReader(files: WrittenFile[]): FileReader {
  const base = (path: string) => path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  return {
    read: async (path) => {
      const file = files.find((f) => f.name === path) ?? files.find((f) => base(f.name) === base(path));
      if (!file) throw new Error(`no file '${path}' among the model's files`);
      return file.bytes;
    },
    resolve: (_from, relative) => relative,
  };
}
