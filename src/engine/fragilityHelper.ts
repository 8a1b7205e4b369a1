/**
 * Fragility helper thread (dist/fragilityWorker.js): runs part of the sweeps on the second
 * core. Started by parallelFragility.ts; speaks the messages typed in fragilityHelperProtocol.ts.
 */
import { parentPort } from 'node:worker_threads';
import { serializeError } from '../core/errors';
import { measureFragility } from '../core/fragility';
import { createCompute } from './compute';
import type { FragilityRunRequest, FromFragilityHelperMessage, ToFragilityHelperMessage } from './fragilityHelperProtocol';

const port = parentPort;
if (!port) throw new Error('fragilityWorker.js must be started as a worker thread');
const controller = new AbortController();
const post = (message: FromFragilityHelperMessage): void => port.postMessage(message);

port.on('message', (message: ToFragilityHelperMessage) => {
  switch (message.type) {
    case 'run':
      run(message)
        .then(() => post({ type: 'done' }))
        .catch((error: unknown) => post({ type: 'error', error: serializeError(error) }));
      return;
    case 'cancel':
      controller.abort();
      return;
    default: {
      const never: never = message;
      throw new Error(`Unknown fragility helper message ${JSON.stringify(never)}`);
    }
  }
});

/** This thread's half of the sweeps, on its own instance of the job's engine (one thread). */
async function run(message: FragilityRunRequest): Promise<void> {
  const { compute } = await createCompute(message.engine, { threads: 1 });
  try {
    await measureFragility(message.original, message.protectedNet, message.data, {
      ...message.options,
      compute,
      signal: controller.signal,
      onProgress: (fraction, text) => post({ type: 'progress', fraction, message: text }),
      onKind: (kind) => post({ type: 'kind', kind }),
    });
  } finally {
    await compute.dispose();
  }
}
