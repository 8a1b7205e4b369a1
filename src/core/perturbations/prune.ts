import { cloneNetwork, type DenseNetwork } from '../network';
import { gridSweep, perturbation } from './perturbation';

/** Magnitude pruning: zero the `percent` % smallest-|w| weights of each layer (biases kept); returns a new network. */
export function magnitudePrune(network: DenseNetwork, percent: number): DenseNetwork {
  const result = cloneNetwork(network);
  for (const layer of result.layers) {
    // Percent of the weights that are not already zero: pruning a zero is no change, and
    // constructions that add sparse rows (tripwire relays) must not dilute the figure.
    const nonzero = Array.from(layer.weights.keys()).filter((i) => layer.weights[i] !== 0);
    const count = Math.floor((nonzero.length * percent) / 100);
    if (count <= 0) continue;
    const order = nonzero.sort((a, b) => Math.abs(layer.weights[a]!) - Math.abs(layer.weights[b]!));
    for (let i = 0; i < count; i++) layer.weights[order[i]!] = 0;
  }
  return result;
}

export const prune = perturbation({
  kind: 'prune',
  title: 'Magnitude pruning',
  description: 'Magnitude pruning of p % of the weights.',
  magnitudeLabel: '% of weights pruned (smallest |w| per layer)',
  cost: 4,
  plan: () => ({ magnitudes: [0.01, 0.03, 0.1, 0.3, 1, 2, 5, 10, 20, 30, 50, 70, 90], repeats: 1 }),
  sweep: (context) =>
    gridSweep(
      context,
      (percent) => context.metric(magnitudePrune(context.network, percent)),
      (percent) => `prune ${context.who} ${percent}%`,
    ),
});
