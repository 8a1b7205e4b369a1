import type { ModelFormat } from '../format';
import { hdf5SignatureOffset } from './hdf5';
import { inspectKeras, loadKeras, readKerasFiles } from './loadKeras';
import { KERAS_FORMAT_ID, type KerasSource } from './source';
import { writeKerasModel } from './writeKeras';
import { isZip } from './zip';

/** Re-exported so the engine and tests need only this module. */
export type { KerasSource } from './source';
export { KERAS_FORMAT_ID } from './source';

/** Names Keras files carry; content decides (sniff), the name only pre-filters. */
const NAME = /\.(keras|h5|hdf5)$/i;

/**
 * Cheap content check. HDF5: the signature at 0, 512, 1024, ... (where HDF5 looks for its
 * superblock) and a Keras marker among the first bytes (h5py puts root attributes and the first
 * groups' names near the start). Zip: the first entry is one of the files a `.keras` archive
 * holds (Keras writes metadata.json, config.json, model.weights.h5, in that order).
 */
export function sniffKeras(head: Uint8Array): boolean {
  if (isZip(head)) {
    const nameLength = head.length >= 30 ? head[26]! | (head[27]! << 8) : 0;
    const first = new TextDecoder().decode(head.subarray(30, 30 + nameLength));
    return ['metadata.json', 'config.json', 'model.weights.h5'].includes(first);
  }
  if (hdf5SignatureOffset(head) === undefined) return false;
  const text = new TextDecoder('latin1').decode(head);
  return /model_config|layer_names|model_weights|keras_version|layers/.test(text);
}

/** Keras: `.keras` archives (Keras 3) and legacy `.h5` files, with or without the architecture inside. */
export const kerasFormat: ModelFormat<KerasSource> = {
  id: KERAS_FORMAT_ID,
  displayName: 'Keras (.keras, .h5)',
  // HDF5 is parsed by h5wasm (4 MB of wasm), which the extension host bundle leaves out.
  inspectInWorker: true,
  matchesName: (fileName) => NAME.test(fileName),
  sniff: (head) => sniffKeras(head),
  inspect: inspectKeras,
  load: loadKeras,
  write: async (model, network, baseName) => writeKerasModel(model.source, network, baseName),
  readFiles: readKerasFiles,
  // Imported on demand: tfjs is large, and inspecting or loading never needs it.
  createRuntime: async () => (await import('./runtime')).createKerasRuntime(),
  createFieldRuntimes: async () => (await import('./runtime')).createKerasFieldRuntimes(),
};
