/**
 * Amplitude calibration: M is a fidelity budget (DESIGN §3). Float32 cancellation of terms of
 * size M leaves rounding error ~M·2⁻²⁴, so the largest M whose equivalence check still passes
 * is searched: doubling from 1 until the check fails, bisection of the exponent, then one
 * half-octave refinement. The check is supplied by the caller so it can run the real runtime.
 */

/** Outcome of one equivalence check at a candidate amplitude. */
export interface AmplitudeTrial {
  /** Candidate M. */
  amplitude: number;
  /** Whether the equivalence check passed. */
  passed: boolean;
  /** relDiff measured. */
  relDiff: number;
}

/** Result of the search. */
export interface AmplitudeSearch {
  /** Largest passing amplitude, or null when even the smallest tried failed. */
  amplitude: number | null;
  /** Every trial, in order. */
  trials: AmplitudeTrial[];
}

/** Searches the largest passing amplitude in [2^minExponent, 2^maxExponent]. */
export async function searchAmplitude(
  check: (amplitude: number) => Promise<{ passed: boolean; relDiff: number }>,
  { minExponent = 0, maxExponent = 40 }: { minExponent?: number; maxExponent?: number } = {},
): Promise<AmplitudeSearch> {
  const trials: AmplitudeTrial[] = [];
  const cache = new Map<number, boolean>();
  const passes = async (exponent: number): Promise<boolean> => {
    const known = cache.get(exponent);
    if (known !== undefined) return known;
    const amplitude = 2 ** exponent;
    const result = await check(amplitude);
    trials.push({ amplitude, passed: result.passed, relDiff: result.relDiff });
    cache.set(exponent, result.passed);
    return result.passed;
  };
  if (!(await passes(minExponent))) return { amplitude: null, trials };
  // Exponential search for the first failing exponent.
  let lo = minExponent;
  let step = 1;
  let hi: number | null = null;
  while (hi === null) {
    const candidate = Math.min(lo + step, maxExponent);
    if (await passes(candidate)) {
      lo = candidate;
      if (candidate === maxExponent) return { amplitude: 2 ** lo, trials };
      step *= 2;
    } else {
      hi = candidate;
    }
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (await passes(mid)) lo = mid;
    else hi = mid;
  }
  return { amplitude: 2 ** ((await passes(lo + 0.5)) ? lo + 0.5 : lo), trials };
}
