import { activationDerivative, applyActivation, defaultAlpha } from './activations';
import { gatherNonzero } from './forward';
import { cloneNetwork, type DenseNetwork } from './network';
import type { Rng } from './rng';

/**
 * Fine-tuning as an attacker would do it: minibatch gradient descent on labelled data with
 * cross-entropy on the logits (softmax for several outputs, sigmoid for one). Weights stay
 * float32 between steps, as in a float32 training runtime; Adam uses Keras' defaults.
 */

/** Optimiser of a fine-tuning attack. */
export type OptimizerName = 'adam' | 'sgd';

/** Options of `fineTune`. */
export interface FineTuneOptions {
  /** 'adam' (β1 0.9, β2 0.999, ε 1e-7, as Keras) or plain 'sgd'. */
  optimizer: OptimizerName;
  /** Step size. */
  learningRate: number;
  /** Samples per step. */
  batchSize: number;
  /** Step counts at which `onCheckpoint` sees the network, ascending. */
  checkpoints: readonly number[];
  /** Batch order. */
  rng: Rng;
  /** Called with a snapshot at each checkpoint. */
  onCheckpoint: (step: number, network: DenseNetwork) => void;
  /** Checked between steps. */
  signal?: AbortSignal;
}

/** Steps between yields to the event loop, so a worker sees a cancel message within ~0.1 s. */
const YIELD_EVERY = 4;

/** Trains a copy of `network` on (x, labels) and reports it at each checkpoint; stops early when the signal aborts. */
export async function fineTune(network: DenseNetwork, x: Float32Array, labels: Int32Array, rows: number, options: FineTuneOptions): Promise<void> {
  const net = cloneNetwork(network);
  const layers = net.layers;
  const state = layers.map((layer) => ({
    mw: new Float64Array(layer.weights.length),
    vw: new Float64Array(layer.weights.length),
    mb: new Float64Array(layer.bias.length),
    vb: new Float64Array(layer.bias.length),
  }));
  const last = Math.max(0, ...options.checkpoints);
  let order = options.rng.permutation(rows);
  let cursor = 0;
  const batchSize = Math.min(options.batchSize, rows);
  const batchX = new Float64Array(batchSize * net.inputs);
  const batchY = new Int32Array(batchSize);
  const checkpoints = new Set(options.checkpoints);
  if (checkpoints.has(0)) options.onCheckpoint(0, cloneNetwork(net));
  for (let step = 1; step <= last; step++) {
    if (step % YIELD_EVERY === 0) await new Promise((resolve) => setTimeout(resolve, 0));
    if (options.signal?.aborted) return;
    for (let b = 0; b < batchSize; b++) {
      if (cursor >= rows) {
        order = options.rng.permutation(rows);
        cursor = 0;
      }
      const r = order[cursor++]!;
      for (let k = 0; k < net.inputs; k++) batchX[b * net.inputs + k] = x[r * net.inputs + k]!;
      batchY[b] = labels[r]!;
    }
    const grads = gradients(net, batchX, batchY, batchSize);
    layers.forEach((layer, l) => {
      update(layer.weights, grads[l]!.weights, state[l]!.mw, state[l]!.vw, step, options);
      update(layer.bias, grads[l]!.bias, state[l]!.mb, state[l]!.vb, step, options);
    });
    if (checkpoints.has(step)) options.onCheckpoint(step, cloneNetwork(net));
  }
}

function update(
  params: Float32Array,
  grad: Float64Array,
  m: Float64Array,
  v: Float64Array,
  step: number,
  options: FineTuneOptions,
): void {
  const lr = options.learningRate;
  if (options.optimizer === 'sgd') {
    for (let i = 0; i < params.length; i++) params[i]! -= lr * grad[i]!;
    return;
  }
  const [beta1, beta2, epsilon] = [0.9, 0.999, 1e-7];
  const c1 = 1 - beta1 ** step;
  const c2 = 1 - beta2 ** step;
  for (let i = 0; i < params.length; i++) {
    const g = grad[i]!;
    m[i] = beta1 * m[i]! + (1 - beta1) * g;
    v[i] = beta2 * v[i]! + (1 - beta2) * g * g;
    params[i]! -= (lr * (m[i]! / c1)) / (Math.sqrt(v[i]! / c2) + epsilon);
  }
}

/** Mean cross-entropy gradients of one batch, per layer. */
export function gradients(
  network: DenseNetwork,
  x: Float64Array,
  labels: Int32Array,
  rows: number,
): { weights: Float64Array; bias: Float64Array }[] {
  const layers = network.layers;
  const pre: Float64Array[] = [];
  const post: Float64Array[] = [x];
  layers.forEach((layer, l) => {
    const input = post[l]!;
    const z = new Float64Array(rows * layer.units);
    const nonzero = new Int32Array(layer.inputs);
    for (let r = 0; r < rows; r++) {
      const xo = r * layer.inputs;
      // ReLU outputs and pixels are mostly exact zeros; skipping them changes no sum.
      const count = gatherNonzero(input, xo, layer.inputs, nonzero);
      for (let j = 0; j < layer.units; j++) {
        let s = layer.bias[j]!;
        const wo = j * layer.inputs;
        for (let n = 0; n < count; n++) s += layer.weights[wo + nonzero[n]!]! * input[xo + nonzero[n]!]!;
        z[r * layer.units + j] = s;
      }
    }
    pre.push(z);
    const h = z.slice();
    if (l < layers.length - 1) applyActivation(layer.activation, h, layer.units, layer.alpha);
    post.push(h);
  });
  // Output layer: d(loss)/d(logits) for softmax / sigmoid cross-entropy.
  const outLayer = layers[layers.length - 1]!;
  const width = outLayer.units;
  const logits = pre[layers.length - 1]!;
  let delta = new Float64Array(rows * width);
  for (let r = 0; r < rows; r++) {
    if (width === 1) {
      const p = 1 / (1 + Math.exp(-logits[r]!));
      delta[r] = (p - labels[r]!) / rows;
      continue;
    }
    let max = -Infinity;
    for (let j = 0; j < width; j++) max = Math.max(max, logits[r * width + j]!);
    let sum = 0;
    for (let j = 0; j < width; j++) sum += Math.exp(logits[r * width + j]! - max);
    for (let j = 0; j < width; j++) {
      const p = Math.exp(logits[r * width + j]! - max) / sum;
      delta[r * width + j] = (p - (labels[r] === j ? 1 : 0)) / rows;
    }
  }
  const result: { weights: Float64Array; bias: Float64Array }[] = new Array(layers.length);
  for (let l = layers.length - 1; l >= 0; l--) {
    const layer = layers[l]!;
    const input = post[l]!;
    const gw = new Float64Array(layer.weights.length);
    const gb = new Float64Array(layer.units);
    const nonzero = new Int32Array(layer.inputs);
    for (let r = 0; r < rows; r++) {
      const xo = r * layer.inputs;
      const count = gatherNonzero(input, xo, layer.inputs, nonzero);
      for (let j = 0; j < layer.units; j++) {
        const d = delta[r * layer.units + j]!;
        if (d === 0) continue;
        gb[j]! += d;
        const wo = j * layer.inputs;
        for (let n = 0; n < count; n++) gw[wo + nonzero[n]!]! += d * input[xo + nonzero[n]!]!;
      }
    }
    result[l] = { weights: gw, bias: gb };
    if (l === 0) break;
    const below = layers[l - 1]!;
    const next = new Float64Array(rows * layer.inputs);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < layer.units; j++) {
        const d = delta[r * layer.units + j]!;
        if (d === 0) continue;
        const wo = j * layer.inputs;
        for (let k = 0; k < layer.inputs; k++) next[r * layer.inputs + k]! += d * layer.weights[wo + k]!;
      }
    }
    const z = pre[l - 1]!;
    const h = post[l]!;
    for (let i = 0; i < next.length; i++) next[i]! *= activationDerivative(below.activation, z[i]!, h[i]!, below.alpha ?? defaultAlpha(below.activation));
    delta = next;
  }
  return result;
}
