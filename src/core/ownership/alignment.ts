import { munkres } from 'munkres';
import { isPositivelyHomogeneous } from '../activations';
import type { DenseLayer, DenseNetwork } from '../network';
import { mergeAttack } from '../attacks/merge';

/**
 * Weight-space comparison of two networks with the same inputs and outputs (DESIGN §3, §7
 * `compare`). Exact function-preserving changes of a ReLU network are permutations, positive
 * rescaling and redundant copies of hidden units; canonicalising both networks (unit-norm
 * incoming weights, merged copies, dead units dropped: the informed attacker's merge) removes
 * all three, so what is left can be matched unit by unit. Units are matched layer by layer by an
 * optimal assignment on the cosine similarity of their incoming weights, each layer in the
 * coordinates the previous layer's assignment gives.
 */

/** One layer's alignment. */
export interface LayerAlignment {
  /** Units of the original's and of the suspect's canonical layer. */
  originalUnits: number;
  suspectUnits: number;
  /**
   * Per unit of the original: cosine similarity of its incoming weights (and bias) with those of
   * the suspect unit matched to it, 0 when none is left to match. For the output layer, whose
   * units are the classes and are not permuted, the similarity of the same class's weights.
   */
  similarity: Float64Array;
  /** Mean of `similarity`. */
  meanSimilarity: number;
}

/** The canonical form: exact for ReLU-family layers, unchanged elsewhere. */
export function canonicalForm(network: DenseNetwork): DenseNetwork {
  return mergeAttack(network);
}

/**
 * Aligns `suspect` to `original` (both canonicalised here). The networks must have the same
 * number of layers, inputs and outputs; hidden widths may differ.
 */
export function alignNetworks(original: DenseNetwork, suspect: DenseNetwork): LayerAlignment[] {
  const o = canonicalForm(original);
  const s = canonicalForm(suspect);
  const alignments: LayerAlignment[] = [];
  // matchOf[k] = the suspect unit of the previous layer matched to the original's unit k (-1: none);
  // the input layer is shared as it is.
  let matchOf = Int32Array.from({ length: o.inputs }, (_, k) => k);
  o.layers.forEach((layer, l) => {
    const other = s.layers[l]!;
    const last = l === o.layers.length - 1;
    const oddSymmetric = !isPositivelyHomogeneous(layer.activation) && layer.activation === 'tanh';
    const similarity = new Float64Array(layer.units);
    const cosine = (i: number, j: number): number => {
      const value = incomingCosine(layer, i, other, j, matchOf);
      // A tanh unit and its negation (outgoing weights negated) compute the same function.
      return oddSymmetric ? Math.abs(value) : value;
    };
    if (last) {
      for (let i = 0; i < layer.units; i++) similarity[i] = cosine(i, i);
      alignments.push(summary(layer.units, other.units, similarity));
      return;
    }
    const cost = Array.from({ length: layer.units }, (_, i) => Array.from({ length: other.units }, (_, j) => -cosine(i, j)));
    const next = new Int32Array(layer.units).fill(-1);
    for (const [i, j] of munkres(cost)) {
      next[i] = j;
      similarity[i] = -cost[i]![j]!;
    }
    alignments.push(summary(layer.units, other.units, similarity));
    matchOf = next;
  });
  return alignments;
}

function summary(originalUnits: number, suspectUnits: number, similarity: Float64Array): LayerAlignment {
  let sum = 0;
  for (const v of similarity) sum += v;
  return { originalUnits, suspectUnits, similarity, meanSimilarity: sum / Math.max(1, similarity.length) };
}

/**
 * Cosine of the original unit i's incoming weights and bias with suspect unit j's, reading the
 * suspect's weights through `matchOf` (the previous layer's assignment).
 */
function incomingCosine(layer: DenseLayer, i: number, other: DenseLayer, j: number, matchOf: Int32Array): number {
  let dot = layer.bias[i]! * other.bias[j]!;
  let a = layer.bias[i]! ** 2;
  let b = other.bias[j]! ** 2;
  const wi = i * layer.inputs;
  const wj = j * other.inputs;
  for (let k = 0; k < layer.inputs; k++) {
    const x = layer.weights[wi + k]!;
    const m = matchOf[k]!;
    const y = m >= 0 ? other.weights[wj + m]! : 0;
    dot += x * y;
    a += x * x;
    b += y * y;
  }
  return a > 0 && b > 0 ? dot / Math.sqrt(a * b) : 0;
}
