import { onnx } from 'onnx-proto';
import { InvalidNetworkError } from '../../core/errors';
import { validateNetwork, type DenseLayer, type DenseNetwork } from '../../core/network';
import type { WrittenFile } from '../format';
import { PRODUCER } from './analyseModel';
import type { ChainLayer } from './denseChain';
import { GraphBuilder, valueInfo } from './graphBuilder';
import { decodeProto } from './decodeProto';
import { activationOp } from './opKinds';
import type { OnnxSource } from './source';

/**
 * Writes `network` (the source's network or a protected copy: same layers, possibly wider,
 * possibly with `inserted` layers before the source layer they belong to) as an ONNX model:
 * the original file re-decoded with onnx-proto, its chain nodes and weights replaced by new ones
 * in the same forms (Gemm with the same transB, MatMul + Add, Transpose › MatMul) and precision,
 * everything else kept: IR version, opset imports, metadata, input and output names and shapes,
 * a leading Flatten/Reshape. producer_name becomes MimosaNet, so a copy is recognised as one.
 * Pure: returns the bytes.
 */
export function writeOnnxModel(source: OnnxSource, network: DenseNetwork, baseName: string): WrittenFile[] {
  validateNetwork(network);
  const groups = groupLayers(source, network);
  const model = decodeProto(source.bytes, source.file);
  const graph = model.graph!;
  const { chain } = source;
  const kept = new Set(chain.prefix);
  const keptNodes = (graph.node ?? []).filter((_, i) => kept.has(i));
  const keptInputs = new Set(keptNodes.flatMap((n) => n.input ?? []));
  const keptInitializers = (graph.initializer ?? []).filter((t) => keptInputs.has(t.name ?? ''));
  // Names of everything that stays; the chain's old node and tensor names are free to reuse.
  const names = usedNames(keptNodes, keptInitializers, [...(graph.input ?? []), ...(graph.output ?? [])]);
  const unique = (base: string): string => {
    let name = base;
    for (let k = 1; names.has(name) || name === ''; k++) name = `${base}_${k}`;
    names.add(name);
    return name;
  };
  const builder = new GraphBuilder(graph.name ?? 'graph', {}, `${unique('mimosa')}/`);
  let h = chain.chainInput;
  const total = groups.reduce((n, g) => n + g.inserted.length + 1, 0);
  let emitted = 0;
  for (const group of groups) {
    for (const layer of [...group.inserted, group.layer]) {
      const last = ++emitted === total;
      h = emitLayer(builder, source, { layer, template: group.template, input: h, output: last ? chain.output.name : undefined, transA: emitted === 1 && chain.featuresFirst, unique });
    }
  }
  const { node, initializer } = builder.parts();
  const initializerNames = new Set((graph.initializer ?? []).map((t) => t.name ?? ''));
  graph.node = [...keptNodes, ...node];
  graph.initializer = [...keptInitializers, ...initializer];
  // IR 3 lists every initializer among the graph inputs (later files may too): keep that convention.
  const listsInitializers = (graph.input ?? []).some((i) => initializerNames.has(i.name ?? ''));
  const type = source.precision === 'float64' ? 'float64' : 'float32';
  graph.input = [
    ...(graph.input ?? []).filter((i) => !initializerNames.has(i.name ?? '') || keptInputs.has(i.name ?? '')).map((i) => retype(i, source)),
    ...(listsInitializers ? initializer.map((t) => valueInfo(t.name!, type, (t.dims ?? []).map(Number))) : []),
  ];
  graph.output = (graph.output ?? []).map((o) => retype(o, source));
  // Shapes of intermediate values changed with the layer widths: keep only those of kept values.
  const keptValues = new Set(keptNodes.flatMap((n) => n.output ?? []));
  graph.valueInfo = (graph.valueInfo ?? []).filter((v) => keptValues.has(v.name ?? ''));
  markProducer(model);
  const file = /^[\w.-]+$/.test(baseName) && !baseName.startsWith('.') ? `${baseName}.onnx` : 'model.onnx';
  return [{ name: file, bytes: onnx.ModelProto.encode(model).finish() }];
}

/** What emitting one layer needs. */
interface LayerEmit {
  layer: DenseLayer;
  /** The source layer it belongs to (its form and names). */
  template: ChainLayer;
  /** Name of the value it reads. */
  input: string;
  /** Name of the value it must produce (the graph output for the last layer). */
  output: string | undefined;
  /** Gemm transA=1: the data input is [features, batch]. */
  transA: boolean;
  unique: (base: string) => string;
}

/** Emits one dense layer in its source layer's form, then its activation; returns its output value. */
function emitLayer(builder: GraphBuilder, source: OnnxSource, emit: LayerEmit): string {
  const { layer, template, unique } = emit;
  const type = source.precision;
  const own = !layer.inserted;
  const base = own ? template.name : layer.name;
  const nodeName = (suffix: string): string => unique(`${base}${suffix}`);
  const weightName = unique(own && template.weight.nodes.length === 0 ? template.weight.tensor.name : `${base}.weight`);
  const useBias = layer.hasBias || layer.inserted === true || layer.bias.some((b) => b !== 0);
  const biasName = useBias ? unique(own && template.bias && template.bias.nodes.length === 0 ? template.bias.tensor.name : `${base}.bias`) : '';
  const act = activationOp(layer.activation, layer.alpha);
  if (act === undefined) throw new InvalidNetworkError(`layer '${layer.name}': ONNX has no operator for activation '${layer.activation}'`);
  const finalName = (isLast: boolean) => (isLast && emit.output !== undefined ? emit.output : undefined);
  let z: string;
  const unitsFirst = template.form === 'transpose-matmul' || (template.form === 'gemm' && template.transB);
  builder.tensor(weightName, unitsFirst ? [layer.units, layer.inputs] : [layer.inputs, layer.units], unitsFirst ? layer.weights : transpose(layer.weights, layer.units, layer.inputs), type);
  if (useBias) builder.tensor(biasName, [layer.units], layer.bias, type);
  if (template.form === 'gemm') {
    const attributes = { ...(template.transB ? { transB: { int: 1 } } : {}), ...(emit.transA ? { transA: { int: 1 } } : {}) };
    z = builder.op('Gemm', [emit.input, weightName, ...(useBias ? [biasName] : [])], attributes, finalName(act === null), nodeName(''));
  } else {
    const b = template.form === 'transpose-matmul' ? builder.op('Transpose', [weightName], {}, undefined, nodeName('/transpose')) : weightName;
    z = builder.op('MatMul', [emit.input, b], {}, finalName(act === null && !useBias), nodeName(''));
    if (useBias) z = builder.op('Add', [z, biasName], {}, finalName(act === null), nodeName('/bias'));
  }
  if (act === null) return z;
  return builder.op(act.opType, [z], act.attributes, finalName(true), nodeName(`/${act.opType}`));
}

/** [units × inputs] → [inputs × units]. */
function transpose(values: Float32Array, units: number, inputs: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let j = 0; j < units; j++) for (let i = 0; i < inputs; i++) out[i * units + j] = values[j * inputs + i]!;
  return out;
}

/** Pairs each source layer with its layer in `network` and the inserted layers before it. */
function groupLayers(source: OnnxSource, network: DenseNetwork): { inserted: DenseLayer[]; layer: DenseLayer; template: ChainLayer }[] {
  const groups: { inserted: DenseLayer[]; layer: DenseLayer; template: ChainLayer }[] = [];
  let pending: DenseLayer[] = [];
  for (const layer of network.layers) {
    if (layer.inserted) {
      pending.push(layer);
      continue;
    }
    const template = source.chain.layers[groups.length];
    if (!template) throw new InvalidNetworkError(`the network has more layers from the source model than its ${source.chain.layers.length} dense layers`);
    groups.push({ inserted: pending, layer, template });
    pending = [];
  }
  if (pending.length > 0) throw new InvalidNetworkError(`inserted layer '${pending[0]!.name}' follows the last source layer; inserted layers must precede a source layer`);
  if (groups.length !== source.chain.layers.length) throw new InvalidNetworkError(`the network has ${groups.length} layers from the source model, which has ${source.chain.layers.length} dense layers`);
  if (network.inputs !== source.chain.inputs) throw new InvalidNetworkError(`the network reads ${network.inputs} inputs, the source model ${source.chain.inputs}`);
  return groups;
}

/** Every node, value and tensor name of what stays in the graph, so new names never clash. */
function usedNames(nodes: onnx.INodeProto[], initializers: onnx.ITensorProto[], values: onnx.IValueInfoProto[]): Set<string> {
  const names = new Set<string>();
  for (const n of nodes) for (const v of [...(n.input ?? []), ...(n.output ?? []), n.name ?? '']) names.add(v);
  for (const t of initializers) names.add(t.name ?? '');
  for (const v of values) names.add(v.name ?? '');
  names.delete('');
  return names;
}

/**
 * The input/output declared in the weights' precision. Some exporters declare float32 inputs on
 * float64 weights, which onnxruntime refuses to load; the copy declares what it computes in.
 */
function retype(value: onnx.IValueInfoProto, source: OnnxSource): onnx.IValueInfoProto {
  const tensor = value.type?.tensorType;
  const wanted = source.precision === 'float64' ? onnx.TensorProto.DataType.DOUBLE : onnx.TensorProto.DataType.FLOAT;
  if (!tensor || (tensor.elemType !== onnx.TensorProto.DataType.FLOAT && tensor.elemType !== onnx.TensorProto.DataType.DOUBLE)) return value;
  return { ...value, type: { ...value.type, tensorType: { ...tensor, elemType: wanted } } };
}

/** producer_name MimosaNet; the original producer is kept in metadata_props. */
function markProducer(model: onnx.ModelProto): void {
  const original = [model.producerName, model.producerVersion].filter((s) => s).join(' ');
  if (model.producerName !== PRODUCER) {
    const props = (model.metadataProps ?? []).filter((p) => p.key !== 'mimosanet.original_producer');
    model.metadataProps = [...props, onnx.StringStringEntryProto.create({ key: 'mimosanet.original_producer', value: original || 'unknown' })];
  }
  model.producerName = PRODUCER;
  model.producerVersion = '';
}
