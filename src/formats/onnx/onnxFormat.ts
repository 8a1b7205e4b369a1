import { InvalidNetworkError, ModelFormatError, UnsupportedLayerError } from '../../core/errors';
import { validateNetwork } from '../../core/network';
import type { FileReader, LoadedModel, ModelFormat, ModelInfo, ModelRuntime, WrittenFile } from '../format';
import { analyseModel } from './analyseModel';
import { buildNetwork } from './buildNetwork';
import { defaultOpset, DataType } from './onnxModel';
import { sniffOnnx } from './sniff';
import type { OnnxSource } from './source';
import { dataTypeName } from './tensors';
import { ONNX_FORMAT_ID } from './wire';

export type { OnnxSource } from './source';

/** Intra-op threads of the second field runtime: MLAS splits a GEMM across threads in other tiles than on one. */
const FIELD_THREADS = 4;

/** Reads the .onnx file itself, naming it when it cannot be read. */
async function readMain(path: string, files: FileReader): Promise<Uint8Array> {
  try {
    return await files.read(path);
  } catch (error) {
    throw new ModelFormatError(path, ONNX_FORMAT_ID, `cannot be read (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** Decodes the file and describes it; throws ModelFormatError on corrupt files only. */
async function inspect(path: string, files: FileReader): Promise<ModelInfo> {
  return analyseModel(await readMain(path, files), path).info;
}

/** Reads the dense chain and its weights; throws UnsupportedLayerError naming the first blocking node. */
async function load(path: string, files: FileReader): Promise<LoadedModel<OnnxSource>> {
  const bytes = await readMain(path, files);
  const { info, chain, graph, model } = analyseModel(bytes, path);
  if (info.blocker || !chain) {
    const blocker = info.blocker ?? { layer: 'graph', className: 'graph', reason: 'could not be read as a dense chain' };
    throw new UnsupportedLayerError(path, blocker.layer, blocker.className, blocker.reason);
  }
  const built = buildNetwork(chain, graph, path);
  try {
    validateNetwork(built.network);
  } catch (error) {
    if (error instanceof InvalidNetworkError) throw new ModelFormatError(path, ONNX_FORMAT_ID, error.message);
    throw error;
  }
  const opset = defaultOpset(model)!;
  const notes = [...built.notes];
  const wanted = chain.precision === 'float64' ? DataType.DOUBLE : DataType.FLOAT;
  const declared = chain.dataInput.elemType;
  if (declared !== 0 && declared !== wanted) {
    notes.push(`the input '${chain.dataInput.name}' is declared ${dataTypeName(declared)} but the weights are ${chain.precision} (onnxruntime refuses that file); it is run, and the protected copy declares its input and output, as ${chain.precision}`);
  }
  if (chain.fixedBatch === 1) notes.push('the input declares a fixed batch of 1: onnxruntime runs it one row at a time');
  else if (chain.fixedBatch !== undefined) notes.push(`the input declares a fixed batch of ${chain.fixedBatch}: onnxruntime runs it ${chain.fixedBatch} rows at a time (the last batch zero-padded), so its batch-1 check runs at ${chain.fixedBatch} too`);
  if (opset < 7) notes.push(`opset ${opset}: onnxruntime no longer has kernels for every opset-6 operator (Gemm), so both files are run as opset 7 (the same operators without their 'broadcast' attributes); the protected copy keeps opset ${opset}`);
  if (chain.featuresFirst) notes.push(`the first Gemm reads its input transposed (transA=1): inputs are fed as [${chain.inputs}, batch]`);
  const source: OnnxSource = { file: path, bytes, chain, precision: chain.precision, opset, irVersion: model.irVersion };
  return { info, network: built.network, source, normalised: notes };
}

/** The file itself: a .onnx model is one file (external data is refused when read). */
async function readFiles(path: string, files: FileReader): Promise<WrittenFile[]> {
  return [{ name: path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1), bytes: await readMain(path, files) }];
}

/**
 * onnxruntime on one intra-op thread (the reference) and on FIELD_THREADS threads. A runtime
 * that cannot start here is left out with a note; with none, the reference's error stands.
 */
async function createFieldRuntimes(): Promise<{ runtimes: ModelRuntime[]; notes: string[] }> {
  const { createOnnxRuntime } = await import('./runtime');
  const reference = await createOnnxRuntime(1);
  try {
    return { runtimes: [reference, await createOnnxRuntime(FIELD_THREADS)], notes: [] };
  } catch (error) {
    return { runtimes: [reference], notes: [`onnxruntime with ${FIELD_THREADS} threads was left out: ${error instanceof Error ? error.message : String(error)}`] };
  }
}

/** ONNX models (`.onnx`) that are dense chains, as PyTorch, tf2onnx and other exporters write them. */
export const onnxFormat: ModelFormat<OnnxSource> = {
  id: ONNX_FORMAT_ID,
  displayName: 'ONNX',
  matchesName: (fileName: string) => /\.onnx$/i.test(fileName),
  sniff: (head: Uint8Array) => sniffOnnx(head),
  inspect,
  load,
  // The writer and the runtime load onnx-proto and onnxruntime-node on demand: sniffing and
  // inspecting (which the extension host does) need neither.
  write: async (model, network, baseName) => (await import('./writeModel')).writeOnnxModel(model.source, network, baseName),
  readFiles,
  createRuntime: async (): Promise<ModelRuntime> => (await import('./runtime')).createOnnxRuntime(1),
  createFieldRuntimes,
};
