import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import { H5ContentError, H5ReaderCrash, type H5Method, type H5Session, type Hdf5Host } from '../formats/keras/hdf5';
import { HDF5_THREAD_READY, type Hdf5Reply, type Hdf5Request, type Hdf5ThreadSetup } from './hdf5ThreadProtocol';
import { startWorker } from './startWorker';

/**
 * HDF5 in a disposable reader thread. h5wasm binds its high-level API to one wasm instance per
 * module evaluation and does not export the factory that would make another, and a wasm trap
 * leaves that instance's C state (stack pointer, HDF5's caches) corrupt. So HDF5 runs in a
 * worker thread with its own instance: when it traps, or does not answer in time (a loop the
 * link pre-check did not catch), the thread is terminated and the next file gets a fresh one.
 * Queries stay synchronous for the format's readers: the caller blocks on a shared flag until
 * the thread has posted its reply.
 */

/** A query gets this long, plus a second per 10 MB of file (reading and inflating big datasets); real files answer in milliseconds. */
const CALL_MS = 2_000;
const CALL_MS_PER_BYTE = 1 / 10_000;

/** How long one HDF5 query on a file of `bytes` may take before the reader thread is declared hung. */
export function hdf5CallTimeoutMs(bytes: number): number {
  return CALL_MS + bytes * CALL_MS_PER_BYTE;
}

/** One reader thread and its request channel. */
class ReaderThread {
  readonly ready: Promise<void>;
  private readonly port: MessagePort;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  private dead: string | undefined;

  constructor(
    private readonly worker: Worker,
    private readonly onRetire: () => void,
  ) {
    const channel = new MessageChannel();
    this.port = channel.port1;
    const setup: Hdf5ThreadSetup = { port: channel.port2, signal: this.flag.buffer as SharedArrayBuffer };
    worker.postMessage(setup, [channel.port2]);
    this.ready = new Promise((resolve, reject) => {
      worker.on('message', (message) => message === HDF5_THREAD_READY && resolve());
      worker.once('error', (error) => reject(error instanceof Error ? error : new Error(String(error))));
      worker.once('exit', (code) => reject(new Error(`the HDF5 reader thread exited (code ${code}) before it was ready`)));
    });
    // Once ready, neither keeps a CLI run alive (while starting, the caller awaits it: it must).
    this.port.unref();
    this.ready.then(() => worker.unref(), () => undefined);
  }

  /** Sends `request` and blocks until the reply (or `timeoutMs`); a crash or a timeout retires the thread. */
  request(request: Hdf5Request, timeoutMs: number): unknown {
    if (this.dead) throw new H5ReaderCrash(this.dead);
    Atomics.store(this.flag, 0, 0);
    this.port.postMessage(request);
    const waited = Atomics.wait(this.flag, 0, 0, timeoutMs);
    const received = receiveMessageOnPort(this.port) as { message: Hdf5Reply } | undefined;
    if (waited === 'timed-out' || !received) {
      this.retire(`HDF5 did not finish reading it within ${(timeoutMs / 1000).toFixed(0)} s (a corrupt structure can make it loop)`);
      throw new H5ReaderCrash(this.dead!);
    }
    const reply = received.message;
    if (reply.ok) return reply.value;
    switch (reply.error.kind) {
      case 'content':
        throw new H5ContentError(reply.error.message);
      case 'crash':
        this.retire(reply.error.message);
        throw new H5ReaderCrash(reply.error.message);
      case 'hdf5':
        throw new Error(reply.error.message);
      default: {
        const never: never = reply.error.kind;
        throw new Error(`unknown failure ${String(never)}`);
      }
    }
  }

  /** True once the thread crashed or hung. */
  get retired(): boolean {
    return this.dead !== undefined;
  }

  private retire(why: string): void {
    this.dead = why;
    this.port.close();
    // Not awaited: termination interrupts wasm code, and nothing waits on this thread any more.
    void this.worker.terminate();
    this.onRetire();
  }
}

let current: ReaderThread | undefined;
let started = 0;

function startThread(): ReaderThread {
  const worker = startWorker(__dirname, 'hdf5Worker.js', 'hdf5Thread.ts');
  if (!worker) throw new Error('the HDF5 reader thread (hdf5Worker.js) is missing from this installation');
  started++;
  // The replacement starts loading h5wasm at once, while the caller reports the crash.
  return new ReaderThread(worker, () => {
    current = startThread();
    // Its start-up failing is reported by the next open that waits on it, not here.
    current.ready.catch(() => undefined);
  });
}

/** A live thread: the current one, or a fresh one after a crash. */
function liveThread(): ReaderThread {
  if (!current || current.retired) current = startThread();
  return current;
}

/** Reader threads started in this process (the first, plus one per crash): tests check crashes are recovered from. */
export function hdf5ThreadsStarted(): number {
  return started;
}

/** The engine's Hdf5Host: every HDF5 file is parsed in the current reader thread. */
export const isolatedHdf5: Hdf5Host = {
  open: async (bytes) => {
    const thread = liveThread();
    await thread.ready;
    const timeout = hdf5CallTimeoutMs(bytes.length);
    thread.request({ type: 'open', bytes }, timeout);
    let open = true;
    const session: H5Session = {
      fileBytes: bytes.length,
      call: (method: H5Method, path: string, name?: string) => thread.request({ type: 'call', method, path, ...(name !== undefined ? { name } : {}) }, timeout),
      close: () => {
        if (!open || thread.retired) return;
        open = false;
        thread.request({ type: 'close' }, timeout);
      },
    };
    return session;
  },
};
