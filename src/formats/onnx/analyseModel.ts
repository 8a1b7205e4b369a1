import { ModelFormatError } from '../../core/errors';
import type { Blocker, LayerInfo, ModelInfo } from '../format';
import { analyseChain, nodeName, type OnnxChain } from './denseChain';
import { decodeModel, DataType, type OnnxGraph, type OnnxModel } from './onnxModel';
import { dataTypeName, elementCount } from './tensors';
import { ONNX_FORMAT_ID } from './wire';

/** producer_name of written copies, so inspect recognises a protected copy (and protect refuses it). */
export const PRODUCER = 'MimosaNet';

/** A decoded .onnx file, described. */
export interface OnnxAnalysis {
  model: OnnxModel;
  graph: OnnxGraph;
  /** What `inspect` returns. */
  info: ModelInfo;
  /** The chain, unless `info.blocker` is set. */
  chain?: OnnxChain;
}

/**
 * Decodes and describes a .onnx file: one LayerInfo per node (Constant nodes left out), stored
 * parameters, and the first blocker. Throws ModelFormatError for a corrupt file, never for an
 * unsupported one.
 */
export function analyseModel(bytes: Uint8Array, path: string): OnnxAnalysis {
  const model = decodeModel(bytes, path);
  const graph = model.graph;
  if (!graph) throw new ModelFormatError(path, ONNX_FORMAT_ID, 'is not an ONNX model: it has no graph');
  if (model.irVersion < 1) throw new ModelFormatError(path, ONNX_FORMAT_ID, `is not an ONNX model: it declares IR version ${model.irVersion}`);
  const sizes = new Map(graph.initializer.map((t) => [t.name, elementCount(t, path)]));
  const parameters = [...sizes.values()].reduce((a, b) => a + b, 0);
  const result = analyseChain(model);
  const chain = 'chain' in result ? result.chain : undefined;
  const blocker = 'blocker' in result ? result.blocker : inputTypeBlocker(result.chain);
  const info: ModelInfo = {
    format: ONNX_FORMAT_ID,
    path,
    layers: layerInfos(graph, sizes, blocker ? undefined : chain),
    parameters,
    ...(chain && !blocker ? { inputs: chain.inputs } : {}),
    ...(blocker ? { blocker } : {}),
    ...(model.producerName === PRODUCER ? { producer: PRODUCER } : {}),
  };
  return { model, graph, info, ...(chain && !blocker ? { chain } : {}) };
}

/** The data input must carry floats (a float64 declaration on float32 weights or the reverse is repaired). */
function inputTypeBlocker(chain: OnnxChain): Blocker | undefined {
  const { elemType, name } = chain.dataInput;
  if (elemType === 0 || elemType === DataType.FLOAT || elemType === DataType.DOUBLE) return undefined;
  return { layer: name, className: 'input', reason: `is a ${dataTypeName(elemType)} input; only float32 and float64 inputs are supported` };
}

/** One entry per node in file order; dense nodes of the chain carry units and their activation. */
function layerInfos(graph: OnnxGraph, sizes: Map<string, number>, chain: OnnxChain | undefined): LayerInfo[] {
  const dense = new Map(chain?.layers.map((l) => [l.node, l]) ?? []);
  const infos: LayerInfo[] = [];
  graph.node.forEach((node, index) => {
    if (node.opType === 'Constant') return;
    const layer = dense.get(index);
    const stored = node.input.reduce((n, input) => n + (sizes.get(input) ?? 0), 0);
    if (layer) {
      const bias = layer.bias ? elementCountOf(layer.bias.tensor.dims) : 0;
      const weights = elementCountOf(layer.weight.tensor.dims);
      infos.push({
        name: nodeName(node, index),
        className: node.opType,
        units: layer.units,
        activation: layer.activation?.parsed.activation ?? 'linear',
        // The weight may sit behind a Transpose or Constant node, the bias in a later Add.
        parameters: weights + (layer.bias?.add === undefined ? bias : 0),
      });
    } else {
      const add = chain?.layers.find((l) => l.bias?.add === index);
      infos.push({ name: nodeName(node, index), className: node.opType, parameters: add?.bias ? elementCountOf(add.bias.tensor.dims) : stored });
    }
  });
  return infos;
}

function elementCountOf(dims: number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}
