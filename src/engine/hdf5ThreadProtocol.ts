import type { H5Method } from '../formats/keras/hdf5';

/**
 * Messages between the engine and its HDF5 reader thread (hdf5Thread.ts, dist/hdf5Worker.js).
 * The caller waits for each reply synchronously (Atomics.wait on `signal`, then
 * receiveMessageOnPort), so the format's readers keep their synchronous H5Reader.
 */

/** Sent once through the worker's parentPort: the channel requests arrive on and the flag replies raise. */
export interface Hdf5ThreadSetup {
  /** Requests arrive here; replies leave here. */
  port: import('node:worker_threads').MessagePort;
  /** Int32 flag: the thread sets [0] to 1 and notifies after posting each reply. */
  signal: SharedArrayBuffer;
}

/** A request to the reader thread: open a file, query it, close it. */
export type Hdf5Request =
  | { type: 'open'; bytes: Uint8Array }
  | { type: 'call'; method: H5Method; path: string; name?: string }
  | { type: 'close' };

/** How a request failed, as data (class instances do not cross threads). */
export interface Hdf5Failure {
  /** 'content': H5ContentError; 'crash': the reader trapped (H5ReaderCrash); 'hdf5': HDF5 refused the file. */
  kind: 'content' | 'crash' | 'hdf5';
  /** The error's message. */
  message: string;
}

/** The reply to one request. */
export type Hdf5Reply = { ok: true; value: unknown } | { ok: false; error: Hdf5Failure };

/** Posted through parentPort once h5wasm is loaded: the thread can take requests. */
export const HDF5_THREAD_READY = 'hdf5-ready';
