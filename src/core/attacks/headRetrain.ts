import type { DenseNetwork } from '../network';
import { type Attack, requireLabels } from './attack';
import { bestTrained, freshNetwork } from './train';

/**
 * Keep every layer but the last, frozen, and train a fresh last layer on the attacker's labels:
 * the network's features are reused without touching the weights that make the copy fragile.
 */
export const headRetrainAttack: Attack = {
  kind: 'head-retrain',
  knowledge: 'none',
  needs: 'labelled',
  description: 'freeze all layers but the last and train a fresh last layer (Adam lr 1e-3, 300–3,000 steps)',
  // Counted as training the whole network: every step still runs the frozen layers forward.
  training: { runs: 1, steps: 3000, network: 'target' },
  run: async (network, context) => {
    const last = network.layers.length - 1;
    const head: DenseNetwork = { inputs: network.layers[last]!.inputs, layers: [network.layers[last]!] };
    const features = (await context.compute.layerInputs(network, context.x, context.rows))[last]!;
    const body = network.layers.slice(0, last);
    const withHead = (trained: DenseNetwork): DenseNetwork => ({ inputs: network.inputs, layers: [...body, ...trained.layers] });
    // The head is scored as part of the whole network, on the evaluation data.
    const scored = { ...context, score: (candidate: DenseNetwork) => context.score(withHead(candidate)) };
    const trained = await bestTrained(freshNetwork(head, context.rng.fork('head')), Float32Array.from(features), requireLabels(context, 'head-retrain'), context.rows, scored, {
      optimizer: 'adam',
      learningRates: [1e-3],
      steps: [300, 1000, 3000],
    });
    return withHead(trained);
  },
};
