import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { EngineChoice } from '../core/compute';
import { deserializeError } from '../core/errors';
import { measureFragility, type FragilityOptions, type SweepData } from '../core/fragility';
import type { DenseNetwork } from '../core/network';
import { perturbationOf } from '../core/perturbations';
import type { FragilityKind, PerturbationKind } from '../core/report';
import { startWorker } from './startWorker';
import type { FromFragilityHelperMessage, ToFragilityHelperMessage } from './fragilityHelperProtocol';

/** Below this much work (parameters × samples) a second thread costs more than it saves. */
const PARALLEL_THRESHOLD = 2e7;

/** About the seconds one core spends on a kind's sweep of the bundled example (each kind module's `cost`). */
const costOf = (kind: PerturbationKind): number => perturbationOf(kind).cost;

/** Splits kinds into two groups of similar cost (longest first, each to the lighter group). */
export function splitKinds(kinds: readonly PerturbationKind[]): [PerturbationKind[], PerturbationKind[]] {
  const groups: [PerturbationKind[], PerturbationKind[]] = [[], []];
  const load: [number, number] = [0, 0];
  for (const kind of [...kinds].sort((a, b) => costOf(b) - costOf(a))) {
    const lighter = load[0] <= load[1] ? 0 : 1;
    groups[lighter].push(kind);
    load[lighter] += costOf(kind);
  }
  return groups;
}

/** The helper beside this module: the bundle in dist/, or its TypeScript source when running from source. */
function startHelper(): Worker | undefined {
  return startWorker(__dirname, 'fragilityWorker.js', 'fragilityHelper.ts');
}

/**
 * measureFragility over two cores: about half of the kinds (by cost) run in a helper thread,
 * the rest here. Every kind draws from its own seeded stream, so the numbers are the same as
 * a single-threaded run. Small jobs, one-core machines or a missing helper script run in-process.
 */
export async function measureFragilityParallel(
  original: DenseNetwork,
  protectedNet: DenseNetwork,
  data: SweepData,
  options: FragilityOptions,
  { force = false, engine = 'js' }: { force?: boolean; engine?: EngineChoice } = {},
): Promise<FragilityKind[]> {
  const work = protectedNet.layers.reduce((n, l) => n + l.weights.length, 0) * data.rows;
  const [local, remote] = splitKinds(options.kinds);
  const worker = remote.length > 0 && (force || (work >= PARALLEL_THRESHOLD && availableParallelism() >= 2)) ? startHelper() : undefined;
  if (!worker) return measureFragility(original, protectedNet, data, options);
  const total = (kinds: PerturbationKind[]) => kinds.reduce((n, k) => n + costOf(k), 0);
  const share = [total(local), total(remote)].map((c) => c / (total(local) + total(remote)));
  const fractions = [0, 0];
  const progress = (side: 0 | 1, fraction: number, message: string): void => {
    fractions[side] = fraction;
    options.onProgress?.(fractions[0]! * share[0]! + fractions[1]! * share[1]!, message);
  };
  const post = (message: ToFragilityHelperMessage): void => worker.postMessage(message);
  const onAbort = (): void => post({ type: 'cancel' });
  options.signal?.addEventListener('abort', onAbort);
  const remoteKinds: FragilityKind[] = [];
  const remoteRun = new Promise<void>((resolve, reject) => {
    worker.on('message', (message: FromFragilityHelperMessage) => {
      switch (message.type) {
        case 'progress':
          progress(1, message.fraction, message.message);
          return;
        case 'kind':
          remoteKinds.push(message.kind);
          options.onKind?.(message.kind);
          return;
        case 'done':
          resolve();
          return;
        case 'error':
          reject(deserializeError(message.error));
          return;
        default: {
          const never: never = message;
          reject(new Error(`Unknown fragility helper message ${JSON.stringify(never)}`));
        }
      }
    });
    worker.on('error', reject);
    worker.on('exit', (code) => reject(new Error(`fragility helper thread exited with code ${code}`)));
  });
  post({
    type: 'run',
    original,
    protectedNet,
    data,
    engine,
    options: { kinds: remote, repeats: options.repeats, seed: options.seed, ...(options.fineTuneSteps ? { fineTuneSteps: [...options.fineTuneSteps] } : {}) },
  });
  try {
    const [localKinds] = await Promise.all([
      measureFragility(original, protectedNet, data, { ...options, kinds: local, onProgress: (f, m) => progress(0, f, m) }),
      remoteRun,
    ]);
    const byKind = new Map([...localKinds, ...remoteKinds].map((k) => [k.kind, k]));
    return options.kinds.map((k) => byKind.get(k)).filter((k): k is FragilityKind => k !== undefined);
  } catch (error) {
    // One side failed or was cancelled: stop the other at once, and let it finish the compute
    // call it is in before its thread goes: terminating a thread while onnxruntime runs for it
    // aborts the whole process. Its answer comes within one evaluation.
    post({ type: 'cancel' });
    await remoteRun.catch(() => undefined);
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await worker.terminate();
  }
}
