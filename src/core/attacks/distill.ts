import { argmaxRows } from '../forward';
import { outputWidth } from '../network';
import type { Attack } from './attack';
import { bestTrained, freshNetwork } from './train';

/**
 * Train a fresh network of the original's architecture on the copy's own answers on the
 * attacker's inputs (no labels needed): the copy's weights are never touched.
 */
export const distillAttack: Attack = {
  kind: 'distill',
  knowledge: 'none',
  needs: 'unlabelled',
  description: "train a fresh network of the original's architecture on the copy's answers (Adam lr 1e-3, up to 3,000 steps)",
  run: async (network, context) => {
    const answers = argmaxRows(await context.compute.forward(network, context.x, context.rows), context.rows, outputWidth(network));
    return bestTrained(freshNetwork(context.original, context.rng.fork('student')), context.x, answers, context.rows, context, {
      optimizer: 'adam',
      learningRates: [1e-3],
      steps: [300, 1000, 3000],
    });
  },
};
