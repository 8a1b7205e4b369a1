import { onnx } from 'onnx-proto';
import { UnsupportedLayerError } from '../../core/errors';
import { analyseModel } from './analyseModel';
import { decodeProto } from './decodeProto';
import type { OnnxChain } from './denseChain';
import { defaultOpset } from './onnxModel';

/**
 * The bytes onnxruntime runs for a model file, and how to feed it. Usually the file unchanged;
 * rewritten (never on disk) only where running it as it is would measure the wrong thing or
 * not run at all: for logits the graph ends at the last layer's pre-activation (softmax and
 * sigmoid saturate and hide differences), a float32 input declared on float64 weights (which
 * onnxruntime refuses) is declared float64, and opset 6 (whose Gemm onnxruntime no longer has
 * kernels for) is run as opset 7 without the `broadcast` attributes, which means the same.
 */
export interface RunnableModel {
  /** What to hand to InferenceSession.create. */
  bytes: Uint8Array;
  chain: OnnxChain;
  /** Graph input and output names. */
  inputName: string;
  outputName: string;
  /** The input's dims after the batch (e.g. [1, 28, 28] before a Flatten). */
  featureDims: number[];
  /** The rewrites made, for messages. */
  rewrites: string[];
}

/** Prepares `bytes` (the model file `file`) for onnxruntime; throws for anything but a dense chain. */
export function runnableModel(bytes: Uint8Array, file: string, logits: boolean): RunnableModel {
  const analysis = analyseModel(bytes, file);
  const { chain, info } = analysis;
  if (!chain) {
    const blocker = info.blocker ?? { layer: 'graph', className: 'graph', reason: 'is not a dense chain' };
    throw new UnsupportedLayerError(file, blocker.layer, blocker.className, blocker.reason);
  }
  const last = chain.layers[chain.layers.length - 1]!;
  const wanted = chain.precision === 'float64' ? 11 : 1;
  const cut = logits && last.activation !== undefined;
  const retype = [chain.dataInput.elemType, chain.output.elemType].some((t) => t !== wanted && t !== 0);
  const upgrade = (defaultOpset(analysis.model) ?? 7) < 7;
  const rewrites = [...(cut ? ['logits'] : []), ...(retype ? ['retyped'] : []), ...(upgrade ? ['opset 7'] : [])];
  const shape = chain.dataInput.shape;
  const declared = shape && !chain.featuresFirst ? shape.slice(1) : [];
  const featureDims = declared.length > 0 && declared.every((d) => typeof d === 'number' && d > 0) ? (declared as number[]) : [chain.inputs];
  const base = { chain, inputName: chain.dataInput.name, featureDims, rewrites };
  if (rewrites.length === 0) return { ...base, bytes, outputName: chain.output.name };
  const model = decodeProto(bytes, file);
  const graph = model.graph!;
  let outputName = chain.output.name;
  if (cut) {
    outputName = last.preActivation;
    graph.output = (graph.output ?? []).map((o) => ({ ...o, name: outputName }));
  }
  if (retype) {
    const fix = (v: onnx.IValueInfoProto) => (v.type?.tensorType ? { ...v, type: { ...v.type, tensorType: { ...v.type.tensorType, elemType: wanted } } } : v);
    graph.input = (graph.input ?? []).map((i) => (i.name === chain.dataInput.name ? fix(i) : i));
    graph.output = (graph.output ?? []).map(fix);
  }
  if (upgrade) {
    model.opsetImport = (model.opsetImport ?? []).map((o) => (o.domain === '' || o.domain === 'ai.onnx' || !o.domain ? { ...o, version: 7 } : o));
    for (const node of graph.node ?? []) node.attribute = (node.attribute ?? []).filter((a) => !(a.name === 'broadcast' || a.name === 'is_test' || (node.opType === 'Add' && a.name === 'axis')));
  }
  graph.node = liveNodes(graph, outputName);
  return { ...base, bytes: onnx.ModelProto.encode(model).finish(), outputName };
}

/** The nodes the output depends on (a cut graph leaves its old activation dead). */
function liveNodes(graph: onnx.IGraphProto, output: string): onnx.INodeProto[] {
  const nodes = graph.node ?? [];
  const needed = new Set([output]);
  const live = new Set<number>();
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i]!;
    if ((node.output ?? []).some((o) => needed.has(o))) {
      live.add(i);
      for (const input of node.input ?? []) needed.add(input);
    }
  }
  return nodes.filter((_, i) => live.has(i));
}
