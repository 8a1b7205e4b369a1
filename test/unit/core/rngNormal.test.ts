import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../../../src/core/rng';

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 erf, |error| < 1.5e-7). */
function phi(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const erf = 1 - t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

describe('Rng.fillNormal (ziggurat)', () => {
  const n = 2_000_000;
  const values = new Float64Array(n);
  new Rng(42).fillNormal(values);

  it('has the moments of a standard normal', () => {
    let sum = 0;
    let sq = 0;
    let fourth = 0;
    for (const v of values) {
      sum += v;
      sq += v * v;
      fourth += v ** 4;
    }
    const mean = sum / n;
    const variance = sq / n - mean * mean;
    // Standard errors at n = 2e6: mean 7e-4, variance 1e-3, fourth moment 7e-3.
    assert.ok(Math.abs(mean) < 4e-3, `mean ${mean}`);
    assert.ok(Math.abs(variance - 1) < 6e-3, `variance ${variance}`);
    assert.ok(Math.abs(fourth / n - 3) < 4e-2, `fourth moment ${fourth / n}`);
  });

  it('matches the normal CDF at every point, tails included (Kolmogorov–Smirnov)', () => {
    const sorted = Float64Array.from(values).sort();
    let d = 0;
    for (let i = 0; i < n; i += 97) d = Math.max(d, Math.abs(phi(sorted[i]!) - i / n), Math.abs(phi(sorted[i]!) - (i + 1) / n));
    // The 1 % critical value of the KS statistic is 1.63/√n ≈ 1.2e-3.
    assert.ok(d < 1.2e-3, `KS distance ${d}`);
    const beyond = (c: number) => values.reduce((k, v) => k + (Math.abs(v) > c ? 1 : 0), 0) / n;
    // Beyond the ziggurat's base (3.44): expected 5.8e-4; beyond 4: 6.3e-5.
    assert.ok(Math.abs(beyond(3.442619855899) - 5.76e-4) < 1e-4, String(beyond(3.442619855899)));
    assert.ok(Math.abs(beyond(4) - 6.33e-5) < 3e-5, String(beyond(4)));
  });

  it('is seeded: the same seed gives the same draws, another seed others', () => {
    const a = new Float32Array(1000);
    const b = new Float32Array(1000);
    new Rng(7).fillNormal(a);
    new Rng(7).fillNormal(b);
    assert.deepEqual(a, b);
    new Rng(8).fillNormal(b);
    assert.notDeepEqual(a, b);
  });
});
