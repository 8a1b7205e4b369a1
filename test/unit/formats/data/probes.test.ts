import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../../src/core/rng';
import { generateProbes } from '../../../../src/formats/data/probes';

test('probes: half standard normal, half uniform [0,1), seeded and described', () => {
  const inputs = 50;
  const rows = 401;
  const a = generateProbes(inputs, rows, new Rng(7));
  const b = generateProbes(inputs, rows, new Rng(7));
  assert.deepEqual(a.x, b.x);
  assert.equal(a.x.length, rows * inputs);
  assert.equal(a.rows, rows);
  assert.equal(a.cols, inputs);
  assert.equal(a.labels, null);
  assert.equal(a.source, 'probes');
  assert.match(a.description, /401 generated probe inputs.*201 .*standard normal.*200 .*uniform entries in \[0, 1\)/);

  const normal = a.x.subarray(0, 201 * inputs);
  const uniform = a.x.subarray(201 * inputs);
  const mean = (v: Float32Array) => v.reduce((s, x) => s + x, 0) / v.length;
  const std = (v: Float32Array) => Math.sqrt(mean(v.map((x) => x * x)) - mean(v) ** 2);
  // 10,050 draws each: the standard error of the mean is about 0.01.
  assert.ok(Math.abs(mean(normal)) < 0.05, `normal mean ${mean(normal)}`);
  assert.ok(Math.abs(std(normal) - 1) < 0.05, `normal std ${std(normal)}`);
  assert.ok(normal.some((x) => x < 0));
  assert.ok(uniform.every((x) => x >= 0 && x < 1));
  assert.ok(Math.abs(mean(uniform) - 0.5) < 0.02, `uniform mean ${mean(uniform)}`);
  assert.notDeepEqual(generateProbes(inputs, rows, new Rng(8)).x, a.x);
  assert.throws(() => generateProbes(0, 3, new Rng(1)), RangeError);
});
