import { PERTURBATION_TITLES } from './kinds';
import { fineTuneKind } from './fineTuning';

export const finetuneSgd = fineTuneKind({
  kind: 'finetune-sgd',
  title: PERTURBATION_TITLES['finetune-sgd'],
  description: 'Fine-tuning with SGD on the labelled evaluation data.',
  cost: 0.5,
  optimizer: 'sgd',
  name: 'SGD',
  learningRates: [1e-3, 1e-2],
});
