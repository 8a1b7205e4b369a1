import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UNNAMED, readJson } from '../../../../src/formats/data/json';
import { throwsData } from './helpers';

test('a bare array of rows is one unnamed array', () => {
  const bundle = readJson('[[1, 2], [3, 4.5]]', 'a.json');
  assert.deepEqual(bundle.names, [UNNAMED]);
  const a = bundle.get(UNNAMED);
  assert.deepEqual(a.shape, [2, 2]);
  assert.deepEqual(Array.from(a.values), [1, 2, 3, 4.5]);
});

test('objects expose their array members; nested images keep their shape', () => {
  const bundle = readJson('{"x": [[[0, 1], [2, 3]]], "y": [7], "name": "demo"}', 'b.json');
  assert.deepEqual(bundle.names, ['x', 'y']);
  assert.deepEqual(bundle.get('x').shape, [1, 2, 2]);
  assert.deepEqual(Array.from(bundle.get('y').values), [7]);
  assert.deepEqual(readJson('{"inputs": [[1]], "labels": [[0, 1]]}', 'c.json').get('labels').shape, [1, 2]);
  assert.deepEqual(readJson('[]', 'd.json').get(UNNAMED).shape, [0]);
});

test('errors name the file and the element path', () => {
  throwsData(() => readJson('  ', 'e.json'), 'e.json', /is empty/);
  throwsData(() => readJson('[1, 2', 'f.json'), 'f.json', /not valid JSON/);
  throwsData(() => readJson('42', 'g.json'), 'g.json', /must hold an array/);
  throwsData(() => readJson('{"a": 1}', 'h.json'), 'h.json', /no array members/);
  throwsData(() => readJson('[[1, 2], [3]]', 'i.json').get(UNNAMED), 'i.json', /array\[1\] has 1 items, but array\[0\] has 2/);
  throwsData(() => readJson('{"x": [[1, null]]}', 'j.json').get('x'), 'j.json', /x\[0\]\[1\] is null/);
  throwsData(() => readJson('{"x": [[1, "2"]]}', 'k.json').get('x'), 'k.json', /x\[0\]\[1\] is "2", not a number/);
  throwsData(() => readJson('{"x": [[1, 2], 3]}', 'l.json').get('x'), 'l.json', /x\[1\] is 3, expected an array of 2 items/);
  throwsData(() => readJson('{"x": [[1, [2]]]}', 'm.json').get('x'), 'm.json', /x\[0\]\[1\] is a nested array/);
});
