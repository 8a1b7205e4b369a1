import { test } from 'node:test';
import assert from 'node:assert/strict';
import { zipSync } from 'fflate';
import { DataError, FileAccessError } from '../../../../src/core/errors';
import { readDataset } from '../../../../src/formats/data/dataset';
import { encodeNpy } from '../../../../src/formats/data/npy';
import { sniffDataFile } from '../../../../src/formats/data/sniff';
import type { FileReader } from '../../../../src/formats/format';
import { throwsData } from './helpers';

const text = (s: string) => new TextEncoder().encode(s);
const ACCEPTED = /Accepted data formats: \.npy, \.npz, \.csv .* or \.json/;

test('data files are recognised by content, whatever their name', () => {
  const npy = encodeNpy([1], new Float32Array(1));
  assert.equal(sniffDataFile('x.npy', npy), 'npy');
  assert.equal(sniffDataFile('x.bin', npy), 'npy');
  assert.equal(sniffDataFile('x.npz', zipSync({ 'x.npy': npy })), 'npz');
  assert.equal(sniffDataFile('x.csv', text('a,b,label\n1,2,0\n')), 'csv');
  assert.equal(sniffDataFile('x.txt', text('# numpy.savetxt\n1.0 2.0\n3.0 4.0\n')), 'csv');
  assert.equal(sniffDataFile('x.tsv', text('\uFEFFa\tb\n1\t2\n')), 'csv');
  assert.equal(sniffDataFile('x.json', text('{"x": [[1, 2]], "y": [0]}')), 'json');
  assert.equal(sniffDataFile('data', text('[[1, 2]]')), 'json');
  // A header row alone in a .csv is left to the CSV parser ("has a header row but no data rows").
  assert.equal(sniffDataFile('x.csv', text('a,b\n')), 'csv');
});

test('text that is not rows of numbers is refused with what it is and the accepted formats', () => {
  throwsData(() => sniffDataFile('notes.txt', text('Remember the labels.\n')), 'notes.txt', /is not a data file: it is text, but its only line is not a row of numbers \(it begins 'Remember the labels\.'\)/);
  throwsData(() => sniffDataFile('notes.txt', text('Remember the labels.\n')), 'notes.txt', ACCEPTED);
  throwsData(() => sniffDataFile('notes.md', text('# Notes\n\nSome prose, with commas.\nMore prose.\n')), 'notes.md', /none of its first 2 lines is a row of numbers/);
  throwsData(() => sniffDataFile('table.csv', text('name,city\nAda,London\n')), 'table.csv', /none of its first 2 lines/);
});

test('binary files that are neither .npy nor .npz are refused, with a hint for common ones', () => {
  const binary = new Uint8Array([0x80, 0x04, 0x95, 0, 0, 1, 2, 3]);
  throwsData(() => sniffDataFile('x.pkl', binary), 'x.pkl', /binary, neither \.npy nor \.npz \(looks like a Python pickle; save the array with numpy\.save/);
  throwsData(() => sniffDataFile('weights.bin', binary), 'weights.bin', /model weights/);
  throwsData(() => sniffDataFile('x.dat', binary), 'x.dat', ACCEPTED);
  throwsData(() => sniffDataFile('x.npy', binary), 'x.npy', /no NumPy \.npy header/);
  throwsData(() => sniffDataFile('x.npy', text('1,2\n')), 'x.npy', /it is text, not a NumPy \.npy file/);
  throwsData(() => sniffDataFile('x.csv', new Uint8Array([0xff, 0xfe, 0x31, 0])), 'x.csv', /UTF-16/);
  throwsData(() => sniffDataFile('x.csv', new Uint8Array(0)), 'x.csv', /is empty/);
});

test('a TF.js model.json given as data says so', () => {
  throwsData(() => sniffDataFile('model.json', text('{"modelTopology": {"class_name": "Sequential"}, "weightsManifest": []}')), 'model.json', /TF\.js model file/);
});

test('readDataset refuses a non-data file before parsing it, for inputs and labels alike', async () => {
  const files: FileReader = {
    read: async (path) => (path === 'x.npy' ? encodeNpy([2, 2], new Float32Array(4)) : text('just some notes\n')),
    resolve: (_from, relative) => relative,
  };
  await assert.rejects(readDataset('notes.txt', undefined, files, 2), (e: unknown) => e instanceof DataError && /notes\.txt: is not a data file/.test(e.message));
  await assert.rejects(readDataset('x.npy', 'notes.txt', files, 2), (e: unknown) => e instanceof DataError && /notes\.txt: is not a data file/.test(e.message));
});

test('a reader reporting a missing file or a folder gives a FileAccessError naming the path', async () => {
  const failing = (code: string): FileReader => ({
    read: async () => {
      throw Object.assign(new Error(`${code}: nope`), { code });
    },
    resolve: (_from, relative) => relative,
  });
  for (const [code, problem, message] of [
    ['ENOENT', 'missing', /^no such file: \/d\/x\.npy; give an evaluation data file \(\.npy, \.npz, \.csv or \.json\)$/],
    ['FileNotFound', 'missing', /^no such file: \/d\/x\.npy/],
    ['EISDIR', 'folder', /^\/d\/x\.npy is a folder; give an evaluation data file inside it/],
    ['FileIsADirectory', 'folder', /is a folder/],
  ] as const) {
    await assert.rejects(readDataset('/d/x.npy', undefined, failing(code), 2), (e: unknown) => e instanceof FileAccessError && e.code === 'FILE_ACCESS' && e.problem === problem && message.test(e.message));
  }
  await assert.rejects(readDataset('/d/x.npy', undefined, failing('EACCES'), 2), (e: unknown) => e instanceof DataError && /cannot be read/.test(e.message));
});
