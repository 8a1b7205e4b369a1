// Shared by the data-reader tests: hand-built .npy bytes and an in-memory FileReader.
import assert from 'node:assert/strict';
import { DataError } from '../../../../src/core/errors';
import type { FileReader } from '../../../../src/formats/format';

/** A .npy file with the given header dict text and raw data, built byte by byte (no encoder involved). */
export function npyBytes(dict: string, data: Uint8Array, version: 1 | 2 | 3 = 1): Uint8Array {
  const preamble = version === 1 ? 10 : 12;
  const headerText = dict + ' '.repeat((64 - ((preamble + dict.length + 1) % 64)) % 64) + '\n';
  const header = new TextEncoder().encode(headerText);
  const out = new Uint8Array(preamble + header.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  out.set(header, preamble);
  out.set(data, preamble + header.length);
  return out;
}

/** Raw bytes of numbers written with a DataView setter, in the given byte order. */
export function rawBytes(values: number[], size: number, set: (view: DataView, offset: number, value: number, le: boolean) => void, littleEndian = true): Uint8Array {
  const out = new Uint8Array(values.length * size);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => set(view, i * size, v, littleEndian));
  return out;
}

/** A FileReader over in-memory files (strings are UTF-8 encoded); unknown paths throw like ENOENT. */
export function memoryFiles(files: Record<string, Uint8Array | string>): FileReader {
  return {
    async read(path: string): Promise<Uint8Array> {
      const content = files[path];
      if (content === undefined) throw new Error(`ENOENT: no such file, open '${path}'`);
      return typeof content === 'string' ? new TextEncoder().encode(content) : content;
    },
    resolve: (_from: string, relative: string) => relative,
  };
}

/** Asserts that `error` is a DataError whose message names `file` and matches `pattern`. */
export function isDataError(error: unknown, file: string, pattern: RegExp): true {
  assert.ok(error instanceof DataError, `expected DataError, got ${String(error)}`);
  assert.equal(error.file, file);
  assert.ok(error.message.startsWith(`${file}: `), error.message);
  assert.match(error.message, pattern);
  return true;
}

/** Asserts `fn` throws a DataError naming `file` whose message matches `pattern`. */
export function throwsData(fn: () => unknown, file: string, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => isDataError(error, file, pattern));
}

/** Async variant of throwsData. */
export async function rejectsData(promise: Promise<unknown>, file: string, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => isDataError(error, file, pattern));
}
