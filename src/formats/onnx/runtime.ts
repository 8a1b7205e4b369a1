import type * as Ort from 'onnxruntime-node';
import { CancelledError, DataError, EngineUnavailableError, yieldToEventLoop } from '../../core/errors';
import type { ModelRuntime, PredictOptions, WrittenFile } from '../format';
import { runnableModel, type RunnableModel } from './runnableModel';

/**
 * onnxruntime-node as the runtime of ONNX models: the file (or its logits graph, see
 * runnableModel.ts) in an InferenceSession with the CPU execution provider and the default
 * graph optimisations, exactly as a user's app would run it. The native library is loaded on
 * first use; bundles keep it external (dist/node_modules, scripts/onnxruntimeFiles.mjs).
 */

type OrtModule = typeof Ort;

/** Default rows per run: large enough for the tiled GEMM paths, small enough to bound memory. */
const BATCH_ROWS = 1024;

let loaded: Promise<OrtModule> | undefined;

/** Loads onnxruntime-node once; a missing or broken native binding is an EngineUnavailableError. */
function loadOrt(): Promise<OrtModule> {
  loaded ??= import('onnxruntime-node').then(
    (ort) => {
      ort.env.logLevel = 'error';
      return ort;
    },
    (error: unknown) => {
      loaded = undefined;
      const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
      throw new EngineUnavailableError('onnxruntime', `onnxruntime-node did not load for ${process.platform}-${process.arch} (${reason})`);
    },
  );
  return loaded;
}

/** An onnxruntime runtime whose sessions use `threads` intra-op threads (MLAS splits GEMMs differently with more). */
export async function createOnnxRuntime(threads: number): Promise<ModelRuntime> {
  const ort = await loadOrt();
  const version = ort.env.versions.node ?? ort.env.versions.common;
  const options: Ort.InferenceSession.SessionOptions = {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
  };
  return {
    name: `onnxruntime-node ${version} (CPU, ${threads} intra-op thread${threads === 1 ? '' : 's'})`,
    predict: (files, x, rows, predictOptions) => predict(ort, options, files, x, rows, predictOptions),
  };
}

async function predict(ort: OrtModule, sessionOptions: Ort.InferenceSession.SessionOptions, files: WrittenFile[], x: Float32Array, rows: number, options: PredictOptions): Promise<Float32Array> {
  const { signal } = options;
  if (signal?.aborted) throw new CancelledError();
  const main = files[0];
  if (!main) throw new DataError(undefined, 'no model file was given to onnxruntime');
  const model = runnableModel(main.bytes, main.name, options.logits);
  const width = model.chain.inputs;
  if (x.length !== rows * width) throw new DataError(undefined, `expected ${rows} × ${width} input values for the ONNX model, got ${x.length}`);
  // A fixed batch in the file is honoured: rows go in batches of it, the last one padded.
  const fixed = model.chain.fixedBatch;
  const batch = fixed ?? options.batch ?? BATCH_ROWS;
  if (!Number.isInteger(batch) || batch < 1) throw new DataError(undefined, `the onnxruntime batch size must be a whole number ≥ 1, got ${batch}`);
  const session = await ort.InferenceSession.create(model.bytes, sessionOptions);
  try {
    const units = model.chain.layers[model.chain.layers.length - 1]!.units;
    const out = new Float32Array(rows * units);
    for (let start = 0; start < rows; start += batch) {
      if (signal && start > 0) {
        await yieldToEventLoop();
        if (signal.aborted) throw new CancelledError();
      }
      const n = Math.min(batch, rows - start);
      const fed = fixed ?? n;
      const result = await session.run({ [model.inputName]: inputTensor(ort, model, x.subarray(start * width, (start + n) * width), n, fed) });
      const values = result[model.outputName]?.data;
      if (!(values instanceof Float32Array || values instanceof Float64Array) || values.length < n * units) {
        throw new DataError(undefined, `onnxruntime returned no ${fed} × ${units} float output '${model.outputName}' for ${main.name}`);
      }
      out.set(values.subarray(0, n * units), start * units);
    }
    return out;
  } finally {
    await session.release();
  }
}

/** The input tensor of `n` rows, zero-padded to `fed` rows, in the model's precision and layout. */
function inputTensor(ort: OrtModule, model: RunnableModel, x: Float32Array, n: number, fed: number): Ort.Tensor {
  const width = model.chain.inputs;
  const data = model.chain.precision === 'float64' ? new Float64Array(fed * width) : new Float32Array(fed * width);
  if (model.chain.featuresFirst) {
    // transA=1: the input is [features, batch].
    for (let r = 0; r < n; r++) for (let i = 0; i < width; i++) data[i * fed + r] = x[r * width + i]!;
    return new ort.Tensor(model.chain.precision, data, [width, fed]);
  }
  data.set(x);
  return new ort.Tensor(model.chain.precision, data, [fed, ...model.featureDims]);
}
