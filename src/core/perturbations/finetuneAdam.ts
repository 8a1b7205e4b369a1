import { PERTURBATION_TITLES } from './kinds';
import { fineTuneKind } from './fineTuning';

export const finetuneAdam = fineTuneKind({
  kind: 'finetune-adam',
  title: PERTURBATION_TITLES['finetune-adam'],
  description: 'Fine-tuning with Adam on the labelled evaluation data.',
  cost: 1.9,
  optimizer: 'adam',
  name: 'Adam',
  learningRates: [1e-4, 1e-3, 1e-2],
});
