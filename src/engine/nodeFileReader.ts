import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { FileReader } from '../formats/format';
import { isolatedHdf5 } from './hdf5Isolation';

/** FileReader over the local file system, for the worker, the CLI and tests; HDF5 is parsed in a disposable thread. */
export const nodeFileReader: FileReader = {
  read: async (path) => new Uint8Array(await readFile(path)),
  resolve: (from, relative) => resolve(dirname(from), relative),
  hdf5: isolatedHdf5,
};
