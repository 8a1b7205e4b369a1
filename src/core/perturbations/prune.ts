import { PERTURBATION_TITLES } from './kinds';
import { cloneNetwork, type DenseNetwork } from '../network';
import { gridSweep, perturbation } from './perturbation';

/** Magnitude pruning: zero the `percent` % smallest-|w| weights of each layer (biases kept); returns a new network. */
export function magnitudePrune(network: DenseNetwork, percent: number): DenseNetwork {
  return magnitudePruner(network)(percent);
}

/**
 * Magnitude pruning at any percent. Each call selects the threshold |w| with a partial selection
 * (quickselect, linear time) instead of sorting: a 38 M-weight layer sorts in seconds, which
 * would also hold up a cancel. Among equal |w| the lower index goes first, as a stable sort
 * would order them.
 */
export function magnitudePruner(network: DenseNetwork): (percent: number) => DenseNetwork {
  // Percent of the weights that are not already zero: pruning a zero is no change, and
  // constructions that add sparse rows (tripwire relays) must not dilute the figure.
  const magnitudes = network.layers.map((layer) => {
    const values = new Float32Array(layer.weights.length);
    let n = 0;
    for (const w of layer.weights) if (w !== 0) values[n++] = Math.abs(w);
    return values.subarray(0, n);
  });
  const scratch = new Float32Array(Math.max(0, ...magnitudes.map((m) => m.length)));
  return (percent) => {
    const result = cloneNetwork(network);
    result.layers.forEach((layer, l) => {
      const values = magnitudes[l]!;
      const count = Math.floor((values.length * percent) / 100);
      if (count <= 0) return;
      const work = scratch.subarray(0, values.length);
      work.set(values);
      const threshold = selectKth(work, count - 1);
      // Everything strictly below the threshold goes, then ties at it in index order.
      zeroSmallest(layer.weights, threshold, count - countBelow(values, threshold));
    });
    return result;
  };
}

// The loops below are functions of their own so V8 optimises each whole: as on-stack
// replacement inside the callback above, the code after them had no type feedback and was
// thrown away and recompiled on every call (dozens of deoptimisations a protect job).

function countBelow(values: Float32Array, threshold: number): number {
  let below = 0;
  for (let i = 0; i < values.length; i++) if (values[i]! < threshold) below++;
  return below;
}

/** Zeroes every nonzero weight with |w| < threshold, and the first `ties` with |w| = threshold. */
function zeroSmallest(weights: Float32Array, threshold: number, ties: number): void {
  for (let i = 0; i < weights.length; i++) {
    const a = Math.abs(weights[i]!);
    if (weights[i] === 0 || a > threshold) continue;
    if (a < threshold) weights[i] = 0;
    else if (ties > 0) {
      weights[i] = 0;
      ties--;
    }
  }
}

/** The k-th smallest value (0-based) of `values`, which it reorders (Hoare quickselect, median of three). */
function selectKth(values: Float32Array, k: number): number {
  let lo = 0;
  let hi = values.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const pivot = median3(values[lo]!, values[mid]!, values[hi]!);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i] = values[j]!;
        values[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return values[k]!;
  }
  return values[k]!;
}

function median3(a: number, b: number, c: number): number {
  return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
}

export const prune = perturbation({
  kind: 'prune',
  title: PERTURBATION_TITLES.prune,
  description: 'Magnitude pruning of p % of the weights.',
  magnitudeLabel: '% of weights pruned (smallest |w| per layer)',
  cost: 0.14,
  plan: () => ({ magnitudes: [0.01, 0.03, 0.1, 0.3, 1, 2, 5, 10, 20, 30, 50, 70, 90], repeats: 1 }),
  sweep: (context) => {
    const pruneTo = magnitudePruner(context.network);
    return gridSweep(
      context,
      (percent) => context.metric(pruneTo(percent)),
      (percent) => `prune ${context.who} ${percent}%`,
    );
  },
});
