/**
 * s50: the magnitude where a metric falls halfway from its clean value to chance (DESIGN §4),
 * interpolated linearly in log(magnitude) between the two grid points that bracket the
 * threshold (linearly in magnitude when the grid contains zero or negative values).
 * Returns null when the curve never falls that far on the grid.
 */
export function s50(magnitudes: readonly number[], metric: readonly number[], clean: number, chance: number): number | null {
  const threshold = (clean + chance) / 2;
  if (clean <= threshold) return null;
  for (let i = 0; i < magnitudes.length; i++) {
    if (metric[i]! > threshold) continue;
    if (i === 0) return magnitudes[0]!;
    const [s0, s1] = [magnitudes[i - 1]!, magnitudes[i]!];
    const [m0, m1] = [metric[i - 1]!, metric[i]!];
    const t = m0 === m1 ? 0 : (m0 - threshold) / (m0 - m1);
    if (s0 > 0 && s1 > 0) return Math.exp(Math.log(s0) + t * (Math.log(s1) - Math.log(s0)));
    return s0 + t * (s1 - s0);
  }
  return null;
}

/** Log-spaced grid from `from` to `to` with `perDecade` points per factor of ten (both ends included). */
export function logGrid(from: number, to: number, perDecade: number): number[] {
  const steps = Math.round(Math.log10(to / from) * perDecade);
  return Array.from({ length: steps + 1 }, (_, i) => Number((from * 10 ** (i / perDecade)).toPrecision(6)));
}

/**
 * Fragility factor s50(original)/s50(protected). When the original never reaches s50 on the
 * grid, the grid's largest magnitude stands in and the result is a lower bound; so is it when
 * the protected curve is already below halfway at the grid's smallest magnitude.
 */
export function fragilityFactor(
  s50Original: number | null,
  s50Protected: number | null,
  largestMagnitude: number,
  protectedBelowGrid = false,
): { value: number | null; bound: 'exact' | 'lower' } {
  if (s50Protected === null || s50Protected <= 0) return { value: null, bound: 'exact' };
  if (s50Original === null) return { value: largestMagnitude / s50Protected, bound: 'lower' };
  return { value: s50Original / s50Protected, bound: protectedBelowGrid ? 'lower' : 'exact' };
}
