import { argmaxRows } from './forward';

/** Comparison of two models' outputs on the same inputs (DESIGN §4 "Equivalence"). */
export interface OutputComparison {
  /** Fraction of samples whose arg-max matches. */
  top1Agreement: number;
  /** max |f_p(x) − f_o(x)| over all outputs. */
  maxAbsDiff: number;
  /** Mean |f_p(x) − f_o(x)| over all outputs. */
  meanAbsDiff: number;
  /** maxAbsDiff / max |f_o|. */
  relDiff: number;
  /** Largest |Δ| of each sample. */
  perSampleMaxAbsDiff: Float64Array;
}

/** Compares [rows × width] outputs of the original and the protected model. */
export function compareOutputs(
  original: ArrayLike<number>,
  protectedOutputs: ArrayLike<number>,
  rows: number,
  width: number,
): OutputComparison {
  if (original.length !== rows * width || protectedOutputs.length !== rows * width) {
    throw new RangeError(`compareOutputs: expected ${rows}×${width} values, got ${original.length} and ${protectedOutputs.length}`);
  }
  let maxAbs = 0;
  let sumAbs = 0;
  let maxRef = 0;
  const perSample = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let sampleMax = 0;
    for (let j = 0; j < width; j++) {
      const o = original[r * width + j]!;
      const d = Math.abs(protectedOutputs[r * width + j]! - o);
      // NaN must fail the check, and Math.max propagates it where a comparison would hide it.
      sampleMax = Number.isNaN(d) ? NaN : Math.max(sampleMax, d);
      sumAbs += d;
      maxRef = Math.max(maxRef, Math.abs(o));
    }
    perSample[r] = sampleMax;
    maxAbs = Number.isNaN(sampleMax) ? NaN : Math.max(maxAbs, sampleMax);
  }
  const a = argmaxRows(original, rows, width);
  const b = argmaxRows(protectedOutputs, rows, width);
  let agree = 0;
  for (let r = 0; r < rows; r++) if (a[r] === b[r]) agree++;
  return {
    top1Agreement: rows > 0 ? agree / rows : 1,
    maxAbsDiff: maxAbs,
    meanAbsDiff: rows > 0 ? sumAbs / (rows * width) : 0,
    relDiff: maxRef > 0 ? maxAbs / maxRef : maxAbs,
    perSampleMaxAbsDiff: perSample,
  };
}

/** Pass rule of DESIGN §4: every arg-max agrees and relDiff is within the tolerance. */
export function equivalencePasses(comparison: OutputComparison, tolerance: number): boolean {
  return comparison.top1Agreement === 1 && comparison.relDiff <= tolerance;
}

/** Fraction of rows whose arg-max equals the label. */
export function accuracy(outputs: ArrayLike<number>, rows: number, width: number, labels: Int32Array): number {
  const predicted = argmaxRows(outputs, rows, width);
  let correct = 0;
  for (let r = 0; r < rows; r++) if (predicted[r] === labels[r]) correct++;
  return rows > 0 ? correct / rows : 0;
}
