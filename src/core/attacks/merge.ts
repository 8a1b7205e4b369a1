import { isPositivelyHomogeneous } from '../activations';
import type { DenseLayer, DenseNetwork } from '../network';
import type { Attack } from './attack';

/**
 * The informed attacker's repair, needing no data (DESIGN §3, issue: attack lab): every hidden
 * neuron of a ReLU-family layer is rescaled to unit incoming norm (weights and bias; the scale
 * moves to its outgoing weights, which is exact for positively homogeneous activations), neurons
 * whose normalised incoming weights coincide are merged (their outgoing weights added), and
 * neurons left with no outgoing weight are dropped. On a MimosaNet copy this undoes splitting
 * (the copies share their incoming direction and their cancelling outgoing weights sum to
 * zero), rescaling and permutation — and it defuses certified tripwires, whose two relays of
 * the same feature merge into one, leaving each tripwire one negative weight that noise cannot
 * flip. The product measures this attack; it does not defend against it.
 */

/** Options of `mergeAttack`. */
export interface MergeOptions {
  /** Significant digits two normalised directions must share to be merged (default 6). */
  digits?: number;
}

/** The repaired network; the caller's network is not changed. */
export function mergeAttack(network: DenseNetwork, options: MergeOptions = {}): DenseNetwork {
  const digits = options.digits ?? 6;
  const layers: DenseLayer[] = network.layers.map((layer) => ({ ...layer, weights: layer.weights.slice(), bias: layer.bias.slice() }));
  for (let l = 0; l < layers.length - 1; l++) {
    if (!isPositivelyHomogeneous(layers[l]!.activation)) continue;
    const [layer, next] = mergeLayer(layers[l]!, layers[l + 1]!, digits);
    layers[l] = layer;
    layers[l + 1] = next;
  }
  return { inputs: network.inputs, layers };
}

/** One hidden layer merged; returns it and the next layer with its inputs remapped. */
function mergeLayer(layer: DenseLayer, next: DenseLayer, digits: number): [DenseLayer, DenseLayer] {
  const { inputs } = layer;
  const groups = new Map<string, number>();
  const kept: { weights: Float64Array; bias: number; outgoing: Float64Array; magnitude: Float64Array }[] = [];
  for (let j = 0; j < layer.units; j++) {
    let norm = layer.bias[j]! ** 2;
    for (let k = 0; k < inputs; k++) norm += layer.weights[j * inputs + k]! ** 2;
    norm = Math.sqrt(norm);
    if (norm === 0) continue; // a constant zero: contributes nothing
    const weights = new Float64Array(inputs);
    for (let k = 0; k < inputs; k++) weights[k] = layer.weights[j * inputs + k]! / norm;
    const bias = layer.bias[j]! / norm;
    const outgoing = new Float64Array(next.units);
    for (let o = 0; o < next.units; o++) outgoing[o] = next.weights[o * next.inputs + j]! * norm;
    const key = `${Array.from(weights, (v) => v.toPrecision(digits)).join(',')}|${bias.toPrecision(digits)}`;
    const at = groups.get(key);
    if (at === undefined) {
      groups.set(key, kept.length);
      kept.push({ weights, bias, outgoing, magnitude: outgoing.map(Math.abs) });
    } else {
      const into = kept[at]!;
      for (let o = 0; o < next.units; o++) {
        into.outgoing[o]! += outgoing[o]!;
        into.magnitude[o]! += Math.abs(outgoing[o]!);
      }
    }
  }
  // Cancelling copies sum to zero outgoing weight up to rounding (1e-9 of what was added): such
  // a neuron no longer matters.
  const alive = kept.filter((u) => u.outgoing.some((v, o) => Math.abs(v) > 1e-9 * u.magnitude[o]!));
  const units = alive.length;
  const weights = new Float32Array(units * inputs);
  const bias = new Float32Array(units);
  const nextWeights = new Float32Array(next.units * units);
  alive.forEach((u, i) => {
    weights.set(u.weights, i * inputs);
    bias[i] = u.bias;
    for (let o = 0; o < next.units; o++) nextWeights[o * units + i] = u.outgoing[o]!;
  });
  return [
    { ...layer, units, weights, bias },
    { ...next, inputs: units, weights: nextWeights },
  ];
}

/** The informed repair as an attack of the lab: no data, no training. */
export const mergeRepairAttack: Attack = {
  kind: 'merge',
  knowledge: 'construction',
  needs: 'nothing',
  description: 'rescale every hidden neuron to unit incoming norm, merge identical directions, drop neurons without outgoing weight',
  run: async (network) => mergeAttack(network),
};
