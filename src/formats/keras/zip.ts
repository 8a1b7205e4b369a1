import { ModelFormatError } from '../../core/errors';

/**
 * A zip reader for `.keras` archives that trusts nothing it reads: the central directory is
 * parsed here (fflate only inflates), every offset and size is checked against the archive's
 * length before use, a deflated entry may claim at most deflate's maximum ratio (1032:1) of
 * its compressed size, the output buffer is the declared size and never grows, and the CRC-32
 * must match (a lying size fails there). Entry names that leave the archive's root ('../',
 * absolute paths, drive letters, backslashes) and duplicates are refused, since a user's tool
 * could extract them.
 */

/** One file of an archive, not yet inflated. */
export interface ZipEntry {
  /** Name as stored ("config.json", "assets/vocab.txt"). */
  name: string;
  /** 0 stored, 8 deflate. */
  method: number;
  /** CRC-32 of the uncompressed bytes. */
  crc: number;
  /** Compressed size. */
  compressedSize: number;
  /** Uncompressed size as declared. */
  size: number;
  /** Offset of the entry's data in the archive. */
  dataOffset: number;
}

/** Deflate cannot expand data by more than this factor, so a higher claim is a bomb. */
const MAX_RATIO = 1032;
const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** True when `head` starts like a zip archive (a local file header). */
export function isZip(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
}

/** Lists the entries of a zip archive; throws ModelFormatError naming `file` when it is malformed or hostile. */
export function listZip(bytes: Uint8Array, file: string, format: string): ZipEntry[] {
  const fail = (problem: string) => new ModelFormatError(file, format, problem);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = findEocd(bytes, view);
  if (end === undefined) throw fail('is not a complete zip archive (no end-of-central-directory record; the file may be truncated)');
  const count = view.getUint16(end + 10, true);
  const cdSize = view.getUint32(end + 12, true);
  const cdOffset = view.getUint32(end + 16, true);
  if (count === 0xffff || cdOffset === 0xffffffff) throw fail('is a ZIP64 archive with a ZIP64 directory; .keras archives of this size are not supported');
  if (cdOffset + cdSize > end || count * 46 > cdSize) throw fail(`has a central directory (${count} entries at ${cdOffset}, ${cdSize} bytes) that does not fit in the archive`);
  const entries: ZipEntry[] = [];
  const names = new Set<string>();
  let at = cdOffset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > cdOffset + cdSize || view.getUint32(at, true) !== CENTRAL) throw fail(`has a corrupt central directory at entry ${i}`);
    const flags = view.getUint16(at + 8, true);
    const method = view.getUint16(at + 10, true);
    const crc = view.getUint32(at + 16, true);
    let compressedSize = view.getUint32(at + 20, true);
    let size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    let localOffset = view.getUint32(at + 42, true);
    const next = at + 46 + nameLength + extraLength + commentLength;
    if (next > cdOffset + cdSize) throw fail(`has a corrupt central directory at entry ${i}`);
    const name = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(at + 46, at + 46 + nameLength));
    const zip64 = readZip64(view, at + 46 + nameLength, extraLength, { size, compressedSize, localOffset });
    ({ size, compressedSize, localOffset } = zip64);
    checkName(name, fail);
    if (names.has(name)) throw fail(`has two entries named '${name}'`);
    names.add(name);
    if (flags & 1) throw fail(`entry '${name}' is encrypted`);
    if (method !== 0 && method !== 8) throw fail(`entry '${name}' uses compression method ${method}; only stored and deflate are supported`);
    if (localOffset + 30 > bytes.length || view.getUint32(localOffset, true) !== LOCAL) throw fail(`entry '${name}' points to no local header (offset ${localOffset})`);
    const dataOffset = localOffset + 30 + view.getUint16(localOffset + 26, true) + view.getUint16(localOffset + 28, true);
    if (dataOffset + compressedSize > bytes.length) throw fail(`entry '${name}' claims ${compressedSize} bytes at offset ${dataOffset}, past the end of the archive (${bytes.length} bytes)`);
    if (method === 0 && size !== compressedSize) throw fail(`stored entry '${name}' declares ${size} bytes but holds ${compressedSize}`);
    if (size > MAX_RATIO * Math.max(compressedSize, 1)) throw fail(`entry '${name}' claims to inflate ${compressedSize} bytes to ${size} (a zip bomb)`);
    entries.push({ name, method, crc, compressedSize, size, dataOffset });
    at = next;
  }
  return entries;
}

/** fflate, loaded on first use: the extension host bundles the sniff (below) but never inflates. */
function fflate(): Promise<typeof import('fflate')> {
  return import('fflate');
}

/** The uncompressed bytes of an entry, checked against its CRC-32. */
export async function readZipEntry(bytes: Uint8Array, entry: ZipEntry, file: string, format: string): Promise<Uint8Array> {
  const data = bytes.subarray(entry.dataOffset, entry.dataOffset + entry.compressedSize);
  let out: Uint8Array;
  if (entry.method === 0) out = data;
  else {
    const { inflateSync } = await fflate();
    try {
      // A fixed output buffer: fflate stops there rather than growing it, whatever the stream says.
      out = inflateSync(data, { out: new Uint8Array(entry.size) });
    } catch (error) {
      throw new ModelFormatError(file, format, `entry '${entry.name}' does not inflate (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  if (out.length !== entry.size || crc32(out) !== entry.crc) throw new ModelFormatError(file, format, `entry '${entry.name}' is corrupt (its size or CRC-32 does not match the directory)`);
  return out;
}

/** Writes a zip archive with every entry stored (as Keras writes .keras files), in the given order. */
export async function writeZip(entries: { name: string; bytes: Uint8Array }[]): Promise<Uint8Array> {
  const { zipSync } = await fflate();
  const files: Record<string, [Uint8Array, { level: 0 }]> = {};
  for (const entry of entries) files[entry.name] = [entry.bytes, { level: 0 }];
  return zipSync(files, { level: 0 });
}

function findEocd(bytes: Uint8Array, view: DataView): number | undefined {
  const stop = Math.max(0, bytes.length - 22 - 0xffff);
  for (let at = bytes.length - 22; at >= stop; at--) {
    if (view.getUint32(at, true) === EOCD && at + 22 + view.getUint16(at + 20, true) === bytes.length) return at;
  }
  return undefined;
}

/** Sizes and offset from a ZIP64 extra field (id 1), for the fields the directory marks 0xFFFFFFFF. */
function readZip64(view: DataView, start: number, length: number, fields: { size: number; compressedSize: number; localOffset: number }): typeof fields {
  const out = { ...fields };
  for (let at = start; at + 4 <= start + length; ) {
    const id = view.getUint16(at, true);
    const size = view.getUint16(at + 2, true);
    if (id === 1) {
      let p = at + 4;
      const take = (): number => {
        if (p + 8 > at + 4 + size) return 0xffffffff;
        const value = Number(view.getBigUint64(p, true));
        p += 8;
        return value;
      };
      if (out.size === 0xffffffff) out.size = take();
      if (out.compressedSize === 0xffffffff) out.compressedSize = take();
      if (out.localOffset === 0xffffffff) out.localOffset = take();
    }
    at += 4 + size;
  }
  return out;
}

function checkName(name: string, fail: (problem: string) => Error): void {
  const tricky = name === '' || /^[\\/]/.test(name) || /^[a-zA-Z]:/.test(name) || name.includes('\\') || name.includes('\0') || name.split('/').some((part) => part === '..');
  if (tricky) throw fail(`has an entry named '${name}' that points outside the archive; refusing to read it`);
}

let table: Int32Array | undefined;

/** CRC-32 (IEEE), as zip stores it. */
export function crc32(bytes: Uint8Array): number {
  if (!table) {
    table = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c;
    }
  }
  let crc = -1;
  for (let i = 0; i < bytes.length; i++) crc = table[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}
