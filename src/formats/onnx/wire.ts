import { ModelFormatError } from '../../core/errors';

/**
 * A bounds-checked reader of the protobuf wire format, for ONNX files we have not seen before.
 * It never trusts a declared length: every length-delimited field is checked against the bytes
 * left before anything is sliced, views are returned instead of copies, and every problem is a
 * ModelFormatError naming the file. Only the fields the ONNX schema (onnxModel.ts) asks for are
 * descended into, so a hostile file cannot drive recursion deeper than that schema.
 */

/** Format id used in errors and reports. */
export const ONNX_FORMAT_ID = 'onnx';

/** Protobuf wire types (group start/end are proto2 relics that ONNX never uses). */
export const enum WireType {
  Varint = 0,
  Fixed64 = 1,
  Bytes = 2,
  StartGroup = 3,
  EndGroup = 4,
  Fixed32 = 5,
}

const TWO_32 = 2 ** 32;

/** Reads one message (a byte range) field by field. */
export class WireReader {
  private pos: number;
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    /** The file, for error messages. */
    readonly file: string,
    /** What is being read ("graph", "tensor 'W'"), for error messages. */
    readonly context: string,
    start = 0,
    private readonly end = bytes.length,
  ) {
    this.pos = start;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** True while fields are left. */
  more(): boolean {
    return this.pos < this.end;
  }

  /** Throws a ModelFormatError about this message. */
  fail(problem: string): never {
    throw new ModelFormatError(this.file, ONNX_FORMAT_ID, `is not a valid ONNX model: ${this.context}: ${problem}`);
  }

  /** The next field's number and wire type. */
  key(): { field: number; wire: number } {
    const at = this.pos;
    const key = this.uint64();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (field === 0 || field >= 2 ** 29) this.fail(`field number ${field} at byte ${at}`);
    if (wire === WireType.StartGroup || wire === WireType.EndGroup || wire > WireType.Fixed32) this.fail(`unsupported wire type ${wire} at byte ${at}`);
    return { field, wire };
  }

  /** An unsigned varint as a number (exact up to 2^53; larger values lose low bits, never wrap). */
  uint64(): number {
    const { low, high } = this.varint();
    return low + high * TWO_32;
  }

  /** A signed int64/int32 varint (two's complement) as a number. */
  int64(): number {
    const { low, high } = this.varint();
    // Negative values carry their sign in bit 63; computed from the halves so -1 stays exact.
    return high >= 2 ** 31 ? (high - TWO_32) * TWO_32 + low : low + high * TWO_32;
  }

  /** The low and high 32 bits of a varint of at most 10 bytes. */
  private varint(): { low: number; high: number } {
    let low = 0;
    let high = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail('a number runs past the end of its message (truncated file?)');
      const byte = this.bytes[this.pos++]!;
      if (i < 4) low += (byte & 0x7f) * 2 ** (7 * i);
      else if (i === 4) {
        low += (byte & 0x0f) * 2 ** 28;
        high += (byte & 0x70) >> 4;
      } else high += (byte & 0x7f) * 2 ** (7 * (i - 5) + 3);
      if ((byte & 0x80) === 0) return { low, high: high % TWO_32 };
    }
    return this.fail('a number is longer than 10 bytes');
  }

  /** A varint that must fit an int32 (enums, data types). */
  int32(): number {
    const value = this.int64();
    if (value < -(2 ** 31) || value >= 2 ** 31) this.fail(`value ${value} does not fit a 32-bit field`);
    return value;
  }

  /** A little-endian float32 (fixed32 field). */
  float(): number {
    this.need(4);
    const value = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return value;
  }

  /** A little-endian float64 (fixed64 field). */
  double(): number {
    this.need(8);
    const value = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return value;
  }

  /** The bounds [start, end) of a length-delimited field, checked against the message's end. */
  span(): { start: number; end: number } {
    const length = this.uint64();
    if (length > this.end - this.pos) this.fail(`a field declares ${length} bytes but only ${this.end - this.pos} are left (truncated or corrupt file)`);
    const start = this.pos;
    this.pos += length;
    return { start, end: this.pos };
  }

  /** A length-delimited field as a view into the file (no copy). */
  bytesField(): Uint8Array {
    const { start, end } = this.span();
    return this.bytes.subarray(start, end);
  }

  /** A UTF-8 string field. */
  string(): string {
    return DECODER.decode(this.bytesField());
  }

  /** A reader of the embedded message in the next length-delimited field. */
  message(context: string): WireReader {
    const { start, end } = this.span();
    return new WireReader(this.bytes, this.file, `${this.context} › ${context}`, start, end);
  }

  /** Skips a field of this wire type (unknown fields are allowed: newer ONNX versions add some). */
  skip(wire: number): void {
    switch (wire) {
      case WireType.Varint:
        this.uint64();
        return;
      case WireType.Fixed64:
        this.need(8);
        this.pos += 8;
        return;
      case WireType.Bytes:
        this.span();
        return;
      case WireType.Fixed32:
        this.need(4);
        this.pos += 4;
        return;
      default:
        this.fail(`unsupported wire type ${wire}`);
    }
  }

  /**
   * Appends a repeated varint field to `into`, packed (one length-delimited run) or not (one
   * value per field), as proto2 writers and proto3 writers respectively emit them.
   */
  repeatedInt64(wire: number, into: number[]): void {
    if (wire === WireType.Varint) {
      into.push(this.int64());
      return;
    }
    this.expect(wire, WireType.Bytes);
    const { start, end } = this.span();
    const inner = new WireReader(this.bytes, this.file, this.context, start, end);
    while (inner.more()) into.push(inner.int64());
  }

  /** Checks a field's wire type. */
  expect(wire: number, expected: WireType): void {
    if (wire !== expected) this.fail(`a field has wire type ${wire} where ${expected} belongs`);
  }

  private need(bytes: number): void {
    if (this.end - this.pos < bytes) this.fail('a value runs past the end of its message (truncated file?)');
  }
}

const DECODER = new TextDecoder('utf-8');
