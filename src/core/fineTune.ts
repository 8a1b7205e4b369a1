import type { ComputeBackend, TrainerOptions } from './compute';
import { yieldToEventLoop } from './errors';
import { jsCompute } from './jsCompute';
import type { DenseNetwork } from './network';
import type { Rng } from './rng';

/**
 * Fine-tuning as an attacker would do it: minibatch training on labelled data, on any compute
 * engine (the trainer), with the batch order drawn here so every engine sees the same batches.
 */

/** Options of `fineTune`. */
export interface FineTuneOptions extends TrainerOptions {
  /** Samples per step. */
  batchSize: number;
  /** Step counts at which `onCheckpoint` sees the network, ascending. */
  checkpoints: readonly number[];
  /** Batch order. */
  rng: Rng;
  /** Called with a snapshot at each checkpoint. */
  onCheckpoint: (step: number, network: DenseNetwork) => void;
  /** Checked between steps. */
  signal?: AbortSignal;
  /** The engine that trains (default: the JavaScript reference). */
  compute?: ComputeBackend;
}

/**
 * Most steps handed to the trainer in one call (fewer up to a checkpoint): a fast engine runs
 * them in one native call (the onnxruntime trainer unrolls 8). The loop yields to the event loop
 * and checks the signal between calls, so a worker sees a cancel message after at most this
 * many steps.
 */
const STEPS_PER_CALL = 8;

/**
 * Trains a copy of `network` on (x, labels) and reports it at each checkpoint; stops early when
 * the signal aborts. The batch order comes from `rng` alone, so every engine sees the same batches.
 */
export async function fineTune(network: DenseNetwork, x: Float32Array, labels: Int32Array | SoftTargets, rows: number, options: FineTuneOptions): Promise<void> {
  const draw = labels instanceof Int32Array ? undefined : labelSampler(labels, options.rng.fork('soft targets'));
  const trainer = await (options.compute ?? jsCompute).trainer(network, { optimizer: options.optimizer, learningRate: options.learningRate });
  try {
    const checkpoints = [...new Set(options.checkpoints)].sort((a, b) => a - b);
    const last = Math.max(0, ...checkpoints);
    let order = options.rng.permutation(rows);
    let cursor = 0;
    const batchSize = Math.min(options.batchSize, rows);
    const inputs = network.inputs;
    const batchX = new Float32Array(STEPS_PER_CALL * batchSize * inputs);
    const batchY = new Int32Array(STEPS_PER_CALL * batchSize);
    if (checkpoints.includes(0)) options.onCheckpoint(0, await trainer.snapshot());
    for (let step = 0; step < last; ) {
      await yieldToEventLoop();
      if (options.signal?.aborted) return;
      const next = checkpoints.find((c) => c > step)!;
      const count = Math.min(STEPS_PER_CALL, next - step);
      for (let b = 0; b < count * batchSize; b++) {
        if (cursor >= rows) {
          order = options.rng.permutation(rows);
          cursor = 0;
        }
        const r = order[cursor++]!;
        batchX.set(x.subarray(r * inputs, (r + 1) * inputs), b * inputs);
        batchY[b] = draw ? draw(r) : (labels as Int32Array)[r]!;
      }
      await trainer.step(batchX, batchY, batchSize, count);
      step += count;
      if (step === next) options.onCheckpoint(step, await trainer.snapshot());
    }
  } finally {
    trainer.dispose();
  }
}

/**
 * Soft targets: a probability per class for every row (a teacher's output probabilities). The
 * trainers take integer labels only, so each time a row enters a batch its label is drawn from
 * its distribution: the expected gradient of the cross-entropy is then the soft-target one
 * (distillation on the teacher's probabilities), on every engine, without a second loss.
 */
export interface SoftTargets {
  /** [rows × classes] probabilities, each row summing to 1. */
  probabilities: Float32Array;
  classes: number;
}

function labelSampler(targets: SoftTargets, rng: Rng): (row: number) => number {
  const { probabilities, classes } = targets;
  return (row) => {
    let u = rng.uniform();
    const base = row * classes;
    for (let c = 0; c < classes - 1; c++) {
      u -= probabilities[base + c]!;
      if (u < 0) return c;
    }
    return classes - 1;
  };
}

/**
 * A teacher's probabilities at `temperature` from its logits [rows × width]: softmax(z / T) for
 * several outputs; a single (sigmoid) output gives two classes, 0 and 1.
 */
export function softTargets(logits: ArrayLike<number>, rows: number, width: number, temperature: number): SoftTargets {
  const classes = width === 1 ? 2 : width;
  const probabilities = new Float32Array(rows * classes);
  for (let r = 0; r < rows; r++) {
    if (width === 1) {
      const p = 1 / (1 + Math.exp(-logits[r]! / temperature));
      probabilities[2 * r] = 1 - p;
      probabilities[2 * r + 1] = p;
      continue;
    }
    let max = -Infinity;
    for (let c = 0; c < width; c++) max = Math.max(max, logits[r * width + c]!);
    let sum = 0;
    for (let c = 0; c < width; c++) sum += Math.exp((logits[r * width + c]! - max) / temperature);
    for (let c = 0; c < width; c++) probabilities[r * width + c] = Math.exp((logits[r * width + c]! - max) / temperature) / sum;
  }
  return { probabilities, classes };
}
