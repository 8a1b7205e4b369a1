import { type Attack, requireLabels } from './attack';
import { bestTrained } from './train';

/** Step counts at which the attacker looks at the result. */
const STEPS = [100, 300, 1000] as const;

/** Whole-network fine-tuning with Adam on the attacker's labels, best of three learning rates. */
export const finetuneAdamAttack: Attack = {
  kind: 'finetune-adam',
  knowledge: 'none',
  needs: 'labelled',
  description: 'fine-tune the whole network with Adam (lr 1e-5, 1e-4, 1e-3; 100–1,000 steps; the best)',
  training: { runs: 3, steps: 1000, network: 'target' },
  run: (network, context) => bestTrained(network, context.x, requireLabels(context, 'finetune-adam'), context.rows, context, { optimizer: 'adam', learningRates: [1e-5, 1e-4, 1e-3], steps: STEPS }),
};

/** Whole-network fine-tuning with plain SGD, best of two learning rates. */
export const finetuneSgdAttack: Attack = {
  kind: 'finetune-sgd',
  knowledge: 'none',
  needs: 'labelled',
  description: 'fine-tune the whole network with SGD (lr 1e-3, 1e-2; 100–1,000 steps; the best)',
  training: { runs: 2, steps: 1000, network: 'target' },
  run: (network, context) => bestTrained(network, context.x, requireLabels(context, 'finetune-sgd'), context.rows, context, { optimizer: 'sgd', learningRates: [1e-3, 1e-2], steps: STEPS }),
};
