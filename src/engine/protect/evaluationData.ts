import { resolve } from 'node:path';
import type { LoadedModel } from '../../formats/format';
import { checkLabels, readDataset } from '../../formats/data/dataset';
import { generateProbes } from '../../formats/data/probes';
import { classCount } from '../../core/network';
import type { ProtectionReport } from '../../core/report';
import { Rng } from '../../core/rng';
import type { ProtectJob } from '../../protocol/jobs';
import { PROBE_SAMPLES } from '../defaults';
import { nodeFileReader } from '../nodeFileReader';

/** Evaluation inputs in the shape every step uses. */
export interface EvaluationData {
  /** Inputs [rows × inputs]. */
  x: Float32Array;
  rows: number;
  /** Integer labels, or null (agreement replaces accuracy). */
  labels: Int32Array | null;
  /** The report's `data` section. */
  report: ProtectionReport['data'];
}

/** The job's data file (at most maxSamples rows) or, without one, seeded probe inputs. */
export async function loadEvaluationData(job: ProtectJob, model: LoadedModel): Promise<EvaluationData> {
  const inputs = model.network.inputs;
  if (!job.dataPath) {
    const rows = Math.min(PROBE_SAMPLES, job.options.maxSamples);
    const probes = generateProbes(inputs, rows, new Rng(job.options.seed).fork('probes'));
    return { x: probes.x, rows, labels: null, report: { source: 'probes', samples: rows, labelled: false, probeDescription: probes.description } };
  }
  const dataPath = resolve(job.dataPath);
  const labelsPath = job.labelsPath ? resolve(job.labelsPath) : undefined;
  const dataset = await readDataset(dataPath, labelsPath, nodeFileReader, inputs);
  if (dataset.labels) checkLabels(dataset.labels, classCount(model.network), dataset.labelsSource ?? labelsPath ?? dataPath);
  const rows = Math.min(dataset.rows, job.options.maxSamples);
  return {
    x: dataset.x.subarray(0, rows * inputs),
    rows,
    labels: dataset.labels ? dataset.labels.subarray(0, rows) : null,
    report: {
      source: 'file',
      path: dataPath,
      ...(labelsPath ? { labelsPath } : {}),
      samples: rows,
      labelled: dataset.labels !== null,
    },
  };
}
