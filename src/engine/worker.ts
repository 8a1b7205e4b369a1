/**
 * Worker-thread entry (dist/worker.js): runs protect, verify, compare, attack and inspect jobs off the extension host's
 * main thread. Jobs are correlated by id; a CancelRequest aborts the job's signal, and the job
 * then answers with an error of code CANCELLED after removing its partial output.
 */
import { parentPort } from 'node:worker_threads';
import { serializeError } from '../core/errors';
import type { FromWorkerMessage, ToWorkerMessage } from '../protocol/worker';
import { attackModel } from './attackModel';
import { compareModel } from './compareModel';
import { inspectModel } from './inspectModel';
import { protectModel } from './protectModel';
import { verifyModel } from './verifyModel';

/**
 * The engine runs as a child process (src/client/engineProcess.ts, IPC with structured-clone
 * serialisation); as a worker thread it speaks the same messages through parentPort.
 */
const port = parentPort ?? processPort();
if (!port) throw new Error('worker.js must be started with an IPC channel (fork) or as a worker thread');

function processPort(): { postMessage(message: FromWorkerMessage): void; on(event: 'message', listener: (message: ToWorkerMessage) => void): void } | undefined {
  if (!process.send) return undefined;
  // The parent went away (closed, crashed): nothing is left to report to.
  process.on('disconnect', () => process.exit(0));
  return {
    postMessage: (message) => process.send!(message),
    on: (_event, listener) => process.on('message', listener as (message: unknown) => void),
  };
}
const running = new Map<number, AbortController>();
const post = (message: FromWorkerMessage): void => port.postMessage(message);

port.on('message', (message: ToWorkerMessage) => {
  switch (message.type) {
    case 'protect': {
      const controller = new AbortController();
      running.set(message.id, controller);
      protectModel(message.job, {
        signal: controller.signal,
        onProgress: (progress) => post({ type: 'progress', id: message.id, progress }),
        onPartialReport: (report) => post({ type: 'partialReport', id: message.id, report }),
        onStaging: (path) => post({ type: 'staging', id: message.id, path }),
      })
        .then((result) => post({ type: 'protectResult', id: message.id, result }))
        .catch((error: unknown) => post({ type: 'error', id: message.id, error: serializeError(error) }))
        .finally(() => running.delete(message.id));
      return;
    }
    case 'verify': {
      const controller = new AbortController();
      running.set(message.id, controller);
      verifyModel(message.job.modelPath, message.job.reportPath, {
        signal: controller.signal,
        onProgress: (progress) => post({ type: 'progress', id: message.id, progress }),
      })
        .then((result) => post({ type: 'verifyResult', id: message.id, result }))
        .catch((error: unknown) => post({ type: 'error', id: message.id, error: serializeError(error) }))
        .finally(() => running.delete(message.id));
      return;
    }
    case 'compare': {
      const controller = new AbortController();
      running.set(message.id, controller);
      compareModel(message.job, {
        signal: controller.signal,
        // The reference networks are most of the run (compareModel gives them 95 %).
        onProgress: (fraction, text) => post({ type: 'progress', id: message.id, progress: { phase: fraction < 0.95 ? 'references' : 'judge', message: text, fraction } }),
      })
        .then((report) => post({ type: 'compareResult', id: message.id, report }))
        .catch((error: unknown) => post({ type: 'error', id: message.id, error: serializeError(error) }))
        .finally(() => running.delete(message.id));
      return;
    }
    case 'attack': {
      const controller = new AbortController();
      running.set(message.id, controller);
      attackModel(message.job, {
        signal: controller.signal,
        onProgress: (fraction, text) => post({ type: 'progress', id: message.id, progress: { phase: 'attacks', message: text, fraction } }),
      })
        .then((report) => post({ type: 'attackResult', id: message.id, report }))
        .catch((error: unknown) => post({ type: 'error', id: message.id, error: serializeError(error) }))
        .finally(() => running.delete(message.id));
      return;
    }
    case 'inspect':
      inspectModel(message.path)
        .then((info) => post({ type: 'inspectResult', id: message.id, info }))
        .catch((error: unknown) => post({ type: 'error', id: message.id, error: serializeError(error) }));
      return;
    case 'cancel':
      running.get(message.id)?.abort();
      return;
    default: {
      const never: never = message;
      throw new Error(`Unknown worker message ${JSON.stringify(never)}`);
    }
  }
});
