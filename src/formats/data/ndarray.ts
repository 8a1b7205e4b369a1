/**
 * The one in-memory shape every evaluation-data reader produces, whatever the file format:
 * a C-order (row-major) array of numbers with its shape. Readers stay format-specific; the
 * dataset builder works on this alone.
 */

/**
 * Values of an array. float32 data stays a Float32Array (halves the memory of large inputs and
 * is what the model consumes anyway); every other dtype is widened to Float64Array, which holds
 * all int32/uint32 values and float64 values exactly.
 */
export type NumericArray = Float32Array | Float64Array;

/** An n-dimensional numeric array in C order. */
export interface NdArray {
  /** Dimensions, outermost first; `[]` for a scalar. */
  shape: number[];
  /** Element type as the file declared it, e.g. "<f4", ">i8", "|b1", "csv", "json". */
  dtype: string;
  /** `product(shape)` values in C order. */
  values: NumericArray;
}

/** Number of elements of an array of the given shape (1 for a scalar). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Shape formatted like NumPy prints it, e.g. "(2000, 784)", for error messages users recognise. */
export function formatShape(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}
