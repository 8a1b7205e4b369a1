import { createHash } from 'node:crypto';
import type { ComputeBackend, EngineChoice } from '../../core/compute';
import type { DenseNetwork } from '../../core/network';
import { buildBaseline } from '../../core/ownership/compare';
import { ownershipRecord, type OwnershipRecord, type RecordedFile } from '../../core/ownership/record';
import { encodeNpy } from '../../formats/data/npy';
import type { AtomicOutput } from '../atomicOutput';
import { parallelReferenceTrainer } from '../parallelReferences';

/**
 * Reference-training work protect takes on by default: about 2.3× the bundled example's
 * (2.6·10¹¹ multiply-adds for its 12 references; 784-512-256-10 needs 1.3·10¹² and is left out). Larger models get the evidence from `compare --original` on demand.
 */
export const OWNERSHIP_WORK_BUDGET = 6e11;

/** The held-out natural rows' file beside report.json (a suspect's function evidence is measured on them). */
export const HELD_OUT_ROWS_FILE = 'ownership-rows.npy';

/**
 * Phase "ownership" of protect: trains the reference networks on the labelled data and
 * calibrates the evidence (as `compare` does), stages the held-out rows beside report.json and returns the record for the report, so `compare --report` can judge a suspect
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
  const bytes = encodeNpy([baseline.heldOutRows.rows, original.inputs], baseline.heldOutRows.x);
  await output.write(HELD_OUT_ROWS_FILE, bytes);
  const held: RecordedFile = { file: HELD_OUT_ROWS_FILE, sha256: createHash('sha256').update(bytes).digest('hex') };
  return ownershipRecord(baseline, held, (performance.now() - started) / 1000);
}
