import { createHash } from 'node:crypto';
import type { ComputeBackend, EngineChoice } from '../../core/compute';
import type { DenseNetwork } from '../../core/network';
import { buildBaseline } from '../../core/ownership/compare';
import { ownershipRecord, type OwnershipRecord, type RecordedFile } from '../../core/ownership/record';
import { encodeNpy } from '../../formats/data/npy';
import type { AtomicOutput } from '../atomicOutput';
import { parallelReferenceTrainer } from '../parallelReferences';

/**
 * Reference-training work protect takes on by default: about 5× the bundled example's
 * (1.25·10¹¹ multiply-adds, 30 s there on a loaded 2-core machine; 784-512-256-10 needs
 * 6.1·10¹¹ and is left out). Larger models get the evidence from `compare --original` on demand.
 */
export const OWNERSHIP_WORK_BUDGET = 6e11;

/** The fingerprint inputs' file beside report.json. */
export const FINGERPRINTS_FILE = 'fingerprints.npy';
/** The held-out natural rows' file beside report.json (a suspect's strength is measured on them). */
export const HELD_OUT_ROWS_FILE = 'ownership-rows.npy';

/**
 * Phase "ownership" of protect: trains the reference networks and picks the conferrable
 * fingerprints on the labelled data (as `compare` does), stages the fingerprint inputs beside
 * report.json and returns the record for the report, so `compare --report` can judge a suspect
 * later without the data or the original. The references train over two cores
 * (parallelReferences); the record is the single-threaded one.
 */
export async function recordOwnership(
  original: DenseNetwork,
  data: { x: Float32Array; rows: number; labels: Int32Array },
  seed: number,
  compute: ComputeBackend,
  output: AtomicOutput,
  progress: (within: number, message: string) => void,
  signal?: AbortSignal,
): Promise<OwnershipRecord> {
  const started = performance.now();
  const baseline = await buildBaseline(original, data, compute, seed, {
    ...(signal ? { signal } : {}),
    onProgress: progress,
    // The helper thread starts the same engine (by name) for its share of the references.
    trainReferences: parallelReferenceTrainer({ engine: compute.name as EngineChoice }),
  });
  const stage = async (file: string, x: Float32Array, rows: number): Promise<RecordedFile> => {
    const bytes = encodeNpy([rows, original.inputs], x);
    await output.write(file, bytes);
    return { file, sha256: createHash('sha256').update(bytes).digest('hex') };
  };
  const fingerprints = await stage(FINGERPRINTS_FILE, baseline.fingerprints.x, baseline.fingerprints.count);
  const held = baseline.heldOutRows ? await stage(HELD_OUT_ROWS_FILE, baseline.heldOutRows.x, baseline.heldOutRows.rows) : undefined;
  return ownershipRecord(baseline, fingerprints, held, (performance.now() - started) / 1000);
}
