import { ModelFormatError } from '../../core/errors';
import { TFJS_FORMAT_ID } from './modelJson';
import type { WeightEntry, WeightsGroup } from './topology';

/** A float32 tensor as a manifest stores it (shape as in the file: Dense kernels are [inputs, units]). */
export interface NamedTensor {
  /** Manifest name, e.g. "dense_1/kernel". */
  name: string;
  /** Shape as stored. */
  shape: number[];
  /** Values in row-major order of `shape`. */
  values: Float32Array;
}

const ELEMENT_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };

/** Bytes one stored element of `entry` takes (its quantised type when quantised); undefined for strings. */
export function elementBytes(entry: WeightEntry): number | undefined {
  return ELEMENT_BYTES[entry.quantization?.dtype ?? entry.dtype];
}

/** Number of elements of a shape. */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** True when a manifest entry holds plain float32 values (not quantised, not another dtype). */
export function isPlainFloat32(entry: WeightEntry): boolean {
  return entry.dtype === 'float32' && entry.quantization === undefined;
}

/**
 * Decodes the tensors of manifest groups. `shards[g]` holds the bytes of group g's files in the
 * order of its `paths`; they are concatenated and the group's tensors read back to back,
 * little-endian, as tfjs lays them out. Inverse of `encodeWeights`:
 * `decodeWeights([{paths: [name], weights: specs}], [[bytes]], file)` returns the encoded tensors.
 * Throws ModelFormatError (naming `file` and the shard) when sizes disagree, a tensor is not
 * float32, or a value is NaN or infinite.
 */
export function decodeWeights(groups: WeightsGroup[], shards: Uint8Array[][], file: string): NamedTensor[] {
  const tensors: NamedTensor[] = [];
  groups.forEach((group, g) => {
    const parts = shards[g] ?? [];
    const data = concatBytes(parts);
    let expected = 0;
    for (const entry of group.weights) {
      const size = elementBytes(entry);
      if (size === undefined) throw new ModelFormatError(file, TFJS_FORMAT_ID, `weight '${entry.name}' has dtype ${entry.dtype}, which cannot be read`);
      expected += size * elementCount(entry.shape);
    }
    if (expected !== data.length) {
      const names = group.paths.map((p, i) => `${basename(p)}${parts.length > 1 ? ` (${formatBytes(parts[i]?.length ?? 0)})` : ''}`);
      const verb = group.paths.length === 1 ? 'has' : 'have';
      throw new ModelFormatError(
        file,
        TFJS_FORMAT_ID,
        `weights manifest expects ${formatBytes(expected)} bytes but ${names.join(' + ')} ${verb} ${formatBytes(data.length)}`,
      );
    }
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    let offset = 0;
    for (const entry of group.weights) {
      const count = elementCount(entry.shape);
      if (!isPlainFloat32(entry)) {
        const stored = entry.quantization ? `${entry.quantization.dtype} (quantised)` : entry.dtype;
        throw new ModelFormatError(file, TFJS_FORMAT_ID, `weight '${entry.name}' is stored as ${stored}; only float32 weights can be read`);
      }
      const values = new Float32Array(count);
      for (let i = 0; i < count; i++) {
        const v = view.getFloat32(offset + 4 * i, true);
        if (!Number.isFinite(v)) {
          const shard = shardAt(group.paths, parts, offset + 4 * i);
          throw new ModelFormatError(file, TFJS_FORMAT_ID, `weight '${entry.name}' in ${shard} has a non-finite value (${v}) at index ${i}`);
        }
        values[i] = v;
      }
      tensors.push({ name: entry.name, shape: entry.shape.slice(), values });
      offset += 4 * count;
    }
  });
  return tensors;
}

/**
 * Encodes float32 tensors as one little-endian byte buffer and their manifest entries, in the
 * given order. Inverse of `decodeWeights`.
 */
export function encodeWeights(tensors: NamedTensor[]): { specs: WeightEntry[]; bytes: Uint8Array } {
  const total = tensors.reduce((sum, t) => sum + t.values.length, 0);
  const bytes = new Uint8Array(4 * total);
  const view = new DataView(bytes.buffer);
  let offset = 0;
  const specs: WeightEntry[] = tensors.map((t) => {
    if (t.values.length !== elementCount(t.shape)) {
      throw new RangeError(`tensor '${t.name}' has ${t.values.length} values for shape [${t.shape.join(', ')}]`);
    }
    for (let i = 0; i < t.values.length; i++) view.setFloat32(offset + 4 * i, t.values[i]!, true);
    offset += 4 * t.values.length;
    return { name: t.name, shape: t.shape.slice(), dtype: 'float32' };
  });
  return { specs, bytes };
}

/** Concatenates byte arrays (shards of one group). */
export function concatBytes(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** "406,528": byte counts as people read them in messages. */
export function formatBytes(n: number): string {
  return n.toLocaleString('en-US');
}

function shardAt(paths: string[], parts: Uint8Array[], offset: number): string {
  let end = 0;
  for (let i = 0; i < parts.length; i++) {
    end += parts[i]!.length;
    if (offset < end) return basename(paths[i] ?? `shard ${i + 1}`);
  }
  return basename(paths[paths.length - 1] ?? 'the weights');
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
