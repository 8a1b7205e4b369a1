/**
 * HDF5 reader thread (dist/hdf5Worker.js): parses one HDF5 file at a time with its own h5wasm
 * instance for the engine (hdf5Isolation.ts). When HDF5 traps or hangs on a hostile file, the
 * engine discards this thread and starts a fresh one, so no later file meets a corrupt reader.
 */
import { parentPort, type MessagePort } from 'node:worker_threads';
import { H5ContentError, H5ReaderCrash, loadHdf5Library, openInThisThread, type H5Session } from '../formats/keras/hdf5';
import { HDF5_THREAD_READY, type Hdf5Failure, type Hdf5Reply, type Hdf5Request, type Hdf5ThreadSetup } from './hdf5ThreadProtocol';

if (!parentPort) throw new Error('hdf5Worker.js must be started as a worker thread');
const parent = parentPort;

parent.once('message', (setup: Hdf5ThreadSetup) => {
  const signal = new Int32Array(setup.signal);
  void loadHdf5Library().then(() => {
    serve(setup.port, signal);
    parent.postMessage(HDF5_THREAD_READY);
  });
});

function serve(port: MessagePort, signal: Int32Array): void {
  let session: H5Session | undefined;
  const handle = async (request: Hdf5Request): Promise<unknown> => {
    switch (request.type) {
      case 'open':
        session?.close();
        session = await openInThisThread(request.bytes);
        return session.fileBytes;
      case 'call':
        if (!session) throw new H5ContentError('no HDF5 file is open');
        return session.call(request.method, request.path, request.name);
      case 'close': {
        const open = session;
        session = undefined;
        open?.close();
        return undefined;
      }
      default: {
        const never: never = request;
        throw new Error(`unknown request ${JSON.stringify(never)}`);
      }
    }
  };
  port.on('message', (request: Hdf5Request) => {
    void handle(request).then(
      (value): Hdf5Reply => ({ ok: true, value }),
      (error: unknown): Hdf5Reply => ({ ok: false, error: failure(error) }),
    ).then((reply) => {
      port.postMessage(reply);
      // Posted before the flag is raised: the waiting caller finds the reply on its port.
      Atomics.store(signal, 0, 1);
      Atomics.notify(signal, 0);
    });
  });
}

function failure(error: unknown): Hdf5Failure {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof H5ContentError) return { kind: 'content', message };
  if (error instanceof H5ReaderCrash) return { kind: 'crash', message };
  return { kind: 'hdf5', message };
}
