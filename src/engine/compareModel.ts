import { resolve } from 'node:path';
import type { EngineChoice } from '../core/compute';
import { DataError } from '../core/errors';
import { classCount } from '../core/network';
import { buildBaseline, judgeSuspect, type CompareResult, type OwnerData } from '../core/ownership/compare';
import { Rng } from '../core/rng';
import { checkLabels, readDataset } from '../formats/data/dataset';
import { generateProbes } from '../formats/data/probes';
import { createCompute } from './compute';
import { nodeFileReader } from './nodeFileReader';
import { readModel } from './protect/originalModel';

/** What `mimosanet compare` is given. */
export interface CompareJob {
  suspectPath: string;
  originalPath: string;
  /** The owner's data (references train on it, fingerprints grow from it); seeded probes without it. */
  dataPath?: string;
  labelsPath?: string;
  seed: number;
  engine: EngineChoice;
}

/** `compare`'s JSON document (DESIGN §7). */
export interface CompareReport {
  schemaVersion: 1;
  suspect: string;
  original: string;
  verdict: CompareResult['verdict'];
  decidedBy: CompareResult['decidedBy'];
  reason: string;
  evidence: {
    identical: boolean;
    weights?: {
      layers: { originalUnits: number; suspectUnits: number; meanSimilarity: number; threshold: number; closerThanReferences: number; pValue: number }[];
      outputSimilarity: number;
      pValue: number;
      derived: boolean;
    };
    weightsSkipped?: string;
    function: { fingerprints: number; agreement: number; judgement: string; reason: string };
    dataAgreement: number;
  };
  /** The same figures for the reference networks trained here. */
  baselines: {
    references: { role: 'independent' | 'imitator'; widthScale: number; heldOut: boolean; layerSimilarity: number[]; fingerprintAgreement?: number }[];
    weightFalsePositives: number;
    fingerprintCalibration: { independent: number[]; imitator: number[]; threshold?: number; falsePositives: number; misses: number };
  };
  data: { source: 'file' | 'probes'; samples: number; labelled: boolean };
  seconds: number;
}

/** Rows the references train on at most (their training cost grows with it; more adds little). */
const MAX_OWNER_ROWS = 4000;
/** Probes drawn without data. */
const PROBE_ROWS = 2000;
/** Rows needed: three parts (selection, calibration, fingerprint seeds) of at least a few dozen each. */
export const MIN_COMPARE_SAMPLES = 100;

/** Runs `compare` on two model files. */
export async function compareModel(job: CompareJob, hooks: { signal?: AbortSignal; onProgress?: (fraction: number, message: string) => void } = {}): Promise<CompareReport> {
  const started = performance.now();
  const suspect = await readModel(job.suspectPath);
  const original = await readModel(job.originalPath);
  const o = original.model.network;
  const owner = await ownerData(job, o.inputs, classCount(o));
  const { compute } = await createCompute(job.engine, { threads: 1 });
  try {
    const baseline = await buildBaseline(o, owner.data, compute, job.seed, {
      ...(hooks.signal ? { signal: hooks.signal } : {}),
      ...(hooks.onProgress ? { onProgress: (f: number, m: string) => hooks.onProgress!(0.95 * f, m) } : {}),
    });
    const result = await judgeSuspect(baseline, suspect.model.network, compute, owner.data);
    hooks.onProgress?.(1, 'judged the suspect');
    const calibrationAgreement = [...baseline.calibration.independent, ...baseline.calibration.imitator];
    const heldOut = baseline.references.filter((r) => r.heldOut);
    const { weights } = result.evidence;
    return {
      schemaVersion: 1,
      suspect: suspect.path,
      original: original.path,
      verdict: result.verdict,
      decidedBy: result.decidedBy,
      reason: result.reason,
      evidence: {
        identical: result.evidence.identical,
        ...(weights ? { weights: { ...weights, layers: weights.layers.map((l) => ({ ...l })) } } : {}),
        ...(result.evidence.weightsSkipped ? { weightsSkipped: result.evidence.weightsSkipped } : {}),
        function: result.evidence.function,
        dataAgreement: result.evidence.dataAgreement,
      },
      baselines: {
        references: baseline.references.map((r, i) => {
          const at = heldOut.indexOf(r);
          return {
            role: r.role,
            widthScale: r.widthScale,
            heldOut: r.heldOut,
            layerSimilarity: baseline.referenceAlignments[i]!.map((l) => l.meanSimilarity),
            ...(at >= 0 && calibrationAgreement[at] !== undefined ? { fingerprintAgreement: calibrationAgreement[at] } : {}),
          };
        }),
        weightFalsePositives: baseline.weightFalsePositives,
        fingerprintCalibration: baseline.calibration,
      },
      data: owner.summary,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await compute.dispose();
  }
}

async function ownerData(job: CompareJob, inputs: number, classes: number): Promise<{ data: OwnerData; summary: CompareReport['data'] }> {
  if (!job.dataPath) {
    const probes = generateProbes(inputs, PROBE_ROWS, new Rng(job.seed).fork('compare-probes'));
    return { data: { x: probes.x, rows: probes.rows }, summary: { source: 'probes', samples: probes.rows, labelled: false } };
  }
  const path = resolve(job.dataPath);
  const dataset = await readDataset(path, job.labelsPath ? resolve(job.labelsPath) : undefined, nodeFileReader, inputs);
  if (dataset.rows < MIN_COMPARE_SAMPLES) throw new DataError(path, `${dataset.rows} samples are too few for compare (at least ${MIN_COMPARE_SAMPLES})`);
  if (dataset.labels) checkLabels(dataset.labels, classes, job.labelsPath ? resolve(job.labelsPath) : path);
  const rows = Math.min(dataset.rows, MAX_OWNER_ROWS);
  const data: OwnerData = { x: dataset.x.subarray(0, rows * inputs), rows, ...(dataset.labels ? { labels: dataset.labels.subarray(0, rows) } : {}) };
  return { data, summary: { source: 'file', samples: rows, labelled: Boolean(dataset.labels) } };
}
