import { UnsupportedLayerError } from '../../core/errors';
import type { Blocker, FileReader, LayerInfo, ModelFormat, ModelInfo } from '../format';
import { FlatTable } from './flatbuffer';

/**
 * TensorFlow Lite (`.tflite`): recognised and described, never protected (issue: formats). Its
 * float models could be, one day; its int8-quantised models never: the constructions need
 * float32 weights. Inspection walks the FlatBuffer schema far enough to list the operators,
 * their weights' type and size, and to name what blocks protection.
 */

const FORMAT_ID = 'tflite';

/** Builtin operator codes (tensorflow/lite/schema/schema.fbs) of the ops dense models use. */
const OPS: Record<number, string> = {
  0: 'ADD', 1: 'AVERAGE_POOL_2D', 3: 'CONV_2D', 4: 'DEPTHWISE_CONV_2D', 6: 'DEQUANTIZE', 9: 'FULLY_CONNECTED',
  14: 'LOGISTIC', 17: 'MAX_POOL_2D', 19: 'RELU', 22: 'RESHAPE', 25: 'SOFTMAX', 28: 'TANH', 114: 'QUANTIZE',
};
/** Tensor element types (TensorType) and their names. */
const TYPES = ['float32', 'float16', 'int32', 'uint8', 'int64', 'string', 'bool', 'int16', 'complex64', 'int8', 'float64'];

/** `TFL3` at bytes 4–7: the file identifier every TFLite FlatBuffer carries. */
export function sniffTflite(head: Uint8Array): boolean {
  return head.length >= 8 && head[4] === 0x54 && head[5] === 0x46 && head[6] === 0x4c && head[7] === 0x33;
}

async function inspect(path: string, files: FileReader): Promise<ModelInfo> {
  const bytes = await files.read(path);
  const model = FlatTable.root(bytes, path);
  const codes = model.tables(1).map((code) => Math.max(code.uint8(0), code.int32(3)));
  const [graph] = model.tables(2);
  if (!graph) return { format: FORMAT_ID, path, layers: [], parameters: 0, blocker: { layer: 'model', className: 'TFLite', reason: 'has no subgraph' } };
  const tensors = graph.tables(0);
  const tensorAt = (i: number) => (i >= 0 && i < tensors.length ? tensors[i] : undefined);
  const elements = (i: number): number => (tensorAt(i)?.int32s(0) ?? []).reduce((a, b) => a * Math.max(0, b), 1);
  let quantised: LayerInfo | undefined;
  const layers: LayerInfo[] = graph.tables(3).map((op, n) => {
    const code = codes[op.int32(0)];
    const className = code === undefined ? 'unknown' : (OPS[code] ?? `builtin op ${code}`);
    const [, ...weights] = op.int32s(1).filter((i) => i >= 0);
    const output = tensorAt(op.int32s(2)[0] ?? -1);
    const info: LayerInfo = { name: output?.string(3) ?? `op ${n}`, className, parameters: weights.reduce((sum, i) => sum + elements(i), 0) };
    if (className === 'FULLY_CONNECTED' && output) info.units = output.int32s(0).at(-1) ?? 0;
    const types = weights.map((i) => TYPES[tensorAt(i)?.uint8(1) ?? 0]);
    if (!quantised && (className === 'QUANTIZE' || types.includes('int8') || types.includes('uint8'))) quantised = info;
    return info;
  });
  const input = tensorAt(graph.int32s(1)[0] ?? -1)?.int32s(0).at(-1);
  const blocker: Blocker = quantised
    ? { layer: quantised.name, className: quantised.className, reason: 'is int8-quantised (8-bit integer weights); MimosaNet’s constructions need float32 weights' }
    : { layer: 'model', className: 'TFLite', reason: 'is a TensorFlow Lite model: recognised, but not supported yet (TF.js Layers, ONNX and Keras are); protect the model in the format it was converted from' };
  return { format: FORMAT_ID, path, layers, ...(input ? { inputs: input } : {}), parameters: layers.reduce((sum, l) => sum + l.parameters, 0), blocker };
}

/** Every entry point past inspection refuses, naming the blocker inspection found. */
async function refuse(path: string, files: FileReader): Promise<never> {
  const { blocker } = await inspect(path, files);
  const b = blocker!;
  throw new UnsupportedLayerError(path, b.layer, b.className, b.reason);
}

export const tfliteFormat: ModelFormat = {
  id: FORMAT_ID,
  displayName: 'TensorFlow Lite',
  matchesName: (fileName) => /\.tflite$/i.test(fileName),
  sniff: (head) => sniffTflite(head),
  inspect,
  load: refuse,
  write: async (model) => refuse(model.info.path, { read: async () => new Uint8Array(0), resolve: (_f, r) => r }),
  readFiles: refuse,
  createRuntime: async () => {
    throw new UnsupportedLayerError('TensorFlow Lite', 'model', 'TFLite', 'has no runtime here: TFLite models are recognised, not protected');
  },
  createFieldRuntimes: async () => ({ runtimes: [], notes: ['TensorFlow Lite models are recognised, not protected'] }),
};
