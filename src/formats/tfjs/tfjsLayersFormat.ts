import { InvalidNetworkError, ModelFormatError, UnsupportedLayerError } from '../../core/errors';
import { validateNetwork } from '../../core/network';
import type { FileReader, LoadedModel, ModelFormat, ModelInfo, ModelRuntime } from '../format';
import { analyseModel } from './analyseModel';
import { buildNetwork } from './buildNetwork';
import { readMain, readModelFiles, readShards } from './modelFiles';
import { parseModelJson, TFJS_FORMAT_ID } from './modelJson';
import type { TfjsSource } from './source';
import { decodeWeights } from './weights';
import { composeModel, writeTfjsModel } from './writeModel';

/** Re-exported so the engine and tests need only this module. */
export { readModelFiles };
export type { TfjsSource } from './source';

/** How much of the head `sniff` looks at (the contract promises at most 64 KiB). */
const SNIFF_BYTES = 64 * 1024;

/**
 * Cheap content check: a JSON object with a `"modelTopology"` key and a `"weightsManifest"` key.
 * A big topology can push weightsManifest past the head, so a head that stops mid-JSON passes on
 * modelTopology alone. Graph models pass too (inspect then reports them as unsupported).
 */
export function sniffTfjs(head: Uint8Array): boolean {
  const text = new TextDecoder('utf-8').decode(head.subarray(0, SNIFF_BYTES)).replace(/^\uFEFF/, '');
  if (!text.trimStart().startsWith('{')) return false;
  if (!/"modelTopology"\s*:/.test(text)) return false;
  if (/"weightsManifest"\s*:/.test(text)) return true;
  return !text.trimEnd().endsWith('}');
}

/** Reads model.json and describes it; throws ModelFormatError on corrupt files. Shards are not read. */
async function inspect(path: string, files: FileReader): Promise<ModelInfo> {
  return analyseModel(parseModelJson(await readMain(path, files), path), path).info;
}

/** Reads the dense chain and its weights; throws UnsupportedLayerError naming the blocking layer. */
async function load(path: string, files: FileReader): Promise<LoadedModel<TfjsSource>> {
  const json = parseModelJson(await readMain(path, files), path);
  const analysis = analyseModel(json, path);
  const { info, model, chain } = analysis;
  if (info.blocker || !model || !chain) {
    const blocker = info.blocker ?? { layer: 'model', className: 'Model', reason: 'could not be read as a dense chain' };
    throw new UnsupportedLayerError(path, blocker.layer, blocker.className, blocker.reason);
  }
  const manifest = json.weightsManifest ?? [];
  const tensors = decodeWeights(manifest, await readShards(path, manifest, files), path);
  const built = buildNetwork(chain.steps, manifest.flatMap((g) => g.weights), tensors, chain.inputs, path);
  try {
    validateNetwork(built.network);
  } catch (error) {
    if (error instanceof InvalidNetworkError) throw new ModelFormatError(path, TFJS_FORMAT_ID, error.message);
    throw error;
  }
  const source: TfjsSource = { json, model, steps: chain.steps, inputs: built.network.inputs, keras3: analysis.keras3 };
  // A dry run of the writer on the unchanged network lists exactly what a written copy changes.
  const written = composeModel(source, built.network, 'weights.bin');
  const notes = [...built.notes, ...written.notes];
  if (chain.steps.some((s) => (s.kind === 'dense' || s.kind === 'activation') && s.layer.config.activation === 'gelu')) {
    notes.push("'gelu' is the exact erf form in tfjs; MimosaNet's own forward pass uses the tanh approximation (they differ by < 1e-3)");
  }
  return { info: { ...info, inputs: built.network.inputs }, network: built.network, source, normalised: notes };
}

/** The TF.js Layers format: `model.json` + binary weight shards, as Keras' converter and tfjs write them. */
export const tfjsLayersFormat: ModelFormat<TfjsSource> = {
  id: TFJS_FORMAT_ID,
  displayName: 'TensorFlow.js Layers',
  matchesName: (fileName: string) => /\.json$/i.test(fileName),
  sniff: (head: Uint8Array) => sniffTfjs(head),
  inspect,
  load,
  write: async (model, network, baseName) => writeTfjsModel(model.source, network, baseName),
  readFiles: readModelFiles,
  // Imported on demand: tfjs is large, and inspecting or loading never needs it.
  createRuntime: async (): Promise<ModelRuntime> => (await import('./runtime')).createTfjsRuntime(),
  createFieldRuntimes,
};

/**
 * tfjs on its cpu backend (the reference) and on its wasm backend (XNNPACK), the two that run in
 * Node from npm alone. A wasm backend that cannot start here is left out with a note; that never
 * fails the run.
 */
async function createFieldRuntimes(): Promise<{ runtimes: ModelRuntime[]; notes: string[] }> {
  const cpu = await (await import('./runtime')).createTfjsRuntime();
  try {
    const wasm = await (await import('./wasmRuntime')).createTfjsWasmRuntime();
    return { runtimes: [cpu, wasm], notes: [] };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { runtimes: [cpu], notes: [`@tensorflow/tfjs-backend-wasm was left out: ${reason}`] };
  }
}
