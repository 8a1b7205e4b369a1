import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { checkpoint, deserializeError } from '../core/errors';
import type { FromHelperMessage, HelperJob, HelperResult, HelperStartRequest, HelperUnit, ToHelperMessage } from './attackLabHelperProtocol';
import { startWorker } from './startWorker';

/**
 * Below this many parameters in the original a second thread costs more than it saves. The
 * jobs that use it (the attack lab, the ownership references) cost mostly training steps (fixed
 * counts of fixed-size batches), so they grow with the network, not with the samples; the
 * bundled example has 109,386.
 */
const PARALLEL_THRESHOLD = 1e4;

/**
 * The second-core helper (dist/attackLabWorker.js, or its TypeScript source when running from
 * source) for a job of `units` units on a network of `parameters`: none for a single unit, a
 * small network or a one-core machine (unless forced), or when the helper script is missing.
 */
export function startHelper(units: number, parameters: number, force: boolean): Worker | undefined {
  const worth = units > 1 && (force || (parameters >= PARALLEL_THRESHOLD && availableParallelism() >= 2));
  return worth ? startWorker(__dirname, 'attackLabWorker.js', 'attackLabHelper.ts') : undefined;
}

/** The units in the order they are handed out: longest first (the given order among equals), so the two threads end close together. */
export function longestFirst<Unit>(units: readonly Unit[], cost: (unit: Unit) => number): Unit[] {
  return [...units].sort((a, b) => cost(b) - cost(a));
}

/** A job for two threads: how the helper starts it, its units in hand-out order, how this thread runs one. */
export interface TwoThreadJob<J extends HelperJob> {
  start: HelperStartRequest<J>;
  queue: HelperUnit<J>[];
  /** A runner of single units on this thread that stops on `signal`. */
  local: (signal: AbortSignal) => (unit: HelperUnit<J>) => Promise<HelperResult<J>>;
  /** Each unit's result as it finishes, on either side. */
  onResult?: (unit: HelperUnit<J>, result: HelperResult<J>) => void;
  /** The job's cancellation. */
  signal?: AbortSignal;
}

/**
 * Runs a job's units over two cores: this thread and `helper` (its own instance of the same
 * engine) each take the next unit from one queue until none is left. The results come in the
 * order they finished, each with its unit (the queue's own object). The helper is terminated on
 * return; on a cancel or a failure of either side it first answers the cancel, so that it is
 * never terminated inside an engine call (that aborts the process under onnxruntime).
 */
export async function runOnTwoThreads<J extends HelperJob>(helper: Worker, job: TwoThreadJob<J>): Promise<{ unit: HelperUnit<J>; result: HelperResult<J> }[]> {
  const queue = [...job.queue];
  const post = (message: ToHelperMessage<J>): void => helper.postMessage(message);
  // This side stops on the job's signal and also when the helper fails, so that it never uses the
  // engine after this function has returned (the caller disposes it).
  const localStop = new AbortController();
  const onAbort = (): void => {
    localStop.abort();
    post({ type: 'cancel' });
  };
  job.signal?.addEventListener('abort', onAbort);
  const results: { unit: HelperUnit<J>; result: HelperResult<J> }[] = [];
  const finished = (unit: HelperUnit<J>, result: HelperResult<J>): void => {
    results.push({ unit, result });
    job.onResult?.(unit, result);
  };
  /** The unit the helper runs now: it has one at a time. */
  let remoteUnit: HelperUnit<J> | undefined;
  /** The helper's next unit, or the end when none is left (nothing more after a cancel: the helper answers that). */
  const handOut = (): void => {
    if (localStop.signal.aborted) return;
    remoteUnit = queue.shift();
    post(remoteUnit === undefined ? { type: 'finish' } : { type: 'unit', unit: remoteUnit });
  };
  const remoteRun = new Promise<void>((resolve, reject) => {
    helper.on('message', (message: FromHelperMessage<J>) => {
      switch (message.type) {
        case 'ready':
          handOut();
          return;
        case 'unit':
          if (remoteUnit === undefined) {
            reject(new Error(`the ${job.start.job} helper sent a result it was not asked for`));
            return;
          }
          finished(remoteUnit, message.result);
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
          reject(new Error(`Unknown ${job.start.job} helper message ${JSON.stringify(never)}`));
        }
      }
    });
    helper.on('error', reject);
    helper.on('exit', (code) => reject(new Error(`${job.start.job} helper thread exited with code ${code}`)));
  });
  post(job.start);
  const localRun = (async (): Promise<void> => {
    const run = job.local(localStop.signal);
    for (let unit = queue.shift(); unit !== undefined; unit = queue.shift()) {
      finished(unit, await run(unit));
      await checkpoint(localStop.signal);
    }
  })();
  try {
    await Promise.all([localRun, remoteRun]);
    return results;
  } catch (error) {
    // One side failed or was cancelled: stop the other at once, and let the helper finish the
    // compute call it is in before its thread goes: terminating a thread while onnxruntime runs
    // for it aborts the whole process. Its answer comes within one training step or evaluation.
    localStop.abort();
    post({ type: 'cancel' });
    await Promise.all([remoteRun.catch(() => undefined), localRun.catch(() => undefined)]);
    throw error;
  } finally {
    job.signal?.removeEventListener('abort', onAbort);
    await helper.terminate();
  }
}
