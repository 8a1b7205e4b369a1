import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ModelInfo } from '../formats/format';
import { requireFormat, SNIFF_BYTES } from '../formats/registry';
import { nodeFileReader } from './nodeFileReader';

/** Reads the first bytes of a file, enough for any format's sniff. */
export async function readHead(path: string): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buffer = new Uint8Array(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Describes a model file: format, layers, parameters and, if it cannot be protected, why. */
export async function inspectModel(path: string): Promise<ModelInfo> {
  const absolute = resolve(path);
  return requireFormat(absolute, await readHead(absolute)).inspect(absolute, nodeFileReader);
}
