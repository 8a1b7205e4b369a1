import { InvalidNetworkError } from './errors';

/** Element-wise activations a supported dense layer may use (Keras spelling). */
export const ACTIVATIONS = [
  'linear',
  'relu',
  'relu6',
  'leaky_relu',
  'elu',
  'selu',
  'tanh',
  'sigmoid',
  'hard_sigmoid',
  'softplus',
  'softsign',
  'swish',
  'gelu',
  'softmax',
] as const;

/** Name of a supported activation. `softmax` is only allowed on the last layer. */
export type Activation = (typeof ACTIVATIONS)[number];

/** Narrowing check for activation names read from files. */
export function isActivation(name: string): name is Activation {
  return (ACTIVATIONS as readonly string[]).includes(name);
}

/**
 * Activations with f(αz) = α·f(z) for α > 0: only their neurons may be rescaled, because the
 * scale then passes through the neuron unchanged and the next layer can undo it.
 */
export function isPositivelyHomogeneous(activation: Activation): boolean {
  return activation === 'relu' || activation === 'leaky_relu' || activation === 'linear';
}

/** The parameter Keras uses when a layer stores none: leaky-relu slope 0.3, elu alpha 1. */
export function defaultAlpha(activation: Activation): number {
  return activation === 'leaky_relu' ? 0.3 : 1;
}

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

/**
 * Applies an element-wise activation in place to `rows` rows of `width` values.
 * `alpha` is the leaky-relu slope or elu alpha where the layer stores one.
 */
export function applyActivation(
  activation: Activation,
  values: Float32Array | Float64Array,
  width: number,
  alpha = defaultAlpha(activation),
): void {
  const n = values.length;
  switch (activation) {
    case 'linear':
      return;
    case 'relu':
      for (let i = 0; i < n; i++) if (!(values[i]! > 0)) values[i] = 0;
      return;
    case 'relu6':
      for (let i = 0; i < n; i++) values[i] = Math.min(6, Math.max(0, values[i]!));
      return;
    case 'leaky_relu':
      for (let i = 0; i < n; i++) if (values[i]! < 0) values[i] = values[i]! * alpha;
      return;
    case 'elu':
      for (let i = 0; i < n; i++) if (values[i]! < 0) values[i] = alpha * Math.expm1(values[i]!);
      return;
    case 'selu':
      for (let i = 0; i < n; i++) {
        const z = values[i]!;
        values[i] = SELU_SCALE * (z > 0 ? z : SELU_ALPHA * Math.expm1(z));
      }
      return;
    case 'tanh':
      for (let i = 0; i < n; i++) values[i] = Math.tanh(values[i]!);
      return;
    case 'sigmoid':
      for (let i = 0; i < n; i++) values[i] = 1 / (1 + Math.exp(-values[i]!));
      return;
    case 'hard_sigmoid':
      for (let i = 0; i < n; i++) values[i] = Math.min(1, Math.max(0, 0.2 * values[i]! + 0.5));
      return;
    case 'softplus':
      for (let i = 0; i < n; i++) {
        const z = values[i]!;
        values[i] = z > 20 ? z : Math.log1p(Math.exp(z));
      }
      return;
    case 'softsign':
      for (let i = 0; i < n; i++) values[i] = values[i]! / (1 + Math.abs(values[i]!));
      return;
    case 'swish':
      for (let i = 0; i < n; i++) values[i] = values[i]! / (1 + Math.exp(-values[i]!));
      return;
    case 'gelu':
      // The tanh approximation, as tfjs and Keras use by default.
      for (let i = 0; i < n; i++) {
        const z = values[i]!;
        values[i] = 0.5 * z * (1 + Math.tanh(0.7978845608028654 * (z + 0.044715 * z * z * z)));
      }
      return;
    case 'softmax':
      for (let r = 0; r < n; r += width) {
        let max = -Infinity;
        for (let i = r; i < r + width; i++) max = Math.max(max, values[i]!);
        let sum = 0;
        for (let i = r; i < r + width; i++) {
          const e = Math.exp(values[i]! - max);
          values[i] = e;
          sum += e;
        }
        for (let i = r; i < r + width; i++) values[i] = values[i]! / sum;
      }
      return;
    default: {
      const never: never = activation;
      throw new InvalidNetworkError(`Unknown activation '${String(never)}'`);
    }
  }
}

/**
 * Derivative f'(z) expressed through z and y = f(z), for backpropagation in fine-tuning
 * attacks. Softmax is handled together with the cross-entropy loss and never reaches here.
 */
export function activationDerivative(activation: Activation, z: number, y: number, alpha: number): number {
  switch (activation) {
    case 'linear':
      return 1;
    case 'relu':
      return z > 0 ? 1 : 0;
    case 'relu6':
      return z > 0 && z < 6 ? 1 : 0;
    case 'leaky_relu':
      return z > 0 ? 1 : alpha;
    case 'elu':
      return z > 0 ? 1 : y + alpha;
    case 'selu':
      return z > 0 ? SELU_SCALE : y + SELU_SCALE * SELU_ALPHA;
    case 'tanh':
      return 1 - y * y;
    case 'sigmoid':
      return y * (1 - y);
    case 'hard_sigmoid':
      return z > -2.5 && z < 2.5 ? 0.2 : 0;
    case 'softplus':
      return 1 / (1 + Math.exp(-z));
    case 'softsign': {
      const d = 1 + Math.abs(z);
      return 1 / (d * d);
    }
    case 'swish': {
      const s = 1 / (1 + Math.exp(-z));
      return s + z * s * (1 - s);
    }
    case 'gelu': {
      const c = 0.7978845608028654;
      const u = c * (z + 0.044715 * z * z * z);
      const t = Math.tanh(u);
      return 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * c * (1 + 3 * 0.044715 * z * z);
    }
    case 'softmax':
      throw new InvalidNetworkError('softmax derivative is taken with the loss');
    default: {
      const never: never = activation;
      throw new InvalidNetworkError(`Unknown activation '${String(never)}'`);
    }
  }
}
