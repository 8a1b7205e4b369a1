/**
 * The benchmark's fixed workloads and the inputs they run on. Everything here is deterministic
 * (seeded), so the parent process (which writes the networks out for the numpy reference) and
 * each child process (which times one workload on one backend) build the same networks.
 */
import { join } from 'node:path';
import { chooseTripwireFeatures, protectNetwork } from '../src/core/constructions';
import type { DenseNetwork } from '../src/core/network';
import { DEFAULT_OPTIONS } from '../src/core/options';
import { Rng } from '../src/core/rng';
import { MAX_SWEEP_SAMPLES } from '../src/engine/defaults';
import { nodeFileReader } from '../src/engine/nodeFileReader';
import { readDataset } from '../src/formats/data/dataset';
import { tfjsLayersFormat } from '../src/formats/tfjs/tfjsLayersFormat';

/** The workloads, in the order the table lists them. */
export const WORKLOADS = ['forward-protected', 'forward-large', 'sweep', 'protect'] as const;
export type Workload = (typeof WORKLOADS)[number];

/** Forward workloads count GFLOP/s; the others are whole jobs. */
export const FORWARD_WORKLOADS: readonly Workload[] = ['forward-protected', 'forward-large'];

/** Rows of the forward workloads (the example's 2,000 evaluation rows, tiled). */
export const DEFAULT_ROWS = 10_000;

/** The protected example is built at this amplitude (what the protect job's search chooses on it). */
export const PROTECTED_AMPLITUDE = 2 ** 4.5;

/** Layer widths of the large random ReLU network. */
export const LARGE_SIZES = [784, 2048, 1024, 10] as const;

/** The bundled example: its model and labelled evaluation data. */
const EXAMPLE_DIR = join(__dirname, '../examples/mnist-mlp');
export const EXAMPLE = { model: join(EXAMPLE_DIR, 'model.json'), x: join(EXAMPLE_DIR, 'eval-x.npy'), y: join(EXAMPLE_DIR, 'eval-y.npy') } as const;

/** The example loaded: original network and its labelled evaluation data. */
export interface Example {
  original: DenseNetwork;
  x: Float32Array;
  labels: Int32Array;
  rows: number;
}

export async function loadExample(): Promise<Example> {
  const model = await tfjsLayersFormat.load(EXAMPLE.model, nodeFileReader);
  const data = await readDataset(EXAMPLE.x, EXAMPLE.y, nodeFileReader, model.network.inputs);
  if (!data.labels) throw new Error(`${EXAMPLE.y} gave no labels`);
  return { original: model.network, x: data.x, labels: data.labels, rows: data.rows };
}

/**
 * The example's protected network as the protect job builds it at amplitude 2^4.5: default
 * options (seed, copies, rescaling, tripwires), permutation on, tripwire features chosen on the
 * evaluation data as calibration does.
 */
export function protectedExample(example: Example): DenseNetwork {
  const features = chooseTripwireFeatures(example.x, example.rows, example.original.inputs, DEFAULT_OPTIONS.tripwires);
  return protectNetwork(example.original, { ...DEFAULT_OPTIONS, amplitude: PROTECTED_AMPLITUDE, permute: true, features }).network;
}

/** A 784-2048-1024-10 network with Glorot-scaled normal weights, ReLU hidden layers and linear logits. */
export function largeNetwork(seed = 1): DenseNetwork {
  const rng = new Rng(seed).fork('bench/large');
  const layers = LARGE_SIZES.slice(1).map((units, l) => {
    const inputs = LARGE_SIZES[l]!;
    const scale = Math.sqrt(2 / (inputs + units));
    return {
      name: `dense_${l + 1}`,
      inputs,
      units,
      weights: Float32Array.from({ length: inputs * units }, () => rng.normal() * scale),
      bias: Float32Array.from({ length: units }, () => rng.normal() * 0.1),
      activation: l === LARGE_SIZES.length - 2 ? ('linear' as const) : ('relu' as const),
      hasBias: true,
    };
  });
  return { inputs: LARGE_SIZES[0], layers };
}

/** `rows` rows of `x` ([n × cols]) repeated in order: the evaluation rows tiled to any count. */
export function tileRows(x: Float32Array, cols: number, rows: number): Float32Array {
  const available = x.length / cols;
  const out = new Float32Array(rows * cols);
  for (let start = 0; start < rows; start += available) {
    const n = Math.min(available, rows - start);
    out.set(x.subarray(0, n * cols), start * cols);
  }
  return out;
}

/** Floating-point operations of one forward pass: 2 · rows · Σ inputs·units (multiply and add). */
export function forwardFlops(network: DenseNetwork, rows: number): number {
  return 2 * rows * network.layers.reduce((n, layer) => n + layer.inputs * layer.units, 0);
}

/** The sweep's data: the protect job's first MAX_SWEEP_SAMPLES labelled rows. */
export function sweepData(example: Example): { x: Float32Array; rows: number; labels: Int32Array } {
  const rows = Math.min(example.rows, MAX_SWEEP_SAMPLES);
  return { x: example.x.subarray(0, rows * example.original.inputs), rows, labels: example.labels.subarray(0, rows) };
}

/** The network a forward workload runs. */
export function forwardNetwork(workload: Workload, example: Example): DenseNetwork {
  if (workload === 'forward-protected') return protectedExample(example);
  if (workload === 'forward-large') return largeNetwork();
  throw new Error(`${workload} is not a forward workload`);
}
