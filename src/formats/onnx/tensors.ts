import { ModelFormatError } from '../../core/errors';
import { DATA_TYPE_NAMES, DataType, type DataParts, type OnnxTensor } from './onnxModel';
import { ONNX_FORMAT_ID } from './wire';

/**
 * Tensor values out of a decoded TensorProto. The element count comes from the declared dims and
 * is checked against the bytes the tensor actually holds BEFORE anything is allocated: a hostile
 * file can declare dims of 2^62 in a few bytes, and must get an error, not an allocation.
 */

/** Largest element count MimosaNet decodes (2^31 − 1, the largest typed array on every platform). */
const MAX_ELEMENTS = 2 ** 31 - 1;

/** Floating-point precisions of the models MimosaNet reads. */
export type Precision = 'float32' | 'float64';

/** Name of a data type for messages ("float16", "type 42"). */
export function dataTypeName(dataType: number): string {
  return DATA_TYPE_NAMES[dataType] ?? `type ${dataType}`;
}

/** The precision of a float tensor's data type, or undefined for any other type. */
export function precisionOf(dataType: number): Precision | undefined {
  return dataType === DataType.FLOAT ? 'float32' : dataType === DataType.DOUBLE ? 'float64' : undefined;
}

/**
 * Number of elements the dims declare; throws when a dim is negative or not an integer, or when
 * the product exceeds `MAX_ELEMENTS` (checked as it is formed, so it never overflows).
 */
export function elementCount(tensor: OnnxTensor, file: string): number {
  let count = 1;
  for (const dim of tensor.dims) {
    if (!Number.isSafeInteger(dim) || dim < 0) fail(file, tensor, `has an invalid dimension ${dim} in [${tensor.dims.join(', ')}]`);
    count *= dim;
    if (count > MAX_ELEMENTS) fail(file, tensor, `declares dims [${tensor.dims.join(', ')}], more than ${MAX_ELEMENTS} values`);
  }
  return count;
}

/** Values of a float32 or float64 tensor, in its own precision; throws when its data does not match its dims. */
export function floatValues(tensor: OnnxTensor, file: string): Float32Array | Float64Array {
  const precision = precisionOf(tensor.dataType);
  if (!precision) fail(file, tensor, `holds ${dataTypeName(tensor.dataType)} values, not float32 or float64`);
  if (tensor.external) fail(file, tensor, 'keeps its values in an external data file, which MimosaNet does not read');
  const count = elementCount(tensor, file);
  const width = precision === 'float32' ? 4 : 8;
  const parts = precision === 'float32' ? tensor.floatData : tensor.doubleData;
  const field = precision === 'float32' ? 'float_data' : 'double_data';
  if (tensor.rawData !== undefined && tensor.rawData.length > 0) {
    if (tensor.rawData.length !== count * width) {
      fail(file, tensor, `has ${tensor.rawData.length} bytes of raw_data, but dims [${tensor.dims.join(', ')}] of ${dataTypeName(tensor.dataType)} need ${count * width}`);
    }
    return readLittleEndian(tensor.rawData, count, precision);
  }
  const stored = partCount(parts, width, file, tensor, field);
  if (stored !== count) fail(file, tensor, `has ${stored} values in ${field}, but dims [${tensor.dims.join(', ')}] need ${count}`);
  const out = precision === 'float32' ? new Float32Array(count) : new Float64Array(count);
  let at = 0;
  for (const run of parts.packed) {
    out.set(readLittleEndian(run, run.length / width, precision), at);
    at += run.length / width;
  }
  out.set(parts.values, at);
  return out;
}

/** Values stored in a repeated fixed-width field (packed runs must be whole values). */
function partCount(parts: DataParts, width: number, file: string, tensor: OnnxTensor, field: string): number {
  let count = parts.values.length;
  for (const run of parts.packed) {
    if (run.length % width !== 0) fail(file, tensor, `has a packed ${field} run of ${run.length} bytes, not a multiple of ${width}`);
    count += run.length / width;
  }
  return count;
}

/** Copies `count` little-endian values out of `bytes` (which may sit at any alignment). */
function readLittleEndian(bytes: Uint8Array, count: number, precision: Precision): Float32Array | Float64Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (precision === 'float32') {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
    return out;
  }
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, true);
  return out;
}

function fail(file: string, tensor: OnnxTensor, problem: string): never {
  throw new ModelFormatError(file, ONNX_FORMAT_ID, `tensor '${tensor.name}' ${problem}`);
}
