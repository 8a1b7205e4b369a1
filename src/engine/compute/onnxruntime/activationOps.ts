import type { Activation } from '../../../core/activations';
import type { GraphBuilder } from '../../../formats/onnx/graphBuilder';

/**
 * The core's activations (src/core/activations.ts) and their derivatives as ONNX nodes. Each
 * formula is the core's: `applyActivation` for the forward pass, `activationDerivative` for
 * backpropagation, with the same constants (SELU's, gelu's tanh approximation).
 */

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;
const GELU_C = 0.7978845608028654;
const GELU_K = 0.044715;

/** y = f(z), element-wise (softmax over the last axis). */
export function activate(g: GraphBuilder, activation: Activation, z: string, alpha: number): string {
  switch (activation) {
    case 'linear':
      return z;
    case 'relu':
      return g.op('Relu', [z]);
    case 'relu6':
      return g.op('Clip', [z, g.scalar(0), g.scalar(6)]);
    case 'leaky_relu':
      return g.op('LeakyRelu', [z], { alpha: { float: alpha } });
    case 'elu':
      return g.op('Elu', [z], { alpha: { float: alpha } });
    case 'selu':
      return g.op('Selu', [z], { alpha: { float: SELU_ALPHA }, gamma: { float: SELU_SCALE } });
    case 'tanh':
      return g.op('Tanh', [z]);
    case 'sigmoid':
      return g.op('Sigmoid', [z]);
    case 'hard_sigmoid':
      return g.op('HardSigmoid', [z], { alpha: { float: 0.2 }, beta: { float: 0.5 } });
    case 'softplus':
      return g.op('Softplus', [z]);
    case 'softsign':
      return g.op('Softsign', [z]);
    case 'swish':
      return g.op('Mul', [z, g.op('Sigmoid', [z])]);
    case 'gelu': {
      // 0.5·z·(1 + tanh(c·(z + k·z³))), the tanh approximation the core uses.
      const z3 = g.op('Mul', [g.op('Mul', [z, z]), z]);
      const t = g.op('Tanh', [g.op('Mul', [g.op('Add', [z, g.op('Mul', [z3, g.scalar(GELU_K)])]), g.scalar(GELU_C)])]);
      return g.op('Mul', [g.op('Mul', [z, g.scalar(0.5)]), g.op('Add', [t, g.scalar(1)])]);
    }
    case 'softmax':
      return g.op('Softmax', [z], { axis: { int: -1 } });
    default: {
      const never: never = activation;
      throw new Error(`no ONNX form of activation '${String(never)}'`);
    }
  }
}

/**
 * The error signal below an activation: `upstream`·f'(z), f' as `activationDerivative` gives it
 * from z (pre-activation) and y = f(z). Softmax never reaches here (it is taken with the loss).
 */
export function backpropagate(g: GraphBuilder, activation: Activation, upstream: string, z: string, y: string, alpha: number): string {
  const times = (factor: string) => g.op('Mul', [upstream, factor]);
  const positive = () => g.op('Greater', [z, g.scalar(0)]);
  const between = (low: number, high: number) => g.op('And', [g.op('Greater', [z, g.scalar(low)]), g.op('Less', [z, g.scalar(high)])]);
  switch (activation) {
    case 'linear':
      return upstream;
    case 'relu':
      return g.op('Where', [positive(), upstream, g.scalar(0)]);
    case 'relu6':
      return g.op('Where', [between(0, 6), upstream, g.scalar(0)]);
    case 'leaky_relu':
      return g.op('Where', [positive(), upstream, g.op('Mul', [upstream, g.scalar(alpha)])]);
    case 'elu':
      return times(g.op('Where', [positive(), g.scalar(1), g.op('Add', [y, g.scalar(alpha)])]));
    case 'selu':
      return times(g.op('Where', [positive(), g.scalar(SELU_SCALE), g.op('Add', [y, g.scalar(SELU_SCALE * SELU_ALPHA)])]));
    case 'tanh':
      return times(g.op('Sub', [g.scalar(1), g.op('Mul', [y, y])]));
    case 'sigmoid':
      return times(g.op('Mul', [y, g.op('Sub', [g.scalar(1), y])]));
    case 'hard_sigmoid':
      return g.op('Where', [between(-2.5, 2.5), g.op('Mul', [upstream, g.scalar(0.2)]), g.scalar(0)]);
    case 'softplus':
      return times(g.op('Sigmoid', [z]));
    case 'softsign': {
      const d = g.op('Add', [g.scalar(1), g.op('Abs', [z])]);
      return g.op('Div', [upstream, g.op('Mul', [d, d])]);
    }
    case 'swish': {
      // s + z·s·(1 − s)
      const s = g.op('Sigmoid', [z]);
      return times(g.op('Add', [s, g.op('Mul', [g.op('Mul', [z, s]), g.op('Sub', [g.scalar(1), s])])]));
    }
    case 'gelu':
      return times(geluDerivative(g, z));
    case 'softmax':
      throw new Error('softmax is only allowed on the last layer, whose derivative is taken with the loss');
    default: {
      const never: never = activation;
      throw new Error(`no ONNX derivative of activation '${String(never)}'`);
    }
  }
}

/** 0.5·(1 + t) + 0.5·z·(1 − t²)·c·(1 + 3k·z²) with t = tanh(c·(z + k·z³)). */
function geluDerivative(g: GraphBuilder, z: string): string {
  const z2 = g.op('Mul', [z, z]);
  const inner = g.op('Add', [z, g.op('Mul', [g.op('Mul', [z2, z]), g.scalar(GELU_K)])]);
  const t = g.op('Tanh', [g.op('Mul', [inner, g.scalar(GELU_C)])]);
  const first = g.op('Mul', [g.op('Add', [t, g.scalar(1)]), g.scalar(0.5)]);
  const sech2 = g.op('Sub', [g.scalar(1), g.op('Mul', [t, t])]);
  const slope = g.op('Add', [g.op('Mul', [z2, g.scalar(3 * GELU_K)]), g.scalar(1)]);
  const second = g.op('Mul', [g.op('Mul', [g.op('Mul', [z, g.scalar(0.5 * GELU_C)]), sech2]), slope]);
  return g.op('Add', [first, second]);
}
