/**
 * The perturbation kinds of DESIGN §4 and how people read them, as plain data. Reports, options,
 * the CLI's help and the extension's views need only this; the sweeps' code (index.ts, one
 * module per kind) runs in the engine and stays out of the extension host's bundle.
 * Order: the order options default to and reports list them.
 */
export const PERTURBATION_TITLES = {
  multiplicative: 'Multiplicative weight noise',
  additive: 'Additive weight noise',
  'finetune-adam': 'Fine-tuning with Adam',
  'finetune-sgd': 'Fine-tuning with SGD',
  float16: 'float16 conversion',
  int8: 'int8 quantisation',
  prune: 'Magnitude pruning',
  'single-edit': 'Single-weight edits',
} as const;

/** One perturbation kind. */
export type PerturbationKind = keyof typeof PERTURBATION_TITLES;

/** Kind identifiers, in report order. */
export const PERTURBATION_KINDS: readonly PerturbationKind[] = Object.keys(PERTURBATION_TITLES) as PerturbationKind[];
