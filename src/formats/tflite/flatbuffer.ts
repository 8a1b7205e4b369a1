import { ModelFormatError } from '../../core/errors';

/**
 * A bounds-checked reader of FlatBuffer tables, just enough to walk a TFLite model's schema
 * (tables, vectors of tables, scalars, strings). Every offset is checked against the buffer
 * before it is followed, and vectors against their byte length, so a hostile file ends in a
 * ModelFormatError naming it instead of a read past the end or a huge allocation.
 */
export class FlatTable {
  private constructor(
    private readonly bytes: Uint8Array,
    private readonly view: DataView,
    private readonly at: number,
    private readonly vtable: number,
    private readonly vtableSize: number,
    private readonly file: string,
  ) {}

  /** The root table of a FlatBuffer. */
  static root(bytes: Uint8Array, file: string): FlatTable {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return FlatTable.at(bytes, view, u32(view, 0, file), file);
  }

  private static at(bytes: Uint8Array, view: DataView, at: number, file: string): FlatTable {
    const vtable = at - i32(view, at, file);
    const vtableSize = u16(view, vtable, file);
    if (vtableSize < 4 || vtable + vtableSize > bytes.length) fail(file, `vtable at byte ${vtable} is out of bounds`);
    return new FlatTable(bytes, view, at, vtable, vtableSize, file);
  }

  /** Absolute position of field `index`, or undefined when the table leaves it out. */
  private field(index: number): number | undefined {
    const slot = 4 + 2 * index;
    if (slot + 2 > this.vtableSize) return undefined;
    const offset = u16(this.view, this.vtable + slot, this.file);
    return offset === 0 ? undefined : this.at + offset;
  }

  /** An unsigned byte field. */
  uint8(index: number, fallback = 0): number {
    const p = this.field(index);
    if (p === undefined) return fallback;
    if (p >= this.bytes.length) fail(this.file, `field at byte ${p} is out of bounds`);
    return this.bytes[p]!;
  }

  /** A 32-bit signed field. */
  int32(index: number, fallback = 0): number {
    const p = this.field(index);
    return p === undefined ? fallback : i32(this.view, p, this.file);
  }

  /** A string field. */
  string(index: number): string | undefined {
    const p = this.field(index);
    if (p === undefined) return undefined;
    const start = p + u32(this.view, p, this.file);
    const length = u32(this.view, start, this.file);
    if (start + 4 + length > this.bytes.length) fail(this.file, `string at byte ${start} runs past the end`);
    return new TextDecoder('utf-8', { fatal: false }).decode(this.bytes.subarray(start + 4, start + 4 + length));
  }

  /** A vector of tables. */
  tables(index: number): FlatTable[] {
    const { start, length } = this.vector(index, 4);
    return Array.from({ length }, (_, i) => {
      const p = start + 4 * i;
      return FlatTable.at(this.bytes, this.view, p + u32(this.view, p, this.file), this.file);
    });
  }

  /** A vector of 32-bit signed scalars. */
  int32s(index: number): number[] {
    const { start, length } = this.vector(index, 4);
    return Array.from({ length }, (_, i) => i32(this.view, start + 4 * i, this.file));
  }

  private vector(index: number, elementBytes: number): { start: number; length: number } {
    const p = this.field(index);
    if (p === undefined) return { start: 0, length: 0 };
    const at = p + u32(this.view, p, this.file);
    const length = u32(this.view, at, this.file);
    // Checked before anything is allocated: a declared length must fit in the file.
    if (at + 4 + length * elementBytes > this.bytes.length) fail(this.file, `vector at byte ${at} declares ${length} elements, more than the file holds`);
    return { start: at + 4, length };
  }
}

function u32(view: DataView, at: number, file: string): number {
  if (at < 0 || at + 4 > view.byteLength) fail(file, `offset ${at} is out of bounds`);
  return view.getUint32(at, true);
}

function i32(view: DataView, at: number, file: string): number {
  if (at < 0 || at + 4 > view.byteLength) fail(file, `offset ${at} is out of bounds`);
  return view.getInt32(at, true);
}

function u16(view: DataView, at: number, file: string): number {
  if (at < 0 || at + 2 > view.byteLength) fail(file, `offset ${at} is out of bounds`);
  return view.getUint16(at, true);
}

function fail(file: string, problem: string): never {
  throw new ModelFormatError(file, 'tflite', `corrupt TensorFlow Lite file: ${problem}`);
}
