import type { EngineChoice } from '../core/compute';
import { throwIfCancelled } from '../core/errors';
import { parameterCount } from '../core/network';
import { referenceCost, referenceTaskRunner, trainSerially, type ReferenceData, type ReferenceTask, type ReferenceTrainer } from '../core/ownership/references';
import { Rng } from '../core/rng';
import type { RngState } from './attackLabHelperProtocol';
import { longestFirst, runOnTwoThreads, startHelper } from './twoThreads';

/** The order tasks are handed out in: the widest (costliest) first, plan order among equals. */
export function referenceQueue(original: Parameters<typeof referenceCost>[0], tasks: readonly ReferenceTask[]): ReferenceTask[] {
  return longestFirst(tasks, (task) => referenceCost(original, task));
}

/** An `Rng`'s state as a message carries it (a structured clone copies its fields, not its class). */
export function rngState(rng: Rng): RngState {
  return { ...rng };
}

/** The `Rng` whose state `rngState` took, in this thread: the same stream, the same forks. */
export function reviveRng(state: RngState): Rng {
  return Object.assign(Object.create(Rng.prototype) as Rng, state);
}

/** A copy of a part that owns its buffers (posting a view would copy the whole buffer under it). */
const own = (data: ReferenceData): ReferenceData => ({ x: data.x.slice(), rows: data.rows, logits: data.logits.slice(), ...(data.labels ? { labels: data.labels.slice() } : {}) });

/**
 * The engine's reference trainer (buildBaseline's `trainReferences` hook): the reference networks
 * over two cores, this thread and the second-core helper (dist/attackLabWorker.js, its own
 * instance of `engine`) each taking the next from one queue, widest first (twoThreads.ts). Each
 * trains on its own fork of the references' stream, so the networks are the single-threaded
 * ones. Small networks, one-core machines or a missing helper script train in-process.
 */
export function parallelReferenceTrainer({ force = false, engine = 'js' }: { force?: boolean; engine?: EngineChoice } = {}): ReferenceTrainer {
  return async (job, tasks) => {
    throwIfCancelled(job.signal);
    const helper = startHelper(tasks.length, parameterCount(job.original), force);
    if (!helper) return trainSerially(job, tasks);
    let done = 0;
    const results = await runOnTwoThreads(helper, {
      start: { type: 'start', job: 'references', original: job.original, first: own(job.first), second: own(job.second), rng: rngState(job.rng), engine },
      queue: referenceQueue(job.original, tasks),
      local: (signal) => referenceTaskRunner({ ...job, signal }),
      onResult: () => job.onTrained?.(++done, tasks.length),
      ...(job.signal ? { signal: job.signal } : {}),
    });
    return tasks.map((task) => results.find((r) => r.unit === task)!.result);
  };
}
