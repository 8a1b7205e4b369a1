import type { ChainStep } from './denseChain';
import type { LocatedModel } from './modelJson';
import type { ModelJson } from './topology';

/** What the TF.js writer needs from a loaded model to write a protected copy faithfully. */
export interface TfjsSource {
  /** model.json as parsed (the writer clones, never mutates it). */
  json: ModelJson;
  /** Where the model sits in the topology and its layout. */
  model: LocatedModel;
  /** The chain's layers with their roles, in chain order. */
  steps: ChainStep[];
  /** Width of the flat input the first Dense reads. */
  inputs: number;
  /** True when the file comes from Keras 3 (activation semantics, naming). */
  keras3: boolean;
}
