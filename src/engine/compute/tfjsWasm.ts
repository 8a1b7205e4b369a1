import * as tf from '@tensorflow/tfjs';
import { type Activation, defaultAlpha } from '../../core/activations';
import type { ComputeBackend, ComputeForwardOptions, Trainer, TrainerOptions } from '../../core/compute';
import { DataError, EngineUnavailableError, InvalidNetworkError } from '../../core/errors';
import type { DenseLayer, DenseNetwork } from '../../core/network';
import { exclusive, useBackend } from '../../formats/tfjs/runtime';
import { startTfjsWasm } from '../../formats/tfjs/wasmRuntime';

/**
 * The portable fast engine (issue: fast engine): `@tensorflow/tfjs` on its wasm backend (XNNPACK
 * kernels, SIMD, one thread), the same backend the field check runs on, started once by
 * wasmRuntime.ts. tfjs has one active backend per thread, so every call goes through the shared
 * `exclusive` queue of runtime.ts and switches to wasm first (the cpu runtime switches back when
 * its turn comes).
 *
 * Matrix products: tfjs-wasm sends a product A·B to XNNPACK only when neither side is marked
 * transposed (otherwise it runs a naive loop: `tf.matMul(x, W, false, true)` measured 11× slower),
 * and XNNPACK repacks B, the side it takes for weights, whenever B is a new tensor, while it reads
 * A in place. So no product here asks for a transpose: a forward call either transposes the
 * weights once (row-major activations, `Layout` 'rows') or keeps them as the left operand
 * (feature-major activations, 'features', as the trainer does).
 */

/** Rows per forward batch: bounds the wasm heap a call needs. */
const BATCH_ROWS = 1024;

/** The selu constants of activations.ts (Keras'). */
const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;
/** sqrt(2/π), gelu's tanh approximation. */
const GELU_C = 0.7978845608028654;

/** Adam's constants (Keras defaults, as training.ts). */
const [BETA1, BETA2, EPSILON] = [0.9, 0.999, 1e-7];

type Run = <T>(task: () => T) => Promise<T>;

/** Starts the engine; EngineUnavailableError when the wasm backend cannot start here. */
export async function createTfjsWasmCompute(): Promise<ComputeBackend> {
  let info;
  try {
    info = await startTfjsWasm();
  } catch (error) {
    throw new EngineUnavailableError('tfjs-wasm', error instanceof Error ? error.message : String(error));
  }
  let disposed = false;
  const trainers = new Set<Trainer>();
  const run: Run = (task) => {
    if (disposed) return Promise.reject(new EngineUnavailableError('tfjs-wasm', 'it was disposed'));
    return exclusive(async () => {
      await useBackend('wasm');
      return task();
    });
  };
  const threads = `${info.threads} thread${info.threads === 1 ? '' : 's'}`;
  return {
    name: 'tfjs-wasm',
    description: `@tensorflow/tfjs-backend-wasm ${info.version}, ${info.simd ? 'SIMD' : 'no SIMD'}, ${threads}`,
    forward: (network, input, rows, options = {}) => run(() => forwardRows(network, input, rows, options)),
    layerInputs: (network, x, rows) => run(() => layerInputRows(network, x, rows)),
    trainer: (network, options) =>
      run(() => {
        const trainer = wasmTrainer(network, options, run, () => trainers.delete(trainer));
        trainers.add(trainer);
        return trainer;
      }),
    dispose: async () => {
      for (const trainer of [...trainers]) trainer.dispose();
      disposed = true;
    },
  };
}

/**
 * How a forward call lays out its products. 'rows': activations [rows × features] and the
 * weights transposed once per call ([inputs × units], which XNNPACK repacks once per call):
 * the fastest per row. 'features': activations [features × rows], the weights as they are, the
 * left operand XNNPACK reads in place (nothing repacked but the batch): no per-call cost, so
 * the faster one for a call of few rows.
 */
type Layout = 'rows' | 'features';

/**
 * Calls of at most this many rows use the 'features' layout (see `Layout`). Measured (one thread,
 * SIMD): 784-384-192-10 is equally fast either way at 256 rows and 35% faster row-major at 2000;
 * 784-2048-1024-10 is 2× faster feature-major at 256 rows and as fast at 2000.
 */
export const FEATURE_MAJOR_ROWS = 256;

/** A layer's parameters as tensors: 'rows' weights [inputs × units] and bias [units]; 'features' weights [units × inputs] and bias [units × 1]. */
interface LayerTensors {
  w: tf.Tensor;
  b: tf.Tensor;
}

function uploadLayers(layers: readonly DenseLayer[], layout: Layout): LayerTensors[] {
  return tf.tidy(() =>
    layers.map((layer) => {
      const w = tf.tensor2d(layer.weights, [layer.units, layer.inputs]);
      return layout === 'rows' ? { w: tf.transpose(w), b: tf.tensor1d(layer.bias) } : { w, b: tf.tensor2d(layer.bias, [layer.units, 1]) };
    }),
  );
}

/** h·Wᵀ + b ('rows', one XNNPACK fully-connected operator with its bias) or W·h + b ('features'). */
function dense(h: tf.Tensor, params: LayerTensors, layout: Layout): tf.Tensor {
  return layout === 'rows' ? tf.fused.matMul({ a: h, b: params.w, bias: params.b }) : tf.add(tf.matMul(params.w, h), params.b);
}

/**
 * Outputs [rows × units] of `layers` on one batch `x` [rows × inputs]: of every layer when
 * `all`, else of the last one only; the last one's logits when `logits`.
 */
function batchOutputs(layers: readonly DenseLayer[], params: readonly LayerTensors[], layout: Layout, x: tf.Tensor, logits: boolean, all: boolean): tf.Tensor[] {
  const last = layers.length - 1;
  const outputs: tf.Tensor[] = [];
  let h = layout === 'rows' ? x : tf.transpose(x);
  layers.forEach((layer, i) => {
    h = dense(h, params[i]!, layout);
    // Back to rows before the last activation: softmax is row-wise.
    if (i === last && layout === 'features') h = tf.transpose(h);
    if (i < last || !logits) h = activate(h, layer);
    if (all || i === last) outputs.push(i < last && layout === 'features' ? tf.transpose(h) : h);
  });
  return outputs;
}

/** `batchOutputs` of a whole call, BATCH_ROWS rows at a time, read back into float32 arrays. */
function outputsOf(layers: readonly DenseLayer[], input: Float32Array | Float64Array, rows: number, logits: boolean, all: boolean): Float32Array[] {
  const width = layers[0]!.inputs;
  const layout: Layout = rows <= FEATURE_MAJOR_ROWS ? 'features' : 'rows';
  const kept = all ? layers : layers.slice(-1);
  const outs = kept.map((layer) => new Float32Array(rows * layer.units));
  const params = uploadLayers(layers, layout);
  try {
    for (let start = 0; start < rows; start += BATCH_ROWS) {
      const end = Math.min(rows, start + BATCH_ROWS);
      const ys = tf.tidy(() => batchOutputs(layers, params, layout, rowsTensor(input, start, end, width), logits, all));
      try {
        ys.forEach((y, i) => outs[i]!.set(y.dataSync() as Float32Array, start * kept[i]!.units));
      } finally {
        tf.dispose(ys);
      }
    }
    return outs;
  } finally {
    tf.dispose(params.map((p) => [p.w, p.b]));
  }
}

/** Rows [start, end) of `values` (row width `width`) as a float32 tensor. */
function rowsTensor(values: Float32Array | Float64Array, start: number, end: number, width: number): tf.Tensor {
  const part = values.subarray(start * width, end * width);
  return tf.tensor2d(part instanceof Float32Array ? part : Float32Array.from(part), [end - start, width]);
}

/** Width of the input of layer `from` (the network's output width when `from` is past the last layer). */
function inputWidth(network: DenseNetwork, from: number): number {
  if (!Number.isInteger(from) || from < 0 || from > network.layers.length) {
    throw new InvalidNetworkError(`forward from layer ${from}: the network has ${network.layers.length} layers`);
  }
  return from === 0 ? network.inputs : network.layers[from - 1]!.units;
}

/** As the reference, reads the first `rows` rows of `values` (which may hold more). */
function checkLength(values: ArrayLike<number>, rows: number, width: number, what: string): void {
  if (!Number.isInteger(rows) || rows < 0 || values.length < rows * width) {
    throw new DataError(undefined, `expected ${rows} × ${width} ${what} values, got ${values.length}`);
  }
}

/** `ComputeBackend.forward`. */
function forwardRows(network: DenseNetwork, input: Float32Array | Float64Array, rows: number, options: ComputeForwardOptions): Float32Array {
  const from = options.from ?? 0;
  const width = inputWidth(network, from);
  checkLength(input, rows, width, 'input');
  if (from === network.layers.length) return Float32Array.from(input.subarray(0, rows * width));
  return outputsOf(network.layers.slice(from), input, rows, options.logits === true, false)[0]!;
}

/** `ComputeBackend.layerInputs`: x itself, then the output of every layer but the last. */
function layerInputRows(network: DenseNetwork, x: Float32Array, rows: number): (Float32Array | Float64Array)[] {
  checkLength(x, rows, network.inputs, 'input');
  const hidden = network.layers.slice(0, -1);
  return [x, ...(hidden.length === 0 ? [] : outputsOf(hidden, x, rows, false, true))];
}

function alphaOf(layer: DenseLayer): number {
  return layer.alpha ?? defaultAlpha(layer.activation);
}

/** The layer's activation, as `applyActivation` computes it. */
function activate(z: tf.Tensor, layer: DenseLayer): tf.Tensor {
  return activation(z, layer.activation, alphaOf(layer));
}

function activation(z: tf.Tensor, name: Activation, alpha: number): tf.Tensor {
  switch (name) {
    case 'linear':
      return z;
    case 'relu':
      return tf.relu(z);
    case 'relu6':
      return tf.relu6(z);
    case 'leaky_relu':
      return tf.leakyRelu(z, alpha);
    case 'elu':
      return tf.where(tf.less(z, 0), tf.mul(tf.expm1(z), alpha), z);
    case 'selu':
      return tf.mul(tf.where(tf.greater(z, 0), z, tf.mul(tf.expm1(z), SELU_ALPHA)), SELU_SCALE);
    case 'tanh':
      return tf.tanh(z);
    case 'sigmoid':
      return tf.sigmoid(z);
    case 'hard_sigmoid':
      return tf.clipByValue(tf.add(tf.mul(z, 0.2), 0.5), 0, 1);
    case 'softplus':
      return tf.where(tf.greater(z, 20), z, tf.log1p(tf.exp(tf.minimum(z, 20))));
    case 'softsign':
      return tf.div(z, tf.add(tf.abs(z), 1));
    case 'swish':
      return tf.mul(z, tf.sigmoid(z));
    case 'gelu':
      return tf.mul(tf.mul(z, 0.5), tf.add(tf.tanh(geluInner(z)), 1));
    case 'softmax':
      return tf.softmax(z);
    default: {
      const never: never = name;
      throw new InvalidNetworkError(`Unknown activation '${String(never)}'`);
    }
  }
}

/** c·(z + 0.044715·z³). */
function geluInner(z: tf.Tensor): tf.Tensor {
  return tf.mul(tf.add(z, tf.mul(tf.mul(tf.mul(z, z), z), 0.044715)), GELU_C);
}

/** f'(z) through z and h = f(z), as `activationDerivative`; undefined for 1 (linear). */
function derivative(z: tf.Tensor, h: tf.Tensor, name: Activation, alpha: number): tf.Tensor | undefined {
  const positive = (): tf.Tensor => tf.greater(z, 0);
  switch (name) {
    case 'linear':
      return undefined;
    case 'relu':
      return tf.step(z, 0);
    case 'relu6':
      return tf.cast(tf.logicalAnd(positive(), tf.less(z, 6)), 'float32');
    case 'leaky_relu':
      return tf.step(z, alpha);
    case 'elu':
      return tf.where(positive(), tf.onesLike(z), tf.add(h, alpha));
    case 'selu':
      return tf.where(positive(), tf.fill(z.shape, SELU_SCALE), tf.add(h, SELU_SCALE * SELU_ALPHA));
    case 'tanh':
      return tf.sub(1, tf.square(h));
    case 'sigmoid':
      return tf.mul(h, tf.sub(1, h));
    case 'hard_sigmoid':
      return tf.mul(tf.cast(tf.logicalAnd(tf.greater(z, -2.5), tf.less(z, 2.5)), 'float32'), 0.2);
    case 'softplus':
      return tf.sigmoid(z);
    case 'softsign':
      return tf.reciprocal(tf.square(tf.add(tf.abs(z), 1)));
    case 'swish': {
      const s = tf.sigmoid(z);
      return tf.add(s, tf.mul(tf.mul(z, s), tf.sub(1, s)));
    }
    case 'gelu': {
      const t = tf.tanh(geluInner(z));
      const dInner = tf.mul(tf.add(tf.mul(tf.square(z), 3 * 0.044715), 1), GELU_C);
      return tf.add(tf.mul(tf.add(t, 1), 0.5), tf.mul(tf.mul(tf.mul(z, 0.5), tf.sub(1, tf.square(t))), dInner));
    }
    case 'softmax':
      throw new InvalidNetworkError('softmax is only supported on the last layer');
    default: {
      const never: never = name;
      throw new InvalidNetworkError(`Unknown activation '${String(never)}'`);
    }
  }
}

/** A trained parameter and its Adam moments. */
interface Slot {
  value: tf.Variable;
  m: tf.Variable;
  v: tf.Variable;
}

/** A slot holding `initial` (which stays the caller's to dispose) and zero moments. */
function slot(initial: tf.Tensor): Slot {
  const [m, v] = [tf.zerosLike(initial), tf.zerosLike(initial)];
  try {
    // A variable shares its initial tensor's data; disposing that tensor only drops a reference.
    return { value: tf.variable(initial, false), m: tf.variable(m, false), v: tf.variable(v, false) };
  } finally {
    tf.dispose([m, v]);
  }
}

/** A layer's trained parameters: weights [units × inputs] as the network stores them, bias [units]. */
interface LayerSlots {
  w: Slot;
  b: Slot;
}

/**
 * The trainer: weights, biases and Adam moments stay float32 tensors on the wasm heap between
 * steps; a step is one tidy of tf ops (forward, the backward pass written out as in training.ts,
 * the update), with no per-element JavaScript.
 *
 * Layout: a step works feature-major (activations [features × rows]), so the weights stay
 * [units × inputs] and enter every forward product as its left operand, which XNNPACK reads in
 * place; only the products' right operands (a batch of activations or deltas) are repacked. The
 * one product with a weight matrix on the right (δ·W, from layer 1 on) repacks it: at batch 32
 * that halves a step of 784-2048-1024-10 against keeping the weights transposed.
 */
function wasmTrainer(network: DenseNetwork, options: TrainerOptions, run: Run, forget: () => void): Trainer {
  const layers = network.layers.map((layer) => ({ ...layer, weights: new Float32Array(0), bias: new Float32Array(0) }));
  const slots: LayerSlots[] = network.layers.map((layer) => {
    const [w, b] = [tf.tensor2d(layer.weights, [layer.units, layer.inputs]), tf.tensor1d(layer.bias)];
    try {
      return { w: slot(w), b: slot(b) };
    } finally {
      tf.dispose([w, b]);
    }
  });
  let steps = 0;
  let disposed = false;
  const live = <T>(task: () => T): Promise<T> =>
    run(() => {
      if (disposed) throw new EngineUnavailableError('tfjs-wasm', 'the trainer was disposed');
      return task();
    });
  return {
    step: (x, labels, rows, count = 1) =>
      live(() => {
        if (!Number.isInteger(rows) || rows < 1 || x.length < count * rows * network.inputs || labels.length < count * rows) {
          throw new DataError(undefined, `${count} training batch(es) of ${rows} rows need ${count * rows} × ${network.inputs} inputs and ${count * rows} labels, got ${x.length} and ${labels.length}`);
        }
        for (let k = 0; k < count; k++) {
          steps++;
          tf.tidy(() => {
            const grads = gradients(layers, slots, x.subarray(k * rows * network.inputs), labels.subarray(k * rows), rows);
            slots.forEach((s, l) => {
              update(s.w, grads[l]!.w, steps, options);
              update(s.b, grads[l]!.b, steps, options);
            });
          });
        }
      }),
    snapshot: () =>
      live(() => ({
        inputs: network.inputs,
        layers: layers.map((layer, l) => ({
          ...layer,
          weights: (slots[l]!.w.value.dataSync() as Float32Array).slice(),
          bias: (slots[l]!.b.value.dataSync() as Float32Array).slice(),
        })),
      })),
    dispose: () => {
      if (disposed) return;
      disposed = true;
      forget();
      // Through the queue, so a step queued before is not left without its tensors.
      void exclusive(async () => tf.dispose(slots.flatMap((s) => [s.w, s.b]).flatMap((s) => [s.value, s.m, s.v])));
    },
  };
}

/**
 * Mean cross-entropy gradients of one batch, per layer, as training.ts; feature-major: zᵀ = W·hᵀ
 * + b, ∂W = δᵀ·h, ∂b = Σ_rows δᵀ, δᵀ below = (δ·W)ᵀ ⊙ f'(z).
 */
function gradients(layers: readonly DenseLayer[], slots: readonly LayerSlots[], x: Float32Array, labels: Int32Array, rows: number): { w: tf.Tensor; b: tf.Tensor }[] {
  const last = layers.length - 1;
  const rowMajor: tf.Tensor[] = [rowsTensor(x, 0, rows, layers[0]!.inputs)];
  const pre: tf.Tensor[] = [];
  const post: tf.Tensor[] = [tf.transpose(rowMajor[0]!)];
  layers.forEach((layer, l) => {
    const z = tf.add(tf.matMul(slots[l]!.w.value, post[l]!), tf.reshape(slots[l]!.b.value, [layer.units, 1]));
    pre.push(z);
    post.push(l < last ? activate(z, layer) : z);
  });
  let delta = tf.transpose(outputDelta(tf.transpose(pre[last]!), labels.subarray(0, rows), rows));
  const result: { w: tf.Tensor; b: tf.Tensor }[] = new Array(layers.length);
  for (let l = last; l >= 0; l--) {
    result[l] = { w: tf.matMul(delta, rowMajor[l] ?? tf.transpose(post[l]!)), b: tf.sum(delta, 1) };
    if (l === 0) break;
    const below = layers[l - 1]!;
    const back = tf.transpose(tf.matMul(tf.transpose(delta), slots[l]!.w.value));
    const d = derivative(pre[l - 1]!, post[l]!, below.activation, alphaOf(below));
    delta = d === undefined ? back : tf.mul(back, d);
  }
  return result;
}

/** d(loss)/d(logits): (softmax − one-hot)/rows for several outputs, (sigmoid − label)/rows for one. */
function outputDelta(logits: tf.Tensor, labels: Int32Array, rows: number): tf.Tensor {
  const width = logits.shape[1]!;
  // tfjs-wasm's OneHot writes int32 whatever dtype it is asked for: cast its int32 result.
  const target = width === 1 ? tf.tensor2d(Float32Array.from(labels), [rows, 1]) : tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), width), 'float32');
  const p = width === 1 ? tf.sigmoid(logits) : tf.softmax(logits);
  return tf.div(tf.sub(p, target), rows);
}

/** One optimiser step of a parameter, as `update` in training.ts. */
function update(s: Slot, grad: tf.Tensor, step: number, options: TrainerOptions): void {
  const lr = options.learningRate;
  if (options.optimizer === 'sgd') {
    s.value.assign(tf.sub(s.value, tf.mul(grad, lr)));
    return;
  }
  const c1 = 1 - BETA1 ** step;
  const c2 = 1 - BETA2 ** step;
  s.m.assign(tf.add(tf.mul(s.m, BETA1), tf.mul(grad, 1 - BETA1)));
  s.v.assign(tf.add(tf.mul(s.v, BETA2), tf.mul(tf.square(grad), 1 - BETA2)));
  s.value.assign(tf.sub(s.value, tf.div(tf.mul(tf.div(s.m, c1), lr), tf.add(tf.sqrt(tf.div(s.v, c2)), EPSILON))));
}
