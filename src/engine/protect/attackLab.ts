import { runAttackLab, type AttackReport } from '../../core/attacks/lab';
import type { ComputeBackend } from '../../core/compute';
import type { DenseNetwork } from '../../core/network';

/** Samples the lab needs (labelled or not): half for the attacker, half to measure on. */
export const MIN_ATTACK_SAMPLES = 128;

/**
 * The attack lab on the protected copy (phase "attacks" of protect, and `mimosanet attack`),
 * with the data split in two disjoint halves: the attacker's, and the one every result is
 * measured on. Without labels only the attacks that need none run (core/attacks/lab).
 */
export function attackLab(
  original: DenseNetwork,
  protectedNet: DenseNetwork,
  data: { x: Float32Array; rows: number; labels?: Int32Array },
  seed: number,
  compute: ComputeBackend,
  progress?: (within: number, message: string) => void,
  signal?: AbortSignal,
): Promise<AttackReport> {
  const half = Math.floor(data.rows / 2);
  const part = (from: number, to: number) => ({
    x: data.x.subarray(from * original.inputs, to * original.inputs),
    rows: to - from,
    ...(data.labels ? { labels: data.labels.subarray(from, to) } : {}),
  });
  return runAttackLab({
    original,
    protectedNet,
    attacker: part(0, half),
    evaluation: part(half, 2 * half),
    compute,
    seed,
    ...(progress ? { onProgress: progress } : {}),
    ...(signal ? { signal } : {}),
  });
}
