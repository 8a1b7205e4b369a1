import { checkpoint } from './errors';
import { applyActivation } from './activations';
import { argmaxRows, forward, forwardFrom, layerInputs } from './forward';
import { classCount, outputWidth, type DenseNetwork } from './network';
import {
  additiveNoise,
  drawNoise,
  float16RoundTrip,
  int8Quantise,
  layerWeightStd,
  magnitudePrune,
  multiplicativeNoise,
  randomWeightPosition,
  singleWeightEdit,
  type WeightPosition,
} from './perturbations';
import type { FragilityKind, FragilitySeries, PerturbationKind } from './report';
import { Rng } from './rng';
import { fragilityFactor, logGrid, s50 } from './s50';
import { fineTune, type OptimizerName } from './training';

/**
 * Fragility sweeps (DESIGN §4): for each perturbation kind and magnitude, R seeded repeats on
 * the original and the protected network; the metric is accuracy with labels, else top-1
 * agreement with the unperturbed original. Both networks see the same grid and seeds.
 */

/** Evaluation data of a sweep. */
export interface SweepData {
  /** Inputs [rows × inputs]. */
  x: Float32Array;
  /** Number of samples. */
  rows: number;
  /** Integer labels, or null (agreement with the original replaces accuracy). */
  labels: Int32Array | null;
}

/** Options of `measureFragility`. */
export interface FragilityOptions {
  /** Kinds to sweep, in order; fine-tuning kinds are skipped without labels. */
  kinds: readonly PerturbationKind[];
  /** Seeded repeats per magnitude for noise kinds. */
  repeats: number;
  /** Seed of noise draws, edit positions and batch orders. */
  seed: number;
  /** Fine-tuning steps at which accuracy is measured. */
  fineTuneSteps?: readonly number[];
  /** Checked between evaluations; aborting throws CancelledError. */
  signal?: AbortSignal;
  /** Completion in [0, 1] with a short description. */
  onProgress?: (fraction: number, message: string) => void;
  /** Each kind as soon as it is measured, so reports update live. */
  onKind?: (kind: FragilityKind) => void;
}

/** Default step grid of the fine-tuning attacks. */
export const DEFAULT_FINETUNE_STEPS = [1, 3, 10, 30, 100, 300] as const;

/** Kind-specific grid, label and optimiser settings. */
interface KindPlan {
  magnitudes: number[];
  label: string;
  repeats: number;
  notes?: string;
}

/**
 * Learning rates an attacker would try; the curve shows the best of them at each step count
 * (chosen in hindsight), so the figure is the attacker's best case, not a lucky bad choice.
 */
const LEARNING_RATES: Record<OptimizerName, readonly number[]> = { adam: [1e-4, 1e-3, 1e-2], sgd: [1e-3, 1e-2] };
const BATCH = 32;

function plan(kind: PerturbationKind, repeats: number, steps: readonly number[]): KindPlan {
  switch (kind) {
    case 'multiplicative':
      return { magnitudes: logGrid(1e-10, 10, 2), label: 'relative noise s: w·(1+s·ε)', repeats };
    case 'additive':
      return { magnitudes: logGrid(1e-10, 10, 2), label: 'noise s in units of the original layer’s weight std', repeats };
    case 'finetune-adam':
      return fineTunePlan('adam', 'Adam', steps);
    case 'finetune-sgd':
      return fineTunePlan('sgd', 'SGD', steps);
    case 'float16':
      return { magnitudes: [16], label: 'bits (float16 round trip)', repeats: 1 };
    case 'int8':
      return { magnitudes: [8], label: 'bits (per-tensor symmetric int8 weights, float32 biases)', repeats: 1 };
    case 'prune':
      return { magnitudes: [0.01, 0.03, 0.1, 0.3, 1, 2, 5, 10, 20, 30, 50, 70, 90], label: '% of weights pruned (smallest |w| per layer)', repeats: 1 };
    case 'single-edit':
      return {
        magnitudes: logGrid(1e-4, 1, 1),
        label: 'relative change of one random weight',
        repeats: Math.max(20, repeats * 4),
      };
    default: {
      const never: never = kind;
      throw new RangeError(`Unknown perturbation kind '${String(never)}'`);
    }
  }
}

function fineTunePlan(optimizer: OptimizerName, name: string, steps: readonly number[]): KindPlan {
  const rates = LEARNING_RATES[optimizer];
  return {
    magnitudes: [...steps],
    label: `${name} steps`,
    repeats: rates.length,
    notes: `${name} at lr ${rates.join(', ')}, batch ${BATCH}, cross-entropy, trained on one half of the labelled data and measured on the other; the line is the best learning rate at each step count (the attacker's best case), the band the range over learning rates.`,
  };
}


/** Runs every requested sweep and returns one FragilityKind per kind measured. */
export async function measureFragility(
  original: DenseNetwork,
  protectedNet: DenseNetwork,
  data: SweepData,
  options: FragilityOptions,
): Promise<FragilityKind[]> {
  const steps = options.fineTuneSteps ?? DEFAULT_FINETUNE_STEPS;
  const kinds = options.kinds.filter((k) => data.labels || !k.startsWith('finetune'));
  const width = outputWidth(original);
  const chance = 1 / classCount(original);
  const reference = data.labels ?? argmaxRows(forward(original, data.x, data.rows, { precision: 'float64' }), data.rows, width);
  const score = (outputs: ArrayLike<number>, rows: number, target: Int32Array): number => {
    const predicted = argmaxRows(outputs, rows, width);
    let hits = 0;
    for (let r = 0; r < rows; r++) if (predicted[r] === target[r]) hits++;
    return hits / rows;
  };
  const metricOn = (x: Float32Array, rows: number, target: Int32Array) => (network: DenseNetwork) =>
    score(forward(network, x, rows, { precision: 'float64' }), rows, target);
  const metric = metricOn(data.x, data.rows, reference);

  const plans = kinds.map((kind) => ({ kind, ...plan(kind, options.repeats, steps) }));
  const totalWork = plans.reduce((n, p) => n + 2 * (p.kind.startsWith('finetune') ? p.repeats : p.magnitudes.length * p.repeats), 0);
  let done = 0;
  const progress = async (message: string): Promise<void> => {
    done++;
    options.onProgress?.(done / totalWork, message);
    await checkpoint(options.signal);
  };

  const results: FragilityKind[] = [];
  for (const p of plans) {
    const rng = new Rng(options.seed).fork(`fragility/${p.kind}`);
    const sweep = async (network: DenseNetwork, who: string): Promise<FragilitySeries> => {
      const values: number[][] = p.magnitudes.map(() => []);
      let clean = metric(network);
      switch (p.kind) {
        case 'multiplicative':
        case 'additive': {
          const stds = additiveUnits(original, network);
          for (let r = 0; r < p.repeats; r++) {
            const noise = drawNoise(network, rng.fork(`${who}/${r}`));
            for (let i = 0; i < p.magnitudes.length; i++) {
              const s = p.magnitudes[i]!;
              const perturbed = p.kind === 'multiplicative' ? multiplicativeNoise(network, s, noise) : additiveNoise(network, s, noise, stds);
              values[i]!.push(metric(perturbed));
              await progress(`${p.kind} ${who} s=${s}`);
            }
          }
          break;
        }
        case 'float16':
          values[0]!.push(metric(float16RoundTrip(network)));
          await progress(`float16 ${who}`);
          break;
        case 'int8':
          values[0]!.push(metric(int8Quantise(network)));
          await progress(`int8 ${who}`);
          break;
        case 'prune':
          for (let i = 0; i < p.magnitudes.length; i++) {
            values[i]!.push(metric(magnitudePrune(network, p.magnitudes[i]!)));
            await progress(`prune ${who} ${p.magnitudes[i]}%`);
          }
          break;
        case 'single-edit': {
          const inputs = layerInputs(network, data.x, data.rows);
          for (let r = 0; r < p.repeats; r++) {
            const position = randomWeightPosition(network, rng.fork(`${who}/${r}`));
            for (let i = 0; i < p.magnitudes.length; i++) {
              const outputs = singleEditOutputs(network, inputs, data.rows, position, p.magnitudes[i]!);
              values[i]!.push(outputs ? score(outputs, data.rows, reference) : clean);
              await progress(`single-edit ${who} s=${p.magnitudes[i]}`);
            }
          }
          break;
        }
        case 'finetune-adam':
        case 'finetune-sgd': {
          const labels = data.labels!;
          const half = Math.floor(data.rows / 2);
          const inputs = original.inputs;
          const trainX = data.x.subarray(0, half * inputs);
          const testX = data.x.subarray(half * inputs);
          const testMetric = metricOn(testX, data.rows - half, labels.subarray(half));
          clean = testMetric(network);
          const optimizer: OptimizerName = p.kind === 'finetune-adam' ? 'adam' : 'sgd';
          for (const learningRate of LEARNING_RATES[optimizer]) {
            const snapshots: DenseNetwork[] = [];
            await fineTune(network, trainX, labels.subarray(0, half), half, {
              optimizer,
              learningRate,
              batchSize: BATCH,
              checkpoints: p.magnitudes,
              rng: rng.fork(`${who}/batches`),
              onCheckpoint: (_step, snapshot) => snapshots.push(snapshot),
              ...(options.signal ? { signal: options.signal } : {}),
            });
            snapshots.forEach((snapshot, i) => values[i]!.push(testMetric(snapshot)));
            await progress(`${p.kind} ${who} lr=${learningRate}`);
          }
          break;
        }
        default: {
          const never: never = p.kind;
          throw new RangeError(`Unknown perturbation kind '${String(never)}'`);
        }
      }
      return summarise(values, clean, chance, p.magnitudes, p.kind.startsWith('finetune') ? 'best' : 'mean');
    };
    const originalSeries = await sweep(original, 'original');
    const protectedSeries = await sweep(protectedNet, 'protected');
    const single = p.magnitudes.length === 1;
    const factor = single
      ? { value: null, bound: 'exact' as const }
      : fragilityFactor(originalSeries.s50, protectedSeries.s50, p.magnitudes[p.magnitudes.length - 1]!, protectedSeries.s50BelowGrid);
    const kind: FragilityKind = {
      kind: p.kind,
      magnitudeLabel: p.label,
      magnitudes: p.magnitudes,
      repeats: p.repeats,
      original: originalSeries,
      protected: protectedSeries,
      fragilityFactor: factor.value,
      fragilityFactorBound: factor.bound,
      ...(p.kind === 'single-edit' ? { notes: singleEditNote(p.magnitudes, originalSeries, protectedSeries, p.repeats) } : p.notes ? { notes: p.notes } : {}),
    };
    results.push(kind);
    options.onKind?.(kind);
  }
  return results;
}

/**
 * Outputs of `network` with one weight × (1 + s), computed from cached layer inputs: only the
 * edited neuron of its layer is recomputed (in the same order as the full pass, so the numbers
 * are bit-identical), then the layers above. Null when the weight only ever multiplies zero on
 * this data: the outputs are then exactly the unedited ones.
 */
function singleEditOutputs(
  network: DenseNetwork,
  inputs: (Float32Array | Float64Array)[],
  rows: number,
  position: WeightPosition,
  s: number,
): Float32Array | Float64Array | null {
  const l = position.layer;
  const layer = network.layers[l]!;
  const input = inputs[l]!;
  const j = Math.floor(position.index / layer.inputs);
  const k = position.index % layer.inputs;
  let touched = false;
  for (let r = 0; r < rows && !touched; r++) touched = input[r * layer.inputs + k] !== 0;
  if (!touched) return null;
  if (l === network.layers.length - 1) return forwardFrom(singleWeightEdit(network, position, s), l, input, rows, { precision: 'float64' });
  const edited = Math.fround(layer.weights[position.index]! * (1 + s));
  const column = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let m = 0; m < layer.inputs; m++) {
      const v = input[r * layer.inputs + m]!;
      if (v !== 0) sum += (m === k ? edited : layer.weights[j * layer.inputs + m]!) * v;
    }
    column[r] = sum + layer.bias[j]!;
  }
  applyActivation(layer.activation, column, 1, layer.alpha);
  const output = Float64Array.from(inputs[l + 1]!);
  for (let r = 0; r < rows; r++) output[r * layer.units + j] = column[r]!;
  return forwardFrom(network, l + 1, output, rows, { precision: 'float64' });
}

/**
 * Additive noise is measured in the *original* model's layer std for both models, so both get
 * the same absolute noise; a layer a construction inserted (no original counterpart) uses its own.
 */
function additiveUnits(original: DenseNetwork, network: DenseNetwork): number[] {
  const originalStds = layerWeightStd(original);
  const ownStds = layerWeightStd(network);
  let next = 0;
  return network.layers.map((layer, l) => (layer.inserted ? ownStds[l]! : (originalStds[next++] ?? ownStds[l]!)));
}

function summarise(values: number[][], clean: number, chance: number, magnitudes: number[], line: 'mean' | 'best'): FragilitySeries {
  const mean = values.map((v) => (line === 'best' ? Math.max(...v) : v.reduce((a, b) => a + b, 0) / v.length));
  const halfway = (clean + chance) / 2;
  return {
    mean,
    broken: values.map((v) => v.filter((m) => m <= halfway).length / v.length),
    min: values.map((v) => Math.min(...v)),
    max: values.map((v) => Math.max(...v)),
    clean,
    s50: magnitudes.length > 1 ? s50(magnitudes, mean, clean, chance) : null,
    s50BelowGrid: magnitudes.length > 1 && mean[0]! <= halfway,
  };
}

function singleEditNote(magnitudes: number[], original: FragilitySeries, protectedSeries: FragilitySeries, repeats: number): string {
  const i = magnitudes.indexOf(0.01);
  const at = (series: FragilitySeries) => `${Math.round(series.broken[i]! * 100)} %`;
  return i < 0
    ? `${repeats} random single-weight edits per size.`
    : `${repeats} random single-weight edits per size; a +1 % edit broke ${at(protectedSeries)} of protected models and ${at(original)} of originals.`;
}
