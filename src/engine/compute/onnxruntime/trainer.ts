import type * as Ort from 'onnxruntime-node';
import type { Trainer, TrainerOptions } from '../../../core/compute';
import { parameterCount, type DenseNetwork } from '../../../core/network';
import type { SessionCache } from './backend';
import { adamScalars, layerShapes, nextName, shapeKey, stateTensors, stepInput, trainGraph, type StateTensor } from './graphs';

/**
 * The onnxruntime trainer: one session run per UNROLLED_STEPS steps (graphs.ts `trainGraph`),
 * single steps for the rest and for networks above UNROLL_MAX_PARAMETERS. Weights, biases and
 * Adam moments live in two sets of float32 tensors: a run feeds one set and has onnxruntime
 * write the next state into the other (pre-allocated outputs), then the sets swap, so a run
 * loops over no element in JavaScript. Every activation of the core has a derivative in the
 * graph, so no network falls back to `jsTrainer`.
 */

/**
 * Steps per run of the unrolled graph. onnxruntime-node copies every output out of the run, so
 * the whole optimiser state crosses the binding once a run: on the protected example an Adam
 * step took 2.5 ms one run at a time and 1.55 ms eight to a run (16 gave no more). The 8-step
 * graph's session takes ~15 ms to create, once per network shape and optimiser.
 */
export const UNROLLED_STEPS = 8;

/**
 * Networks above this many parameters step one run at a time. The unrolled graph holds about one
 * more copy of the optimiser state (measured on 90 M weights: 7.7 GiB peak against 6.4 GiB), and a
 * run of 8 steps there takes 8 s, which no cancel can interrupt cooperatively; at this size an
 * 8-step run of Adam stays under ~0.3 s and ~50 MB.
 */
export const UNROLL_MAX_PARAMETERS = 4_000_000;

type TensorSet = Record<string, Ort.Tensor>;

/** A trainer of a copy of `network` on the sessions of `sessions`. */
export async function createOrtTrainer(sessions: SessionCache, network: DenseNetwork, options: TrainerOptions): Promise<Trainer> {
  const ort = sessions.ort;
  const layers = layerShapes(network);
  // SGD's learning rate is an attribute of its graph; Adam's comes with each step.
  const kind = options.optimizer === 'sgd' ? `sgd(${options.learningRate})` : 'adam';
  const unrolled = parameterCount(network) <= UNROLL_MAX_PARAMETERS ? UNROLLED_STEPS : 1;
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
        const steps = count - done >= unrolled ? unrolled : 1;
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
