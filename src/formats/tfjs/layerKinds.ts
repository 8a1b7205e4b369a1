import type { Activation } from '../../core/activations';
import type { Json, LayerJson } from './topology';

/**
 * What each Keras/tfjs layer class means for a dense chain: the table the chain analysis, the
 * writer and the runtime share. Reasons are phrased to follow "layer 'x' (Class) ...".
 */

/** Role of a layer class in a dense chain. */
export type LayerRole =
  /** InputLayer: declares the input shape. */
  | 'input'
  /** Dense: a layer of the chain. */
  | 'dense'
  /** Identity at inference (Dropout family). */
  | 'identity'
  /** Flatten: input shape becomes its product. */
  | 'flatten'
  /** Reshape: accepted only to a flat shape. */
  | 'reshape'
  /** Element-wise activation layer, folded into the preceding linear Dense. */
  | 'activation'
  /** BatchNormalization, folded into an adjacent Dense. */
  | 'batchnorm'
  /** Anything that makes the model something other than a dense chain. */
  | 'blocked';

const IDENTITY = new Set([
  'Dropout',
  'SpatialDropout1D',
  'SpatialDropout2D',
  'SpatialDropout3D',
  'GaussianNoise',
  'GaussianDropout',
  'AlphaDropout',
  'ActivityRegularization',
]);

/** Identity layers tfjs 4.22 can deserialise; the writer drops the others (they do nothing at inference). */
export const TFJS_IDENTITY_CLASSES = new Set(['Dropout', 'SpatialDropout1D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout']);

/** Separate activation layer classes (the runtime neutralises them after the last Dense for logits). */
export const ACTIVATION_CLASSES = new Set(['Activation', 'ReLU', 'LeakyReLU', 'ELU', 'Softmax']);

const BLOCK_REASONS: [RegExp, string][] = [
  [/^(Conv\dD|Conv\dDTranspose|SeparableConv\dD|SeparableConv|DepthwiseConv\dD|Convolution\dD)$/, 'is a convolution; only chains of dense layers are supported'],
  [/^(LSTM|GRU|SimpleRNN|RNN|Bidirectional|ConvLSTM\dD|ConvRNN2D|TimeDistributed|LSTMCell|GRUCell|SimpleRNNCell|StackedRNNCells|CuDNNLSTM|CuDNNGRU)$/, 'is a recurrent layer; only chains of dense layers are supported'],
  [/^Embedding$/, 'is an embedding lookup; only chains of dense layers are supported'],
  [/^(Add|Subtract|Multiply|Average|Maximum|Minimum|Concatenate|Dot)$/, 'merges several inputs (a branching model); only a single chain of layers is supported'],
  [/Attention$/, 'is an attention layer; only chains of dense layers are supported'],
  [/Pooling\dD$/, 'is a pooling layer; only chains of dense layers are supported'],
  [/^(LayerNormalization|UnitNormalization|GroupNormalization|Normalization)$/, 'normalises each sample by its own statistics, which a dense layer cannot express'],
  [/^PReLU$/, 'has learned per-neuron slopes, which no supported activation expresses'],
  [/^(Sequential|Model|Functional)$/, 'is a nested model; save the inner model on its own or flatten it'],
  [/^(Cropping\dD|ZeroPadding\dD|UpSampling\dD|RepeatVector|Permute|Masking)$/, 'changes the tensor layout; only chains of dense layers are supported'],
];

/** Role of a layer class. */
export function layerRole(className: string): LayerRole {
  if (className === 'InputLayer') return 'input';
  if (className === 'Dense') return 'dense';
  if (IDENTITY.has(className)) return 'identity';
  if (className === 'Flatten') return 'flatten';
  if (className === 'Reshape') return 'reshape';
  if (ACTIVATION_CLASSES.has(className)) return 'activation';
  if (className === 'BatchNormalization') return 'batchnorm';
  return 'blocked';
}

/** Why a blocked layer class blocks, phrased to follow "layer 'x' (Class)". */
export function blockReason(className: string): string {
  for (const [pattern, reason] of BLOCK_REASONS) if (pattern.test(className)) return reason;
  return 'is not a layer of a dense chain (Dense, Dropout, Flatten, activations and BatchNormalization are supported)';
}

/** An activation read from a file: the core name plus the slope/alpha where the layer stores one. */
export interface ParsedActivation {
  /** Core activation. */
  activation: Activation;
  /** Leaky-relu slope or elu alpha. */
  alpha?: number;
}

/** Result of reading an activation: the activation, or why it cannot be used. */
export type ActivationResult = { ok: true; value: ParsedActivation } | { ok: false; reason: string };

const SIMPLE: Record<string, Activation> = {
  linear: 'linear',
  relu: 'relu',
  relu6: 'relu6',
  elu: 'elu',
  selu: 'selu',
  tanh: 'tanh',
  sigmoid: 'sigmoid',
  hard_sigmoid: 'hard_sigmoid',
  hardSigmoid: 'hard_sigmoid',
  softplus: 'softplus',
  softsign: 'softsign',
  swish: 'swish',
  silu: 'swish',
  // tfjs 'gelu' is the exact erf form and 'gelu_new' the tanh form; both read as core 'gelu'
  // and the writer keeps the file's spelling, so the tfjs runtime computes the same function.
  gelu: 'gelu',
  gelu_new: 'gelu',
  softmax: 'softmax',
};

/** Reads an activation name as Dense/Activation store it (`keras3`: the file comes from Keras 3). */
export function parseActivationName(name: Json | undefined, keras3: boolean): ActivationResult {
  if (name === undefined || name === null) return { ok: true, value: { activation: 'linear' } };
  if (typeof name !== 'string') return { ok: false, reason: 'uses a custom activation object, which is not supported' };
  // Keras 3 redefined hard_sigmoid as relu6(x + 3) / 6; tfjs and the core compute 0.2·x + 0.5.
  if (keras3 && (name === 'hard_sigmoid' || name === 'hardSigmoid')) {
    return { ok: false, reason: "uses Keras 3 'hard_sigmoid' (relu6(x+3)/6), which tfjs computes differently" };
  }
  // Keras' leaky_relu function defaults to a 0.2 slope (the LeakyReLU layer defaults to 0.3).
  if (name === 'leaky_relu') return { ok: true, value: { activation: 'leaky_relu', alpha: 0.2 } };
  const simple = SIMPLE[name];
  if (simple === undefined) return { ok: false, reason: `uses activation '${name}', which is not supported` };
  return { ok: true, value: simple === 'elu' ? { activation: 'elu', alpha: 1 } : { activation: simple } };
}

/** Reads the activation of a separate activation layer (Activation, ReLU, LeakyReLU, ELU, Softmax). */
export function parseActivationLayer(layer: LayerJson, keras3: boolean): ActivationResult {
  const c = layer.config;
  switch (layer.class_name) {
    case 'Activation':
      return parseActivationName(c.activation, keras3);
    case 'LeakyReLU': {
      const alpha = numberOr(c.alpha, numberOr(c.negative_slope, 0.3));
      return { ok: true, value: { activation: 'leaky_relu', alpha } };
    }
    case 'ELU': {
      const alpha = numberOr(c.alpha, 1);
      // tfjs 4.22 throws NotImplementedError for any other alpha, so a copy could not be loaded.
      if (alpha !== 1) return { ok: false, reason: `has alpha ${alpha}; tfjs only runs ELU with alpha 1` };
      return { ok: true, value: { activation: 'elu', alpha } };
    }
    case 'Softmax': {
      const axis = c.axis ?? -1;
      if (axis !== -1 && !(Array.isArray(axis) && axis.length === 1 && axis[0] === -1)) {
        return { ok: false, reason: `applies softmax over axis ${JSON.stringify(axis)}; only the last axis is supported` };
      }
      return { ok: true, value: { activation: 'softmax' } };
    }
    case 'ReLU': {
      const max = c.max_value ?? null;
      const slope = numberOr(c.negative_slope, 0);
      if (numberOr(c.threshold, 0) !== 0) return { ok: false, reason: `has threshold ${c.threshold}; only 0 is supported` };
      if (max === null) return { ok: true, value: slope === 0 ? { activation: 'relu' } : { activation: 'leaky_relu', alpha: slope } };
      if (max === 6 && slope === 0) return { ok: true, value: { activation: 'relu6' } };
      return { ok: false, reason: `clips at ${max} with slope ${slope}; only ReLU, ReLU6 and leaky ReLU are supported` };
    }
    default:
      return { ok: false, reason: 'is not an activation layer' };
  }
}

/** The layer class that carries an activation tfjs has no Dense string for. */
export const SEPARATE_CLASS: Partial<Record<Activation, string>> = { leaky_relu: 'LeakyReLU' };

/**
 * The activation string a tfjs Dense layer uses for `value`, or undefined when tfjs has no such
 * string (leaky relu: the writer then adds a LeakyReLU layer; elu with alpha ≠ 1: not writable).
 * `sourceName` is the file's own spelling, kept when it still means the same function.
 */
export function tfjsActivationName(value: ParsedActivation, sourceName?: Json): string | undefined {
  if (typeof sourceName === 'string') {
    const parsed = parseActivationName(sourceName, false);
    if (parsed.ok && parsed.value.activation === value.activation && sameAlpha(parsed.value, value) && sourceName !== 'leaky_relu') {
      return sourceName === 'hardSigmoid' ? 'hard_sigmoid' : sourceName === 'silu' ? 'swish' : sourceName;
    }
  }
  switch (value.activation) {
    case 'leaky_relu':
      return undefined;
    case 'elu':
      return (value.alpha ?? 1) === 1 ? 'elu' : undefined;
    case 'gelu':
      return 'gelu_new';
    default:
      return value.activation;
  }
}

function sameAlpha(a: ParsedActivation, b: ParsedActivation): boolean {
  return (a.alpha ?? 1) === (b.alpha ?? 1);
}

function numberOr(value: Json | undefined, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}
