/**
 * NumPy .npz archives: a zip of .npy members (`numpy.savez` stores them, `savez_compressed`
 * deflates them), read with fflate. Member `x.npy` is exposed as array `x`.
 */

import { unzipSync } from 'fflate';
import { DataError } from '../../core/errors';
import type { ArrayBundle } from './bundle';
import type { NdArray } from './ndarray';
import { parseNpy } from './npy';

/** True when `bytes` starts like a zip archive (local file header, or the end record of an empty zip). */
export function looksLikeZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5) && bytes[3] === bytes[2] + 1;
}

function unzip(bytes: Uint8Array, file: string, filter: (name: string) => boolean): Record<string, Uint8Array> {
  try {
    return unzipSync(bytes, { filter: (info) => filter(info.name) });
  } catch (error) {
    throw new DataError(file, `is not a readable .npz (zip) archive (${(error as Error).message})`);
  }
}

/** Opens an .npz archive: lists its arrays without inflating them; `get` inflates and parses one. */
export function readNpz(bytes: Uint8Array, file: string): ArrayBundle {
  if (bytes.length === 0) throw new DataError(file, 'is empty');
  if (!looksLikeZip(bytes)) throw new DataError(file, 'is not an .npz file (not a zip archive)');
  const entries: string[] = [];
  // A filter that declines every member lists the central directory without decompressing anything.
  unzip(bytes, file, (name) => {
    entries.push(name);
    return false;
  });
  const names = entries.filter((n) => n.endsWith('.npy')).map((n) => n.slice(0, -4));
  if (names.length === 0) throw new DataError(file, 'holds no .npy arrays');
  return {
    names,
    get(name: string): NdArray {
      const entry = `${name}.npy`;
      const member = unzip(bytes, file, (n) => n === entry)[entry];
      if (!member) throw new DataError(file, `has no array named '${name}'`);
      return parseNpy(member, `${file}[${name}]`);
    },
  };
}
