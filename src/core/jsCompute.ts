import type { ComputeBackend } from './compute';
import { forwardFrom, layerInputs } from './forward';
import { jsTrainer } from './training';

/**
 * The reference engine: the core's float64 loops (exact enough to check constructions to
 * ~1e-12). Pure and portable, but 40–150× slower than onnxruntime (44× on the example in npm run bench, more on dense inputs); fast engines are tested
 * against it, and it is what runs when no fast engine loads.
 */
export const jsCompute: ComputeBackend = {
  name: 'js',
  description: 'JavaScript float64 reference loops, 1 thread',
  forward: async (network, input, rows, options = {}) =>
    forwardFrom(network, options.from ?? 0, input, rows, { precision: 'float64', ...(options.logits ? { logits: true } : {}) }),
  layerInputs: async (network, x, rows) => layerInputs(network, x, rows),
  trainer: async (network, options) => jsTrainer(network, options),
  dispose: async () => undefined,
};
