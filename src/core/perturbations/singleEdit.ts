import { PERTURBATION_TITLES } from './kinds';
import { applyActivation } from '../activations';
import type { ComputeBackend } from '../compute';
import { cloneNetwork, type DenseLayer, type DenseNetwork } from '../network';
import type { FragilitySeries } from '../report';
import type { Rng } from '../rng';
import { logGrid } from '../s50';
import { perturbation, seededSweep, type KindPlan } from './perturbation';

/** Position of one weight: layer and flat index into its weights. */
export interface WeightPosition {
  layer: number;
  index: number;
}

/** A weight chosen uniformly over the nonzero weights of the network (editing a zero by 1 % changes nothing). */
export function randomWeightPosition(network: DenseNetwork, rng: Rng): WeightPosition {
  const total = network.layers.reduce((n, layer) => n + layer.weights.length, 0);
  if (total === 0) throw new RangeError('randomWeightPosition: empty network');
  // Rejection sampling keeps the draw uniform over nonzero weights without listing them.
  for (let attempt = 0; attempt < 10_000; attempt++) {
    let k = rng.int(total);
    for (let layer = 0; layer < network.layers.length; layer++) {
      const weights = network.layers[layer]!.weights;
      if (k < weights.length) {
        if (weights[k] !== 0) return { layer, index: k };
        break;
      }
      k -= weights.length;
    }
  }
  throw new RangeError('randomWeightPosition: the network has (almost) no nonzero weights');
}

/** One weight multiplied by (1 + s): the "+1 % to one weight" edit at s = 0.01. Returns a new network. */
export function singleWeightEdit(network: DenseNetwork, position: WeightPosition, s: number): DenseNetwork {
  const result = cloneNetwork(network);
  result.layers[position.layer]!.weights[position.index]! *= 1 + s;
  return result;
}

/**
 * Outputs of `network` with one weight × (1 + s), computed from cached layer inputs: only the
 * edited neuron of its layer is recomputed (in the same order as the full pass, so the numbers
 * are bit-identical), then the layers above. Null when the weight only ever multiplies zero on
 * this data: the outputs are then exactly the unedited ones.
 */
async function singleEditOutputs(
  compute: ComputeBackend,
  network: DenseNetwork,
  inputs: (Float32Array | Float64Array)[],
  rows: number,
  position: WeightPosition,
  s: number,
): Promise<Float32Array | Float64Array | null> {
  const l = position.layer;
  const layer = network.layers[l]!;
  const input = inputs[l]!;
  const j = Math.floor(position.index / layer.inputs);
  const k = position.index % layer.inputs;
  let touched = false;
  for (let r = 0; r < rows && !touched; r++) touched = input[r * layer.inputs + k] !== 0;
  if (!touched) return null;
  if (l === network.layers.length - 1) return compute.forward(singleWeightEdit(network, position, s), input, rows, { from: l });
  const edited = Math.fround(layer.weights[position.index]! * (1 + s));
  const column = editedColumn(layer, input, rows, j, k, edited);
  applyActivation(layer.activation, column, 1, layer.alpha);
  const output = Float64Array.from(inputs[l + 1]!);
  for (let r = 0; r < rows; r++) output[r * layer.units + j] = column[r]!;
  return compute.forward(network, output, rows, { from: l + 1 });
}

/**
 * Unit j's pre-activation on every row with weight k replaced by `edited`, summed in the full
 * pass's order. A function of its own so V8 optimises the loop whole rather than on-stack
 * inside the async caller, which deoptimised on every call.
 */
function editedColumn(layer: DenseLayer, input: Float32Array | Float64Array, rows: number, j: number, k: number, edited: number): Float64Array {
  const column = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let m = 0; m < layer.inputs; m++) {
      const v = input[r * layer.inputs + m]!;
      if (v !== 0) sum += (m === k ? edited : layer.weights[j * layer.inputs + m]!) * v;
    }
    column[r] = sum + layer.bias[j]!;
  }
  return column;
}

function singleEditNote(plan: KindPlan, original: FragilitySeries, protectedSeries: FragilitySeries): string {
  const i = plan.magnitudes.indexOf(0.01);
  const at = (series: FragilitySeries) => `${Math.round(series.broken[i]! * 100)} %`;
  return i < 0
    ? `${plan.repeats} random single-weight edits per size.`
    : `${plan.repeats} random single-weight edits per size; a +1 % edit broke ${at(protectedSeries)} of protected models and ${at(original)} of originals.`;
}

export const singleEdit = perturbation({
  kind: 'single-edit',
  title: PERTURBATION_TITLES['single-edit'],
  description: 'Single-weight edits (+1 % to one random weight).',
  magnitudeLabel: 'relative change of one random weight',
  cost: 0.27,
  plan: ({ repeats }) => ({ magnitudes: logGrid(1e-4, 1, 1), repeats: Math.max(20, repeats * 4) }),
  sweep: async (context) => {
    const { network, rows, compute } = context;
    const inputs = await compute.layerInputs(network, context.x, rows);
    return seededSweep(
      context,
      (rng) => randomWeightPosition(network, rng),
      async (position, s, clean) => {
        const outputs = await singleEditOutputs(compute, network, inputs, rows, position, s);
        return outputs ? context.scoreOutputs(outputs) : clean;
      },
    );
  },
  resultNotes: singleEditNote,
});
