// Real files: tiny arrays written by NumPy itself (test/fixtures/data/make_fixtures.py) and the
// bundled example's evaluation split.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FileReader } from '../../../../src/formats/format';
import { readDataset } from '../../../../src/formats/data/dataset';
import { parseNpy } from '../../../../src/formats/data/npy';
import { readNpz } from '../../../../src/formats/data/npz';
import { rejectsData, throwsData } from './helpers';

const root = join(__dirname, '../../../..');
const fixtures = join(root, 'test/fixtures/data');
const load = (name: string) => new Uint8Array(readFileSync(join(fixtures, name)));
const nodeFiles: FileReader = { read: async (p) => new Uint8Array(readFileSync(p)), resolve: (_from, relative) => relative };
const BASE = [0, 0.25, 0.5, 0.75, 1, 1.25];

test('numpy-written .npy files decode to the expected values', () => {
  const table: [string, number[], number[]][] = [
    ['f8.npy', [2, 3], BASE],
    ['f4-big-endian.npy', [2, 3], BASE],
    ['f8-fortran.npy', [2, 3], BASE],
    ['f2.npy', [2, 3], BASE],
    ['f4-v2.npy', [2, 3], BASE],
    ['f4-v3.npy', [2, 3], BASE],
    ['i8-labels.npy', [3], [2, 0, 1]],
    ['u1-images.npy', [2, 2, 2], [0, 1, 2, 3, 4, 5, 6, 7]],
    ['bool.npy', [3], [1, 0, 1]],
  ];
  for (const [name, shape, values] of table) {
    const array = parseNpy(load(name), name);
    assert.deepEqual(array.shape, shape, name);
    assert.deepEqual(Array.from(array.values), values, name);
  }
});

test('numpy-written refusals: complex and pickled object arrays', () => {
  throwsData(() => parseNpy(load('c8.npy'), 'c8.npy'), 'c8.npy', /unsupported dtype '<c8'/);
  throwsData(() => parseNpy(load('object.npy'), 'object.npy'), 'object.npy', /'\|O'.*never unpickles/);
});

test('numpy savez / savez_compressed archives', async () => {
  assert.deepEqual(readNpz(load('stored.npz'), 'stored.npz').names, ['x', 'y']);
  const stored = await readDataset(join(fixtures, 'stored.npz'), undefined, nodeFiles, 3);
  assert.deepEqual(Array.from(stored.x), BASE);
  assert.deepEqual(Array.from(stored.labels!), [1, 0]);
  const deflated = await readDataset(join(fixtures, 'deflated.npz'), undefined, nodeFiles, 3);
  assert.deepEqual(Array.from(deflated.x), BASE);
  assert.deepEqual(Array.from(deflated.labels!), [2, 1]);
  const keras = await readDataset(join(fixtures, 'keras-style.npz'), undefined, nodeFiles, 3);
  assert.deepEqual(Array.from(keras.x), BASE);
  assert.deepEqual(Array.from(keras.labels!), [0, 1]);
  const images = await readDataset(join(fixtures, 'u1-images.npy'), undefined, nodeFiles, 4);
  assert.deepEqual(images.notes, ['flattened (2, 2, 2) to (2, 4)', 'inputs are uint8 values up to 255, used as is (not rescaled to [0, 1])']);
  await rejectsData(readDataset(join(fixtures, 'f8.npy'), undefined, nodeFiles, 784), join(fixtures, 'f8.npy'), /has 3 columns, the model expects 784 inputs/);
});

test('the bundled example evaluation split: 2000 × 784 float32 pixels in [0, 1], labels 0..9', async () => {
  const dir = join(root, 'examples/mnist-mlp');
  const ds = await readDataset(join(dir, 'eval-x.npy'), join(dir, 'eval-y.npy'), nodeFiles, 784);
  assert.equal(ds.rows, 2000);
  assert.equal(ds.cols, 784);
  assert.ok(ds.x.every((v) => v >= 0 && v <= 1));
  const counts = new Array<number>(10).fill(0);
  for (const label of ds.labels!) counts[label]!++;
  assert.ok(counts.every((c) => c > 100), `class counts ${counts}`);
});
