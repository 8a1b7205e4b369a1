import type { Activation } from '../../../src/core/activations';
import type { DenseNetwork } from '../../../src/core/network';
import { Rng } from '../../../src/core/rng';

/** A random dense network with Glorot-like weights, for core tests. */
export function randomNetwork(sizes: number[], activations: Activation[], seed = 1): DenseNetwork {
  const rng = new Rng(seed);
  return {
    inputs: sizes[0]!,
    layers: activations.map((activation, l) => {
      const inputs = sizes[l]!;
      const units = sizes[l + 1]!;
      const scale = Math.sqrt(2 / (inputs + units));
      return {
        name: `dense_${l + 1}`,
        inputs,
        units,
        weights: Float32Array.from({ length: inputs * units }, () => rng.normal() * scale),
        bias: Float32Array.from({ length: units }, () => rng.normal() * 0.1),
        activation,
        hasBias: true,
      };
    }),
  };
}

/** Uniform [0, 1) inputs. */
export function randomInputs(rows: number, cols: number, seed = 2): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: rows * cols }, () => rng.uniform());
}
