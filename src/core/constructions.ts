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
  /**
   * Certified tripwires (see addCertifiedTripwires) added between the first two hidden ReLU
   * layers; 0 disables them. Needs `features`: which inputs the tripwires watch.
   */
  tripwires?: number;
  /** Inputs of the first layer the tripwires watch (from `chooseTripwireFeatures`). */
  features?: readonly TripwireFeature[];
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
  // Tripwires go in after splitting (copies of them would carry cancelling weights, whose
  // rounding is not certified) and before rescaling and permutation, which keep them exact.
  const tripwireCount = Math.min(options.tripwires ?? 0, options.features?.length ?? 0);
  if (tripwireCount > 0 && canHoldTripwires(network)) {
    addCertifiedTripwires(network, options.features!.slice(0, tripwireCount), scales[1]!, scales[2]!, rng.fork('tripwires'));
    methods.push('tripwires');
  }
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

/** An input the tripwires watch: relu(sign · x[index]). */
export interface TripwireFeature {
  /** Index into the first layer's input. */
  index: number;
  /** +1 or −1: which side of zero the tripwire watches. */
  sign: 1 | -1;
}

/**
 * Relative margin μ of a tripwire: its exact pre-activation is −μ·v·relu(±x). Rounding in any
 * order moves it by at most ~6u·v·relu(±x) (u = 2⁻²⁴: two exact power-of-two relays, two
 * products and one sum), so μ = 2⁻¹⁸ keeps it below zero with a margin of ~10×, while a
 * relative weight change of a few 1e-6 wakes it.
 */
export const TRIPWIRE_MARGIN = 2 ** -18;
/** Outgoing weight of a tripwire, relative to the next layer's weight scale: once awake, it swamps the output. */
const TRIPWIRE_GAIN = 2 ** 40;

/** Tripwires need two ReLU hidden layers in a row at the bottom of the chain: relays, then wires. */
export function canHoldTripwires(network: DenseNetwork): boolean {
  return network.layers.length >= 3 && network.layers[0]!.activation === 'relu' && network.layers[1]!.activation === 'relu';
}

/**
 * The inputs most often nonzero on the calibration data (each with the sign that is positive
 * there), so tripwires watch features present in most samples. Only fragility depends on this
 * choice; silence is certified for every input.
 */
export function chooseTripwireFeatures(x: Float32Array, rows: number, inputs: number, count: number): TripwireFeature[] {
  const positive = new Float64Array(inputs);
  const negative = new Float64Array(inputs);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < inputs; k++) {
      const v = x[r * inputs + k]!;
      if (v > 0) positive[k]!++;
      else if (v < 0) negative[k]!++;
    }
  }
  const candidates: (TripwireFeature & { support: number })[] = [];
  for (let k = 0; k < inputs; k++) {
    candidates.push({ index: k, sign: 1, support: positive[k]! }, { index: k, sign: -1, support: negative[k]! });
  }
  // Stable: ties keep input order, so the choice is deterministic.
  candidates.sort((a, b) => b.support - a.support || a.index - b.index || b.sign - a.sign);
  return candidates.filter((c) => c.support > 0).slice(0, count).map(({ index, sign }) => ({ index, sign }));
}

/**
 * Certified tripwires: silent on every input, in every float32 summation order, yet woken by
 * almost any change of their weights.
 *
 * For each watched feature f, two relay neurons in the first hidden layer compute
 * r₁ = r₂ = relu(±x_f) (one nonzero weight of ±1, no bias: a single exact product, so every
 * order gives the same bits), and one tripwire in the second hidden layer computes
 * relu(v(1−μ)·r₁ − v·r₂) = relu(−μ·v·r) = 0, with μ = TRIPWIRE_MARGIN and v a power of two
 * (so v(1−μ) is exact). Its outgoing weights are huge, but multiply an exact zero, so they add
 * no rounding. Any relative change ≳ μ of one of the four weights (noise, quantisation, an edit)
 * makes the pre-activation positive wherever the feature is, and the output is swamped.
 * Rescaling and permutation afterwards keep all of this exact (powers of two, reordering).
 */
export function addCertifiedTripwires(network: DenseNetwork, features: readonly TripwireFeature[], relayScale: number, nextScale: number, rng: Rng): void {
  const relays = unitsOf(network, 0);
  const inputs = network.layers[0]!.inputs;
  const hiddenUnits = network.layers[1]!.units;
  const firstRelay = relays.rows.length;
  for (const feature of features) {
    for (let copy = 0; copy < 2; copy++) {
      const row = new Float32Array(inputs);
      row[feature.index] = feature.sign;
      relays.rows.push(row);
      relays.bias.push(0);
      relays.columns.push(new Float32Array(hiddenUnits));
    }
  }
  setUnits(network, 0, relays.rows, relays.bias, relays.columns);
  const wires = unitsOf(network, 1);
  const width = network.layers[1]!.inputs;
  const outputs = network.layers[2]!.units;
  const v = relayScale;
  features.forEach((_, i) => {
    const row = new Float32Array(width);
    row[firstRelay + 2 * i] = v * (1 - TRIPWIRE_MARGIN);
    row[firstRelay + 2 * i + 1] = -v;
    const column = new Float32Array(outputs);
    for (let o = 0; o < outputs; o++) column[o] = gridInteger(rng) * TRIPWIRE_GAIN * nextScale;
    wires.rows.push(row);
    wires.bias.push(0);
    wires.columns.push(column);
  });
  setUnits(network, 1, wires.rows, wires.bias, wires.columns);
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
