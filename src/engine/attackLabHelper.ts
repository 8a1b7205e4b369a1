/**
 * Second-core helper thread (dist/attackLabWorker.js): runs units of one job, the attack lab's or
 * the ownership references', one at a time as the engine hands them out. Started by
 * twoThreads.ts (for parallelAttackLab.ts and parallelReferences.ts); speaks the messages typed
 * in attackLabHelperProtocol.ts.
 */
import { parentPort } from 'node:worker_threads';
import { labUnitRunner, type LabUnit } from '../core/attacks/lab';
import type { ComputeBackend } from '../core/compute';
import { serializeError, throwIfCancelled } from '../core/errors';
import { referenceTaskRunner, type ReferenceTask } from '../core/ownership/references';
import type { FromHelperMessage, HelperResult, HelperStartRequest, HelperUnit, ToHelperMessage } from './attackLabHelperProtocol';
import { createCompute } from './compute';
import { reviveRng } from './parallelReferences';

const port = parentPort;
if (!port) throw new Error('attackLabWorker.js must be started as a worker thread');
const controller = new AbortController();
const post = (message: FromHelperMessage): void => port.postMessage(message);

let compute: ComputeBackend | undefined;
/** The started job's runner of single units (the engine hands out only units of that job). */
let run: ((unit: HelperUnit) => Promise<HelperResult>) | undefined;
/** Set once the helper has said `done` or `error`: it then does nothing more. */
let stopped = false;
/**
 * Messages are handled one after another: a cancel that arrives while a unit or the engine's
 * start runs is answered only when that has stopped and the engine is disposed, so the thread
 * is never terminated inside an engine call.
 */
let chain: Promise<void> = Promise.resolve();
const then = (work: () => Promise<void>): void => {
  chain = chain.then(async () => {
    if (stopped) return;
    try {
      await work();
    } catch (error) {
      stopped = true;
      await compute?.dispose().catch(() => undefined);
      post({ type: 'error', error: serializeError(error) });
    }
  });
};

port.on('message', (message: ToHelperMessage) => {
  switch (message.type) {
    case 'start':
      then(() => start(message));
      return;
    case 'unit':
      then(async () => {
        const result = await run!(message.unit);
        throwIfCancelled(controller.signal);
        post({ type: 'unit', result });
      });
      return;
    case 'finish':
      then(async () => {
        stopped = true;
        await compute?.dispose();
        post({ type: 'done' });
      });
      return;
    case 'cancel':
      // Stops the unit that runs now at its next checkpoint; when none runs, answers next.
      controller.abort();
      then(async () => throwIfCancelled(controller.signal));
      return;
    default: {
      const never: never = message;
      throw new Error(`Unknown helper message ${JSON.stringify(never)}`);
    }
  }
});

/** This thread's own instance of the job's engine (one thread) and a runner over the job's inputs. */
async function start(message: HelperStartRequest): Promise<void> {
  ({ compute } = await createCompute(message.engine, { threads: 1 }));
  const { signal } = controller;
  switch (message.job) {
    case 'lab': {
      const { original, protectedNet, attacker, evaluation, seed } = message;
      const lab = labUnitRunner({ original, protectedNet, attacker, evaluation, seed, compute, signal });
      run = (unit) => lab(unit as LabUnit);
      break;
    }
    case 'references': {
      const { original, first, second } = message;
      const train = referenceTaskRunner({ original, first, second, rng: reviveRng(message.rng), compute, signal });
      run = (unit) => train(unit as ReferenceTask);
      break;
    }
    default: {
      const never: never = message;
      throw new Error(`Unknown helper job ${JSON.stringify(never)}`);
    }
  }
  post({ type: 'ready' });
}
