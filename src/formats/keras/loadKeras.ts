import { InvalidNetworkError, ModelFormatError, UnsupportedLayerError } from '../../core/errors';
import { validateNetwork } from '../../core/network';
import type { FileReader, LoadedModel, ModelInfo, WrittenFile } from '../format';
import { buildNetwork } from '../tfjs/buildNetwork';
import type { TfjsSource } from '../tfjs/source';
import type { NamedTensor } from '../tfjs/weights';
import { analyseKeras } from './analyseKeras';
import { readHdf5 } from './hdf5';
import { readStructure, type KerasStructure } from './readStructure';
import { KERAS_FORMAT_ID, type KerasSource } from './source';
import { composeKeras } from './writeKeras';

/** Describes a Keras file (no weight values are read); throws ModelFormatError on corrupt files. */
export async function inspectKeras(path: string, files: FileReader): Promise<ModelInfo> {
  return analyseKeras(await readStructure(path, files), path).info;
}

/** Reads a Keras file's dense chain and weights; throws UnsupportedLayerError naming the blocking layer. */
export async function loadKeras(path: string, files: FileReader): Promise<LoadedModel<KerasSource>> {
  const structure = await readStructure(path, files);
  const { info, analysis, json, weights, notes } = analyseKeras(structure, path);
  const { model, chain } = analysis;
  if (info.blocker || !model || !chain) {
    const blocker = info.blocker ?? { layer: 'model', className: 'Model', reason: 'could not be read as a dense chain' };
    throw new UnsupportedLayerError(path, blocker.layer, blocker.className, blocker.reason);
  }
  const tensors: NamedTensor[] = await readHdf5(structure.weightsBytes, structure.weightsLabel, KERAS_FORMAT_ID, (h5) =>
    weights.map((w) => ({ name: w.name, shape: w.shape, values: h5.readFloat32(w.path) })),
    files.hdf5,
  );
  const manifest = json.weightsManifest![0]!.weights;
  const built = asKerasError(path, () => buildNetwork(chain.steps, manifest, tensors, chain.inputs, path));
  asKerasError(path, () => validateNetwork(built.network));
  const tfjs: TfjsSource = { json, model, steps: chain.steps, inputs: built.network.inputs, keras3: analysis.keras3 };
  const source = kerasSource(structure, tfjs, path);
  // A dry run of the writer on the unchanged network lists what a written copy changes.
  const written = composeKeras(source, built.network);
  return { info: { ...info, inputs: built.network.inputs }, network: built.network, source, normalised: [...built.notes, ...notes, ...written.notes, ...source.dropped] };
}

/** The model's own files (main file first, then a weights-only file's JSON config), as the runtime loads them. */
export async function readKerasFiles(path: string, files: FileReader): Promise<WrittenFile[]> {
  const structure = await readStructure(path, files);
  const main: WrittenFile = { name: basename(path), bytes: await files.read(path) };
  if (structure.configFile === undefined) return [main];
  return [main, { name: structure.configFile, bytes: await files.read(files.resolve(path, structure.configFile)) }];
}

function kerasSource(structure: KerasStructure, tfjs: TfjsSource, path: string): KerasSource {
  const firstName = structure.weights[0];
  const dropped: string[] = [];
  if (structure.optimizerTensors > 0) {
    dropped.push(`optimizer state (${structure.optimizerTensors} tensors) left out of the protected copy: it is for inference; Keras starts a fresh optimizer if the copy is compiled again`);
  }
  const unknown = structure.otherGroups.filter((g) => !['top_level_model_weights'].includes(g));
  if (unknown.length > 0) dropped.push(`HDF5 group(s) ${unknown.map((g) => `'${g}'`).join(', ')} left out of the protected copy (not model weights)`);
  return {
    container: structure.container,
    layout: structure.layout,
    fileName: basename(path),
    tfjs,
    weightStyle: firstName && structure.layout === 'legacy' ? styleOf(firstName.group, firstName.key) : { prefix: '', suffix: '' },
    weightsRoot: structure.weightsRoot,
    rootAttrs: structure.rootAttrs,
    weightsGroupAttrs: structure.weightsGroupAttrs,
    extraGroups: structure.otherGroups.filter((g) => g === 'top_level_model_weights'),
    ...(structure.rootVarsName !== undefined ? { rootVarsName: structure.rootVarsName } : {}),
    ...(structure.archive ? { archive: structure.archive } : {}),
    ...(structure.configFile !== undefined ? { configFile: structure.configFile } : {}),
    dropped,
  };
}

/** How a legacy file spells weight names around `<layer>/<param>`: "mlp/" + ... (Keras 3), ... + ":0" (Keras 2). */
function styleOf(layer: string, key: string): { prefix: string; suffix: string } {
  const at = key.lastIndexOf(`${layer}/`);
  const suffix = /:\d+$/.exec(key)?.[0] ?? '';
  return { prefix: at > 0 ? key.slice(0, at) : '', suffix };
}

/** Runs `task`, turning the tfjs reader's errors into Keras ones for `path`. */
function asKerasError<T>(path: string, task: () => T): T {
  try {
    return task();
  } catch (error) {
    if (error instanceof InvalidNetworkError) throw new ModelFormatError(path, KERAS_FORMAT_ID, error.message);
    if (error instanceof ModelFormatError && error.format !== KERAS_FORMAT_ID) {
      throw new ModelFormatError(path, KERAS_FORMAT_ID, error.message.startsWith(`${error.file}: `) ? error.message.slice(error.file.length + 2) : error.message);
    }
    throw error;
  }
}

function basename(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}
