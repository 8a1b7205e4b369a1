import { isPositivelyHomogeneous } from './activations';
import { InvalidNetworkError } from './errors';
import { cloneNetwork, type DenseLayer, type DenseNetwork } from './network';
import type { ConstructionMethod } from './report';
import { Rng } from './rng';

/**
 * Function-preserving constructions of DESIGN §3. Each step rewrites a working copy of the
 * network so that it computes the same function in exact arithmetic; every random choice comes
 * from one seeded generator (forked per layer and purpose), so the same seed and amplitude give
 * the same weights bit for bit.
 */

/** Options of `protectNetwork`. */
export interface ConstructionOptions {
  /** Seed of every random choice. */
  seed: number;
  /** Amplitude M of the cancelling outgoing weights, relative to the next layer's weight scale. */
  amplitude: number;
  /** Copies per hidden neuron: one keeps the outgoing weights, copies−1 carry cancelling ones (≥ 3). */
  copies: number;
  /** Rescale ReLU-family neurons by 2^e, e uniform in [-r, r]; 0 disables rescaling. */
  rescaleExponent: number;
  /** Cancelling twin pairs added to each hidden layer. */
  twins: number;
  /** Shuffle the neurons of every hidden layer. */
  permute: boolean;
}

/** A protected network and how it was built. */
export interface ProtectedNetwork {
  /** The protected network. */
  network: DenseNetwork;
  /** Constructions applied, in order. */
  methods: ConstructionMethod[];
}

/** Largest |q| of the integer grid the cancelling weights are drawn on. */
const GRID = 4;

/** Applies the constructions; the input network is not modified. */
export function protectNetwork(original: DenseNetwork, options: ConstructionOptions): ProtectedNetwork {
  if (!Number.isInteger(options.copies) || options.copies < 3) {
    throw new InvalidNetworkError(`copies must be an integer ≥ 3, got ${options.copies}`);
  }
  if (!(options.amplitude > 0) || !Number.isFinite(options.amplitude)) {
    throw new InvalidNetworkError(`amplitude must be a positive number, got ${options.amplitude}`);
  }
  const rng = new Rng(options.seed);
  const methods: ConstructionMethod[] = [];
  let network = cloneNetwork(original);
  if (network.layers.length === 1) {
    network = insertReluPairLayer(network);
    methods.push('relu-pair-hidden-layer');
  }
  // The scale each layer's cancelling weights are measured against is taken from the original
  // weights, before any construction has widened or rescaled them.
  const scales = network.layers.map((layer) => powerOfTwoScale(layer.weights));
  for (let l = 0; l < network.layers.length - 1; l++) {
    const unit = gridUnit(options.amplitude * scales[l + 1]!);
    // Split first so twins (already carrying large weights) are not copied too.
    splitNeurons(network, l, options.copies, unit, rng.fork(`split/${l}`));
    if (options.twins > 0) addTwins(network, l, options.twins, unit, rng.fork(`twins/${l}`));
  }
  methods.push('split');
  if (options.twins > 0) methods.push('twins');
  if (options.rescaleExponent > 0) {
    let rescaled = false;
    for (let l = 0; l < network.layers.length - 1; l++) {
      if (!isPositivelyHomogeneous(network.layers[l]!.activation)) continue;
      rescale(network, l, options.rescaleExponent, rng.fork(`rescale/${l}`));
      rescaled = true;
    }
    if (rescaled) methods.push('rescale');
  }
  if (options.permute) {
    for (let l = 0; l < network.layers.length - 1; l++) permute(network, l, rng.fork(`permute/${l}`));
    methods.push('permute');
  }
  return { network, methods };
}

/**
 * relu(z) − relu(−z) = z: a single dense layer becomes a hidden ReLU layer of 2·out units
 * (+W and −W) followed by [I, −I], so a model with no hidden layer gets one to protect.
 * Exact in float32 too, because one of each pair is exactly zero.
 */
export function insertReluPairLayer(network: DenseNetwork): DenseNetwork {
  const [layer] = network.layers;
  if (!layer || network.layers.length !== 1) throw new InvalidNetworkError('insertReluPairLayer expects a single layer');
  const n = layer.units;
  const hiddenWeights = new Float32Array(2 * n * layer.inputs);
  hiddenWeights.set(layer.weights, 0);
  for (let i = 0; i < layer.weights.length; i++) hiddenWeights[n * layer.inputs + i] = -layer.weights[i]!;
  const hiddenBias = new Float32Array(2 * n);
  for (let j = 0; j < n; j++) {
    hiddenBias[j] = layer.bias[j]!;
    hiddenBias[n + j] = -layer.bias[j]!;
  }
  const outWeights = new Float32Array(n * 2 * n);
  for (let j = 0; j < n; j++) {
    outWeights[j * 2 * n + j] = 1;
    outWeights[j * 2 * n + n + j] = -1;
  }
  const hidden: DenseLayer = {
    name: `${layer.name}_mimosa_pairs`,
    inputs: layer.inputs,
    units: 2 * n,
    weights: hiddenWeights,
    bias: hiddenBias,
    activation: 'relu',
    hasBias: true,
    inserted: true,
  };
  const output: DenseLayer = { ...layer, inputs: 2 * n, weights: outWeights, bias: new Float32Array(n) };
  return { inputs: network.inputs, layers: [hidden, output] };
}

/** 2^round(log2(std)) of the values (1 when they are all zero): a scale that multiplies exactly. */
export function powerOfTwoScale(values: Float32Array): number {
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i]!;
    sumSq += values[i]! * values[i]!;
  }
  const mean = sum / values.length;
  const std = Math.sqrt(Math.max(0, sumSq / values.length - mean * mean));
  return std > 0 ? 2 ** Math.round(Math.log2(std)) : 1;
}

/**
 * The step of the grid cancelling weights are drawn on: amplitude/GRID rounded to 16
 * significant bits, so q·unit (|q| ≤ 2^7) and sums of a few of them are exact in float32 and
 * the copies cancel exactly in real arithmetic.
 */
export function gridUnit(amplitudeTimesScale: number): number {
  const raw = amplitudeTimesScale / GRID;
  const exponent = Math.floor(Math.log2(raw));
  const step = 2 ** (exponent - 15);
  return Math.round(raw / step) * step;
}

/** Nonzero integer in [-GRID, GRID]. */
function gridInteger(rng: Rng): number {
  const q = 1 + rng.int(GRID);
  return rng.uniform() < 0.5 ? -q : q;
}

/** Replaces layer l by `rows` and the next layer's input columns by `columns` (both as arrays per unit). */
function setUnits(network: DenseNetwork, l: number, rows: Float32Array[], bias: number[], columns: Float32Array[]): void {
  const layer = network.layers[l]!;
  const next = network.layers[l + 1]!;
  const units = rows.length;
  const weights = new Float32Array(units * layer.inputs);
  rows.forEach((row, j) => weights.set(row, j * layer.inputs));
  const nextWeights = new Float32Array(next.units * units);
  for (let i = 0; i < next.units; i++) {
    for (let j = 0; j < units; j++) nextWeights[i * units + j] = columns[j]![i]!;
  }
  network.layers[l] = { ...layer, units, weights, bias: Float32Array.from(bias) };
  network.layers[l + 1] = { ...next, inputs: units, weights: nextWeights };
}

/** Current units of layer l as (row, bias, outgoing column) triples. */
function unitsOf(network: DenseNetwork, l: number): { rows: Float32Array[]; bias: number[]; columns: Float32Array[] } {
  const layer = network.layers[l]!;
  const next = network.layers[l + 1]!;
  const rows: Float32Array[] = [];
  const bias: number[] = [];
  const columns: Float32Array[] = [];
  for (let j = 0; j < layer.units; j++) {
    rows.push(layer.weights.slice(j * layer.inputs, (j + 1) * layer.inputs));
    bias.push(layer.bias[j]!);
    const column = new Float32Array(next.units);
    for (let i = 0; i < next.units; i++) column[i] = next.weights[i * layer.units + j]!;
    columns.push(column);
  }
  return { rows, bias, columns };
}

/**
 * Neuron splitting with cancelling amplitudes: every neuron of layer l becomes `copies` copies
 * with its incoming row and bias; copy 0 keeps the outgoing column, the others carry grid
 * values q·unit whose sum is exactly zero, so any change to one copy is amplified by ~M.
 */
export function splitNeurons(network: DenseNetwork, l: number, copies: number, unit: number, rng: Rng): void {
  const current = unitsOf(network, l);
  const rows: Float32Array[] = [];
  const bias: number[] = [];
  const columns: Float32Array[] = [];
  const outputs = network.layers[l + 1]!.units;
  current.rows.forEach((row, j) => {
    rows.push(row);
    bias.push(current.bias[j]!);
    columns.push(current.columns[j]!);
    const sum = new Float64Array(outputs);
    for (let c = 1; c < copies; c++) {
      const column = new Float32Array(outputs);
      for (let i = 0; i < outputs; i++) {
        if (c < copies - 1) {
          column[i] = gridInteger(rng) * unit;
          sum[i] = sum[i]! + column[i]!;
        } else {
          column[i] = -sum[i]!;
        }
      }
      rows.push(row.slice());
      bias.push(current.bias[j]!);
      columns.push(column);
    }
  });
  setUnits(network, l, rows, bias, columns);
}

/** Cancelling twins: pairs of new neurons with one random incoming row and outgoing +v, −v. */
export function addTwins(network: DenseNetwork, l: number, pairs: number, unit: number, rng: Rng): void {
  const layer = network.layers[l]!;
  const current = unitsOf(network, l);
  const rowScale = powerOfTwoScale(layer.weights);
  const biasScale = powerOfTwoScale(layer.bias);
  const outputs = network.layers[l + 1]!.units;
  for (let p = 0; p < pairs; p++) {
    const row = new Float32Array(layer.inputs);
    for (let k = 0; k < row.length; k++) row[k] = rng.normal() * rowScale;
    const b = Math.fround(rng.normal() * biasScale);
    const plus = new Float32Array(outputs);
    for (let i = 0; i < outputs; i++) plus[i] = gridInteger(rng) * unit;
    const minus = plus.map((v) => -v);
    current.rows.push(row, row.slice());
    current.bias.push(b, b);
    current.columns.push(plus, minus);
  }
  setUnits(network, l, current.rows, current.bias, current.columns);
}

/**
 * Positive rescaling of ReLU-family neurons by powers of two: row and bias × 2^e, outgoing
 * column × 2^−e. Multiplying by a power of two never rounds in float32, so this is bit-exact.
 */
export function rescale(network: DenseNetwork, l: number, exponent: number, rng: Rng): void {
  const layer = network.layers[l]!;
  const next = network.layers[l + 1]!;
  for (let j = 0; j < layer.units; j++) {
    const e = rng.int(2 * exponent + 1) - exponent;
    const alpha = 2 ** e;
    for (let k = 0; k < layer.inputs; k++) layer.weights[j * layer.inputs + k]! *= alpha;
    layer.bias[j]! *= alpha;
    for (let i = 0; i < next.units; i++) next.weights[i * layer.units + j]! /= alpha;
  }
}

/** Shuffles the neurons of hidden layer l (rows, biases and the next layer's columns). */
export function permute(network: DenseNetwork, l: number, rng: Rng): void {
  const current = unitsOf(network, l);
  const order = rng.permutation(current.rows.length);
  setUnits(
    network,
    l,
    Array.from(order, (j) => current.rows[j]!),
    Array.from(order, (j) => current.bias[j]!),
    Array.from(order, (j) => current.columns[j]!),
  );
}
