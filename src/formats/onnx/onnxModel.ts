import { WireReader, WireType } from './wire';

/**
 * The part of ONNX's ModelProto (onnx/onnx.proto, field numbers as there) MimosaNet reads, as
 * plain types keeping ONNX's own names. Decoded by `decodeModel` with the bounds-checked wire
 * reader; tensor data stays a view into the file until `tensors.ts` checks and decodes it.
 * Subgraphs (If/Loop bodies) and training info are not descended into: a node that carries a
 * graph is reported as unsupported, and nothing else of them matters here.
 */

/** TensorProto.DataType values MimosaNet names (others are reported by number). */
export const DataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, FLOAT16: 10, DOUBLE: 11, BFLOAT16: 16 } as const;

/** Names of TensorProto.DataType values, for messages. */
export const DATA_TYPE_NAMES: Record<number, string> = {
  0: 'undefined', 1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string', 9: 'bool',
  10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 14: 'complex64', 15: 'complex128', 16: 'bfloat16',
};

/** A tensor (initializer or attribute value); its data is not decoded yet. */
export interface OnnxTensor {
  /** Tensor name (initializers are referred to by it). */
  name: string;
  /** Declared dimensions (int64 in the file). */
  dims: number[];
  /** TensorProto.DataType. */
  dataType: number;
  /** raw_data, a view into the file, when present. */
  rawData?: Uint8Array;
  /** float_data: packed runs (views) and unpacked values, in file order. */
  floatData: DataParts;
  /** double_data, likewise. */
  doubleData: DataParts;
  /** int64_data (shapes, axes). */
  int64Data: number[];
  /** int32_data holds float16/int8/... values; only its count matters for messages. */
  int32Count: number;
  /** True when data_location is EXTERNAL (the values live in another file). */
  external: boolean;
}

/** A repeated fixed-width field: packed runs as views, unpacked values as numbers. */
export interface DataParts {
  /** Packed runs, each a view of little-endian values. */
  packed: Uint8Array[];
  /** Values from unpacked fields. */
  values: number[];
}

/** An attribute as the chain reader needs it. */
export interface OnnxAttribute {
  name: string;
  /** AttributeProto.type (1 FLOAT, 2 INT, 3 STRING, 4 TENSOR, 5 GRAPH, 6 FLOATS, 7 INTS, ...). */
  type: number;
  f?: number;
  i?: number;
  ints: number[];
  floats: number[];
  t?: OnnxTensor;
  /** True when the attribute carries a graph or graphs (a subgraph). */
  hasGraph: boolean;
}

/** A node of the graph. */
export interface OnnxNode {
  name: string;
  opType: string;
  /** Operator set domain; '' (or 'ai.onnx') is the default one. */
  domain: string;
  input: string[];
  output: string[];
  attribute: OnnxAttribute[];
}

/** One dimension of a declared shape: a size, a symbolic name, or unknown. */
export type OnnxDim = number | string | null;

/** A graph input or output. */
export interface OnnxValueInfo {
  name: string;
  /** Element type of a tensor value (0 when the type is not a tensor or not given). */
  elemType: number;
  /** Declared shape, or undefined when no shape is given. */
  shape?: OnnxDim[];
}

/** The graph. */
export interface OnnxGraph {
  name: string;
  node: OnnxNode[];
  initializer: OnnxTensor[];
  /** Number of sparse initializers (not supported: their names block the chain). */
  sparseInitializerNames: string[];
  input: OnnxValueInfo[];
  output: OnnxValueInfo[];
}

/** An operator set a model imports. */
export interface OnnxOpset {
  domain: string;
  version: number;
}

/** The model. */
export interface OnnxModel {
  irVersion: number;
  opsetImport: OnnxOpset[];
  producerName: string;
  producerVersion: string;
  graph?: OnnxGraph;
}

/** Decodes a whole .onnx file; throws ModelFormatError naming `file` on any malformed field. */
export function decodeModel(bytes: Uint8Array, file: string): OnnxModel {
  const r = new WireReader(bytes, file, 'ModelProto');
  const model: OnnxModel = { irVersion: 0, opsetImport: [], producerName: '', producerVersion: '' };
  while (r.more()) {
    const { field, wire } = r.key();
    if (field === 1 && wire === WireType.Varint) model.irVersion = r.int64();
    else if (field === 2 && wire === WireType.Bytes) model.producerName = r.string();
    else if (field === 3 && wire === WireType.Bytes) model.producerVersion = r.string();
    else if (field === 7 && wire === WireType.Bytes) {
      if (model.graph) r.fail('more than one graph');
      model.graph = decodeGraph(r.message('graph'));
    } else if (field === 8 && wire === WireType.Bytes) model.opsetImport.push(decodeOpset(r.message('opset_import')));
    else r.skip(wire);
  }
  return model;
}

function decodeOpset(r: WireReader): OnnxOpset {
  const opset: OnnxOpset = { domain: '', version: 0 };
  while (r.more()) {
    const { field, wire } = r.key();
    if (field === 1 && wire === WireType.Bytes) opset.domain = r.string();
    else if (field === 2 && wire === WireType.Varint) opset.version = r.int64();
    else r.skip(wire);
  }
  return opset;
}

function decodeGraph(r: WireReader): OnnxGraph {
  const graph: OnnxGraph = { name: '', node: [], initializer: [], sparseInitializerNames: [], input: [], output: [] };
  while (r.more()) {
    const { field, wire } = r.key();
    if (wire !== WireType.Bytes) r.skip(wire);
    else if (field === 1) graph.node.push(decodeNode(r.message(`node #${graph.node.length}`)));
    else if (field === 2) graph.name = r.string();
    else if (field === 5) graph.initializer.push(decodeTensor(r.message(`initializer #${graph.initializer.length}`)));
    else if (field === 11) graph.input.push(decodeValueInfo(r.message(`input #${graph.input.length}`)));
    else if (field === 12) graph.output.push(decodeValueInfo(r.message(`output #${graph.output.length}`)));
    else if (field === 15) graph.sparseInitializerNames.push(sparseName(r.message('sparse_initializer')));
    else r.skip(wire);
  }
  return graph;
}

function decodeNode(r: WireReader): OnnxNode {
  const node: OnnxNode = { name: '', opType: '', domain: '', input: [], output: [], attribute: [] };
  while (r.more()) {
    const { field, wire } = r.key();
    if (wire !== WireType.Bytes) r.skip(wire);
    else if (field === 1) node.input.push(r.string());
    else if (field === 2) node.output.push(r.string());
    else if (field === 3) node.name = r.string();
    else if (field === 4) node.opType = r.string();
    else if (field === 7) node.domain = r.string();
    else if (field === 5) node.attribute.push(decodeAttribute(r.message(`attribute #${node.attribute.length}`)));
    else r.skip(wire);
  }
  return node;
}

function decodeAttribute(r: WireReader): OnnxAttribute {
  const attribute: OnnxAttribute = { name: '', type: 0, ints: [], floats: [], hasGraph: false };
  while (r.more()) {
    const { field, wire } = r.key();
    if (field === 1 && wire === WireType.Bytes) attribute.name = r.string();
    else if (field === 20 && wire === WireType.Varint) attribute.type = r.int32();
    else if (field === 2 && wire === WireType.Fixed32) attribute.f = r.float();
    else if (field === 3 && wire === WireType.Varint) attribute.i = r.int64();
    else if (field === 5 && wire === WireType.Bytes) attribute.t = decodeTensor(r.message(`tensor of '${attribute.name}'`));
    else if (field === 7) readFloats(r, wire, attribute.floats);
    else if (field === 8) r.repeatedInt64(wire, attribute.ints);
    else if ((field === 6 || field === 11) && wire === WireType.Bytes) {
      // A subgraph: remembered, never decoded (nested graphs are how a hostile file recurses).
      attribute.hasGraph = true;
      r.skip(wire);
    } else r.skip(wire);
  }
  return attribute;
}

/** Appends repeated float32 values, packed or not. */
function readFloats(r: WireReader, wire: number, into: number[]): void {
  if (wire === WireType.Fixed32) {
    into.push(r.float());
    return;
  }
  r.expect(wire, WireType.Bytes);
  const inner = r.message('floats');
  while (inner.more()) into.push(inner.float());
}

/** Decodes a TensorProto; data fields stay views into the file. */
export function decodeTensor(r: WireReader): OnnxTensor {
  const tensor: OnnxTensor = {
    name: '',
    dims: [],
    dataType: 0,
    floatData: { packed: [], values: [] },
    doubleData: { packed: [], values: [] },
    int64Data: [],
    int32Count: 0,
    external: false,
  };
  while (r.more()) {
    const { field, wire } = r.key();
    if (field === 1) r.repeatedInt64(wire, tensor.dims);
    else if (field === 2 && wire === WireType.Varint) tensor.dataType = r.int32();
    else if (field === 8 && wire === WireType.Bytes) tensor.name = r.string();
    else if (field === 9 && wire === WireType.Bytes) tensor.rawData = r.bytesField();
    else if (field === 4) fixedPart(r, wire, WireType.Fixed32, tensor.floatData, () => r.float());
    else if (field === 10) fixedPart(r, wire, WireType.Fixed64, tensor.doubleData, () => r.double());
    else if (field === 7) r.repeatedInt64(wire, tensor.int64Data);
    else if (field === 5) {
      const values: number[] = [];
      r.repeatedInt64(wire, values);
      tensor.int32Count += values.length;
    } else if (field === 14 && wire === WireType.Varint) tensor.external = r.int32() === 1;
    else r.skip(wire);
  }
  return tensor;
}

/** One field of a repeated fixed-width value: a packed run (kept as a view) or one value. */
function fixedPart(r: WireReader, wire: number, single: WireType, parts: DataParts, read: () => number): void {
  if (wire === single) parts.values.push(read());
  else {
    r.expect(wire, WireType.Bytes);
    parts.packed.push(r.bytesField());
  }
}

function sparseName(r: WireReader): string {
  let name = '';
  while (r.more()) {
    const { field, wire } = r.key();
    // SparseTensorProto.values (field 1) is a TensorProto whose name is the initializer's.
    if (field === 1 && wire === WireType.Bytes) name = decodeTensor(r.message('sparse values')).name;
    else r.skip(wire);
  }
  return name;
}

function decodeValueInfo(r: WireReader): OnnxValueInfo {
  const info: OnnxValueInfo = { name: '', elemType: 0 };
  while (r.more()) {
    const { field, wire } = r.key();
    if (field === 1 && wire === WireType.Bytes) info.name = r.string();
    else if (field === 2 && wire === WireType.Bytes) decodeType(r.message(`type of '${info.name}'`), info);
    else r.skip(wire);
  }
  return info;
}

/** TypeProto: only tensor_type (field 1) with its elem_type and shape. */
function decodeType(r: WireReader, info: OnnxValueInfo): void {
  while (r.more()) {
    const { field, wire } = r.key();
    if (field !== 1 || wire !== WireType.Bytes) {
      r.skip(wire);
      continue;
    }
    const tensor = r.message('tensor_type');
    while (tensor.more()) {
      const inner = tensor.key();
      if (inner.field === 1 && inner.wire === WireType.Varint) info.elemType = tensor.int32();
      else if (inner.field === 2 && inner.wire === WireType.Bytes) info.shape = decodeShape(tensor.message('shape'));
      else tensor.skip(inner.wire);
    }
  }
}

function decodeShape(r: WireReader): OnnxDim[] {
  const dims: OnnxDim[] = [];
  while (r.more()) {
    const { field, wire } = r.key();
    if (field !== 1 || wire !== WireType.Bytes) {
      r.skip(wire);
      continue;
    }
    const dim = r.message(`dim #${dims.length}`);
    let value: OnnxDim = null;
    while (dim.more()) {
      const inner = dim.key();
      if (inner.field === 1 && inner.wire === WireType.Varint) value = dim.int64();
      else if (inner.field === 2 && inner.wire === WireType.Bytes) value = dim.string();
      else dim.skip(inner.wire);
    }
    dims.push(value);
  }
  return dims;
}

/** The attribute `name` of a node, if set. */
export function attribute(node: OnnxNode, name: string): OnnxAttribute | undefined {
  return node.attribute.find((a) => a.name === name);
}

/** An int attribute's value, or `fallback`. */
export function intAttribute(node: OnnxNode, name: string, fallback: number): number {
  return attribute(node, name)?.i ?? fallback;
}

/** A float attribute's value, or `fallback`. */
export function floatAttribute(node: OnnxNode, name: string, fallback: number): number {
  return attribute(node, name)?.f ?? fallback;
}

/** The version of the default (ai.onnx) operator set the model imports, or undefined. */
export function defaultOpset(model: OnnxModel): number | undefined {
  return model.opsetImport.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version;
}
