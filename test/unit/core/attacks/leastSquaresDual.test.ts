import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { refit } from '../../../../src/core/attacks/leastSquares';
import { Rng } from '../../../../src/core/rng';

describe('least-squares refit', () => {
  it('solves the same ridge problem in its dual form when there are fewer rows than inputs', () => {
    const rng = new Rng(4);
    const rows = 12;
    const inputs = 30;
    const units = 5;
    // Sparse, ReLU-like inputs, as a hidden layer gives.
    const h = Float64Array.from({ length: rows * inputs }, () => Math.max(0, rng.normal()));
    const z = Float64Array.from({ length: rows * units }, () => rng.normal());
    const primal = refit(h, z, rows, inputs, units, 'primal');
    const dual = refit(h, z, rows, inputs, units, 'dual');
    const scale = Math.max(...primal.weights.map(Math.abs));
    primal.weights.forEach((w, i) => assert.ok(Math.abs(w - dual.weights[i]!) <= 1e-4 * scale, `weight ${i}: ${w} vs ${dual.weights[i]}`));
    primal.bias.forEach((b, i) => assert.ok(Math.abs(b - dual.bias[i]!) <= 1e-4 * scale, `bias ${i}: ${b} vs ${dual.bias[i]}`));
    // And it fits the targets (more unknowns than rows: an interpolation, up to the tiny ridge).
    for (let r = 0; r < rows; r++) {
      for (let u = 0; u < units; u++) {
        let s = dual.bias[u]!;
        for (let k = 0; k < inputs; k++) s += dual.weights[u * inputs + k]! * h[r * inputs + k]!;
        assert.ok(Math.abs(s - z[r * units + u]!) < 1e-3, `row ${r} unit ${u}: ${s} vs ${z[r * units + u]}`);
      }
    }
  });
});
