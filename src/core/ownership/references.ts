import { freshNetwork } from '../attacks/train';
import type { ComputeBackend } from '../compute';
import { checkpoint } from '../errors';
import { fineTune, softTargets, type SoftTargets } from '../fineTune';
import { DISTILLATION_TEMPERATURE } from '../attacks/distill';
import { parameterCount, type DenseNetwork } from '../network';
import type { Rng } from '../rng';

/**
 * Reference networks (issue: ownership evidence): what a network that owes nothing to the
 * original looks like, and what one that imitates it looks like, trained here on the owner's data
 * so `compare` can measure how far its evidence separates the two instead of assuming it.
 * - independent: the task learnt from the true labels, from a fresh start;
 * - imitator: a fresh network trained on the original's probabilities (the distillation attack).
 * Both start from fresh weights, so neither shares a weight with the original: both are
 * weight-space baselines. Seeds and widths vary, as they would between real third parties.
 */

/** Which of the owner's two training parts a reference learns from. */
export type ReferenceRows = 'first' | 'second' | 'both';

/** One rung of the references' ladder: its width, its rows and its training steps. */
export interface ReferenceRung {
  /** Hidden widths as a multiple of the original's. */
  widthScale: number;
  rows: ReferenceRows;
  /** Adam steps (batch 32, lr 1e-3). */
  steps: number;
}

/** A trained reference. */
export interface ReferenceNetwork extends ReferenceRung {
  role: 'independent' | 'imitator';
  network: DenseNetwork;
}

/**
 * The references of each role, from weak to strong: how closely an independent network's
 * function follows the original's grows with how good it is (stop 18: networks trained from
 * scratch on more rows look more like the original), so the function evidence compares a
 * suspect with references of its own strength, and the ladder spans as wide a range of
 * strengths as the owner's rows allow (half of them, then all, then all for twice as long).
 */
export const REFERENCE_LADDER: readonly ReferenceRung[] = [
  { widthScale: 1, rows: 'first', steps: 1500 },
  { widthScale: 0.5, rows: 'first', steps: 1500 },
  { widthScale: 1, rows: 'second', steps: 1500 },
  { widthScale: 1.5, rows: 'second', steps: 1500 },
  { widthScale: 1, rows: 'both', steps: 1500 },
  { widthScale: 1.5, rows: 'both', steps: 3000 },
];

/**
 * Multiply-adds the references' training costs, so callers can bound it: it grows with the
 * original's size, and a large network's references take minutes.
 */
export function referenceTrainingWork(original: DenseNetwork): number {
  return 2 * REFERENCE_LADDER.reduce((sum, rung) => sum + referenceCost(original, rung), 0);
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

/** Trains one fresh network of `architecture` on (x, labels) for `steps` Adam steps. */
export async function trainFresh(
  architecture: DenseNetwork,
  data: { x: Float32Array; rows: number; labels: Int32Array | SoftTargets },
  rng: Rng,
  compute: ComputeBackend,
  signal?: AbortSignal,
  steps = 1500,
): Promise<DenseNetwork> {
  let trained: DenseNetwork | undefined;
  await fineTune(freshNetwork(architecture, rng.fork('init')), data.x, data.labels, data.rows, {
    optimizer: 'adam',
    learningRate: 1e-3,
    batchSize: 32,
    checkpoints: [steps],
    rng: rng.fork('batches'),
    onCheckpoint: (_step, network) => (trained = network),
    compute,
    ...(signal ? { signal } : {}),
  });
  await checkpoint(signal);
  return trained!;
}

/** Rows the references of one part train on: inputs, true labels (if any) and the original's logits. */
export interface ReferenceData {
  x: Float32Array;
  rows: number;
  labels?: Int32Array;
  /** The original's logits [rows × outputs]: imitators learn its probabilities from them. */
  logits: Float32Array;
}

/** One reference to train: its role, its rung of the ladder (its stream is the fork `${role}/${slot}`). */
export interface ReferenceTask extends ReferenceRung {
  role: ReferenceNetwork['role'];
  /** Index into `REFERENCE_LADDER`. */
  slot: number;
}

/** The references to train, in the order `trainReferences` returns them: independent ones only with labels. */
export function planReferences(labelled: boolean): ReferenceTask[] {
  const roles: ReferenceNetwork['role'][] = labelled ? ['independent', 'imitator'] : ['imitator'];
  return roles.flatMap((role) => REFERENCE_LADDER.map((rung, slot) => ({ role, slot, ...rung })));
}

/** A rung's training cost in multiply-adds (forward and backward ≈ 3 passes per sample, batches of 32). */
export function referenceCost(original: DenseNetwork, rung: ReferenceRung): number {
  return parameterCount(scaledArchitecture(original, rung.widthScale)) * rung.steps * 32 * 3;
}

/** What every reference trains from: the original's architecture, the owner's two training parts, the references' stream, the engine. */
export interface ReferenceJob {
  original: DenseNetwork;
  first: ReferenceData;
  second: ReferenceData;
  /** Each task trains on its own fork of it, so a reference depends on nothing trained before it. */
  rng: Rng;
  compute: ComputeBackend;
  signal?: AbortSignal;
  /** Called as each reference finishes (in whatever order they finish): how many are done, of how many. */
  onTrained?: (done: number, total: number) => void;
}

/** Trains every task and gives their networks in task order; `trainSerially` on this thread, or the engine's over two. */
export type ReferenceTrainer = (job: ReferenceJob, tasks: readonly ReferenceTask[]) => Promise<DenseNetwork[]>;

/**
 * A trainer of single tasks over `job` (the engine's parallel trainer hands tasks to it one at a
 * time). Independent references learn the true labels; imitators the original's probabilities at
 * the distillation temperature, as an attacker holding the file would (the lab's soft student).
 */
export function referenceTaskRunner(job: ReferenceJob): (task: ReferenceTask) => Promise<DenseNetwork> {
  const both = joinParts(job.first, job.second);
  return (task) => {
    const data = task.rows === 'first' ? job.first : task.rows === 'second' ? job.second : both();
    const labels = task.role === 'independent' ? data.labels : softTargets(data.logits, data.rows, data.logits.length / data.rows, DISTILLATION_TEMPERATURE);
    if (!labels) throw new Error('an independent reference needs labels');
    return trainFresh(scaledArchitecture(job.original, task.widthScale), { x: data.x, rows: data.rows, labels }, job.rng.fork(`${task.role}/${task.slot}`), job.compute, job.signal, task.steps);
  };
}

/** Both parts as one (made once, when a task first needs it). */
function joinParts(a: ReferenceData, b: ReferenceData): () => ReferenceData {
  let joined: ReferenceData | undefined;
  const cat = (p: Float32Array, q: Float32Array): Float32Array => {
    const out = new Float32Array(p.length + q.length);
    out.set(p);
    out.set(q, p.length);
    return out;
  };
  return () =>
    (joined ??= {
      x: cat(a.x, b.x),
      rows: a.rows + b.rows,
      logits: cat(a.logits, b.logits),
      ...(a.labels && b.labels ? { labels: Int32Array.from([...a.labels, ...b.labels]) } : {}),
    });
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
 * imitators on the original's probabilities, one of each role per rung of `REFERENCE_LADDER`, on
 * the owner's `first` part, its `second`, or both; never on the held-out rows where the evidence
 * is measured. `trainAll` trains them (by default one after another here); each depends only on
 * its task, so any trainer gives the same networks.
 */
export async function trainReferences(
  original: DenseNetwork,
  first: ReferenceData,
  second: ReferenceData,
  rng: Rng,
  compute: ComputeBackend,
  hooks: { signal?: AbortSignal; onTrained?: (done: number, total: number) => void; trainAll?: ReferenceTrainer } = {},
): Promise<ReferenceNetwork[]> {
  const tasks = planReferences(Boolean(first.labels && second.labels));
  const job: ReferenceJob = { original, first, second, rng, compute, ...(hooks.signal ? { signal: hooks.signal } : {}), ...(hooks.onTrained ? { onTrained: hooks.onTrained } : {}) };
  const networks = await (hooks.trainAll ?? trainSerially)(job, tasks);
  if (networks.length !== tasks.length) throw new Error(`trained ${networks.length} reference networks of ${tasks.length}`);
  return tasks.map(({ role, widthScale, rows, steps }, k) => ({ role, widthScale, rows, steps, network: networks[k]! }));
}
