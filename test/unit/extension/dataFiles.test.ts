import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDataFile, labelStems, suggestEvaluationData } from '../../../src/extension/discovery/dataFiles';

const dir = '/w/mnist-mlp';
const at = (...names: string[]): string[] => names.map((n) => `${dir}/${n}`);
const names = (list: ReturnType<typeof suggestEvaluationData>) => list.map((s) => [s.dataPath.slice(dir.length + 1), s.labelsPath?.slice(dir.length + 1)]);

describe('evaluation data next to a model', () => {
  it('pairs eval-x / eval-y and never offers the model or its weights', () => {
    const found = suggestEvaluationData(at('model.json', 'weights.bin', 'eval-x.npy', 'eval-y.npy'), new Set(at('model.json')));
    assert.deepEqual(names(found), [['eval-x.npy', 'eval-y.npy']]);
  });

  const pairs: [string, string][] = [
    ['x_test.npy', 'y_test.npy'],
    ['X.npy', 'y.npy'],
    ['x.csv', 'y.csv'],
    ['inputs.json', 'labels.json'],
    ['test-inputs.npy', 'test-labels.npy'],
    ['trainX.npy', 'trainY.npy'],
    ['features.csv', 'targets.csv'],
  ];
  for (const [data, labels] of pairs) {
    it(`pairs ${data} with ${labels}`, () => {
      assert.deepEqual(names(suggestEvaluationData(at(labels, data), new Set())), [[data, labels]]);
    });
  }

  it('prefers a labels file of the same format', () => {
    assert.deepEqual(names(suggestEvaluationData(at('x.npy', 'y.csv', 'y.npy'), new Set())), [['x.npy', 'y.npy']]);
  });

  it('offers unpaired inputs alone, leaves out lone labels, report.json and package.json', () => {
    const found = suggestEvaluationData(at('archive.npz', 'y.npy', 'report.json', 'package.json', 'README.md', 'extra.csv'), new Set());
    assert.deepEqual(names(found), [['archive.npz', undefined], ['extra.csv', undefined]]);
  });

  it('lists pairs before singles and eval/test/val sets first', () => {
    const found = suggestEvaluationData(at('train-x.npy', 'train-y.npy', 'val-x.npy', 'val-y.npy', 'extra.npy'), new Set());
    assert.deepEqual(names(found), [
      ['val-x.npy', 'val-y.npy'],
      ['train-x.npy', 'train-y.npy'],
      ['extra.npy', undefined],
    ]);
  });

  it('recognises data extensions case-insensitively', () => {
    assert.equal(isDataFile('/a/X.NPY'), true);
    assert.equal(isDataFile('/a/model.bin'), false);
  });

  it('keeps separators when swapping input and label words', () => {
    assert.ok(labelStems('eval_x').includes('eval_y'));
    assert.ok(labelStems('X_train').includes('y_train'));
    assert.ok(labelStems('mnist.inputs').includes('mnist.labels'));
  });
});
