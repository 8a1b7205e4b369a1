import { freshNetwork } from '../attacks/train';
import type { ComputeBackend } from '../compute';
import { checkpoint } from '../errors';
import { fineTune } from '../fineTune';
import { parameterCount, type DenseNetwork } from '../network';
import type { Rng } from '../rng';

/**
 * Reference networks (issue: ownership evidence): what a network that owes nothing to the
 * original looks like, and what one that imitates it looks like, trained here on the owner's data
 * so `compare` can measure how far its evidence separates the two instead of assuming it.
 * - independent: the task learnt from the true labels, from a fresh start;
 * - imitator: a fresh network trained on the original's answers (the distillation attack).
 * Both start from fresh weights, so neither shares a weight with the original: both are
 * weight-space baselines. Seeds and widths vary, as they would between real third parties.
 */

/** A trained reference. */
export interface ReferenceNetwork {
  role: 'independent' | 'imitator';
  /** Hidden widths as a multiple of the original's. */
  widthScale: number;
  /** True for the references that calibrate (never seen by the fingerprint selection). */
  heldOut: boolean;
  network: DenseNetwork;
}

/** Hidden-width multiples of the references of each role; the first half selects fingerprints, the second calibrates. */
export const REFERENCE_WIDTHS: readonly number[] = [1, 0.5, 1, 1.5];
/** Adam steps (batch 32, lr 1e-3) each reference trains for: the attack lab's scratch budget. */
export const REFERENCE_STEPS = 1500;

/**
 * Multiply-adds the references' training costs (forward and backward ≈ 3 passes per sample),
 * so callers can bound it: it grows with the original's size, and a large network's references
 * take minutes.
 */
export function referenceTrainingWork(original: DenseNetwork): number {
  const weights = REFERENCE_WIDTHS.reduce((sum, scale) => sum + parameterCount(scaledArchitecture(original, scale)), 0);
  return 2 * weights * REFERENCE_STEPS * 32 * 3;
}

/** The original's architecture with hidden layers scaled by `scale` (at least 4 units). */
export function scaledArchitecture(original: DenseNetwork, scale: number): DenseNetwork {
  let inputs = original.inputs;
  const layers = original.layers.map((layer, l) => {
    const units = l === original.layers.length - 1 ? layer.units : Math.max(4, Math.round(layer.units * scale));
    const scaled = { ...layer, inputs, units, weights: new Float32Array(units * inputs), bias: new Float32Array(units), hasBias: true };
    inputs = units;
    return scaled;
  });
  return { inputs: original.inputs, layers };
}

/** Trains one fresh network of `architecture` on (x, labels). */
export async function trainFresh(
  architecture: DenseNetwork,
  data: { x: Float32Array; rows: number; labels: Int32Array },
  rng: Rng,
  compute: ComputeBackend,
  signal?: AbortSignal,
): Promise<DenseNetwork> {
  let trained: DenseNetwork | undefined;
  await fineTune(freshNetwork(architecture, rng.fork('init')), data.x, data.labels, data.rows, {
    optimizer: 'adam',
    learningRate: 1e-3,
    batchSize: 32,
    checkpoints: [REFERENCE_STEPS],
    rng: rng.fork('batches'),
    onCheckpoint: (_step, network) => (trained = network),
    compute,
    ...(signal ? { signal } : {}),
  });
  await checkpoint(signal);
  return trained!;
}

/** Rows the references of one half train on: inputs, true labels (if any) and the original's answers. */
export interface ReferenceData {
  x: Float32Array;
  rows: number;
  labels?: Int32Array;
  answers: Int32Array;
}

/** One reference to train: its role, its place among the role's widths (its stream is the fork `${role}/${slot}`), its width, its half of the rows. */
export interface ReferenceTask {
  role: ReferenceNetwork['role'];
  /** Index into `REFERENCE_WIDTHS`. */
  slot: number;
  widthScale: number;
  /** Trains on the calibration half (else on the selection half). */
  heldOut: boolean;
}

/** The references to train, in the order `trainReferences` returns them: independent ones only with labels. */
export function planReferences(labelled: boolean): ReferenceTask[] {
  const roles: ReferenceNetwork['role'][] = labelled ? ['independent', 'imitator'] : ['imitator'];
  const half = REFERENCE_WIDTHS.length / 2;
  return roles.flatMap((role) => REFERENCE_WIDTHS.map((widthScale, slot) => ({ role, slot, widthScale, heldOut: slot >= half })));
}

/** Parameters of a task's network: its training cost up to a constant (fixed steps of fixed batches). */
export function referenceCost(original: DenseNetwork, task: ReferenceTask): number {
  return parameterCount(scaledArchitecture(original, task.widthScale));
}

/** What every reference trains from: the original's architecture, the two halves of rows, the references' stream, the engine. */
export interface ReferenceJob {
  original: DenseNetwork;
  selection: ReferenceData;
  calibration: ReferenceData;
  /** Each task trains on its own fork of it, so a reference depends on nothing trained before it. */
  rng: Rng;
  compute: ComputeBackend;
  signal?: AbortSignal;
  /** Called as each reference finishes (in whatever order they finish): how many are done, of how many. */
  onTrained?: (done: number, total: number) => void;
}

/** Trains every task and gives their networks in task order; `trainSerially` on this thread, or the engine's over two. */
export type ReferenceTrainer = (job: ReferenceJob, tasks: readonly ReferenceTask[]) => Promise<DenseNetwork[]>;

/** A trainer of single tasks over `job` (the engine's parallel trainer hands tasks to it one at a time). */
export function referenceTaskRunner(job: ReferenceJob): (task: ReferenceTask) => Promise<DenseNetwork> {
  return (task) => {
    const data = task.heldOut ? job.calibration : job.selection;
    const labels = task.role === 'independent' ? data.labels : data.answers;
    if (!labels) throw new Error('an independent reference needs labels');
    return trainFresh(scaledArchitecture(job.original, task.widthScale), { x: data.x, rows: data.rows, labels }, job.rng.fork(`${task.role}/${task.slot}`), job.compute, job.signal);
  };
}

/** Trains the tasks one after another on this thread. */
export const trainSerially: ReferenceTrainer = async (job, tasks) => {
  const train = referenceTaskRunner(job);
  const networks: DenseNetwork[] = [];
  for (const task of tasks) {
    networks.push(await train(task));
    job.onTrained?.(networks.length, tasks.length);
  }
  return networks;
};

/**
 * Trains the references: independent ones on the true labels (none without labels) and
 * imitators on the original's answers, `REFERENCE_WIDTHS` of each. The first half of each role
 * trains on `selection` (they pick the fingerprints), the second on `calibration`, disjoint rows:
 * a suspect was trained on rows the owner never saw, and so were the references that calibrate.
 * `trainAll` trains them (by default one after another here); each depends only on its task, so
 * any trainer gives the same networks.
 */
export async function trainReferences(
  original: DenseNetwork,
  selection: ReferenceData,
  calibration: ReferenceData,
  rng: Rng,
  compute: ComputeBackend,
  hooks: { signal?: AbortSignal; onTrained?: (done: number, total: number) => void; trainAll?: ReferenceTrainer } = {},
): Promise<ReferenceNetwork[]> {
  const tasks = planReferences(Boolean(selection.labels && calibration.labels));
  const job: ReferenceJob = { original, selection, calibration, rng, compute, ...(hooks.signal ? { signal: hooks.signal } : {}), ...(hooks.onTrained ? { onTrained: hooks.onTrained } : {}) };
  const networks = await (hooks.trainAll ?? trainSerially)(job, tasks);
  if (networks.length !== tasks.length) throw new Error(`trained ${networks.length} reference networks of ${tasks.length}`);
  return tasks.map(({ role, widthScale, heldOut }, k) => ({ role, widthScale, heldOut, network: networks[k]! }));
}
