import type { AttackReport } from '../../core/attacks/lab';
import type { ComputeBackend, EngineChoice } from '../../core/compute';
import type { DenseNetwork } from '../../core/network';
import { runAttackLabParallel } from '../parallelAttackLab';

/** Samples the lab needs (labelled or not): half for the attacker, half to measure on. */
export const MIN_ATTACK_SAMPLES = 128;

/**
 * Multiply-adds protect lets the lab's training cost: about 5× the example's (5.9·10¹¹ with
 * labels), as for the ownership evidence. Past it (784-1024-1024-10 with labels, the
 * 784-2048-2048-2048-10 scaling network even without) protect runs the repairs that train
 * nothing and lists the rest as skipped; `mimosanet attack` has no budget.
 */
export const LAB_WORK_BUDGET = 3e12;

/**
 * The attack lab on the protected copy (phase "attacks" of protect, and `mimosanet attack`),
 * with the data split in two disjoint halves: the attacker's, and the one every result is
 * measured on. Without labels only the attacks that need none run (core/attacks/lab). Its units
 * run over two threads (parallelAttackLab); the report is the single-threaded one.
 */
export function attackLab(
  original: DenseNetwork,
  protectedNet: DenseNetwork,
  data: { x: Float32Array; rows: number; labels?: Int32Array },
  seed: number,
  compute: ComputeBackend,
  progress?: (within: number, message: string) => void,
  signal?: AbortSignal,
  trainingBudget?: number,
): Promise<AttackReport> {
  const half = Math.floor(data.rows / 2);
  const part = (from: number, to: number) => ({
    x: data.x.subarray(from * original.inputs, to * original.inputs),
    rows: to - from,
    ...(data.labels ? { labels: data.labels.subarray(from, to) } : {}),
  });
  return runAttackLabParallel(
    {
      original,
      protectedNet,
      attacker: part(0, half),
      evaluation: part(half, 2 * half),
      compute,
      seed,
      ...(progress ? { onProgress: progress } : {}),
      ...(signal ? { signal } : {}),
      ...(trainingBudget !== undefined ? { trainingBudget } : {}),
    },
    // The helper thread starts the same engine (by name) for its share of the units.
    { engine: compute.name as EngineChoice },
  );
}
