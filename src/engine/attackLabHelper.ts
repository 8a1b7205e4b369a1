/**
 * Attack lab helper thread (dist/attackLabWorker.js): runs units of the lab on the second core,
 * one at a time as the engine hands them out. Started by parallelAttackLab.ts; speaks the
 * messages typed in attackLabHelperProtocol.ts.
 */
import { parentPort } from 'node:worker_threads';
import { labUnitRunner, type LabUnit, type LabUnitResult } from '../core/attacks/lab';
import type { ComputeBackend } from '../core/compute';
import { serializeError, throwIfCancelled } from '../core/errors';
import type { AttackLabStartRequest, FromAttackLabHelperMessage, ToAttackLabHelperMessage } from './attackLabHelperProtocol';
import { createCompute } from './compute';

const port = parentPort;
if (!port) throw new Error('attackLabWorker.js must be started as a worker thread');
const controller = new AbortController();
const post = (message: FromAttackLabHelperMessage): void => port.postMessage(message);

let compute: ComputeBackend | undefined;
let run: ((unit: LabUnit) => Promise<LabUnitResult>) | undefined;
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

port.on('message', (message: ToAttackLabHelperMessage) => {
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
      throw new Error(`Unknown attack lab helper message ${JSON.stringify(never)}`);
    }
  }
});

/** This thread's own instance of the job's engine (one thread) and a runner over the lab's data. */
async function start(message: AttackLabStartRequest): Promise<void> {
  ({ compute } = await createCompute(message.engine, { threads: 1 }));
  const { original, protectedNet, attacker, evaluation, seed } = message;
  run = labUnitRunner({ original, protectedNet, attacker, evaluation, seed, compute, signal: controller.signal });
  post({ type: 'ready' });
}
