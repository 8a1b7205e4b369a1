import { cloneNetwork, type DenseNetwork } from '../network';
import { gridSweep, perturbation } from './perturbation';

/** Magnitude pruning: zero the `percent` % smallest-|w| weights of each layer (biases kept); returns a new network. */
export function magnitudePrune(network: DenseNetwork, percent: number): DenseNetwork {
  return magnitudePruner(network)(percent);
}

/**
 * Magnitude pruning at any percent, with each layer's |w| sorted once (a native numeric sort of
 * a typed array), so a sweep over 13 percents costs one sort, not 13 comparator sorts of index
 * arrays. Among equal |w| the lower index goes first, as a stable sort would order them.
 */
export function magnitudePruner(network: DenseNetwork): (percent: number) => DenseNetwork {
  // Percent of the weights that are not already zero: pruning a zero is no change, and
  // constructions that add sparse rows (tripwire relays) must not dilute the figure.
  const sorted = network.layers.map((layer) => {
    const magnitudes = new Float32Array(layer.weights.length);
    let n = 0;
    for (const w of layer.weights) if (w !== 0) magnitudes[n++] = Math.abs(w);
    return magnitudes.subarray(0, n).sort();
  });
  return (percent) => {
    const result = cloneNetwork(network);
    result.layers.forEach((layer, l) => {
      const magnitudes = sorted[l]!;
      const count = Math.floor((magnitudes.length * percent) / 100);
      if (count <= 0) return;
      const threshold = magnitudes[count - 1]!;
      // Everything strictly below the threshold goes, then ties at it in index order.
      let ties = count - lowerBound(magnitudes, threshold);
      const weights = layer.weights;
      for (let i = 0; i < weights.length; i++) {
        const a = Math.abs(weights[i]!);
        if (weights[i] === 0 || a > threshold) continue;
        if (a < threshold) weights[i] = 0;
        else if (ties > 0) {
          weights[i] = 0;
          ties--;
        }
      }
    });
    return result;
  };
}

/** Index of the first value ≥ v in ascending `sorted`. */
function lowerBound(sorted: Float32Array, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export const prune = perturbation({
  kind: 'prune',
  title: 'Magnitude pruning',
  description: 'Magnitude pruning of p % of the weights.',
  magnitudeLabel: '% of weights pruned (smallest |w| per layer)',
  cost: 4,
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
