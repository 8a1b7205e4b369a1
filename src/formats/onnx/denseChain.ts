import type { Blocker } from '../format';
import { attribute, defaultOpset, floatAttribute, intAttribute, type OnnxGraph, type OnnxModel, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from './onnxModel';
import { blockReason, IDENTITY_OPS, parseActivation, type ParsedActivation } from './opKinds';
import { dataTypeName, precisionOf, type Precision } from './tensors';

/**
 * Finds the dense chain in an ONNX graph by walking from its one data input to its one output,
 * one consumer at a time: an optional leading Flatten/Reshape, then layers of `Gemm` (any
 * transA/transB/alpha/beta, optional C) or `MatMul` (weights [in,out] or `Transpose(W)`) with an
 * optional bias `Add`, each followed by at most one element-wise activation; Identity and
 * Dropout are skipped. The first node that does not fit is the blocker. Weights must be stored
 * in the file (initializers or Constant nodes): weights fed as graph inputs are refused.
 */

/** The opsets MimosaNet reads (ONNX 1.1 … 1.16). */
export const MIN_OPSET = 6;
export const MAX_OPSET = 21;

/** How a layer's weights are stored and multiplied. */
export type LayerForm = 'gemm' | 'matmul' | 'transpose-matmul';

/** A constant tensor and the nodes that produce it (Constant, Transpose of a constant). */
export interface ConstantValue {
  tensor: OnnxTensor;
  /** Producing nodes (indices), empty for an initializer. */
  nodes: number[];
}

/** One dense layer of the chain as the file stores it. */
export interface ChainLayer {
  /** Name for the network and messages: the node's name, else its weight tensor's. */
  name: string;
  form: LayerForm;
  /** Index of the Gemm or MatMul node. */
  node: number;
  /** Gemm's transB (weights stored [units, inputs]); false for MatMul. */
  transB: boolean;
  /** Gemm's alpha and beta (folded into the weights and bias when read). */
  alpha: number;
  beta: number;
  weight: ConstantValue;
  /** The bias (Gemm's C or the Add's constant) and the Add node, when there is one. */
  bias?: ConstantValue & { add?: number };
  inputs: number;
  units: number;
  /** The activation after the layer and its node. */
  activation?: { parsed: ParsedActivation; node: number };
  /** Name of the value holding the layer's output before its activation. */
  preActivation: string;
}

/** The chain found in a graph. */
export interface OnnxChain {
  dataInput: OnnxValueInfo;
  output: OnnxValueInfo;
  /** Leading Flatten/Reshape nodes (and Constants feeding them), kept verbatim when writing. */
  prefix: number[];
  /** The value the first dense layer reads (the prefix's output, else the data input). */
  chainInput: string;
  layers: ChainLayer[];
  /** Identity, Dropout and mid-chain Flatten nodes, left out of a written copy. */
  skipped: number[];
  /** Width of the flat input the first layer reads. */
  inputs: number;
  precision: Precision;
  /** True when the first Gemm has transA=1: the data input is [inputs, batch]. */
  featuresFirst: boolean;
  /** The batch size the input declares, when it is a fixed number. */
  fixedBatch?: number;
}

const DENSE_OPS: ReadonlySet<string> = new Set(['Gemm', 'MatMul']);

/** The chain, or the first thing that blocks it. */
export type ChainResult = { chain: OnnxChain } | { blocker: Blocker };

/** Name of a node for messages and blockers: its own, else "<op> #<index>". */
export function nodeName(node: OnnxNode, index: number): string {
  return node.name !== '' ? node.name : `${node.opType} #${index}`;
}

/** Finds the chain of `model` (its graph must be present). Never throws for unsupported content. */
export function analyseChain(model: OnnxModel): ChainResult {
  const graph = model.graph!;
  const opset = defaultOpset(model);
  if (opset === undefined || opset < MIN_OPSET || opset > MAX_OPSET) {
    return { blocker: { layer: 'opset_import', className: 'ModelProto', reason: `imports ai.onnx opset ${opset ?? '(none)'}; MimosaNet reads opsets ${MIN_OPSET}–${MAX_OPSET}` } };
  }
  const walker = new ChainWalker(graph, opset);
  const blocker = walker.walk();
  return blocker ? { blocker } : { chain: walker.chain() };
}

class ChainWalker {
  private readonly initializers: Map<string, OnnxTensor>;
  private readonly producers = new Map<string, number>();
  private readonly consumers = new Map<string, number[]>();
  private readonly dataInput: OnnxValueInfo | undefined;
  private readonly visited = new Set<number>();
  private readonly layers: ChainLayer[] = [];
  private readonly prefix: number[] = [];
  private readonly skipped: number[] = [];
  private current = '';
  private chainInput = '';
  private width: number | undefined;
  private precision: Precision | undefined;
  private featuresFirst = false;

  constructor(
    private readonly graph: OnnxGraph,
    private readonly opset: number,
  ) {
    this.initializers = new Map(graph.initializer.map((t) => [t.name, t]));
    graph.node.forEach((node, index) => {
      for (const output of node.output) if (output !== '') this.producers.set(output, index);
      for (const input of new Set(node.input)) {
        if (input === '') continue;
        const list = this.consumers.get(input) ?? [];
        list.push(index);
        this.consumers.set(input, list);
      }
    });
    this.dataInput = graph.input.find((i) => !this.initializers.has(i.name));
  }

  /** Walks input to output; returns the first blocker, or undefined when the chain is complete. */
  walk(): Blocker | undefined {
    const { graph, dataInput } = this;
    if (!dataInput) return { layer: 'graph', className: 'GraphProto', reason: 'has no data input (every graph input has a stored value)' };
    if (graph.output.length !== 1) return { layer: 'graph', className: 'GraphProto', reason: `has ${graph.output.length} outputs; only single-output chains are supported` };
    const output = graph.output[0]!;
    // Weights fed as graph inputs (operator tests, traced functions) are the clearest reason: say it first.
    const fed = graph.node.findIndex((node) => DENSE_OPS.has(node.opType) && node.input.slice(1).some((i) => i !== '' && this.isFedInput(i)));
    if (fed >= 0) {
      const node = graph.node[fed]!;
      const name = node.input.slice(1).find((i) => this.isFedInput(i))!;
      return this.block(fed, `takes its weights '${name}' as a graph input, not stored in the file: there are no weights to protect`);
    }
    this.current = dataInput.name;
    this.chainInput = dataInput.name;
    this.width = this.inputWidth(dataInput, false);
    for (;;) {
      const users = this.consumers.get(this.current) ?? [];
      if (this.current === output.name) {
        if (users.length > 0) return this.block(users[0]!, `reads the graph output '${output.name}' as well; only chains are supported`);
        break;
      }
      if (users.length === 0) return { layer: this.current, className: 'value', reason: `is computed but never reaches the graph output '${output.name}'` };
      if (users.length > 1) return this.block(users[1]!, `reads '${this.current}' too: the graph branches there; only chains are supported`);
      const blocker = this.step(users[0]!);
      if (blocker) return blocker;
    }
    return this.finish();
  }

  private finish(): Blocker | undefined {
    const { graph } = this;
    if (this.layers.length === 0) return { layer: graph.output[0]!.name, className: 'graph', reason: 'has no Gemm or MatMul layer with stored weights' };
    const extraInput = graph.input.find((i) => !this.initializers.has(i.name) && i.name !== this.dataInput!.name);
    if (extraInput) return { layer: extraInput.name, className: 'input', reason: 'is a second graph input; only single-input chains are supported' };
    const stray = graph.node.findIndex((node, index) => !this.visited.has(index) && !(node.opType === 'Constant' && this.feedsVisited(node)));
    if (stray >= 0) return this.block(stray, 'is not on the chain from the input to the output; only chains are supported');
    if (graph.sparseInitializerNames.length > 0) return { layer: graph.sparseInitializerNames[0]!, className: 'sparse_initializer', reason: 'is a sparse tensor; MimosaNet reads dense tensors only' };
    return undefined;
  }

  /** A graph input without a stored value (not the data input). */
  private isFedInput(name: string): boolean {
    return name !== this.dataInput!.name && !this.initializers.has(name) && this.graph.input.some((i) => i.name === name);
  }

  private feedsVisited(node: OnnxNode): boolean {
    return node.output.every((o) => (this.consumers.get(o) ?? []).every((c) => this.visited.has(c)));
  }

  /** The chain after a successful walk. */
  chain(): OnnxChain {
    const batchDim = this.dataInput!.shape?.[this.featuresFirst ? 1 : 0];
    return {
      dataInput: this.dataInput!,
      output: this.graph.output[0]!,
      prefix: this.prefix,
      chainInput: this.chainInput,
      layers: this.layers,
      skipped: this.skipped,
      inputs: this.layers[0]!.inputs,
      precision: this.precision ?? 'float32',
      featuresFirst: this.featuresFirst,
      ...(typeof batchDim === 'number' && batchDim > 0 ? { fixedBatch: batchDim } : {}),
    };
  }

  private block(index: number, reason: string): Blocker {
    const node = this.graph.node[index]!;
    return { layer: nodeName(node, index), className: node.opType, reason };
  }

  /** Consumes one node that reads the current value; returns a blocker when it does not fit. */
  private step(index: number): Blocker | undefined {
    const node = this.graph.node[index]!;
    if (node.domain !== '' && node.domain !== 'ai.onnx') return this.block(index, `is an operator of domain '${node.domain}'; only standard ONNX operators are supported`);
    if (node.attribute.some((a) => a.hasGraph)) return this.block(index, 'carries a subgraph; only dense chains are supported');
    if (node.input[0] !== this.current && node.opType !== 'Add') return this.block(index, `reads the chain's value '${this.current}' in an unsupported position`);
    this.visited.add(index);
    const last = this.layers[this.layers.length - 1];
    let blocker: Blocker | undefined;
    if (node.opType === 'Gemm' || node.opType === 'MatMul') blocker = this.dense(index, node);
    else if (node.opType === 'Add') blocker = this.biasAdd(index, node, last);
    else if (node.opType === 'Flatten' || node.opType === 'Reshape') blocker = this.reshape(index, node);
    else if (IDENTITY_OPS.has(node.opType)) blocker = this.identity(index, node);
    else blocker = this.activation(index, node, last);
    if (blocker) return blocker;
    if (node.output.length === 0 || node.output[0] === '') return this.block(index, 'has no output');
    this.current = node.output[0]!;
    return undefined;
  }

  private identity(index: number, node: OnnxNode): Blocker | undefined {
    // Dropout's optional mask output must not be used by anything: at inference it is all ones.
    if (node.output.slice(1).some((o) => o !== '' && ((this.consumers.get(o) ?? []).length > 0 || this.graph.output.some((g) => g.name === o)))) {
      return this.block(index, 'has its mask output used; only its inference output is supported');
    }
    this.skipped.push(index);
    return undefined;
  }

  private activation(index: number, node: OnnxNode, last: ChainLayer | undefined): Blocker | undefined {
    const parsed = parseActivation(node);
    if (parsed === undefined) return this.block(index, blockReason(node.opType));
    if ('reason' in parsed) return this.block(index, parsed.reason);
    if (!last) return this.block(index, 'is an activation before any dense layer; only activations after a Gemm or MatMul are supported');
    if (last.activation) return this.block(index, `is a second activation after '${last.name}'; only one per layer is supported`);
    if (node.opType === 'Softmax') {
      const axis = intAttribute(node, 'axis', this.opset >= 13 ? -1 : 1);
      if (axis !== 1 && axis !== -1) return this.block(index, `normalises over axis ${axis}; only the last axis of a [batch, units] tensor is supported`);
    }
    last.activation = { parsed, node: index };
    return undefined;
  }

  /** A leading Flatten/Reshape to [batch, features], or a Flatten of an already flat value between layers. */
  private reshape(index: number, node: OnnxNode): Blocker | undefined {
    const atInput = this.layers.length === 0 && this.skipped.length === 0 && this.prefix.length === 0;
    if (node.opType === 'Flatten') {
      const axis = intAttribute(node, 'axis', 1);
      if (axis !== 1) return this.block(index, `flattens from axis ${axis}; only Flatten(axis=1) to [batch, features] is supported`);
      if (!atInput) {
        this.skipped.push(index);
        return undefined;
      }
      this.prefix.push(index);
      this.width = this.inputWidth(this.dataInput!, true);
      this.chainInput = node.output[0] ?? '';
      return undefined;
    }
    if (!atInput) return this.block(index, 'reshapes between dense layers; only a Reshape at the input is supported');
    const shape = this.shapeConstant(node.input[1] ?? '');
    if (typeof shape === 'string') return this.block(index, shape);
    const declared = this.dataInput!.shape;
    const batch = declared?.[0];
    const features = this.inputWidth(this.dataInput!, true);
    const [first, second] = shape.values;
    const keepsBatch = first === -1 || first === 0 || (typeof batch === 'number' && first === batch);
    if (shape.values.length !== 2 || !keepsBatch || second === undefined || second <= 0 || (features !== undefined && second !== features)) {
      return this.block(index, `reshapes to [${shape.values.join(', ')}]; only a Reshape to [batch, ${features ?? 'features'}] is supported`);
    }
    this.prefix.push(...shape.nodes, index);
    this.width = second;
    this.chainInput = node.output[0] ?? '';
    return undefined;
  }

  /** Width of the input's features: dim 1 (rank 2), or the product of every dim after the batch when flattened. */
  private inputWidth(input: OnnxValueInfo, flatten: boolean): number | undefined {
    const dims = input.shape;
    if (!dims || dims.length < 2) return undefined;
    const rest = flatten ? dims.slice(1) : dims.length === 2 ? dims.slice(1) : [];
    if (rest.length === 0 || !rest.every((d) => typeof d === 'number' && d > 0)) return undefined;
    return (rest as number[]).reduce((a, b) => a * b, 1);
  }

  private shapeConstant(name: string): { values: number[]; nodes: number[] } | string {
    const value = this.constant(name, 'shape');
    if (typeof value === 'string') return value;
    const { tensor } = value;
    if (tensor.dims.length !== 1 || tensor.int64Data.length + (tensor.rawData?.length ?? 0) / 8 > 8) return `takes a target shape '${name}' that is not a short int64 vector`;
    const raw = tensor.rawData;
    const values = raw && raw.length > 0 ? Array.from({ length: raw.length / 8 }, (_, i) => Number(new DataView(raw.buffer, raw.byteOffset, raw.byteLength).getBigInt64(i * 8, true))) : tensor.int64Data;
    if (tensor.dataType !== 7 || (raw && raw.length % 8 !== 0) || values.length !== tensor.dims[0]) return `takes a target shape '${name}' that is not a valid int64 vector`;
    return { values, nodes: value.nodes };
  }

  /** A value stored in the file: an initializer or a Constant node's tensor; else why not. */
  private constant(name: string, role: string): ConstantValue | string {
    const initializer = this.initializers.get(name);
    if (initializer) return { tensor: initializer, nodes: [] };
    const producer = this.producers.get(name);
    const node = producer === undefined ? undefined : this.graph.node[producer]!;
    if (node?.opType === 'Constant') {
      const value = attribute(node, 'value')?.t;
      if (!value) return `takes ${role} '${name}' from a Constant node without a tensor value`;
      this.visited.add(producer!);
      return { tensor: { ...value, name }, nodes: [producer!] };
    }
    if (this.graph.input.some((i) => i.name === name)) return `takes its ${role} '${name}' as a graph input, not stored in the file: there are no weights to protect`;
    if (node) return `takes its ${role} '${name}' from node '${nodeName(node, producer!)}' (${node.opType}), not from a stored tensor`;
    return `takes ${role} '${name}', which nothing in the graph defines`;
  }

  /** Checks a weight or bias tensor's type and the chain's one precision. */
  private checkPrecision(tensor: OnnxTensor, role: string): string | undefined {
    const precision = precisionOf(tensor.dataType);
    if (!precision) return `has ${role} '${tensor.name}' of type ${dataTypeName(tensor.dataType)}; only float32 and float64 models are supported`;
    if (this.precision && this.precision !== precision) return `has ${role} '${tensor.name}' in ${precision} after ${this.precision} weights; mixed precisions are not supported`;
    this.precision = precision;
    return undefined;
  }

  /** A Gemm or MatMul layer. */
  private dense(index: number, node: OnnxNode): Blocker | undefined {
    const gemm = node.opType === 'Gemm';
    const last = this.layers[this.layers.length - 1];
    if (last?.activation?.parsed.activation === 'softmax') return this.block(last.activation.node, 'is a Softmax before another dense layer; softmax is only supported on the last layer');
    if (gemm && intAttribute(node, 'transA', 0) !== 0) {
      // A transposed A is the data input laid out [features, batch]: only possible at the very start.
      if (this.layers.length > 0 || this.prefix.length > 0 || this.current !== this.dataInput!.name) return this.block(index, 'has transA=1 inside the chain; only the first layer may read its input transposed');
      this.featuresFirst = true;
      const dims = this.dataInput!.shape;
      this.width = dims && dims.length === 2 && typeof dims[0] === 'number' ? dims[0] : undefined;
    }
    const declared = this.dataInput!.shape;
    if (this.layers.length === 0 && this.prefix.length === 0 && declared && declared.length !== 2) {
      return this.block(index, `reads an input of rank ${declared.length} ([${declared.join(', ')}]); only [batch, features] inputs or a leading Flatten/Reshape are supported`);
    }
    const weight = this.weightOf(node, gemm);
    if (typeof weight === 'string') return this.block(index, weight);
    const problem = this.checkPrecision(weight.value.tensor, 'weights');
    if (problem) return this.block(index, problem);
    const { inputs, units } = weight;
    if (this.width !== undefined && inputs !== this.width) return this.block(index, `multiplies a ${this.width}-wide input by weights for ${inputs} inputs`);
    const layer: ChainLayer = {
      name: node.name !== '' ? node.name : weight.value.tensor.name,
      form: weight.form,
      node: index,
      transB: gemm && intAttribute(node, 'transB', 0) !== 0,
      alpha: gemm ? floatAttribute(node, 'alpha', 1) : 1,
      beta: gemm ? floatAttribute(node, 'beta', 1) : 1,
      weight: weight.value,
      inputs,
      units,
      preActivation: node.output[0] ?? '',
    };
    const c = gemm ? (node.input[2] ?? '') : '';
    if (c !== '') {
      const bias = this.biasValue(c, units);
      if (typeof bias === 'string') return this.block(index, bias);
      layer.bias = bias;
    }
    this.layers.push(layer);
    this.width = units;
    return undefined;
  }

  /** The weight of a Gemm (B) or MatMul (input 1, possibly through a Transpose), with its shape. */
  private weightOf(node: OnnxNode, gemm: boolean): { value: ConstantValue; form: LayerForm; inputs: number; units: number } | string {
    const name = node.input[1] ?? '';
    let form: LayerForm = gemm ? 'gemm' : 'matmul';
    let value: ConstantValue | string;
    const producer = this.producers.get(name);
    const transpose = producer === undefined ? undefined : this.graph.node[producer]!;
    if (!gemm && transpose?.opType === 'Transpose' && !this.initializers.has(name)) {
      const perm = attribute(transpose, 'perm')?.ints ?? [1, 0];
      if (perm.length !== 2 || perm[0] !== 1 || perm[1] !== 0) return `transposes its weights with perm [${perm.join(', ')}]`;
      if ((this.consumers.get(name) ?? []).length !== 1) return `shares its transposed weights '${name}' with another node`;
      value = this.constant(transpose.input[0] ?? '', 'weights');
      if (typeof value !== 'string') {
        this.visited.add(producer!);
        value = { ...value, nodes: [...value.nodes, producer!] };
        form = 'transpose-matmul';
      }
    } else value = this.constant(name, 'weights');
    if (typeof value === 'string') return value;
    const dims = value.tensor.dims;
    if (dims.length !== 2 || !dims.every((d) => Number.isSafeInteger(d) && d > 0)) return `has weights '${value.tensor.name}' of shape [${dims.join(', ')}]; a dense layer needs a 2-D weight matrix`;
    // Stored [units, inputs] for Gemm with transB and for Transpose(W) › MatMul (PyTorch), else [inputs, units].
    const unitsFirst = form === 'transpose-matmul' || (gemm && intAttribute(node, 'transB', 0) !== 0);
    return { value, form, inputs: unitsFirst ? dims[1]! : dims[0]!, units: unitsFirst ? dims[0]! : dims[1]! };
  }

  /** A bias constant broadcastable to [units]: [units], [1, units], or a single value. */
  private biasValue(name: string, units: number): ConstantValue | string {
    const bias = this.constant(name, 'bias');
    if (typeof bias === 'string') return bias;
    const problem = this.checkPrecision(bias.tensor, 'bias');
    if (problem) return problem;
    const dims = bias.tensor.dims;
    const count = dims.reduce((a, b) => a * b, 1);
    const leading = dims.slice(0, -1).every((d) => d === 1);
    if (dims.length > 2 || !leading || (count !== units && count !== 1)) return `has a bias '${bias.tensor.name}' of shape [${dims.join(', ')}] that is not one value per unit (${units})`;
    return bias;
  }

  /** An Add of a constant right after a dense layer without a bias: that layer's bias. */
  private biasAdd(index: number, node: OnnxNode, last: ChainLayer | undefined): Blocker | undefined {
    const other = node.input[0] === this.current ? node.input[1] : node.input[1] === this.current ? node.input[0] : undefined;
    if (other === undefined || node.input.length !== 2) return this.block(index, `reads the chain's value '${this.current}' in an unsupported position`);
    const isConstant = this.initializers.has(other) || this.graph.node[this.producers.get(other) ?? -1]?.opType === 'Constant';
    if (!isConstant) return this.block(index, 'adds two computed values (a residual connection); only chains are supported');
    if (!last || last.preActivation !== this.current || last.bias) return this.block(index, 'adds a constant that is not the bias of the dense layer right before it');
    // Opset 6 Add: with broadcast=1, axis 0 would align a [units] bias with the batch.
    const axis = attribute(node, 'axis')?.i;
    if (axis !== undefined && axis !== 1 && axis !== -1) return this.block(index, `broadcasts its bias from axis ${axis}; only the last axis is supported`);
    const bias = this.biasValue(other, last.units);
    if (typeof bias === 'string') return this.block(index, bias);
    last.bias = { ...bias, add: index };
    last.preActivation = node.output[0] ?? '';
    return undefined;
  }
}
