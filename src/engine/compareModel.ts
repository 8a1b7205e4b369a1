import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { EngineChoice } from '../core/compute';
import { DataError, FileAccessError, ReportFormatError, UsageError } from '../core/errors';
import { classCount, type DenseNetwork } from '../core/network';
import { buildBaseline, judgeSuspect, type CompareResult, type OwnerData, type OwnershipBaseline, type ReferenceSummary } from '../core/ownership/compare';
import type { FunctionCalibration, FunctionEvidence } from '../core/ownership/functionEvidence';
import { baselineFromRecord, type OwnershipRecord, type RecordedFile } from '../core/ownership/record';
import { Rng } from '../core/rng';
import { checkLabels, readDataset } from '../formats/data/dataset';
import { parseNpy } from '../formats/data/npy';
import { generateProbes } from '../formats/data/probes';
import { createCompute } from './compute';
import { nodeFileReader } from './nodeFileReader';
import { parallelReferenceTrainer } from './parallelReferences';
import { readModel } from './protect/originalModel';
import { readReport } from './verifyModel';

/** What `mimosanet compare` is given: the original, or a report whose protect run recorded ownership evidence. */
export interface CompareJob {
  suspectPath: string;
  originalPath?: string;
  reportPath?: string;
  /** The owner's data (references train on it, the function evidence is measured on its held-out part); seeded probes without it. */
  dataPath?: string;
  labelsPath?: string;
  seed: number;
  engine: EngineChoice;
}

/** `compare`'s JSON document (DESIGN §7). */
export interface CompareReport {
  /** 2 since the function evidence became the dark-knowledge correlation (1 had fingerprints). */
  schemaVersion: 2;
  suspect: string;
  /** The original's file, or the protected copy standing for it (see `baselineSource`). */
  original: string;
  /** Where the evidence baseline came from: trained in this run, or recorded by protect in a report. */
  baselineSource: { kind: 'trained' } | { kind: 'report'; report: string; originalFrom: 'original' | 'protected-copy' };
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
    function: FunctionEvidence;
    dataAgreement?: number;
  };
  /** The same figures for the reference networks. */
  baselines: {
    /** With each one's function point (strength, dark-knowledge correlation) on the held-out rows. */
    references: (ReferenceSummary & { strength?: number; correlation?: number })[];
    weightFalsePositives: number;
    functionCalibration: FunctionCalibration;
  };
  data?: { source: 'file' | 'probes'; samples: number; labelled: boolean };
  seconds: number;
}

/** Rows the references train on at most (their training cost grows with it; more adds little). */
const MAX_OWNER_ROWS = 4000;
/** Probes drawn without data. */
const PROBE_ROWS = 2000;
/** Rows needed: three parts (two the references train on, one held out) of at least a few dozen each. */
export const MIN_COMPARE_SAMPLES = 100;

type Hooks = { signal?: AbortSignal; onProgress?: (fraction: number, message: string) => void };

/** Runs `compare` on a suspect against an original (training the baseline) or a report (reading it). */
export async function compareModel(job: CompareJob, hooks: Hooks = {}): Promise<CompareReport> {
  const started = performance.now();
  if (!job.originalPath === !job.reportPath) throw new UsageError('compare needs either --original <model> or --report <report.json>');
  const suspect = await readModel(job.suspectPath);
  const { compute } = await createCompute(job.engine, { threads: 1 });
  try {
    const { baseline, originalPath, source, owner } = job.reportPath
      ? await recordedBaseline(resolve(job.reportPath), job)
      : await trainedBaseline(job, compute, hooks);
    const result = await judgeSuspect(baseline, suspect.model.network, compute, owner?.data);
    hooks.onProgress?.(1, 'judged the suspect');
    const { weights } = result.evidence;
    return {
      schemaVersion: 2,
      suspect: suspect.path,
      original: originalPath,
      baselineSource: source,
      verdict: result.verdict,
      decidedBy: result.decidedBy,
      reason: result.reason,
      evidence: {
        identical: result.evidence.identical,
        ...(weights ? { weights: { ...weights, layers: weights.layers.map((l) => ({ ...l })) } } : {}),
        ...(result.evidence.weightsSkipped ? { weightsSkipped: result.evidence.weightsSkipped } : {}),
        function: result.evidence.function,
        ...(result.evidence.dataAgreement !== undefined ? { dataAgreement: result.evidence.dataAgreement } : {}),
      },
      baselines: {
        references: baseline.references.map((r, i) => {
          const point = baseline.calibration.points[i];
          return { ...r, ...(point ? { strength: point.strength, correlation: point.correlation } : {}) };
        }),
        weightFalsePositives: baseline.weightFalsePositives,
        functionCalibration: baseline.calibration,
      },
      ...(owner ? { data: owner.summary } : {}),
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await compute.dispose();
  }
}

type Owner = { data: OwnerData; summary: NonNullable<CompareReport['data']> };

/** The baseline trained here on the owner's data (or probes). */
async function trainedBaseline(job: CompareJob, compute: Awaited<ReturnType<typeof createCompute>>['compute'], hooks: Hooks) {
  const original = await readModel(job.originalPath!);
  const o = original.model.network;
  const owner = await ownerData(job, o.inputs, classCount(o));
  const baseline = await buildBaseline(o, owner.data, compute, job.seed, {
    ...(hooks.signal ? { signal: hooks.signal } : {}),
    ...(hooks.onProgress ? { onProgress: (f: number, m: string) => hooks.onProgress!(0.95 * f, m) } : {}),
    // Over two cores (the helper starts the same engine by name); the baseline is the single-threaded one.
    trainReferences: parallelReferenceTrainer({ engine: compute.name as EngineChoice }),
  });
  return { baseline, originalPath: original.path, source: { kind: 'trained' } as const, owner };
}

/**
 * The baseline protect recorded: the held-out rows from the file beside the report (checked
 * against its SHA-256), the reference bands from the report. The original is read from its
 * recorded path when it is still there; otherwise the protected copy stands for it (its
 * canonical form holds every original unit, plus the tripwires).
 */
async function recordedBaseline(reportPath: string, job: CompareJob): Promise<{ baseline: OwnershipBaseline; originalPath: string; source: CompareReport['baselineSource']; owner?: Owner }> {
  const report = await readReport(reportPath);
  const record: OwnershipRecord | undefined = report.ownership;
  if (!record) {
    throw new ReportFormatError(reportPath, 'records no ownership evidence (protect ran without labels, with --no-ownership, or before 0.3): compare with --original instead');
  }
  if (record.schemaVersion !== 2) {
    throw new ReportFormatError(reportPath, `records ownership evidence in an older form (version ${String(record.schemaVersion)}, fingerprints) that this version no longer judges by: protect the model again, or compare with --original`);
  }
  const { inputs } = record.heldOutRows;
  const heldOutRows = await readRecordedRows(dirname(reportPath), record.heldOutRows, record.heldOutRows.count, inputs, 'the held-out rows');
  let network: DenseNetwork;
  let originalPath: string;
  let originalFrom: 'original' | 'protected-copy';
  try {
    const original = await readModel(report.model.path);
    [network, originalPath, originalFrom] = [original.model.network, original.path, 'original'];
  } catch {
    const copy = await readModel(join(dirname(reportPath), report.protected.path.split(/[\\/]/).pop()!));
    [network, originalPath, originalFrom] = [copy.model.network, copy.path, 'protected-copy'];
  }
  const owner = job.dataPath ? await ownerData(job, network.inputs, classCount(network)) : undefined;
  return { baseline: baselineFromRecord(record, network, heldOutRows), originalPath, source: { kind: 'report', report: reportPath, originalFrom }, ...(owner ? { owner } : {}) };
}

/** An .npy file the report records beside it: present, unchanged (SHA-256) and of the recorded shape. */
async function readRecordedRows(folder: string, recorded: RecordedFile, rows: number, inputs: number, what: string): Promise<Float32Array> {
  const path = join(folder, recorded.file);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch {
    throw new FileAccessError(path, 'missing', `${what} file the report records is not beside it`);
  }
  if (createHash('sha256').update(bytes).digest('hex') !== recorded.sha256) {
    throw new DataError(path, `does not match the SHA-256 the report records: ${what} file was changed`);
  }
  const array = parseNpy(bytes, path);
  if (array.values.length !== rows * inputs) throw new DataError(path, `holds ${array.values.length} values, the report records ${rows} × ${inputs}`);
  return Float32Array.from(array.values as ArrayLike<number>);
}

async function ownerData(job: CompareJob, inputs: number, classes: number): Promise<Owner> {
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
