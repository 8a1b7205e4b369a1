import { join } from 'node:path';
import type { FileReader, WrittenFile } from '../../../../src/formats/format';
import { nodeFileReader } from '../../../../src/engine/nodeFileReader';
import { memoryReader } from '../../../../src/formats/keras/runtime';

/** The Keras fixtures (see test/fixtures/keras/README.md). */
export const KERAS_FIXTURES_DIR = join(__dirname, '..', '..', '..', 'fixtures', 'keras');

/** FileReader over the local file system. */
export const diskFiles: FileReader = nodeFileReader;

/** Written files as a FileReader, and the main file's path in it. */
export function writtenReader(files: WrittenFile[]): { reader: FileReader; path: string } {
  return { reader: memoryReader(files), path: files[0]!.name };
}

/** Deterministic inputs in [-1, 1). */
export function probeInputs(rows: number, cols: number, seed = 1): Float32Array {
  let state = seed >>> 0;
  return Float32Array.from({ length: rows * cols }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  });
}
