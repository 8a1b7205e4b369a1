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
  /**
   * Natural rows of the owner's data no reference trained on ([count × inputs] float32 .npy
   * beside report.json), where `compare` measures how strong a suspect is against the
   * references (calibration.agreementBand).
   */
  heldOutRows?: { file: string; sha256: string; count: number };
  weights: { bands: WeightBand[]; falsePositives: number };
  references: ReferenceSummary[];
  /** Rows the references trained on, and whether they had labels. */
  data: { rows: number; labelled: boolean };
  seconds: number;
}

/** A file the caller writes beside report.json, named with its SHA-256. */
export interface RecordedFile {
  file: string;
  sha256: string;
}

/** The record of a baseline; `fingerprints` and `heldOutRows` name the files the caller writes. */
export function ownershipRecord(baseline: OwnershipBaseline, fingerprints: RecordedFile, heldOutRows: RecordedFile | undefined, seconds: number): OwnershipRecord {
  return {
    schemaVersion: 1,
    fingerprints: { ...fingerprints, count: baseline.fingerprints.count, inputs: baseline.original.inputs, answers: Array.from(baseline.fingerprints.answers) },
    calibration: baseline.calibration,
    ...(heldOutRows && baseline.heldOutRows ? { heldOutRows: { ...heldOutRows, count: baseline.heldOutRows.rows } } : {}),
    weights: { bands: baseline.weightBands, falsePositives: baseline.weightFalsePositives },
    references: baseline.references,
    data: baseline.data,
    seconds,
  };
}

/** The baseline back from a record, the inputs read from its files, and the network standing for the original. */
export function baselineFromRecord(record: OwnershipRecord, original: DenseNetwork, fingerprints: Float32Array, heldOutRows?: Float32Array): OwnershipBaseline {
  return {
    ...(heldOutRows && record.heldOutRows ? { heldOutRows: { x: heldOutRows, rows: record.heldOutRows.count } } : {}),
    original,
    references: record.references,
    weightBands: record.weights.bands,
    weightFalsePositives: record.weights.falsePositives,
    fingerprints: { x: fingerprints, count: record.fingerprints.count, answers: Int32Array.from(record.fingerprints.answers) },
    calibration: record.calibration,
    data: record.data,
  };
}
