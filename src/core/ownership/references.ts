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

/**
 * Trains the references: independent ones on the true labels (none without labels) and
 * imitators on the original's answers, `REFERENCE_WIDTHS` of each. The first half of each role
 * trains on `selection` (they pick the fingerprints), the second on `calibration`, disjoint rows:
 * a suspect was trained on rows the owner never saw, and so were the references that calibrate.
 */
export async function trainReferences(
  original: DenseNetwork,
  selection: ReferenceData,
  calibration: ReferenceData,
  rng: Rng,
  compute: ComputeBackend,
  hooks: { signal?: AbortSignal; onTrained?: (done: number, total: number) => void } = {},
): Promise<ReferenceNetwork[]> {
  const roles: ReferenceNetwork['role'][] = selection.labels && calibration.labels ? ['independent', 'imitator'] : ['imitator'];
  const total = roles.length * REFERENCE_WIDTHS.length;
  const half = REFERENCE_WIDTHS.length / 2;
  const references: ReferenceNetwork[] = [];
  for (const role of roles) {
    for (const [i, widthScale] of REFERENCE_WIDTHS.entries()) {
      const data = i < half ? selection : calibration;
      const labels = role === 'independent' ? data.labels! : data.answers;
      const network = await trainFresh(scaledArchitecture(original, widthScale), { x: data.x, rows: data.rows, labels }, rng.fork(`${role}/${i}`), compute, hooks.signal);
      references.push({ role, widthScale, heldOut: i >= half, network });
      hooks.onTrained?.(references.length, total);
    }
  }
  return references;
}
