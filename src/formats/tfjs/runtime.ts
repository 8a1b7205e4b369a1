import * as tf from '@tensorflow/tfjs';
import { CancelledError, DataError, ModelFormatError, yieldToEventLoop } from '../../core/errors';
import type { ModelRuntime, PredictOptions, WrittenFile } from '../format';
import { ACTIVATION_CLASSES } from './layerKinds';
import { isObject, parseModelJson, TFJS_FORMAT_ID } from './modelJson';
import type { LayerJson, ModelJson, WeightEntry } from './topology';
import { concatBytes } from './weights';

/** Default rows per tfjs predict call: large enough to amortise call overhead, small enough to bound memory. */
const BATCH_ROWS = 1024;

/** The tfjs backends MimosaNet runs models on (the wasm one is set up in wasmRuntime.ts). */
export type TfjsBackend = 'cpu' | 'wasm';

let backendReady: Promise<void> | undefined;

/** Tail of the queue `exclusive` runs tasks on; never rejects. */
let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs `task` once every task queued before it has settled. All tfjs backends share tfjs's one
 * global engine, and `tf.setBackend` (async) switches it for everyone; so every backend switch
 * and every predict goes through this queue, and a cpu predict and a wasm predict never
 * interleave (a model's tensors are created and disposed under the backend that made them).
 * Tasks must not call `exclusive` themselves (they would wait for themselves).
 */
export function exclusive<T>(task: () => Promise<T>): Promise<T> {
  const run = queue.then(task);
  queue = run.catch(() => undefined);
  return run;
}

/** A runtime that runs `predict` on `backend` (which must have initialised already). */
export function backendRuntime(backend: TfjsBackend, name: string): ModelRuntime {
  return {
    name,
    predict: (files, x, rows, options) =>
      exclusive(async () => {
        await useBackend(backend);
        return predict(files, x, rows, options);
      }),
  };
}

/**
 * Makes `backend` (initialised already) tfjs's active one, inside an `exclusive` task: every
 * user of tfjs switches to its own backend first, so nobody switches back afterwards.
 */
export async function useBackend(backend: TfjsBackend): Promise<void> {
  if (tf.getBackend() !== backend && !(await tf.setBackend(backend))) throw new Error(`tfjs could not switch to its ${backend} backend`);
}

/**
 * The reference runtime for TF.js models: `@tensorflow/tfjs` on its CPU backend (the one that
 * runs everywhere Node runs, without native binaries). Loads the given files with
 * `tf.loadLayersModel` exactly as a user's app would, so the equivalence check exercises the
 * real loader and kernels.
 */
export async function createTfjsRuntime(): Promise<ModelRuntime> {
  backendReady ??= exclusive(initBackend);
  await backendReady;
  return backendRuntime('cpu', `@tensorflow/tfjs ${tf.version.tfjs} (cpu backend)`);
}

async function initBackend(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
  // The CPU backend prints a one-time "install the node backend" banner via console.warn on its
  // first tensor. Trigger that first tensor here with only that banner filtered, so every other
  // warning (and every later one) still reaches the user.
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].includes('install our node backend')) return;
    warn.apply(console, args);
  };
  try {
    tf.scalar(0).dispose();
  } finally {
    console.warn = warn;
  }
}

/**
 * Predicts [rows × outputs] with the model in `files` (model.json first, then its shards) on the
 * current backend, `options.batch` rows per `model.predict` call. With a signal, yields to the
 * event loop between batches (so an abort sent from another task is seen) and rejects with
 * CancelledError once it is aborted.
 */
async function predict(files: WrittenFile[], x: Float32Array, rows: number, options: PredictOptions): Promise<Float32Array> {
  const { signal } = options;
  const batch = options.batch ?? BATCH_ROWS;
  if (!Number.isInteger(batch) || batch < 1) throw new DataError(undefined, `the tfjs batch size must be a whole number ≥ 1, got ${batch}`);
  if (signal?.aborted) throw new CancelledError();
  const main = files[0];
  if (!main) throw new DataError(undefined, 'no model files were given to the tfjs runtime');
  const json = parseModelJson(main.bytes, main.name);
  if (options.logits) linearOutput(json);
  const model = await tf.loadLayersModel(memoryHandler(json, files, main.name));
  try {
    const inputShape = model.inputs[0]!.shape.slice(1);
    if (inputShape.some((d) => d === null)) throw new ModelFormatError(main.name, TFJS_FORMAT_ID, `has an input of unknown shape [${inputShape.join(', ')}]`);
    const width = (inputShape as number[]).reduce((a, b) => a * b, 1);
    if (x.length !== rows * width) throw new DataError(undefined, `expected ${rows} × ${width} input values for the tfjs model, got ${x.length}`);
    let out: Float32Array | undefined;
    let outputs = 0;
    for (let start = 0; start < rows; start += batch) {
      if (signal && start > 0) {
        await yieldToEventLoop();
        if (signal.aborted) throw new CancelledError();
      }
      const n = Math.min(batch, rows - start);
      const y = tf.tidy(() => model.predict(tf.tensor(x.slice(start * width, (start + n) * width), [n, ...(inputShape as number[])])) as tf.Tensor);
      try {
        const values = y.dataSync() as Float32Array;
        if (out === undefined) {
          outputs = values.length / n;
          out = new Float32Array(rows * outputs);
        }
        out.set(values, start * outputs);
      } finally {
        y.dispose();
      }
    }
    return out ?? new Float32Array(0);
  } finally {
    model.dispose();
  }
}

/**
 * An IOHandler serving model.json and the listed shards from memory. Shards of all groups are
 * concatenated in manifest order, which is how tfjs lays out weight data. The training config is
 * left out: inference needs no optimizer, and compiling one could fail on newer optimizer configs.
 */
function memoryHandler(json: ModelJson, files: WrittenFile[], mainName: string): tf.io.IOHandler {
  const specs: WeightEntry[] = [];
  const parts: Uint8Array[] = [];
  for (const group of json.weightsManifest ?? []) {
    for (const path of group.paths) {
      const file = files.find((f) => f.name === path) ?? files.find((f) => basename(f.name) === basename(path));
      if (!file) throw new ModelFormatError(mainName, TFJS_FORMAT_ID, `weights file '${path}' is not among the model's files`);
      parts.push(file.bytes);
    }
    specs.push(...group.weights);
  }
  const data = concatBytes(parts);
  const weightData = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  return {
    load: async () => ({
      modelTopology: json.modelTopology as unknown as tf.io.ModelArtifacts['modelTopology'],
      weightSpecs: specs as tf.io.WeightsManifestEntry[],
      weightData,
      format: json.format ?? 'layers-model',
      ...(typeof json.generatedBy === 'string' ? { generatedBy: json.generatedBy } : {}),
      ...(typeof json.convertedBy === 'string' ? { convertedBy: json.convertedBy } : {}),
    }),
  };
}

/**
 * Makes the model output logits: the last Dense becomes linear and the activation layers after it
 * become linear Activation layers (same names, so functional wiring still holds). Equivalence is
 * measured on logits because softmax/sigmoid saturate and would hide differences (DESIGN §4).
 */
export function linearOutput(json: ModelJson): void {
  const topology = json.modelTopology;
  const holder = topology.model_config ?? topology;
  const config = holder.config;
  const layers: LayerJson[] | undefined = Array.isArray(config) ? config : isObject(config) ? (config as { layers?: LayerJson[] }).layers : undefined;
  if (!layers) return;
  let last = -1;
  layers.forEach((layer, i) => {
    if (layer.class_name === 'Dense') last = i;
  });
  if (last < 0) return;
  layers[last]!.config.activation = 'linear';
  for (let i = last + 1; i < layers.length; i++) {
    const layer = layers[i]!;
    if (ACTIVATION_CLASSES.has(layer.class_name)) {
      layers[i] = { ...layer, class_name: 'Activation', config: { name: layer.config.name, trainable: true, dtype: 'float32', activation: 'linear' } };
    }
  }
}

function basename(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}
