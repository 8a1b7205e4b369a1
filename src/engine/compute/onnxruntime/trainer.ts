import type * as Ort from 'onnxruntime-node';
import type { Trainer, TrainerOptions } from '../../../core/compute';
import type { DenseNetwork } from '../../../core/network';
import type { SessionCache } from './backend';
import { adamScalars, layerShapes, nextName, shapeKey, stateTensors, stepInput, trainGraph, type StateTensor } from './graphs';

/**
 * The onnxruntime trainer: one session run per UNROLLED steps (graphs.ts `trainGraph`), single
 * steps for the rest. Weights, biases and Adam moments live in two sets of float32 tensors: a
 * run feeds one set and has onnxruntime write the next state into the other (pre-allocated
 * outputs), then the sets swap, so a run loops over no element in JavaScript. Every activation
 * of the core has a derivative in the graph, so no network falls back to `jsTrainer`.
 */

/**
 * Steps per run of the unrolled graph. Each run still copies the whole state out through the
 * binding once; at 8 that copy is an eighth of a step's cost on the example (measured: see
 * README, "Fast engine"), and the 8-step graph's session builds in tens of milliseconds.
 */
export const UNROLLED_STEPS = 8;

type TensorSet = Record<string, Ort.Tensor>;

/** A trainer of a copy of `network` on the sessions of `sessions`. */
export async function createOrtTrainer(sessions: SessionCache, network: DenseNetwork, options: TrainerOptions): Promise<Trainer> {
  const ort = sessions.ort;
  const layers = layerShapes(network);
  // SGD's learning rate is an attribute of its graph; Adam's comes with each step.
  const kind = options.optimizer === 'sgd' ? `sgd(${options.learningRate})` : 'adam';
  const session = (steps: number) => sessions.get(`train${steps}:${kind}:${shapeKey(layers)}`, () => trainGraph(layers, options, steps));
  const state = stateTensors(layers, options.optimizer);
  const initial = ({ kind, layer, dims }: StateTensor): Float32Array => {
    if (kind === 'weights') return network.layers[layer]!.weights.slice();
    if (kind === 'bias') return network.layers[layer]!.bias.slice();
    return new Float32Array(dims.reduce((a, b) => a * b, 1));
  };
  const tensor = (t: StateTensor, data: Float32Array) => new ort.Tensor('float32', data, t.dims);
  let current: TensorSet = Object.fromEntries(state.map((t) => [t.name, tensor(t, initial(t))]));
  let spare: TensorSet = Object.fromEntries(state.map((t) => [nextName(t.name), tensor(t, new Float32Array(current[t.name]!.size))]));
  const scalar = (value: number) => new ort.Tensor('float32', Float32Array.of(value), []);
  const inputs = network.inputs;
  let step = 0;
  let disposed = false;

  return {
    step: async (x, labels, rows, count = 1) => {
      if (disposed) throw new Error('the trainer was disposed');
      if (rows === 0) return;
      for (let done = 0; done < count; ) {
        const steps = count - done >= UNROLLED_STEPS ? UNROLLED_STEPS : 1;
        const feeds: TensorSet = { ...current };
        for (let k = 0; k < steps; k++) {
          const batch = done + k;
          feeds[stepInput('x', k)] = new ort.Tensor('float32', x.subarray(batch * rows * inputs, (batch + 1) * rows * inputs), [rows, inputs]);
          feeds[stepInput('labels', k)] = new ort.Tensor('int32', labels.subarray(batch * rows, (batch + 1) * rows), [rows]);
          if (options.optimizer === 'adam') {
            const { step_size, epsilon_hat } = adamScalars(step + k + 1, options.learningRate);
            feeds[stepInput('step_size', k)] = scalar(step_size);
            feeds[stepInput('epsilon_hat', k)] = scalar(epsilon_hat);
          }
        }
        await (await session(steps)).run(feeds, spare);
        step += steps;
        done += steps;
        // The outputs now hold the next state: they become the inputs, the old inputs the outputs.
        const next: TensorSet = Object.fromEntries(state.map((t) => [t.name, spare[nextName(t.name)]!]));
        spare = Object.fromEntries(state.map((t) => [nextName(t.name), current[t.name]!]));
        current = next;
      }
    },
    snapshot: async () => {
      if (disposed) throw new Error('the trainer was disposed');
      return {
        inputs,
        layers: network.layers.map((layer, l) => ({
          ...layer,
          weights: (current[`w${l}`]!.data as Float32Array).slice(),
          bias: (current[`b${l}`]!.data as Float32Array).slice(),
        })),
      };
    },
    dispose: () => {
      disposed = true;
      current = {};
      spare = {};
    },
  };
}
