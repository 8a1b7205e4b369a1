import { defaultAlpha, type Activation } from '../../../core/activations';
import type { OptimizerName, TrainerOptions } from '../../../core/compute';
import type { DenseNetwork } from '../../../core/network';
import { activate, backpropagate } from './activationOps';
import { GraphBuilder } from '../../../formats/onnx/graphBuilder';

/**
 * ONNX graphs of the onnxruntime engine, one per network SHAPE: the weights are graph inputs,
 * not initializers, so a perturbed or fine-tuned network is a new feed to a cached session, not
 * a new session. Weights are fed in our layout [units × inputs] (Gemm transB=1, no transposes in
 * JavaScript) and the batch dimension 'N' is dynamic.
 *
 * Value names: x (the input of the first computed layer), w<l> and b<l> (layer l's weights and
 * bias, l the network's layer index), y (forward output), h<l> (input of layer l).
 */

/** What a graph depends on of one layer: sizes, activation and its parameter. */
export interface LayerShape {
  inputs: number;
  units: number;
  activation: Activation;
  /** Leaky-relu slope or elu alpha (the layer's, else Keras' default). */
  alpha: number;
}

/** The shapes of a network's layers. */
export function layerShapes(network: DenseNetwork): LayerShape[] {
  return network.layers.map((layer) => ({
    inputs: layer.inputs,
    units: layer.units,
    activation: layer.activation,
    alpha: layer.alpha ?? defaultAlpha(layer.activation),
  }));
}

/** A cache key of a list of layer shapes. */
export function shapeKey(layers: readonly LayerShape[]): string {
  return layers.map((l) => `${l.inputs}x${l.units}:${l.activation}${usesAlpha(l.activation) ? `(${l.alpha})` : ''}`).join('>');
}

function usesAlpha(activation: Activation): boolean {
  return activation === 'leaky_relu' || activation === 'elu';
}

/** Declares w<l>, b<l> and returns the layer's pre-activation z = h·Wᵀ + b. */
function dense(g: GraphBuilder, layer: LayerShape, l: number, h: string): string {
  const w = g.input(`w${l}`, [layer.units, layer.inputs]);
  const b = g.input(`b${l}`, [layer.units]);
  return g.op('Gemm', [h, w, b], { transB: { int: 1 } });
}

/** Outputs of layers `from`… given x, the input of layer `from`; the last layer's activation is skipped for logits. */
export function forwardGraph(layers: readonly LayerShape[], from: number, logits: boolean): Uint8Array {
  const g = new GraphBuilder('forward');
  let h = g.input('x', ['N', layers[from]!.inputs]);
  for (let l = from; l < layers.length; l++) {
    const layer = layers[l]!;
    const z = dense(g, layer, l, h);
    h = l === layers.length - 1 && logits ? z : activate(g, layer.activation, z, layer.alpha);
  }
  g.output(h, ['N', layers[layers.length - 1]!.units], 'y');
  return g.encode();
}

/** Inputs h1…h<L−1> of the layers after the first, in one run (needs at least two layers). */
export function layerInputsGraph(layers: readonly LayerShape[]): Uint8Array {
  const g = new GraphBuilder('layer_inputs');
  let h = g.input('x', ['N', layers[0]!.inputs]);
  for (let l = 0; l < layers.length - 1; l++) {
    const layer = layers[l]!;
    h = activate(g, layer.activation, dense(g, layer, l, h), layer.alpha);
    g.output(h, ['N', layer.units], `h${l + 1}`);
  }
  return g.encode();
}

/** One tensor of a trainer's state: a layer's weights or bias, or an Adam moment of one. */
export interface StateTensor {
  /** Graph input name (w<l>, b<l>, mw<l>, vw<l>, mb<l>, vb<l>). */
  name: string;
  layer: number;
  /** What its initial value is. */
  kind: 'weights' | 'bias' | 'moment';
  dims: number[];
}

/** The trainer's state tensors, in feed order: each layer's parameters, then their Adam moments. */
export function stateTensors(layers: readonly LayerShape[], optimizer: OptimizerName): StateTensor[] {
  return layers.flatMap(({ units, inputs }, layer) => {
    const weights: StateTensor = { name: `w${layer}`, layer, kind: 'weights', dims: [units, inputs] };
    const bias: StateTensor = { name: `b${layer}`, layer, kind: 'bias', dims: [units] };
    if (optimizer === 'sgd') return [weights, bias];
    const moments = [weights, bias].flatMap((p) => ['m', 'v'].map((m): StateTensor => ({ ...p, name: `${m}${p.name}`, kind: 'moment' })));
    return [weights, bias, ...moments];
  });
}

/** The graph output that carries state tensor `name` after a step. */
export function nextName(name: string): string {
  return `${name}_next`;
}

/**
 * One optimiser step of `jsTrainer` (src/core/training.ts): mean cross-entropy on the logits
 * (softmax for several outputs, sigmoid for one), backpropagation with the core's derivatives,
 * then Adam (β1 0.9, β2 0.999, ε 1e-7, bias corrections fed per step: `adamScalars`) or SGD
 * (its learning rate is part of the graph). Inputs: x [N × inputs], labels int32 [N], for Adam
 * step_size and epsilon_hat, and the state (`stateTensors`); outputs: the next state (`nextName`).
 */
export function trainGraph(layers: readonly LayerShape[], options: TrainerOptions): Uint8Array {
  const g = new GraphBuilder(`train_${options.optimizer}`);
  const x = g.input('x', ['N', layers[0]!.inputs]);
  const labels = g.input('labels', ['N'], 'int32');
  const pre: string[] = [];
  const post: string[] = [x];
  layers.forEach((layer, l) => {
    pre.push(dense(g, layer, l, post[l]!));
    if (l < layers.length - 1) post.push(activate(g, layer.activation, pre[l]!, layer.alpha));
  });
  const optimizer = options.optimizer === 'adam' ? adam(g) : sgd(g, options.learningRate);
  let delta = lossGradient(g, pre[layers.length - 1]!, labels, x, layers[layers.length - 1]!.units);
  for (let l = layers.length - 1; l >= 0; l--) {
    const layer = layers[l]!;
    optimizer.weights(l, delta, post[l]!, [layer.units, layer.inputs]);
    optimizer.bias(l, delta, [layer.units]);
    if (l === 0) break;
    const below = layers[l - 1]!;
    const upstream = g.op('MatMul', [delta, `w${l}`]);
    delta = backpropagate(g, below.activation, upstream, pre[l - 1]!, post[l]!, below.alpha);
  }
  return g.encode();
}

/** d(mean loss)/d(logits) = (p − y)/rows, p the softmax (sigmoid for one output) of the logits. */
function lossGradient(g: GraphBuilder, logits: string, labels: string, x: string, width: number): string {
  const rows = g.op('Cast', [g.op('Shape', [x], { start: { int: 0 }, end: { int: 1 } })], { to: { int: 1 } });
  if (width === 1) {
    const y = g.op('Reshape', [g.op('Cast', [labels], { to: { int: 1 } }), g.int64s([-1, 1])]);
    return g.op('Div', [g.op('Sub', [g.op('Sigmoid', [logits]), y]), rows]);
  }
  const y = g.op('OneHot', [labels, g.int32(width), g.floats([0, 1])], { axis: { int: -1 } });
  return g.op('Div', [g.op('Sub', [g.op('Softmax', [logits], { axis: { int: -1 } }), y]), rows]);
}

/**
 * How a step turns layer l's error signal `delta` [N × units] into its next parameters: the
 * weight gradient is deltaᵀ·h [units × inputs] (our layout), the bias gradient Σ_rows delta.
 * Graph outputs are named by the nodes that compute them (an Identity would copy the tensor):
 * the elementwise passes over the weights are a step's main cost on wide layers.
 */
interface Optimizer {
  weights(l: number, delta: string, h: string, dims: number[]): void;
  bias(l: number, delta: string, dims: number[]): void;
}

const columnSum = (g: GraphBuilder, delta: string) => g.op('ReduceSum', [delta, g.int64s([0])], { keepdims: { int: 0 } });

/** p −= lr·g; for the weights inside the gradient's Gemm (alpha −lr, C = w), with no pass of its own. */
function sgd(g: GraphBuilder, lr: number): Optimizer {
  return {
    weights: (l, delta, h, dims) => {
      const w = `w${l}`;
      g.output(g.op('Gemm', [delta, h, w], { alpha: { float: -lr }, beta: { float: 1 }, transA: { int: 1 } }, nextName(w)), dims);
    },
    bias: (l, delta, dims) => {
      const b = `b${l}`;
      g.output(g.op('Sub', [b, g.op('Mul', [columnSum(g, delta), g.scalar(lr)])], {}, nextName(b)), dims);
    },
  };
}

/** Keras' Adam constants, as `update` in training.ts. */
const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-7;
/** The graph keeps v/KAPPA: with g' = (1 − β1)·g, v' = β2·v + (1 − β2)·g² becomes v̄' = β2·v̄ + g'². */
const KAPPA = (1 - BETA2) / (1 - BETA1) ** 2;

/**
 * The scalars of Adam step t (1, 2, …) in float64: with c1 = 1 − β1^t and c2 = 1 − β2^t,
 * p −= lr·(m/c1)/(√(v/c2) + ε) is p −= step_size·m/(√v̄ + epsilon_hat) for v = κ·v̄.
 */
export function adamScalars(step: number, learningRate: number): { step_size: number; epsilon_hat: number } {
  const scale = Math.sqrt(1 - BETA2 ** step) / Math.sqrt(KAPPA);
  return { step_size: (learningRate * scale) / (1 - BETA1 ** step), epsilon_hat: EPSILON * scale };
}

/**
 * Adam as `update` in training.ts, in 10 passes over each weight tensor: g' = (1 − β1)·g comes
 * out of the gradient's Gemm (alpha), m' = β1·m + g', v̄' = β2·v̄ + g'², and
 * p' = p − step_size·m'/(√v̄' + epsilon_hat) (`adamScalars`).
 */
function adam(g: GraphBuilder): Optimizer {
  const [stepSize, epsilonHat] = [g.input('step_size', []), g.input('epsilon_hat', [])];
  const update = (param: string, scaledGrad: string, dims: number[]) => {
    const [m, v] = [g.input(`m${param}`, dims), g.input(`v${param}`, dims)];
    const mNext = g.op('Add', [g.op('Mul', [m, g.scalar(BETA1)]), scaledGrad], {}, nextName(m));
    const vNext = g.op('Add', [g.op('Mul', [v, g.scalar(BETA2)]), g.op('Mul', [scaledGrad, scaledGrad])], {}, nextName(v));
    const denominator = g.op('Add', [g.op('Sqrt', [vNext]), epsilonHat]);
    g.output(g.op('Sub', [param, g.op('Div', [g.op('Mul', [mNext, stepSize]), denominator])], {}, nextName(param)), dims);
    g.output(mNext, dims);
    g.output(vNext, dims);
  };
  return {
    weights: (l, delta, h, dims) => update(`w${l}`, g.op('Gemm', [delta, h], { alpha: { float: 1 - BETA1 }, transA: { int: 1 } }), dims),
    bias: (l, delta, dims) => update(`b${l}`, g.op('Mul', [columnSum(g, delta), g.scalar(1 - BETA1)]), dims),
  };
}
