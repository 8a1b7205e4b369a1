import type { DenseNetwork } from '../network';
import type { OwnershipBaseline, ReferenceSummary } from './compare';
import type { FingerprintCalibration } from './functionEvidence';
import type { WeightBand } from './weightEvidence';

/**
 * What `protect` records for a later `compare` (issue: ownership evidence): everything the
 * baseline holds except the networks themselves, so an owner can judge a suspect years later
 * with the report, the fingerprint file beside it and the suspect. The fingerprint inputs
 * themselves are in `file` (float32 .npy, [count × inputs]); the report keeps their answers.
 */
export interface OwnershipRecord {
  schemaVersion: 1;
  fingerprints: {
    /** File name beside report.json. */
    file: string;
    /** SHA-256 of that file, so a swapped file is noticed. */
    sha256: string;
    count: number;
    inputs: number;
    /** The original's answer to each fingerprint. */
    answers: number[];
  };
  calibration: FingerprintCalibration;
  weights: { bands: WeightBand[]; falsePositives: number };
  references: ReferenceSummary[];
  /** Rows the references trained on, and whether they had labels. */
  data: { rows: number; labelled: boolean };
  seconds: number;
}

/** The record of a baseline; `file` and `sha256` name the fingerprint file the caller writes. */
export function ownershipRecord(baseline: OwnershipBaseline, file: string, sha256: string, seconds: number): OwnershipRecord {
  return {
    schemaVersion: 1,
    fingerprints: { file, sha256, count: baseline.fingerprints.count, inputs: baseline.original.inputs, answers: Array.from(baseline.fingerprints.answers) },
    calibration: baseline.calibration,
    weights: { bands: baseline.weightBands, falsePositives: baseline.weightFalsePositives },
    references: baseline.references,
    data: baseline.data,
    seconds,
  };
}

/** The baseline back from a record, the fingerprint inputs read from its file, and the network standing for the original. */
export function baselineFromRecord(record: OwnershipRecord, original: DenseNetwork, fingerprints: Float32Array): OwnershipBaseline {
  return {
    original,
    references: record.references,
    weightBands: record.weights.bands,
    weightFalsePositives: record.weights.falsePositives,
    fingerprints: { x: fingerprints, count: record.fingerprints.count, answers: Int32Array.from(record.fingerprints.answers) },
    calibration: record.calibration,
    data: record.data,
  };
}
