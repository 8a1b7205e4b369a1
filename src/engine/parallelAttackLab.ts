import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { assembleLab, labLabelled, labUnitMessage, labUnitRunner, planLab, runAttackLab, type AttackLabInput, type AttackReport, type LabUnit, type LabUnitResult } from '../core/attacks/lab';
import type { EngineChoice } from '../core/compute';
import { checkpoint, deserializeError, throwIfCancelled } from '../core/errors';
import type { AttackLabStartRequest, FromAttackLabHelperMessage, ToAttackLabHelperMessage } from './attackLabHelperProtocol';
import { startWorker } from './startWorker';

/**
 * Below this many parameters in the original a second thread costs more than it saves. The lab's
 * cost is mostly training steps (fixed counts of fixed-size batches), so it grows with the
 * network, not with the samples; the bundled example has 109,386.
 */
const PARALLEL_THRESHOLD = 1e4;

/**
 * Seconds one core spent on each unit of the lab on the bundled example (onnxruntime, a busy machine:
 * 1,000 attacker samples; the protected copy has about 4× the original's parameters). Only their
 * ratios matter: they order the queue and weigh progress.
 */
const UNIT_COST: Record<LabUnit, number> = {
  scratch: 5.1,
  'finetune-adam/protected': 14,
  'finetune-adam/original': 4.7,
  'finetune-sgd/protected': 3.7,
  'finetune-sgd/original': 1.5,
  'head-retrain/protected': 1.2,
  'head-retrain/original': 1.1,
  'merge/protected': 0.1,
  'merge/original': 0.05,
  'least-squares/protected': 0.5,
  'least-squares/original': 0.06,
  'distill/protected': 6.8,
  'distill/original': 8.6,
};

/** The order units are handed out in: longest first (plan order among equals), so the two threads end close together. */
export function labQueue(units: readonly LabUnit[]): LabUnit[] {
  return [...units].sort((a, b) => UNIT_COST[b] - UNIT_COST[a]);
}

/** The helper beside this module: the bundle in dist/, or its TypeScript source when running from source. */
function startHelper(): Worker | undefined {
  return startWorker(__dirname, 'attackLabWorker.js', 'attackLabHelper.ts');
}

/** A copy of a data half that owns its buffer (posting a view would copy the whole dataset's buffer). */
const own = (part: AttackLabInput['attacker']): AttackLabInput['attacker'] => ({ x: part.x.slice(), rows: part.rows, ...(part.labels ? { labels: part.labels.slice() } : {}) });

/**
 * runAttackLab over two cores: this thread and a helper thread (its own instance of the same
 * engine) each take the next unit of the lab from one queue, longest first, until none is left.
 * Every unit draws from its own seeded stream, so the report is the single-threaded one
 * (timings aside). Small networks, one-core machines or a missing helper script run in-process.
 */
export async function runAttackLabParallel(input: AttackLabInput, { force = false, engine = 'js' }: { force?: boolean; engine?: EngineChoice } = {}): Promise<AttackReport> {
  throwIfCancelled(input.signal);
  const units = planLab(labLabelled(input));
  const parameters = input.original.layers.reduce((n, l) => n + l.weights.length + l.bias.length, 0);
  const worker = units.length > 1 && (force || (parameters >= PARALLEL_THRESHOLD && availableParallelism() >= 2)) ? startHelper() : undefined;
  if (!worker) return runAttackLab(input);
  const queue = labQueue(units);
  const onUnit = progressOver(units, input.onProgress);
  const post = (message: ToAttackLabHelperMessage): void => worker.postMessage(message);
  // This side stops on the job's signal and also when the helper fails, so that it never uses the
  // engine after this function has returned (the caller disposes it).
  const localStop = new AbortController();
  const onAbort = (): void => {
    localStop.abort();
    post({ type: 'cancel' });
  };
  input.signal?.addEventListener('abort', onAbort);
  /** The helper's next unit, or the end when none is left (nothing more after a cancel: the helper answers that). */
  const handOut = (): void => {
    if (localStop.signal.aborted) return;
    const unit = queue.shift();
    post(unit === undefined ? { type: 'finish' } : { type: 'unit', unit });
  };
  const remoteResults: LabUnitResult[] = [];
  const remoteRun = new Promise<void>((resolve, reject) => {
    worker.on('message', (message: FromAttackLabHelperMessage) => {
      switch (message.type) {
        case 'ready':
          handOut();
          return;
        case 'unit':
          remoteResults.push(message.result);
          onUnit(message.result);
          handOut();
          return;
        case 'done':
          resolve();
          return;
        case 'error':
          reject(deserializeError(message.error));
          return;
        default: {
          const never: never = message;
          reject(new Error(`Unknown attack lab helper message ${JSON.stringify(never)}`));
        }
      }
    });
    worker.on('error', reject);
    worker.on('exit', (code) => reject(new Error(`attack lab helper thread exited with code ${code}`)));
  });
  const start: AttackLabStartRequest = {
    type: 'start',
    original: input.original,
    protectedNet: input.protectedNet,
    attacker: own(input.attacker),
    evaluation: own(input.evaluation),
    seed: input.seed,
    engine,
  };
  post(start);
  const localRun = (async (): Promise<LabUnitResult[]> => {
    const run = labUnitRunner({ ...input, signal: localStop.signal });
    const results: LabUnitResult[] = [];
    for (let unit = queue.shift(); unit !== undefined; unit = queue.shift()) {
      const result = await run(unit);
      results.push(result);
      onUnit(result);
      await checkpoint(localStop.signal);
    }
    return results;
  })();
  try {
    const [localResults] = await Promise.all([localRun, remoteRun]);
    return await assembleLab(input, [...localResults, ...remoteResults]);
  } catch (error) {
    // One side failed or was cancelled: stop the other at once, and let the helper finish the
    // compute call it is in before its thread goes: terminating a thread while onnxruntime runs
    // for it aborts the whole process. Its answer comes within one training step or evaluation.
    localStop.abort();
    post({ type: 'cancel' });
    await Promise.all([remoteRun.catch(() => undefined), localRun.catch(() => undefined)]);
    throw error;
  } finally {
    input.signal?.removeEventListener('abort', onAbort);
    await worker.terminate();
  }
}

/** Progress of the whole lab as units finish on either side: the share of its cost done, and what just finished. */
function progressOver(units: readonly LabUnit[], onProgress: AttackLabInput['onProgress']): (result: LabUnitResult) => void {
  const total = units.reduce((n, u) => n + UNIT_COST[u], 0);
  let cost = 0;
  let count = 0;
  return (result) => {
    cost += UNIT_COST[result.unit];
    onProgress?.(++count === units.length ? 1 : Math.min(1, cost / total), labUnitMessage(result.unit));
  };
}
