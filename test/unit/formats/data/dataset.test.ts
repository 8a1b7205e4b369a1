import { test } from 'node:test';
import assert from 'node:assert/strict';
import { zipSync } from 'fflate';
import { DataError } from '../../../../src/core/errors';
import { checkLabels, detectDataKind, readDataset, toLabels } from '../../../../src/formats/data/dataset';
import { encodeNpy } from '../../../../src/formats/data/npy';
import { memoryFiles, npyBytes, rejectsData, throwsData } from './helpers';

const ramp = (n: number) => Float32Array.from({ length: n }, (_, i) => i / 8);

test('an .npy pair gives a float32 matrix and int32 labels', async () => {
  const files = memoryFiles({ 'x.npy': encodeNpy([2, 4], ramp(8)), 'y.npy': encodeNpy([2], new Int32Array([3, 1])) });
  const ds = await readDataset('x.npy', 'y.npy', files, 4);
  assert.equal(ds.rows, 2);
  assert.equal(ds.cols, 4);
  assert.ok(ds.x instanceof Float32Array);
  assert.deepEqual(Array.from(ds.x), Array.from(ramp(8)));
  assert.deepEqual(Array.from(ds.labels!), [3, 1]);
  assert.equal(ds.source, 'x.npy');
  assert.equal(ds.labelsSource, 'y.npy');
});

test('without labels the dataset is unlabelled', async () => {
  const ds = await readDataset('x.npy', undefined, memoryFiles({ 'x.npy': encodeNpy([2, 4], ramp(8)) }), 4);
  assert.equal(ds.labels, null);
  assert.equal(ds.labelsSource, undefined);
});

test('float64 inputs become float32; [N,28,28] and [N,28,28,1] images are flattened', async () => {
  const x64 = npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), }", new Uint8Array(new Float64Array([0.1, 2]).buffer));
  const ds = await readDataset('x.npy', undefined, memoryFiles({ 'x.npy': x64 }), 2);
  assert.deepEqual(Array.from(ds.x), [Math.fround(0.1), 2]);
  for (const shape of [[3, 28, 28], [3, 28, 28, 1]]) {
    const images = await readDataset('img.npy', undefined, memoryFiles({ 'img.npy': encodeNpy(shape, ramp(3 * 784)) }), 784);
    assert.equal(images.rows, 3);
    assert.equal(images.cols, 784);
    assert.equal(images.x[784 + 29], (784 + 29) / 8);
    assert.match(images.notes!.join(), /flattened/);
  }
});

test('labels: one-hot rows by arg-max, whole floats, [N,1], bool', async () => {
  const x = encodeNpy([3, 2], ramp(6));
  const cases: [Uint8Array, number[]][] = [
    [encodeNpy([3, 4], new Float32Array([0, 0, 1, 0, 1, 0, 0, 0, 0.1, 0.2, 0.3, 0.4])), [2, 0, 3]],
    [encodeNpy([3], new Float64Array([2, 0, 9])), [2, 0, 9]],
    [encodeNpy([3, 1], new Int32Array([5, 6, 7])), [5, 6, 7]],
    [npyBytes("{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }", new Uint8Array([1, 0, 1])), [1, 0, 1]],
  ];
  for (const [labels, expected] of cases) {
    const ds = await readDataset('x.npy', 'y.npy', memoryFiles({ 'x.npy': x, 'y.npy': labels }), 2);
    assert.deepEqual(Array.from(ds.labels!), expected);
  }
});

test('.npz with x/y members, explicit member names, and a separate labels file winning', async () => {
  const npz = zipSync({ 'x_test.npy': encodeNpy([2, 2], ramp(4)), 'y_test.npy': encodeNpy([2], new Int32Array([1, 0])), 'other.npy': encodeNpy([2, 2], new Float32Array(4)) });
  const files = memoryFiles({ 'd.npz': npz, 'l.json': '[4, 5]' });
  const ds = await readDataset('d.npz', undefined, files, 2);
  assert.deepEqual(Array.from(ds.x), Array.from(ramp(4)));
  assert.deepEqual(Array.from(ds.labels!), [1, 0]);
  assert.equal(ds.labelsSource, 'd.npz[y_test]');
  const named = await readDataset('d.npz', undefined, files, 2, { inputsName: 'other' });
  assert.deepEqual(Array.from(named.x), [0, 0, 0, 0]);
  const same = await readDataset('d.npz', 'd.npz', files, 2);
  assert.deepEqual(Array.from(same.labels!), [1, 0]);
  const separate = await readDataset('d.npz', 'l.json', files, 2);
  assert.deepEqual(Array.from(separate.labels!), [4, 5]);
  assert.match(separate.notes!.join(), /d\.npz\[y_test\] ignored/);
  await rejectsData(readDataset('d.npz', undefined, files, 2, { inputsName: 'x' }), 'd.npz', /no array named 'x'/);
});

test('CSV with a label column, CSV labels file, JSON object and JSON arrays', async () => {
  const files = memoryFiles({
    'd.csv': 'a,b,label\n0.5,1,3\n2,4,1\n',
    'plain.csv': '0.5,1\n2,4\n',
    'labels.csv': 'class\n3\n1\n',
    'onehot.csv': '0,1\n1,0\n',
    'd.json': '{"inputs": [[0.5, 1], [2, 4]], "labels": [3, 1]}',
    'x.json': '[[0.5, 1], [2, 4]]',
    'y.json': '{"y": [[0, 0, 0, 1], [0, 1, 0, 0]]}',
  });
  for (const [data, labels] of [['d.csv', undefined], ['plain.csv', 'labels.csv'], ['d.json', undefined], ['x.json', 'y.json'], ['x.json', 'd.csv']] as const) {
    const ds = await readDataset(data, labels, files, 2);
    assert.deepEqual(Array.from(ds.x), [0.5, 1, 2, 4], data);
    assert.deepEqual(Array.from(ds.labels!), [3, 1], `${data} + ${labels}`);
  }
  assert.deepEqual(Array.from((await readDataset('plain.csv', 'onehot.csv', files, 2)).labels!), [1, 0]);
  assert.equal((await readDataset('plain.csv', undefined, files, 2)).labels, null);
});

test('content beats extension for binary formats; text goes by extension or first character', () => {
  const npy = encodeNpy([1], new Float32Array(1));
  assert.equal(detectDataKind('data.bin', npy), 'npy');
  assert.equal(detectDataKind('renamed.npy', zipSync({ 'x.npy': npy })), 'npz');
  const text = (s: string) => new TextEncoder().encode(s);
  assert.equal(detectDataKind('a.csv', text('[1]')), 'csv');
  assert.equal(detectDataKind('a.TSV', text('1\t2')), 'csv');
  assert.equal(detectDataKind('a.json', text('1,2')), 'json');
  assert.equal(detectDataKind('data', text(' \n{"x": []}')), 'json');
  assert.equal(detectDataKind('data', text('1,2')), 'csv');
  assert.equal(detectDataKind('a.npy', text('1,2')), 'npy');
});

test('problems are DataErrors naming the file and the problem', async () => {
  const files = memoryFiles({
    'x.npy': encodeNpy([3, 783], new Float32Array(3 * 783)),
    'ok.npy': encodeNpy([3, 2], ramp(6)),
    'img.npy': encodeNpy([3, 28, 27], new Float32Array(3 * 756)),
    'flat.npy': encodeNpy([784], new Float32Array(784)),
    'none.npy': encodeNpy([0, 2], new Float32Array(0)),
    'nan.npy': encodeNpy([2, 2], new Float32Array([0, 1, NaN, 3])),
    'big.npy': npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), }", new Uint8Array(new Float64Array([1, 1e39]).buffer)),
    'empty.npy': new Uint8Array(0),
    'garbage.npy': 'not numpy at all',
    'complex.npy': npyBytes("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(8)),
    'two.npy': encodeNpy([2], new Int32Array([0, 1])),
    'half.npy': encodeNpy([3], new Float32Array([0, 1.5, 2])),
    'inf.npy': encodeNpy([3], new Float32Array([0, Infinity, 2])),
    'cube.npy': encodeNpy([3, 1, 1], new Float32Array(3)),
    'nolabels.npz': zipSync({ 'a.npy': encodeNpy([3], new Int32Array(3)), 'b.npy': encodeNpy([3], new Int32Array(3)) }),
    'extra.csv': '1,2,0\n3,4,1\n5,6,1\n',
  });
  const cases: [Promise<unknown>, string, RegExp][] = [
    [readDataset('x.npy', undefined, files, 784), 'x.npy', /^x\.npy: has 783 columns, the model expects 784 inputs$/],
    [readDataset('img.npy', undefined, files, 784), 'img.npy', /has shape \(3, 28, 27\) \(756 values per sample\), the model expects 784 inputs/],
    [readDataset('flat.npy', undefined, files, 784), 'flat.npy', /is 1-D with shape \(784,\)/],
    [readDataset('none.npy', undefined, files, 2), 'none.npy', /has no rows/],
    [readDataset('nan.npy', undefined, files, 2), 'nan.npy', /non-finite value NaN at row 1, column 0/],
    [readDataset('big.npy', undefined, files, 2), 'big.npy', /value 1e\+39 \(too large for float32\) at row 0, column 1/],
    [readDataset('empty.npy', undefined, files, 2), 'empty.npy', /is empty/],
    [readDataset('garbage.npy', undefined, files, 2), 'garbage.npy', /is not a data file: it is text, not a NumPy \.npy file/],
    [readDataset('complex.npy', undefined, files, 2), 'complex.npy', /unsupported dtype '<c8'/],
    [readDataset('missing.npy', undefined, files, 2), 'missing.npy', /cannot be read \(ENOENT/],
    [readDataset('ok.npy', 'missing.npy', files, 2), 'missing.npy', /cannot be read/],
    [readDataset('ok.npy', 'two.npy', files, 2), 'two.npy', /has 2 labels, but ok\.npy has 3 rows/],
    [readDataset('ok.npy', 'half.npy', files, 2), 'half.npy', /label 1\.5 at row 1 is not an integer class id/],
    [readDataset('ok.npy', 'inf.npy', files, 2), 'inf.npy', /non-finite label value Infinity at row 1/],
    [readDataset('ok.npy', 'cube.npy', files, 2), 'cube.npy', /has shape \(3, 1, 1\); labels must be/],
    [readDataset('ok.npy', 'nolabels.npz', files, 2), 'nolabels.npz', /no labels array/],
    [readDataset('extra.csv', undefined, files, 2), 'extra.csv', /has 3 columns, the model expects 2 inputs \(if one column holds the labels, add a header row naming it 'label'\)/],
  ];
  for (const [promise, file, pattern] of cases) await rejectsData(promise, file, pattern);
});

test('toLabels rejects labels too large for int32', () => {
  throwsData(() => toLabels({ shape: [1], dtype: '<i8', values: new Float64Array([2 ** 40]) }, 'big.npy'), 'big.npy', /not an integer class id/);
});

test('checkLabels accepts 0..classes-1 and names the first label out of range', () => {
  checkLabels(new Int32Array([0, 9, 5]), 10, 'y.npy');
  throwsData(() => checkLabels(new Int32Array([0, 10]), 10, 'y.npy'), 'y.npy', /label 10 at row 1 is out of range: the model has 10 classes \(0\.\.9\)/);
  throwsData(() => checkLabels(new Int32Array([-1]), 3, 'y.npy'), 'y.npy', /label -1 at row 0/);
  assert.throws(() => checkLabels(new Int32Array([3]), 3, undefined), (e: unknown) => e instanceof DataError && e.file === undefined);
});
