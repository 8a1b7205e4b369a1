import { MimosaError, ModelFormatError } from '../../core/errors';
import { findLinkCycle } from './hdf5Guard';

/**
 * HDF5 through `h5wasm` (the HDF5 C library compiled to WebAssembly, the binary embedded in its
 * JavaScript: no download, no file on disk). Files live in h5wasm's in-memory file system only
 * for the length of one synchronous session, so formats stay free of Node file I/O.
 *
 * Hostile files: the C library trusts sizes it reads from the file, so every session runs with a
 * cap on how far the wasm heap may grow (an allocation past it fails inside HDF5, which reports
 * an error instead of zeroing a gigabyte), HDF5's own diagnostics are sent to /dev/null, every
 * value read is first checked against the file's size, and anything the library throws (including
 * a wasm trap on corrupt structure) becomes a ModelFormatError naming the file.
 */

/** The parts of h5wasm this module uses (its types come from the package). */
type H5wasm = typeof import('h5wasm');
type H5File = InstanceType<H5wasm['File']>;

/** Extra wasm heap one session may claim beyond what it holds already, per byte of input (plus a floor). */
const HEAP_PER_FILE_BYTE = 8;
const HEAP_FLOOR = 64 * 1024 * 1024;

/** The slice of the WebAssembly global this module touches (lib has no DOM types here). */
interface WasmGlobal {
  Memory: { prototype: { grow(this: { buffer: ArrayBuffer }, pages: number): number } };
  RuntimeError: new (...args: unknown[]) => Error;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmGlobal }).WebAssembly;

let loaded: Promise<H5wasm> | undefined;
/**
 * Set when HDF5 trapped (a wasm RuntimeError) on a corrupt file in this thread's h5wasm: the trap
 * unwinds no C state (stack pointer, library locks), so later reads here could fail or mislead.
 * They are refused instead, naming the file that caused it. Readers that pass an `Hdf5Host`
 * (the engine's disposable reader thread) never get here: their crashed reader is replaced.
 */
let poisonedBy: string | undefined;
let sessionCount = 0;

/** Loads h5wasm once and points HDF5's error printing (stderr, fd 2) at /dev/null. */
function h5wasm(): Promise<H5wasm> {
  loaded ??= import('h5wasm').then(async (m) => {
    // The namespace, not the default export: FS and Module are live bindings set once ready.
    await m.ready;
    const fs = m.FS as unknown as { getStream(fd: number): unknown; close(stream: unknown): void; open(path: string, flags: string): { fd: number } };
    // HDF5 prints a stack of diagnostics for every error it returns; we report our own message.
    fs.close(fs.getStream(2));
    fs.open('/dev/null', 'w');
    return m;
  });
  return loaded;
}

/** Loads h5wasm ahead of the first file (a reader thread does this before it says it is ready). */
export async function loadHdf5Library(): Promise<void> {
  await h5wasm();
}

/** One object of an HDF5 file as the readers see it. */
export type H5Kind = 'group' | 'dataset' | 'missing' | 'other';

/** A dataset's description, read without reading its values. */
export interface H5DatasetInfo {
  /** Dimensions ([] for a scalar). */
  shape: number[];
  /** "float32", "float64", "float16", "int32", "string", ... */
  dtype: string;
  /** Bytes the values take once read. */
  bytes: number;
}

/** Read access to an open HDF5 file, valid only inside `readHdf5`'s callback. */
export interface H5Reader {
  /** Size of the file in bytes (the bound every declared size is checked against). */
  readonly fileBytes: number;
  /** What is at `path` ("/" is the root). */
  kind(path: string): H5Kind;
  /** Member names of the group at `path`, in HDF5's order (alphabetical unless the file tracks creation order). */
  keys(path: string): string[];
  /** Attribute names of the object at `path`. */
  attrNames(path: string): string[];
  /** An attribute's value: a string, a number, or an array of them; undefined when absent. */
  attr(path: string, name: string): string | number | (string | number)[] | undefined;
  /** Shape and element type of the dataset at `path`. */
  datasetInfo(path: string): H5DatasetInfo;
  /** The float32 values of the dataset at `path` in row-major order (float32 datasets only). */
  readFloat32(path: string): Float32Array;
}

/** Problems readers raise about the content (caught and named with the file by `readHdf5`). */
export class H5ContentError extends Error {}

/** Offsets where HDF5 looks for its superblock: 0, 512, 1024, 2048, ... */
export function hdf5SignatureOffset(bytes: Uint8Array, limit = bytes.length): number | undefined {
  const signature = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
  for (let offset = 0; offset + 8 <= Math.min(limit, bytes.length); offset = offset === 0 ? 512 : offset * 2) {
    if (signature.every((b, i) => bytes[offset + i] === b)) return offset;
  }
  return undefined;
}

/** The H5Reader queries, by name: what an `H5Session` serves (and a reader thread receives). */
export type H5Method = 'kind' | 'keys' | 'attrNames' | 'attr' | 'datasetInfo' | 'readFloat32';

/**
 * One open HDF5 file whose queries answer synchronously, wherever HDF5 runs (this thread or a
 * reader thread the calling thread waits on). Throws H5ContentError for content problems,
 * H5ReaderCrash when the reader died on the file, and any other Error when HDF5 refused it.
 */
export interface H5Session {
  /** Size of the file in bytes. */
  readonly fileBytes: number;
  /** Runs one H5Reader query (`name` is the attribute name of 'attr'). */
  call(method: H5Method, path: string, name?: string): unknown;
  /** Closes the file and frees what it held. */
  close(): void;
}

/**
 * Where HDF5 files are opened (`FileReader.hdf5`). The engine passes a host whose reader runs in
 * a disposable thread, so a trap or an endless loop on a hostile file costs that thread only;
 * without one, h5wasm runs in the calling thread (see `poisonedBy`).
 */
export interface Hdf5Host {
  /** Opens `bytes` (already checked for link cycles) as an HDF5 file. */
  open(bytes: Uint8Array): Promise<H5Session>;
}

/** The reader died on the file (a wasm trap, or no answer in time): `why` completes "cannot be read: ...". */
export class H5ReaderCrash extends Error {
  constructor(readonly why: string) {
    super(why);
  }
}

/** What a trap means for the user: HDF5 followed a corrupt pointer. */
const TRAPPED = 'its HDF5 structure is corrupt (the reader stopped on an invalid offset)';

/**
 * Opens `bytes` as an HDF5 file and runs `read` on it synchronously (h5wasm's file system and
 * heap are shared, so a session never yields), in `host`'s reader or else in this thread. Throws
 * ModelFormatError naming `file` for anything that goes wrong, including H5ContentError raised
 * by `read`.
 */
export async function readHdf5<T>(bytes: Uint8Array, file: string, format: string, read: (h5: H5Reader) => T, host?: Hdf5Host): Promise<T> {
  const base = hdf5SignatureOffset(bytes);
  if (base === undefined) throw new ModelFormatError(file, format, 'has no HDF5 signature; it is not an HDF5 file');
  const cycle = findLinkCycle(bytes, base);
  if (cycle !== undefined) throw new ModelFormatError(file, format, `cannot be read: ${cycle}`);
  if (!host && poisonedBy !== undefined) throw new ModelFormatError(file, format, `cannot be read in this process: the HDF5 reader crashed earlier on the corrupt file ${poisonedBy}; run again in a new process`);
  let session: H5Session | undefined;
  try {
    session = await (host ?? inThisThread).open(bytes);
    return read(sessionReader(session));
  } catch (error) {
    if (!host && error instanceof H5ReaderCrash) poisonedBy = file;
    throw translate(error, file, format);
  } finally {
    try {
      session?.close();
    } catch {
      // A file HDF5 could not read may not close cleanly either; the error above says why.
    }
  }
}

/** h5wasm in the calling thread. */
const inThisThread: Hdf5Host = { open: openInThisThread };

/**
 * Opens `bytes` in this thread's h5wasm (a reader thread serves its sessions with this). Every
 * query runs under the heap cap fixed at open; a trap becomes H5ReaderCrash, after which this
 * thread's h5wasm must not be trusted again.
 */
export async function openInThisThread(bytes: Uint8Array): Promise<H5Session> {
  const m = await h5wasm();
  const path = `/mimosanet-read-${++sessionCount}.h5`;
  const limit = m.Module!.HEAPU8.buffer.byteLength + Math.max(HEAP_FLOOR, HEAP_PER_FILE_BYTE * bytes.length);
  const guarded = <T>(task: () => T): T => {
    try {
      return capped(m, limit, task);
    } catch (error) {
      throw error instanceof wasm.RuntimeError ? new H5ReaderCrash(TRAPPED) : error;
    }
  };
  let h5: H5File | undefined;
  const close = () => {
    try {
      if (h5) guarded(() => h5!.close());
    } finally {
      h5 = undefined;
      try {
        m.FS!.unlink(path);
      } catch {
        // Never created (writeFile failed) or already removed.
      }
    }
  };
  try {
    h5 = guarded(() => {
      m.FS!.writeFile(path, bytes);
      return new m.File(path, 'r');
    });
  } catch (error) {
    close();
    throw error;
  }
  const queries = reader(m, h5, bytes.length);
  return {
    fileBytes: bytes.length,
    call: (method, at, name) => guarded(() => (method === 'attr' ? queries.attr(at, name ?? '') : queries[method](at))),
    close,
  };
}

/** The H5Reader the format's readers use, over a session. */
function sessionReader(session: H5Session): H5Reader {
  return {
    fileBytes: session.fileBytes,
    kind: (path) => session.call('kind', path) as H5Kind,
    keys: (path) => session.call('keys', path) as string[],
    attrNames: (path) => session.call('attrNames', path) as string[],
    attr: (path, name) => session.call('attr', path, name) as ReturnType<H5Reader['attr']>,
    datasetInfo: (path) => session.call('datasetInfo', path) as H5DatasetInfo,
    readFloat32: (path) => session.call('readFloat32', path) as Float32Array,
  };
}

/** Write access while building a file in `writeHdf5`. */
export interface H5Writer {
  /** Creates a group (parents must exist). */
  group(path: string): void;
  /** Sets a string attribute (variable-length UTF-8, as h5py writes str). */
  attrString(path: string, name: string, value: string): void;
  /** Sets a string-array attribute; an empty list is written as Keras writes it (an empty float64 array). */
  attrStrings(path: string, name: string, values: string[]): void;
  /** Creates a float32 dataset. */
  float32(path: string, shape: number[], values: Float32Array): void;
}

/** Builds a new HDF5 file with `build` and returns its bytes. */
export async function writeHdf5(build: (w: H5Writer) => void): Promise<Uint8Array> {
  const m = await h5wasm();
  const path = `/mimosanet-write-${++sessionCount}.h5`;
  const h5 = new m.File(path, 'w');
  try {
    const at = (p: string) => (p === '/' ? h5 : (h5.get(p) as InstanceType<H5wasm['Group']>));
    build({
      group: (p) => void h5.create_group(p),
      attrString: (p, name, value) => at(p).create_attribute(name, value),
      attrStrings: (p, name, values) =>
        values.length === 0 ? at(p).create_attribute(name, new Float64Array(0), [0], '<d') : at(p).create_attribute(name, values, [values.length]),
      float32: (p, shape, values) => void h5.create_dataset({ name: p, data: values, shape, dtype: '<f' }),
    });
    h5.close();
    return m.FS!.readFile(path);
  } finally {
    try {
      m.FS!.unlink(path);
    } catch {
      // Never created.
    }
  }
}

/**
 * Runs `task` with the wasm heap allowed to grow up to `limit` bytes (a budget proportional to the
 * input, fixed when the file was opened).
 * Emscripten grows its heap through WebAssembly.Memory.prototype.grow; refusing there makes the
 * allocation fail inside HDF5 (an error it reports) instead of claiming what a header says.
 * The task is synchronous, so no other code runs while the prototype is patched.
 */
function capped<T>(m: H5wasm, limit: number, task: () => T): T {
  const proto = wasm.Memory.prototype;
  const grow = proto.grow;
  proto.grow = function (this: { buffer: ArrayBuffer }, pages: number): number {
    if (this.buffer === m.Module!.HEAPU8.buffer && this.buffer.byteLength + pages * 65536 > limit) throw new RangeError('MimosaNet HDF5 heap budget exceeded');
    return grow.call(this, pages);
  };
  try {
    return task();
  } finally {
    proto.grow = grow;
  }
}

function reader(m: H5wasm, h5: H5File, fileBytes: number): H5Reader {
  type Node = ReturnType<H5File['get']>;
  const get = (path: string): Node => (path === '/' || path === '' ? h5 : h5.get(path));
  const object = (path: string) => {
    const node = get(path);
    if (node === null || !('attrs' in node)) throw new H5ContentError(`has no object '${path}'`);
    return node;
  };
  const fits = (what: string, bytes: number) => {
    if (!Number.isFinite(bytes) || bytes > fileBytes) throw new H5ContentError(`${what} declares ${bytes} bytes, more than the file's ${fileBytes}`);
  };
  return {
    fileBytes,
    kind: (path) => {
      const node = get(path);
      if (node === null) return 'missing';
      if (node instanceof m.Group) return 'group';
      if (node instanceof m.Dataset) return 'dataset';
      return 'other';
    },
    keys: (path) => {
      const node = get(path);
      if (!(node instanceof m.Group)) throw new H5ContentError(`'${path}' is not a group`);
      return node.keys();
    },
    attrNames: (path) => Object.keys(object(path).attrs),
    attr: (path, name) => {
      const attrs = object(path).attrs;
      if (!Object.prototype.hasOwnProperty.call(attrs, name)) return undefined;
      const attribute = attrs[name]!;
      const meta = attribute.metadata;
      fits(`attribute '${name}' of '${path}'`, meta.total_size * meta.size);
      return plainValue(attribute.json_value, `attribute '${name}' of '${path}'`);
    },
    datasetInfo: (path) => datasetInfo(m, get(path), path, fileBytes),
    readFloat32: (path) => {
      const node = get(path);
      const info = datasetInfo(m, node, path, fileBytes);
      if (info.dtype !== 'float32') throw new H5ContentError(`dataset '${path}' is ${info.dtype}; only float32 can be read`);
      const filtered = (node as InstanceType<H5wasm['Dataset']>).filters.length > 0;
      // Uncompressed values must lie inside the file; compressed ones may expand, within deflate's limit.
      fits(`dataset '${path}'`, filtered ? info.bytes / 1032 : info.bytes);
      const value = (node as InstanceType<H5wasm['Dataset']>).value;
      if (!(value instanceof Float32Array) || value.length !== info.bytes / 4) throw new H5ContentError(`dataset '${path}' did not read as ${info.bytes / 4} float32 values`);
      return value;
    },
  };
}

function datasetInfo(m: H5wasm, node: unknown, path: string, fileBytes: number): H5DatasetInfo {
  if (!(node instanceof m.Dataset)) throw new H5ContentError(`'${path}' is not a dataset`);
  const meta = node.metadata;
  const shape = meta.shape ?? [];
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new H5ContentError(`dataset '${path}' has an invalid shape [${shape.join(', ')}]`);
  const count = shape.reduce((a, b) => a * b, 1);
  const bytes = count * meta.size;
  if (!Number.isSafeInteger(bytes) || bytes > 1032 * Math.max(fileBytes, 1)) throw new H5ContentError(`dataset '${path}' declares shape [${shape.join(', ')}], more than the file can hold`);
  return { shape, dtype: dtypeName(meta), bytes };
}

/** "float32", "int64", "string", ... for an h5wasm type description. */
function dtypeName(meta: { type: number; size: number; signed: boolean; littleEndian: boolean; vlen: boolean }): string {
  switch (meta.type) {
    case 0:
      return `${meta.signed ? 'int' : 'uint'}${meta.size * 8}`;
    case 1:
      return `float${meta.size * 8}${meta.littleEndian ? '' : ' (big-endian)'}`;
    case 3:
      return 'string';
    default:
      return `HDF5 type class ${meta.type}`;
  }
}

/** Attribute values as plain strings and numbers (h5wasm returns bigint for 64-bit integers). */
function plainValue(value: unknown, what: string): string | number | (string | number)[] {
  if (typeof value === 'string' || typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.flat(Infinity).map((v) => plainValue(v, what) as string | number);
  throw new H5ContentError(`${what} has a value of an unexpected type`);
}

function translate(error: unknown, file: string, format: string): Error {
  if (error instanceof MimosaError) return error;
  if (error instanceof H5ContentError) return new ModelFormatError(file, format, error.message);
  if (error instanceof H5ReaderCrash) return new ModelFormatError(file, format, `cannot be read: ${error.why}`);
  // Any other error is HDF5 (or h5wasm) refusing the structure.
  const detail = error instanceof Error ? error.message : String(error);
  return new ModelFormatError(file, format, `is not a readable HDF5 file (${detail.split('\n')[0]})`);
}
