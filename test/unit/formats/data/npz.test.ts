import { test } from 'node:test';
import assert from 'node:assert/strict';
import { zipSync } from 'fflate';
import { pickEmbeddedLabelsName, pickInputsName, pickLabelsFileName } from '../../../../src/formats/data/bundle';
import { encodeNpy } from '../../../../src/formats/data/npy';
import { looksLikeZip, readNpz } from '../../../../src/formats/data/npz';
import { throwsData } from './helpers';

const x = encodeNpy([2, 3], new Float32Array([0, 0.25, 0.5, 0.75, 1, 1.25]));
const y = encodeNpy([2], new Int32Array([1, 0]));

test('reads stored and deflated members', () => {
  for (const level of [0, 9] as const) {
    const bytes = zipSync({ 'x.npy': x, 'y.npy': y }, { level });
    assert.equal(looksLikeZip(bytes), true);
    const bundle = readNpz(bytes, 'a.npz');
    assert.deepEqual(bundle.names, ['x', 'y']);
    assert.deepEqual(bundle.get('x').shape, [2, 3]);
    assert.deepEqual(Array.from(bundle.get('x').values), [0, 0.25, 0.5, 0.75, 1, 1.25]);
    assert.deepEqual(Array.from(bundle.get('y').values), [1, 0]);
  }
});

test('ignores non-.npy entries and reports missing members', () => {
  const bundle = readNpz(zipSync({ 'README.txt': new Uint8Array([65]), 'data.npy': x }), 'b.npz');
  assert.deepEqual(bundle.names, ['data']);
  throwsData(() => bundle.get('nope'), 'b.npz', /no array named 'nope'/);
});

test('member errors name the archive and the member', () => {
  const bundle = readNpz(zipSync({ 'x.npy': x.subarray(0, x.length - 4) }), 'c.npz');
  throwsData(() => bundle.get('x'), 'c.npz[x]', /truncated/);
});

test('non-zip, corrupt and empty archives are DataErrors', () => {
  throwsData(() => readNpz(new Uint8Array(0), 'e.npz'), 'e.npz', /is empty/);
  throwsData(() => readNpz(new TextEncoder().encode('hello'), 'f.npz'), 'f.npz', /not a zip/);
  const zip = zipSync({ 'x.npy': x });
  throwsData(() => readNpz(zip.subarray(0, 60), 'g.npz'), 'g.npz', /not a readable .npz/);
  throwsData(() => readNpz(zipSync({ 'a.txt': new Uint8Array(1) }), 'h.npz'), 'h.npz', /no .npy arrays/);
});

test('member choice: conventional names, first member, explicit names', () => {
  assert.equal(pickInputsName(['y', 'x'], 'f'), 'x');
  assert.equal(pickInputsName(['labels', 'inputs'], 'f'), 'inputs');
  assert.equal(pickInputsName(['targets', 'pixels'], 'f'), 'pixels');
  assert.equal(pickInputsName(['x_train', 'x_test', 'y_test'], 'f'), 'x_test');
  assert.equal(pickInputsName(['a', 'b'], 'f', 'b'), 'b');
  throwsData(() => pickInputsName(['a'], 'f.npz', 'b'), 'f.npz', /no array named 'b' \(arrays: 'a'\)/);
  throwsData(() => pickInputsName(['y'], 'f.npz'), 'f.npz', /no input array/);
  assert.equal(pickEmbeddedLabelsName(['x', 'labels'], 'f'), 'labels');
  assert.equal(pickEmbeddedLabelsName(['x', 'z'], 'f'), undefined);
  assert.equal(pickLabelsFileName(['classes'], 'f'), 'classes');
  throwsData(() => pickLabelsFileName(['a', 'b'], 'l.npz'), 'l.npz', /no labels array/);
});
