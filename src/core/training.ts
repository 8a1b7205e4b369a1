import { activationDerivative, applyActivation, defaultAlpha } from './activations';
import { gatherNonzero } from './forward';
import { cloneNetwork, type DenseNetwork } from './network';
import type { Trainer, TrainerOptions } from './compute';

/**
 * The reference trainer (pure JavaScript): minibatch gradient descent with cross-entropy on the
 * logits (softmax for several outputs, sigmoid for one), float64 gradients, float32 weights
 * between steps as in a float32 training runtime; Adam uses Keras' defaults. Fast engines
 * are held to these numbers.
 */

/** The reference trainer: float64 gradients, float32 weights, the optimiser below. */
export function jsTrainer(network: DenseNetwork, options: TrainerOptions): Trainer {
  const net = cloneNetwork(network);
  const state = net.layers.map((layer) => ({
    mw: new Float64Array(layer.weights.length),
    vw: new Float64Array(layer.weights.length),
    mb: new Float64Array(layer.bias.length),
    vb: new Float64Array(layer.bias.length),
  }));
  let step = 0;
  return {
    step: async (x, labels, rows, count = 1) => {
      for (let k = 0; k < count; k++) {
        step++;
        const grads = gradients(net, x.subarray(k * rows * net.inputs), labels.subarray(k * rows), rows);
        net.layers.forEach((layer, l) => {
          update(layer.weights, grads[l]!.weights, state[l]!.mw, state[l]!.vw, step, options);
          update(layer.bias, grads[l]!.bias, state[l]!.mb, state[l]!.vb, step, options);
        });
      }
    },
    snapshot: async () => cloneNetwork(net),
    dispose: () => undefined,
  };
}

function update(
  params: Float32Array,
  grad: Float64Array,
  m: Float64Array,
  v: Float64Array,
  step: number,
  options: TrainerOptions,
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
  x: Float32Array | Float64Array,
  labels: Int32Array,
  rows: number,
): { weights: Float64Array; bias: Float64Array }[] {
  const layers = network.layers;
  const pre: Float64Array[] = [];
  const post: (Float32Array | Float64Array)[] = [x];
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
