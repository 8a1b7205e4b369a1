/**
 * Geometry of the charts that does not need chart.js or a DOM: where marker labels go and how far
 * an axis reaches past the grid. Pure: unit-tested with node:test.
 */

/** Gap between two marker labels, in px. */
const LABEL_GAP = 6;

/**
 * Left edges of the marker labels in one row: each centred over its line, pushed apart when two
 * would overlap, and kept within [left, right] (the plot's left edge, so no label runs into the
 * y axis's tick labels, and the canvas's right edge). `xs` are the lines' pixels, `widths` the labels'.
 */
export function placeLabels(xs: readonly number[], widths: readonly number[], bounds: { left: number; right: number }): number[] {
  const order = xs.map((_, i) => i).sort((a, b) => xs[a]! - xs[b]!);
  const left = xs.map((x, i) => x - widths[i]! / 2);
  // Left to right: no label starts before the previous one ends, or before the left bound.
  let end = bounds.left - LABEL_GAP;
  for (const i of order) {
    left[i] = Math.max(left[i]!, end + LABEL_GAP);
    end = left[i]! + widths[i]!;
  }
  // Right to left: no label ends past the next one's start, or past the right bound.
  let start = bounds.right + LABEL_GAP;
  for (const i of [...order].reverse()) {
    left[i] = Math.min(left[i]!, start - LABEL_GAP - widths[i]!);
    start = left[i]!;
  }
  // A row too narrow for every label keeps them within the left bound at least (overlapping).
  return left.map((l) => Math.max(bounds.left, l));
}

/** The x range of a curve: the grid, widened by 3 % of its span on each side (in log space on a log axis). */
export function xRange(magnitudes: readonly number[], log: boolean): { min: number; max: number } {
  const lo = Math.min(...magnitudes);
  const hi = Math.max(...magnitudes);
  if (log) {
    const pad = 0.03 * Math.log10(hi / lo);
    return { min: lo / 10 ** pad, max: hi * 10 ** pad };
  }
  const pad = 0.03 * (hi - lo || 1);
  return { min: lo - pad, max: hi + pad };
}
