import { type Activation, isActivation } from './activations';
import { InvalidNetworkError } from './errors';

/**
 * One dense layer: y = f(W·x + b). Weights are stored row-major as [units][inputs], so row j is
 * the incoming weights of neuron j (the unit every construction works on); formats transpose
 * from their own layout (Keras kernels are [inputs][units]).
 */
export interface DenseLayer {
  /** Layer name as the source file spells it; writers reuse it so tools show familiar names. */
  name: string;
  /** Width of the layer's input. */
  inputs: number;
  /** Number of neurons. */
  units: number;
  /** [units × inputs] row-major incoming weights. */
  weights: Float32Array;
  /** [units] biases (zeros when the source layer has none). */
  bias: Float32Array;
  /** Element-wise activation; `softmax` only on the last layer. */
  activation: Activation;
  /** Slope of leaky relu / alpha of elu, when the activation has one. */
  alpha?: number;
  /** Whether the source layer stored a bias; writers keep `use_bias: false` layers bias-free when it is still zero. */
  hasBias: boolean;
  /** True for a layer a construction inserted (no counterpart in the source file). */
  inserted?: boolean;
}

/** A chain of dense layers: h_0 = x, h_l = f_l(W_l h_{l-1} + b_l). */
export interface DenseNetwork {
  /** Width of the input vector. */
  inputs: number;
  /** The layers, input to output. */
  layers: DenseLayer[];
}

/** Width of the network's output. */
export function outputWidth(network: DenseNetwork): number {
  return network.layers[network.layers.length - 1]!.units;
}

/** Number of classes for accuracy and chance level: a single sigmoid/linear output is binary. */
export function classCount(network: DenseNetwork): number {
  const width = outputWidth(network);
  return width === 1 ? 2 : width;
}

/** Number of stored parameters (weights and stored biases). */
export function parameterCount(network: DenseNetwork): number {
  let total = 0;
  for (const layer of network.layers) total += layer.weights.length + (layer.hasBias || layer.inserted ? layer.bias.length : 0);
  return total;
}

/** Deep copy, so constructions and perturbations never alias the caller's arrays. */
export function cloneNetwork(network: DenseNetwork): DenseNetwork {
  return {
    inputs: network.inputs,
    layers: network.layers.map((layer) => ({ ...layer, weights: layer.weights.slice(), bias: layer.bias.slice() })),
  };
}

/** Checks shapes, finiteness and activation placement; throws InvalidNetworkError naming the layer. */
export function validateNetwork(network: DenseNetwork): void {
  if (!Number.isInteger(network.inputs) || network.inputs <= 0) {
    throw new InvalidNetworkError(`Input width must be a positive integer, got ${network.inputs}`);
  }
  if (network.layers.length === 0) throw new InvalidNetworkError('The network has no dense layer');
  let width = network.inputs;
  network.layers.forEach((layer, index) => {
    const where = `layer '${layer.name}' (#${index})`;
    if (layer.inputs !== width) {
      throw new InvalidNetworkError(`${where} expects ${layer.inputs} inputs but receives ${width}`);
    }
    if (!Number.isInteger(layer.units) || layer.units <= 0) {
      throw new InvalidNetworkError(`${where} has ${layer.units} units`);
    }
    if (layer.weights.length !== layer.units * layer.inputs) {
      throw new InvalidNetworkError(
        `${where} has ${layer.weights.length} weights, expected ${layer.units}×${layer.inputs}`,
      );
    }
    if (layer.bias.length !== layer.units) {
      throw new InvalidNetworkError(`${where} has ${layer.bias.length} biases, expected ${layer.units}`);
    }
    if (!isActivation(layer.activation)) {
      throw new InvalidNetworkError(`${where} has unsupported activation '${String(layer.activation)}'`);
    }
    if (layer.activation === 'softmax' && index !== network.layers.length - 1) {
      throw new InvalidNetworkError(`${where} uses softmax, which is only supported on the last layer`);
    }
    for (const [label, values] of [['weight', layer.weights], ['bias', layer.bias]] as const) {
      for (let i = 0; i < values.length; i++) {
        if (!Number.isFinite(values[i])) {
          throw new InvalidNetworkError(`${where} has a non-finite ${label} (${values[i]}) at index ${i}`);
        }
      }
    }
    width = layer.units;
  });
}

/** Short architecture string such as "784 › 128 relu › 64 relu › 10 softmax". */
export function describeArchitecture(network: { inputs: number; layers: readonly { units: number; activation: string }[] }): string {
  return [String(network.inputs), ...network.layers.map((l) => `${l.units} ${l.activation}`)].join(' › ');
}
