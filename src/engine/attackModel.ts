import { resolve } from 'node:path';
import type { AttackReport } from '../core/attacks/lab';
import type { EngineChoice } from '../core/compute';
import { DataError, InvalidNetworkError } from '../core/errors';
import { classCount, outputWidth } from '../core/network';
import { checkLabels, readDataset } from '../formats/data/dataset';
import { createCompute } from './compute';
import { nodeFileReader } from './nodeFileReader';
import { attackLab, MIN_ATTACK_SAMPLES } from './protect/attackLab';
import { readModel } from './protect/originalModel';

/** What `mimosanet attack` is given. */
export interface AttackJob {
  /** The protected copy the attacker holds. */
  protectedPath: string;
  /** The original it was made from (each attack also runs on it, for comparison). */
  originalPath: string;
  dataPath: string;
  /** Without labels only the attacks that need none run, measured as top-1 agreement with the original. */
  labelsPath?: string;
  seed: number;
  engine: EngineChoice;
}

/**
 * The attack lab on a protected copy (DESIGN §7 `attack`): the data is split in two disjoint
 * halves, the first the attacker's, the second where every result is measured. Without labels
 * the attacks that train on them are listed as skipped (core/attacks/lab).
 */
export async function attackModel(job: AttackJob, hooks: { signal?: AbortSignal; onProgress?: (fraction: number, message: string) => void } = {}): Promise<AttackReport> {
  const protectedModel = await readModel(job.protectedPath);
  const original = await readModel(job.originalPath);
  const [p, o] = [protectedModel.model.network, original.model.network];
  if (p.inputs !== o.inputs || outputWidth(p) !== outputWidth(o)) {
    throw new InvalidNetworkError(`${protectedModel.path} (${p.inputs} inputs, ${outputWidth(p)} outputs) is not a copy of ${original.path} (${o.inputs} inputs, ${outputWidth(o)} outputs)`);
  }
  const labelsPath = job.labelsPath ? resolve(job.labelsPath) : undefined;
  const dataset = await readDataset(resolve(job.dataPath), labelsPath, nodeFileReader, o.inputs);
  if (labelsPath && !dataset.labels) throw new DataError(labelsPath, 'holds no labels');
  if (dataset.labels && labelsPath) checkLabels(dataset.labels, classCount(o), labelsPath);
  if (dataset.rows < MIN_ATTACK_SAMPLES) {
    throw new DataError(resolve(job.dataPath), `${dataset.rows} samples are too few: the attacker gets half and the evaluation the other half (at least ${MIN_ATTACK_SAMPLES} samples)`);
  }
  const { compute } = await createCompute(job.engine, { threads: 1 });
  try {
    return await attackLab(o, p, { x: dataset.x, rows: dataset.rows, ...(dataset.labels ? { labels: dataset.labels } : {}) }, job.seed, compute, hooks.onProgress, hooks.signal);
  } finally {
    await compute.dispose();
  }
}
