import type * as Ort from 'onnxruntime-node';
import type { Trainer, TrainerOptions } from '../../../core/compute';
import type { DenseNetwork } from '../../../core/network';
import type { SessionCache } from './backend';
import { adamScalars, layerShapes, nextName, shapeKey, stateTensors, trainGraph, type StateTensor } from './graphs';

/**
 * The onnxruntime trainer: one session run per step (graphs.ts `trainGraph`). Weights, biases
 * and Adam moments live in two sets of float32 tensors: a step feeds one set and has
 * onnxruntime write the next state into the other (pre-allocated outputs), then the sets swap,
 * so a step allocates no state and loops over no element in JavaScript. Every activation of
 * the core has a derivative in the graph, so no network falls back to `jsTrainer`.
 */

type TensorSet = Record<string, Ort.Tensor>;

/** A trainer of a copy of `network` on the sessions of `sessions`. */
export async function createOrtTrainer(sessions: SessionCache, network: DenseNetwork, options: TrainerOptions): Promise<Trainer> {
  const ort = sessions.ort;
  const layers = layerShapes(network);
  // SGD's learning rate is an attribute of its graph; Adam's comes with each step.
  const kind = options.optimizer === 'sgd' ? `sgd(${options.learningRate})` : 'adam';
  const session = await sessions.get(`train:${kind}:${shapeKey(layers)}`, () => trainGraph(layers, options));
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
    step: async (x, labels, rows) => {
      if (disposed) throw new Error('the trainer was disposed');
      if (rows === 0) return;
      step++;
      const feeds: TensorSet = {
        ...current,
        x: new ort.Tensor('float32', x.length === rows * inputs ? x : x.subarray(0, rows * inputs), [rows, inputs]),
        labels: new ort.Tensor('int32', labels.length === rows ? labels : labels.subarray(0, rows), [rows]),
      };
      if (options.optimizer === 'adam') {
        const { step_size, epsilon_hat } = adamScalars(step, options.learningRate);
        feeds.step_size = scalar(step_size);
        feeds.epsilon_hat = scalar(epsilon_hat);
      }
      await session.run(feeds, spare);
      // The outputs now hold the next state: they become the inputs, the old inputs the outputs.
      const next: TensorSet = Object.fromEntries(state.map((t) => [t.name, spare[nextName(t.name)]!]));
      spare = Object.fromEntries(state.map((t) => [nextName(t.name), current[t.name]!]));
      current = next;
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
