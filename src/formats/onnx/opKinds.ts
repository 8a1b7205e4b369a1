import type { Activation } from '../../core/activations';
import { floatAttribute, type OnnxNode } from './onnxModel';

/**
 * What each ONNX operator means to a dense chain: a dense op, an element-wise activation the
 * core supports, an identity at inference, or a blocker with a reason naming its family.
 */

/** Operators that are the identity at inference (dropped from the written copy, with a note). */
export const IDENTITY_OPS: ReadonlySet<string> = new Set(['Identity', 'Dropout']);

/** ONNX's own defaults where they differ from the core's (Keras') defaults. */
const ONNX_LEAKY_RELU_ALPHA = 0.01;
const ONNX_ELU_ALPHA = 1;
const SELU_ALPHA = 1.67326319217681884765625;
const SELU_GAMMA = 1.05070102214813232421875;

/** An activation node read into the core's terms. */
export interface ParsedActivation {
  activation: Activation;
  /** Leaky-relu slope or elu alpha, always explicit (ONNX's default 0.01 is not Keras' 0.3). */
  alpha?: number;
}

/** The core activation an ONNX activation node computes, or a reason it cannot be read as one. */
export function parseActivation(node: OnnxNode): ParsedActivation | { reason: string } | undefined {
  switch (node.opType) {
    case 'Relu':
      return { activation: 'relu' };
    case 'LeakyRelu':
      return { activation: 'leaky_relu', alpha: floatAttribute(node, 'alpha', ONNX_LEAKY_RELU_ALPHA) };
    case 'Elu':
      return { activation: 'elu', alpha: floatAttribute(node, 'alpha', ONNX_ELU_ALPHA) };
    case 'Tanh':
      return { activation: 'tanh' };
    case 'Sigmoid':
      return { activation: 'sigmoid' };
    case 'Softplus':
      return { activation: 'softplus' };
    case 'Softsign':
      return { activation: 'softsign' };
    case 'Softmax':
      return { activation: 'softmax' };
    case 'HardSigmoid': {
      const alpha = floatAttribute(node, 'alpha', 0.2);
      const beta = floatAttribute(node, 'beta', 0.5);
      // The core's hard sigmoid is Keras' 0.2·z + 0.5, ONNX's default in float32.
      if (Math.fround(alpha) !== Math.fround(0.2) || Math.fround(beta) !== Math.fround(0.5)) return { reason: `has alpha ${alpha}, beta ${beta}; only HardSigmoid(0.2, 0.5) is supported` };
      return { activation: 'hard_sigmoid' };
    }
    case 'Selu': {
      const alpha = floatAttribute(node, 'alpha', SELU_ALPHA);
      const gamma = floatAttribute(node, 'gamma', SELU_GAMMA);
      if (Math.fround(alpha) !== Math.fround(SELU_ALPHA) || Math.fround(gamma) !== Math.fround(SELU_GAMMA)) return { reason: `has alpha ${alpha}, gamma ${gamma}; only the standard SELU constants are supported` };
      return { activation: 'selu' };
    }
    default:
      return undefined;
  }
}

/** An ONNX operator with attributes, as the writer emits it. */
export interface ActivationOp {
  opType: string;
  attributes: Record<string, { float: number } | { int: number }>;
}

/** The ONNX operator that computes a core activation, for the writer: null for linear (no node), undefined when ONNX has none. */
export function activationOp(activation: Activation, alpha: number | undefined): ActivationOp | null | undefined {
  switch (activation) {
    case 'relu':
      return { opType: 'Relu', attributes: {} };
    case 'leaky_relu':
      return { opType: 'LeakyRelu', attributes: { alpha: { float: alpha ?? 0.3 } } };
    case 'elu':
      return { opType: 'Elu', attributes: { alpha: { float: alpha ?? 1 } } };
    case 'tanh':
      return { opType: 'Tanh', attributes: {} };
    case 'sigmoid':
      return { opType: 'Sigmoid', attributes: {} };
    case 'softplus':
      return { opType: 'Softplus', attributes: {} };
    case 'softsign':
      return { opType: 'Softsign', attributes: {} };
    case 'softmax':
      // axis 1 is the last axis of a [batch, units] tensor in every opset (before 13 it is the default).
      return { opType: 'Softmax', attributes: { axis: { int: 1 } } };
    case 'hard_sigmoid':
      return { opType: 'HardSigmoid', attributes: { alpha: { float: 0.2 }, beta: { float: 0.5 } } };
    case 'selu':
      return { opType: 'Selu', attributes: {} };
    case 'linear':
      return null;
    case 'relu6':
    case 'swish':
    case 'gelu':
      return undefined;
    default: {
      const never: never = activation;
      return never;
    }
  }
}

const FAMILIES: readonly [RegExp, string][] = [
  [/^(Conv|ConvTranspose|ConvInteger|QLinearConv|DeformConv)$/, 'is a convolution; only dense chains (Gemm or MatMul layers) are supported'],
  [/^(MaxPool|AveragePool|GlobalAveragePool|GlobalMaxPool|LpPool|GlobalLpPool|MaxUnpool|MaxRoiPool)$/, 'is a pooling layer; only dense chains are supported'],
  [/^(LSTM|GRU|RNN)$/, 'is a recurrent layer; only dense chains are supported'],
  [/^(Attention|MultiHeadAttention)$/, 'is an attention layer; only dense chains are supported'],
  [/^(QuantizeLinear|DequantizeLinear|DynamicQuantizeLinear|QLinearMatMul|MatMulInteger|QGemm)$/, 'is a quantised operator; only float32 and float64 models are supported'],
  [/^(BatchNormalization|InstanceNormalization|LayerNormalization|GroupNormalization|LRN)$/, 'is a normalisation layer; export the model with it folded into the dense weights'],
  [/^(Concat|Split|Slice|Gather|Pad|Tile|Expand|Squeeze|Unsqueeze|Transpose)$/, 'reshuffles tensors inside the graph; only a chain of dense layers is supported'],
  [/^(If|Loop|Scan)$/, 'is control flow with a subgraph; only dense chains are supported'],
  [/^(Mul|Div|Sub|Pow|Sqrt|Exp|Log|Abs|Neg|Clip|Max|Min|Sum|Mean)$/, 'is arithmetic MimosaNet does not read as a dense layer or activation (supported activations: Relu, LeakyRelu, Elu, Tanh, Sigmoid, Softmax, Softplus, Softsign, HardSigmoid, Selu)'],
];

/** Why an operator that is neither dense, activation nor identity blocks the chain. */
export function blockReason(opType: string): string {
  for (const [pattern, reason] of FAMILIES) if (pattern.test(opType)) return reason;
  return 'is not part of a dense chain (supported: Gemm, MatMul + Add, Flatten/Reshape at the input, Identity, Dropout and element-wise activations)';
}
