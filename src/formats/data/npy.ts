/**
 * NumPy .npy arrays (format versions 1.0, 2.0 and 3.0, as specified in numpy/lib/format.py):
 * a 6-byte magic, a version, a little-endian header length, a Python-literal header dict
 * (`descr`, `fortran_order`, `shape`) and the raw values. `parseNpy` and `encodeNpy` are each
 * other's inverse for the dtypes `encodeNpy` writes.
 *
 * Only plain numeric dtypes are read. Object arrays (`|O`) are stored as a pickle; they are
 * refused outright, never unpickled, because unpickling runs code chosen by the file's author.
 */

import { DataError } from '../../core/errors';
import { type NdArray, type NumericArray, formatShape, sizeOf } from './ndarray';
import { parsePyLiteral } from './pyLiteral';

/** First six bytes of every .npy file: 0x93 then "NUMPY". */
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

/** numpy pads the header so the data starts on this boundary (numpy.lib.format.ARRAY_ALIGN). */
const ALIGN = 64;

const hostIsLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** True when `bytes` starts with the .npy magic (a cheap content sniff). */
export function looksLikeNpy(bytes: Uint8Array): boolean {
  return bytes.length >= MAGIC.length && MAGIC.every((b, i) => bytes[i] === b);
}

/** A decoded `descr`: how to turn bytes into numbers. */
interface ScalarType {
  kind: 'f' | 'i' | 'u' | 'b';
  size: number;
  littleEndian: boolean;
}

/** Why a dtype kind is refused, phrased for the user. */
const REFUSED_KINDS: Record<string, string> = {
  O: 'holds Python objects, which numpy stores as a pickle; MimosaNet never unpickles data (it can run arbitrary code). Save a numeric array instead, e.g. x.astype("float32")',
  c: 'is complex-valued',
  U: 'holds text',
  S: 'holds bytes/text',
  a: 'holds bytes/text',
  V: 'is a structured or void array',
  M: 'holds dates',
  m: 'holds time deltas',
};

const SUPPORTED = 'float16/32/64, int8/16/32/64, uint8/16/32/64 or bool';

function parseDescr(descr: string, file: string): ScalarType {
  const m = /^([<>|=]?)([a-zA-Z])(\d*)$/.exec(descr);
  const order = m?.[1] ?? '';
  const kind = m?.[2] ?? '';
  const size = Number(m?.[3] || '0');
  const refused = REFUSED_KINDS[kind];
  if (refused) throw new DataError(file, `unsupported dtype '${descr}': the array ${refused}`);
  const known =
    (kind === 'f' && (size === 2 || size === 4 || size === 8)) ||
    ((kind === 'i' || kind === 'u') && (size === 1 || size === 2 || size === 4 || size === 8)) ||
    (kind === 'b' && size === 1);
  if (!m || !known) throw new DataError(file, `unsupported dtype '${descr}' (supported: ${SUPPORTED})`);
  // '|' means "byte order not applicable", which numpy only writes for one-byte types.
  if (order === '|' && size !== 1) throw new DataError(file, `dtype '${descr}' has no byte order`);
  // '=' is native order; numpy itself always writes '<' or '>', and every JS host we run on is little-endian.
  const littleEndian = order === '>' ? false : order === '=' ? hostIsLittleEndian : true;
  return { kind: kind as ScalarType['kind'], size, littleEndian };
}

/** IEEE 754 half precision to number (no DataView.getFloat16 in Node 20). */
function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

function decodeValues(data: Uint8Array, type: ScalarType, count: number): NumericArray {
  if (type.kind === 'f' && type.size === 4 && type.littleEndian === hostIsLittleEndian) {
    // slice() copies into a fresh, aligned buffer, so the view is valid whatever the header length.
    return new Float32Array(data.slice(0, count * 4).buffer);
  }
  const view = new DataView(data.buffer, data.byteOffset, count * type.size);
  const le = type.littleEndian;
  if (type.kind === 'f' && type.size === 4) {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, le);
    return out;
  }
  const out = new Float64Array(count);
  const read = reader(view, type);
  for (let i = 0; i < count; i++) out[i] = read(i * type.size, le);
  return out;
}

function reader(view: DataView, type: ScalarType): (offset: number, le: boolean) => number {
  const key = `${type.kind}${type.size}`;
  switch (key) {
    case 'f2':
      return (o, le) => halfToNumber(view.getUint16(o, le));
    case 'f8':
      return (o, le) => view.getFloat64(o, le);
    case 'i1':
      return (o) => view.getInt8(o);
    case 'i2':
      return (o, le) => view.getInt16(o, le);
    case 'i4':
      return (o, le) => view.getInt32(o, le);
    // 64-bit integers above 2^53 lose precision as numbers; class ids and pixel values never get there.
    case 'i8':
      return (o, le) => Number(view.getBigInt64(o, le));
    case 'u1':
    case 'b1':
      return (o) => view.getUint8(o);
    case 'u2':
      return (o, le) => view.getUint16(o, le);
    case 'u4':
      return (o, le) => view.getUint32(o, le);
    case 'u8':
      return (o, le) => Number(view.getBigUint64(o, le));
    default:
      throw new Error(`npy: no reader for ${key}`);
  }
}

/** Reorders column-major (Fortran) values of `shape` into C order. */
function fortranToC(src: NumericArray, shape: readonly number[]): NumericArray {
  const rank = shape.length;
  const n = src.length;
  if (rank < 2) return src;
  const strides: number[] = [];
  let stride = 1;
  for (let d = 0; d < rank; d++) {
    strides.push(stride);
    stride *= shape[d]!;
  }
  const out = src instanceof Float32Array ? new Float32Array(n) : new Float64Array(n);
  const index = new Array<number>(rank).fill(0);
  let offset = 0;
  for (let i = 0; i < n; i++) {
    out[i] = src[offset]!;
    // Odometer over the C-order index, keeping the Fortran offset in step.
    for (let d = rank - 1; d >= 0; d--) {
      index[d]!++;
      offset += strides[d]!;
      if (index[d]! < shape[d]!) break;
      offset -= strides[d]! * shape[d]!;
      index[d] = 0;
    }
  }
  return out;
}

/** The header dict of a .npy file, validated. */
interface NpyHeader {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
  dataOffset: number;
}

function readHeader(bytes: Uint8Array, file: string): NpyHeader {
  if (bytes.length === 0) throw new DataError(file, 'is empty');
  if (!looksLikeNpy(bytes)) throw new DataError(file, 'is not a NumPy .npy file (bad magic bytes)');
  if (bytes.length < 10) throw new DataError(file, 'is truncated inside the .npy preamble');
  const major = bytes[6]!;
  if (major < 1 || major > 3) throw new DataError(file, `has unsupported .npy format version ${major}.${bytes[7]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) throw new DataError(file, 'is truncated inside the .npy preamble');
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = 8 + lengthBytes;
  const dataOffset = headerStart + headerLength;
  if (dataOffset > bytes.length) {
    throw new DataError(file, `is truncated: the .npy header needs ${headerLength} bytes, the file ends before`);
  }
  // Versions 1 and 2 encode the header as latin-1, version 3 as UTF-8.
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, dataOffset));
  let dict: unknown;
  try {
    dict = parsePyLiteral(text.trim());
  } catch (error) {
    throw new DataError(file, `has an unreadable .npy header (${(error as Error).message})`);
  }
  if (typeof dict !== 'object' || dict === null || Array.isArray(dict)) {
    throw new DataError(file, 'has a .npy header that is not a dict');
  }
  const { descr, fortran_order: fortranOrder, shape } = dict as Record<string, unknown>;
  if (Array.isArray(descr)) {
    throw new DataError(file, 'is a structured (record) array; save a plain numeric array instead');
  }
  if (typeof descr !== 'string') throw new DataError(file, "has a .npy header without a 'descr' string");
  if (typeof fortranOrder !== 'boolean') throw new DataError(file, "has a .npy header without 'fortran_order'");
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
    throw new DataError(file, `has an invalid .npy shape ${JSON.stringify(shape)}`);
  }
  return { descr, fortranOrder, shape: shape as number[], dataOffset };
}

/** Parses a whole .npy file; `file` names it in every DataError (bad magic, truncation, dtype). */
export function parseNpy(bytes: Uint8Array, file: string): NdArray {
  const header = readHeader(bytes, file);
  const type = parseDescr(header.descr, file);
  const count = sizeOf(header.shape);
  const needed = count * type.size;
  const available = bytes.length - header.dataOffset;
  if (available < needed) {
    throw new DataError(
      file,
      `is truncated: the header declares ${header.descr} ${formatShape(header.shape)} (${needed} bytes of data) but only ${available} bytes follow`,
    );
  }
  const raw = decodeValues(bytes.subarray(header.dataOffset), type, count);
  const values = header.fortranOrder ? fortranToC(raw, header.shape) : raw;
  return { shape: header.shape, dtype: header.descr, values };
}

/** Arrays `encodeNpy` can write, and the dtype each becomes. */
export type EncodableArray = Float32Array | Float64Array | Int32Array | Uint8Array;

function descrOf(values: EncodableArray): string {
  if (values instanceof Float32Array) return '<f4';
  if (values instanceof Float64Array) return '<f8';
  if (values instanceof Int32Array) return '<i4';
  return '|u1';
}

/**
 * Encodes a C-order array as a .npy file in the layout `numpy.save` uses (version 1.0, or 2.0
 * when the header would not fit, data aligned to 64 bytes); inverse of `parseNpy`.
 */
export function encodeNpy(shape: readonly number[], values: EncodableArray): Uint8Array {
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0) || sizeOf(shape) !== values.length) {
    throw new RangeError(`encodeNpy: shape ${formatShape(shape)} does not match ${values.length} values`);
  }
  const dict = `{'descr': '${descrOf(values)}', 'fortran_order': False, 'shape': ${formatShape(shape)}, }`;
  // Spaces then '\n' so that the data starts on a 64-byte boundary, as numpy pads it.
  const padded = (preamble: number): number => Math.ceil((preamble + dict.length + 1) / ALIGN) * ALIGN;
  const version = padded(10) - 10 <= 0xffff ? 1 : 2;
  const preamble = version === 1 ? 10 : 12;
  const total = padded(preamble);
  const header = dict + ' '.repeat(total - preamble - dict.length - 1) + '\n';
  const out = new Uint8Array(total + values.byteLength);
  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[preamble + i] = header.charCodeAt(i);
  if (hostIsLittleEndian || values instanceof Uint8Array) {
    out.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), total);
  } else {
    const size = values.BYTES_PER_ELEMENT;
    for (let i = 0; i < values.length; i++) {
      const o = total + i * size;
      if (values instanceof Float32Array) view.setFloat32(o, values[i]!, true);
      else if (values instanceof Float64Array) view.setFloat64(o, values[i]!, true);
      else view.setInt32(o, values[i]!, true);
    }
  }
  return out;
}
