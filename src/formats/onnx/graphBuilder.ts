import { onnx } from 'onnx-proto';

/**
 * A small builder of ONNX graphs, shared by the onnxruntime engine (its compute graphs) and the
 * ONNX format (the dense chain of a protected copy, test and example models): nodes get
 * generated names, scalar and int64 constants become initializers (shared by value), weight
 * tensors are stored as raw_data, and `encode` serialises the ModelProto with onnx-proto's
 * protobufjs code. By default opset 17 (Softmax/Clip/ReduceSum/Unsqueeze with the opset-13
 * signatures, Shape with start/end) and IR version 8, as the engine's graphs need.
 */

/** One dimension of a graph input or output: a size, or a symbolic name ('N' for the batch). */
export type Dim = number | string;

/** Element types the builder declares and stores. */
export type ElementType = 'float32' | 'float64' | 'int32';

/** An attribute value: an integer (tagged, since JS numbers cannot tell 1 from 1.0) or a float. */
export type AttributeValue = { int: number } | { float: number };

const OPSET = 17;
const IR_VERSION = 8;
const TYPES: Record<ElementType, onnx.TensorProto.DataType> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  float64: onnx.TensorProto.DataType.DOUBLE,
  int32: onnx.TensorProto.DataType.INT32,
};

/** What the encoded ModelProto declares besides the graph. */
export interface ModelHeader {
  /** Operator sets imported (default: ai.onnx 17). */
  opsetImport?: { domain: string; version: number }[];
  /** IR version (default 8). */
  irVersion?: number;
  /** producer_name (default 'mimosanet'). */
  producerName?: string;
  producerVersion?: string;
}

/** A value_info of a tensor of `type` with `dims` (numbers are sizes, strings symbolic dims). */
export function valueInfo(name: string, type: ElementType, dims: readonly Dim[]): onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType: TYPES[type], shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } },
  };
}

/** An int or float attribute. */
export function attribute(name: string, value: AttributeValue): onnx.IAttributeProto {
  return 'int' in value
    ? { name, type: onnx.AttributeProto.AttributeType.INT, i: value.int }
    : { name, type: onnx.AttributeProto.AttributeType.FLOAT, f: value.float };
}

/** Builds one graph; names returned by the methods are the values' names in the graph. */
export class GraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly constants = new Map<string, string>();
  private counter = 0;

  constructor(
    private readonly name: string,
    private readonly header: ModelHeader = {},
    /** Prefix of generated value names, so they cannot clash with names of a graph this one is spliced into. */
    private readonly prefix = '',
  ) {}

  /** Declares a graph input and returns its name. */
  input(name: string, dims: readonly Dim[], type: ElementType = 'float32'): string {
    this.inputs.push(valueInfo(name, type, dims));
    return name;
  }

  /**
   * Declares `value` a graph output, under `name` when given (an Identity node then renames it,
   * which copies the tensor: name the node that computes a large output instead).
   */
  output(value: string, dims: readonly Dim[], name = value, type: ElementType = 'float32'): void {
    if (value !== name) this.nodes.push({ opType: 'Identity', input: [value], output: [name] });
    this.outputs.push(valueInfo(name, type, dims));
  }

  /** Adds a node with one output and returns that output's name (`name` when given). */
  op(opType: string, inputs: readonly string[], attributes: Record<string, AttributeValue> = {}, name?: string, nodeName?: string): string {
    const output = name ?? `${this.prefix}${opType.toLowerCase()}_${this.counter++}`;
    this.nodes.push({
      ...(nodeName !== undefined ? { name: nodeName } : {}),
      opType,
      input: [...inputs],
      output: [output],
      attribute: Object.entries(attributes).map(([key, value]) => attribute(key, value)),
    });
    return output;
  }

  /** A float32 scalar constant (rank 0), shared by value. */
  scalar(value: number): string {
    return this.constant(`f:${value}`, { dataType: onnx.TensorProto.DataType.FLOAT, dims: [], floatData: [value] });
  }

  /** An int32 scalar constant (rank 0). */
  int32(value: number): string {
    return this.constant(`i:${value}`, { dataType: onnx.TensorProto.DataType.INT32, dims: [], int32Data: [value] });
  }

  /** A float32 vector constant. */
  floats(values: readonly number[]): string {
    return this.constant(`fv:${values.join(',')}`, { dataType: onnx.TensorProto.DataType.FLOAT, dims: [values.length], floatData: [...values] });
  }

  /** An int64 vector constant (axes, shapes). */
  int64s(values: readonly number[]): string {
    return this.constant(`lv:${values.join(',')}`, { dataType: onnx.TensorProto.DataType.INT64, dims: [values.length], int64Data: [...values] });
  }

  /**
   * A weight tensor stored as little-endian raw_data (compact, and exact for float64), under
   * `name`; returns the name.
   */
  tensor(name: string, dims: readonly number[], values: Float32Array | Float64Array, type: 'float32' | 'float64' = 'float32'): string {
    const width = type === 'float32' ? 4 : 8;
    const raw = new Uint8Array(values.length * width);
    const view = new DataView(raw.buffer);
    for (let i = 0; i < values.length; i++) {
      if (type === 'float32') view.setFloat32(i * 4, values[i]!, true);
      else view.setFloat64(i * 8, values[i]!, true);
    }
    this.initializers.push({ name, dataType: TYPES[type], dims: [...dims], rawData: raw });
    return name;
  }

  /** The graph's nodes and initializers so far, to splice into another graph. */
  parts(): { node: onnx.INodeProto[]; initializer: onnx.ITensorProto[] } {
    return { node: [...this.nodes], initializer: [...this.initializers] };
  }

  /** The serialised ModelProto. */
  encode(): Uint8Array {
    const { header } = this;
    const model: onnx.IModelProto = {
      irVersion: header.irVersion ?? IR_VERSION,
      opsetImport: header.opsetImport ?? [{ domain: '', version: OPSET }],
      producerName: header.producerName ?? 'mimosanet',
      ...(header.producerVersion !== undefined ? { producerVersion: header.producerVersion } : {}),
      graph: { name: this.name, node: this.nodes, input: this.inputs, output: this.outputs, initializer: this.initializers },
    };
    return onnx.ModelProto.encode(onnx.ModelProto.fromObject(model)).finish();
  }

  private constant(key: string, tensor: onnx.ITensorProto): string {
    const known = this.constants.get(key);
    if (known !== undefined) return known;
    const name = `${this.prefix}const_${this.constants.size}`;
    this.initializers.push({ ...tensor, name });
    this.constants.set(key, name);
    return name;
  }
}
