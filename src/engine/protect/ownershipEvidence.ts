import { createHash } from 'node:crypto';
import type { ComputeBackend } from '../../core/compute';
import type { DenseNetwork } from '../../core/network';
import { buildBaseline } from '../../core/ownership/compare';
import { ownershipRecord, type OwnershipRecord } from '../../core/ownership/record';
import { encodeNpy } from '../../formats/data/npy';
import type { AtomicOutput } from '../atomicOutput';

/**
 * Reference-training work protect takes on by default: about 5× the bundled example's
 * (1.25·10¹¹ multiply-adds, 30 s there on a loaded 2-core machine; 784-512-256-10 needs
 * 6.1·10¹¹ and is left out). Larger models get the evidence from `compare --original` on demand.
 */
export const OWNERSHIP_WORK_BUDGET = 6e11;

/** The fingerprint inputs' file beside report.json. */
export const FINGERPRINTS_FILE = 'fingerprints.npy';

/**
 * Phase "ownership" of protect: trains the reference networks and picks the conferrable
 * fingerprints on the labelled data (as `compare` does), stages the fingerprint inputs beside
 * report.json and returns the record for the report, so `compare --report` can judge a suspect
 * later without the data or the original.
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
  const baseline = await buildBaseline(original, data, compute, seed, { ...(signal ? { signal } : {}), onProgress: progress });
  const bytes = encodeNpy([baseline.fingerprints.count, original.inputs], baseline.fingerprints.x);
  await output.write(FINGERPRINTS_FILE, bytes);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return ownershipRecord(baseline, FINGERPRINTS_FILE, sha256, (performance.now() - started) / 1000);
}
