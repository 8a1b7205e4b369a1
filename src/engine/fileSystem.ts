import { open, stat } from 'node:fs/promises';
import { SNIFF_BYTES } from '../formats/registry';

/** True when something exists at `path` (file or folder). */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** The first `bytes` bytes of a file (by default enough for any format's sniff), without reading the rest. */
export async function readHead(path: string, bytes = SNIFF_BYTES): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buffer = new Uint8Array(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
