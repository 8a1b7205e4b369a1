/**
 * Checks the HDF5 C library does not make before following links inside a file. A hostile file
 * can make a linked list point back into itself; HDF5 then walks it forever (h5py hangs on the
 * same bytes), and a synchronous wasm loop cannot be interrupted. So, before h5wasm opens a
 * file, every local heap's free list and every v1 B-tree's sibling chain found in it must end
 * within the file without revisiting a node. Returns the problem, or undefined when none is found.
 */

const UNDEFINED = -1;

/** The first cycle or out-of-file link in a local heap free list or a B-tree sibling chain. */
export function findLinkCycle(bytes: Uint8Array, base: number): string | undefined {
  const sizes = superblockSizes(bytes, base);
  if (sizes === undefined) return undefined;
  const { offsets, lengths } = sizes;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const read = (at: number, size: number): number => {
    if (at < 0 || at + size > bytes.length) return UNDEFINED;
    let value = 0;
    let allOnes = true;
    for (let i = size - 1; i >= 0; i--) {
      const b = view.getUint8(at + i);
      if (b !== 0xff) allOnes = false;
      value = value * 256 + b;
    }
    return allOnes ? UNDEFINED : value;
  };
  const trees = new Map<number, number>();
  for (let at = 0; at + 4 <= bytes.length; at++) {
    const b0 = bytes[at];
    if (b0 === 0x48 && bytes[at + 1] === 0x45 && bytes[at + 2] === 0x41 && bytes[at + 3] === 0x50) {
      const problem = checkHeap(at, read, offsets, lengths, bytes.length, base);
      if (problem) return problem;
    } else if (b0 === 0x54 && bytes[at + 1] === 0x52 && bytes[at + 2] === 0x45 && bytes[at + 3] === 0x45) {
      trees.set(at - base, read(at + 8 + offsets, offsets));
    }
  }
  for (const start of trees.keys()) {
    const seen = new Set<number>();
    for (let node: number | undefined = start; node !== undefined && node !== UNDEFINED; node = trees.get(node)) {
      if (seen.has(node)) return `its B-tree at offset ${start} links back to itself`;
      seen.add(node);
      if (!trees.has(node)) {
        if (node + base >= bytes.length) return `its B-tree at offset ${start} links past the end of the file`;
        break;
      }
    }
  }
  return undefined;
}

/** A local heap ("HEAP"): version, 3 reserved, data size, free-list head, data address. */
function checkHeap(at: number, read: (at: number, size: number) => number, offsets: number, lengths: number, fileBytes: number, base: number): string | undefined {
  const size = read(at + 8, lengths);
  const head = read(at + 8 + lengths, lengths);
  const data = read(at + 8 + 2 * lengths, offsets);
  if (size === UNDEFINED || data === UNDEFINED || head === UNDEFINED) return undefined;
  if (data + base + size > fileBytes) return `its local heap at offset ${at} claims ${size} bytes past the end of the file`;
  const seen = new Set<number>();
  for (let free = head; free !== UNDEFINED && free !== 1; ) {
    if (free >= size || seen.has(free)) return `its local heap at offset ${at} has a free list that ${seen.has(free) ? 'loops' : 'leaves the heap'}`;
    seen.add(free);
    free = read(data + base + free, lengths);
  }
  return undefined;
}

/** Sizes of offsets and lengths from the superblock (versions 0–3). */
function superblockSizes(bytes: Uint8Array, base: number): { offsets: number; lengths: number } | undefined {
  const version = bytes[base + 8];
  if (version === 0 || version === 1) return valid(bytes[base + 13], bytes[base + 14]);
  if (version === 2 || version === 3) return valid(bytes[base + 9], bytes[base + 10]);
  return undefined;
}

function valid(offsets: number | undefined, lengths: number | undefined): { offsets: number; lengths: number } | undefined {
  const ok = (n: number | undefined) => n === 2 || n === 4 || n === 8;
  return ok(offsets) && ok(lengths) ? { offsets: offsets!, lengths: lengths! } : undefined;
}
