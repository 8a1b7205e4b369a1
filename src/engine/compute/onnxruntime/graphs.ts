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
  return gemm(g, h, g.input(`w${l}`, [layer.units, layer.inputs]), g.input(`b${l}`, [layer.units]));
}

/** z = h·Wᵀ + b with W in our [units × inputs] layout. */
function gemm(g: GraphBuilder, h: string, w: string, b: string): string {
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

/** Name of input `name` (x, labels, step_size, epsilon_hat) of step k of a training graph. */
export function stepInput(name: 'x' | 'labels' | 'step_size' | 'epsilon_hat', k: number): string {
  return `${name}_${k}`;
}

/**
 * `steps` optimiser steps of `jsTrainer` (src/core/training.ts) in one graph: mean cross-entropy
 * on the logits (softmax for several outputs, sigmoid for one), backpropagation with the core's
 * derivatives, then Adam (β1 0.9, β2 0.999, ε 1e-7, bias corrections fed per step:
 * `adamScalars`) or SGD (its learning rate is part of the graph). Inputs: the state
 * (`stateTensors`) and, for each step k, x_k [N × inputs], labels_k int32 [N] and for Adam
 * step_size_k and epsilon_hat_k (`stepInput`); outputs: the state after the last step
 * (`nextName`). Unrolling is what makes it fast: onnxruntime-node returns every output as a
 * fresh JavaScript copy, so the whole optimiser state crosses the binding once per run, not
 * once per step; the steps in between stay in onnxruntime's arena.
 */
export function trainGraph(layers: readonly LayerShape[], options: TrainerOptions, steps = 1): Uint8Array {
  const g = new GraphBuilder(`train_${options.optimizer}_${steps}`);
  const state = stateTensors(layers, options.optimizer);
  let values: Record<string, string> = Object.fromEntries(state.map((t) => [t.name, g.input(t.name, t.dims)]));
  for (let k = 0; k < steps; k++) values = trainStep(g, layers, options, values, k, k === steps - 1);
  for (const t of state) g.output(values[t.name]!, t.dims, nextName(t.name));
  return g.encode();
}

/** One step on batch k from the state `values` (state name → value); returns the next state's values. */
function trainStep(g: GraphBuilder, layers: readonly LayerShape[], options: TrainerOptions, values: Record<string, string>, k: number, last: boolean): Record<string, string> {
  const x = g.input(stepInput('x', k), ['N', layers[0]!.inputs]);
  const labels = g.input(stepInput('labels', k), ['N'], 'int32');
  const pre: string[] = [];
  const post: string[] = [x];
  layers.forEach((layer, l) => {
    pre.push(gemm(g, post[l]!, values[`w${l}`]!, values[`b${l}`]!));
    if (l < layers.length - 1) post.push(activate(g, layer.activation, pre[l]!, layer.alpha));
  });
  const next: Record<string, string> = {};
  // The last step names its nodes after the graph outputs, so no Identity copies them.
  const name = (param: string) => (last ? nextName(param) : undefined);
  const optimizer = options.optimizer === 'adam' ? adam(g, k, values, next, name) : sgd(g, options.learningRate, values, next, name);
  let delta = lossGradient(g, pre[layers.length - 1]!, labels, x, layers[layers.length - 1]!.units);
  for (let l = layers.length - 1; l >= 0; l--) {
    optimizer.weights(l, delta, post[l]!);
    optimizer.bias(l, delta);
    if (l === 0) break;
    const below = layers[l - 1]!;
    // The weights before this step's update: the backward pass uses the forward's weights.
    const upstream = g.op('MatMul', [delta, values[`w${l}`]!]);
    delta = backpropagate(g, below.activation, upstream, pre[l - 1]!, post[l]!, below.alpha);
  }
  return next;
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
 * How a step turns layer l's error signal `delta` [N × units] into its next parameters (written
 * into `next` under the state names): the weight gradient is deltaᵀ·h [units × inputs] (our
 * layout), the bias gradient Σ_rows delta. The elementwise passes over the weights are a step's
 * main cost on wide layers.
 */
interface Optimizer {
  weights(l: number, delta: string, h: string): void;
  bias(l: number, delta: string): void;
}

/** The value a step reads for state tensor `name`, and where it puts the next one. */
type StateValues = Record<string, string>;
/** The output name a state tensor's next value must have, if any. */
type Naming = (name: string) => string | undefined;

const columnSum = (g: GraphBuilder, delta: string) => g.op('ReduceSum', [delta, g.int64s([0])], { keepdims: { int: 0 } });

/** p −= lr·g; for the weights inside the gradient's Gemm (alpha −lr, C = w), with no pass of its own. */
function sgd(g: GraphBuilder, lr: number, values: StateValues, next: StateValues, name: Naming): Optimizer {
  return {
    weights: (l, delta, h) => {
      const w = `w${l}`;
      next[w] = g.op('Gemm', [delta, h, values[w]!], { alpha: { float: -lr }, beta: { float: 1 }, transA: { int: 1 } }, name(w));
    },
    bias: (l, delta) => {
      const b = `b${l}`;
      next[b] = g.op('Sub', [values[b]!, g.op('Mul', [columnSum(g, delta), g.scalar(lr)])], {}, name(b));
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
 * p' = p − step_size·m'/(√v̄' + epsilon_hat) (`adamScalars`, fed for step k).
 */
function adam(g: GraphBuilder, k: number, values: StateValues, next: StateValues, name: Naming): Optimizer {
  const [stepSize, epsilonHat] = [g.input(stepInput('step_size', k), []), g.input(stepInput('epsilon_hat', k), [])];
  const update = (param: string, scaledGrad: string) => {
    const [m, v] = [`m${param}`, `v${param}`];
    next[m] = g.op('Add', [g.op('Mul', [values[m]!, g.scalar(BETA1)]), scaledGrad], {}, name(m));
    next[v] = g.op('Add', [g.op('Mul', [values[v]!, g.scalar(BETA2)]), g.op('Mul', [scaledGrad, scaledGrad])], {}, name(v));
    const denominator = g.op('Add', [g.op('Sqrt', [next[v]]), epsilonHat]);
    next[param] = g.op('Sub', [values[param]!, g.op('Div', [g.op('Mul', [next[m], stepSize]), denominator])], {}, name(param));
  };
  return {
    weights: (l, delta, h) => update(`w${l}`, g.op('Gemm', [delta, h], { alpha: { float: 1 - BETA1 }, transA: { int: 1 } })),
    bias: (l, delta) => update(`b${l}`, g.op('Mul', [columnSum(g, delta), g.scalar(1 - BETA1)])),
  };
}
