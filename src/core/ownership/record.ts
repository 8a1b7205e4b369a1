import type { DenseNetwork } from '../network';
import type { OwnershipBaseline, ReferenceSummary } from './compare';
import type { FunctionCalibration } from './functionEvidence';
import type { WeightBand } from './weightEvidence';

/**
 * What `protect` records for a later `compare` (issue: ownership evidence): everything the
 * baseline holds except the networks themselves, so an owner can judge a suspect years later
 * with the report, the held-out rows' file beside it and the suspect.
 *
 * Version 2 (stop 18) replaced the fingerprint inputs of version 1, which measured as not
 * separating students from independent networks, by the dark-knowledge calibration measured on
 * the held-out rows.
 */
export interface OwnershipRecord {
  schemaVersion: 2;
  /**
   * Natural rows of the owner's data no reference trained on ([count × inputs] float32 .npy
   * beside report.json), where `compare` measures a suspect's function evidence.
   */
  heldOutRows: { file: string; sha256: string; count: number; inputs: number };
  calibration: FunctionCalibration;
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

/** The record of a baseline; `heldOutRows` names the file the caller writes. */
export function ownershipRecord(baseline: OwnershipBaseline, heldOutRows: RecordedFile, seconds: number): OwnershipRecord {
  return {
    schemaVersion: 2,
    heldOutRows: { ...heldOutRows, count: baseline.heldOutRows.rows, inputs: baseline.original.inputs },
    calibration: baseline.calibration,
    weights: { bands: baseline.weightBands, falsePositives: baseline.weightFalsePositives },
    references: baseline.references,
    data: baseline.data,
    seconds,
  };
}

/** The baseline back from a record, the rows read from its file, and the network standing for the original. */
export function baselineFromRecord(record: OwnershipRecord, original: DenseNetwork, heldOutRows: Float32Array): OwnershipBaseline {
  return {
    heldOutRows: { x: heldOutRows, rows: record.heldOutRows.count },
    original,
    references: record.references,
    weightBands: record.weights.bands,
    weightFalsePositives: record.weights.falsePositives,
    calibration: record.calibration,
    data: record.data,
  };
}
