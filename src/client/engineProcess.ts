import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkerLike } from './workerClient';

/**
 * The engine runs in a child process, not a thread of the caller: a cancel that has to kill a
 * job stuck in a long synchronous step kills the process, which is always safe, whereas
 * terminating a thread while onnxruntime runs for it aborts the whole host process (measured:
 * SIGABRT). A crash in native code likewise ends the engine, never the extension host or the CLI.
 */

/** Where the engine's output lines go (the extension's log; nowhere in the CLI). */
export interface EngineOutput {
  stdout(line: string): void;
  stderr(line: string): void;
}

/**
 * V8 flags of the engine process (and of the bench's children, which time the same engine).
 * --single-threaded-gc: V8's concurrent GC helpers cost ~30 % more CPU than the engine's own
 * work during fine-tuning (onnxruntime's buffers churn the heap) and bought no wall time
 * (measured: Adam steps 3.58 ms wall either way, 4.75 → 3.59 ms CPU; the example's whole job
 * ~15 % less CPU). The engine is a batch process: the helpers took a core for nothing.
 */
export const ENGINE_V8_FLAGS: readonly string[] = ['--single-threaded-gc'];

/**
 * Starts the engine: `dist/worker.js` beside the calling bundle, or, from source (tests), the
 * TypeScript entry under tsx. Messages use structured-clone serialisation, so typed arrays and
 * nested reports cross as they would between threads.
 */
export function startEngineProcess(bundleDir: string, sourceEntry: string, output?: EngineOutput): WorkerLike {
  const bundled = join(bundleDir, 'worker.js');
  const fromSource = !existsSync(bundled);
  const child = fork(fromSource ? join(bundleDir, sourceEntry) : bundled, [], {
    serialization: 'advanced',
    execArgv: [...ENGINE_V8_FLAGS, ...(fromSource ? ['--import', 'tsx'] : []), ...(process.env.MIMOSANET_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.MIMOSANET_PROFILE_DIR}`] : [])],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  for (const [stream, sink] of [[child.stdout, output?.stdout], [child.stderr, output?.stderr]] as const) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) if (line.trim()) sink?.(line);
    });
  }
  const worker: WorkerLike = {
    postMessage: (message) => {
      if (child.connected) child.send(message);
    },
    on: ((event: 'message' | 'error' | 'exit', listener: (value: never) => void) => {
      if (event === 'exit') child.on('exit', (code, signal) => (listener as (code: number) => void)(code ?? (signal ? 128 : 1)));
      else child.on(event, listener as (value: unknown) => void);
      return worker;
    }) as WorkerLike['on'],
    // Closing the IPC channel makes the engine exit normally (src/engine/worker.ts).
    close: () => {
      if (child.connected) child.disconnect();
    },
    terminate: () =>
      new Promise<number>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          resolve(child.exitCode ?? 128);
          return;
        }
        child.once('exit', (code) => resolve(code ?? 128));
        child.kill('SIGKILL');
      }),
  };
  return worker;
}
