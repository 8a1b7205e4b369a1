import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ModelFormatError } from '../../../../src/core/errors';
import type { WeightEntry } from '../../../../src/formats/tfjs/topology';
import { firstMissing, matchWeights, weightOwner } from '../../../../src/formats/tfjs/weightNames';
import { decodeWeights, encodeWeights, type NamedTensor } from '../../../../src/formats/tfjs/weights';

const tensors: NamedTensor[] = [
  { name: 'dense_1/kernel', shape: [2, 3], values: Float32Array.of(1, -2, 3.5, 1e-30, -0, 7e20) },
  { name: 'dense_1/bias', shape: [3], values: Float32Array.of(0.1, 0.2, 0.3) },
  { name: 'scalar', shape: [], values: Float32Array.of(42) },
];

describe('tfjs weight codecs', () => {
  it('decodeWeights inverts encodeWeights, bit for bit', () => {
    const { specs, bytes } = encodeWeights(tensors);
    assert.equal(bytes.length, 4 * 10);
    const decoded = decodeWeights([{ paths: ['w.bin'], weights: specs }], [[bytes]], 'model.json');
    assert.deepEqual(decoded, tensors);
    assert.ok(Object.is(decoded[0]!.values[4], -0));
  });

  it('concatenates the shards of a group, whatever the split, and reads groups in order', () => {
    const { specs, bytes } = encodeWeights(tensors);
    const split = [bytes.subarray(0, 7), bytes.subarray(7, 30), bytes.subarray(30)];
    const decoded = decodeWeights([{ paths: ['a.bin', 'b.bin', 'c.bin'], weights: specs }], [split], 'model.json');
    assert.deepEqual(decoded, tensors);
    const first = encodeWeights(tensors.slice(0, 1));
    const rest = encodeWeights(tensors.slice(1));
    const groups = [{ paths: ['g1.bin'], weights: first.specs }, { paths: ['g2.bin'], weights: rest.specs }];
    assert.deepEqual(decodeWeights(groups, [[first.bytes], [rest.bytes]], 'model.json'), tensors);
  });

  it('names the file and the sizes when a shard is too short or too long', () => {
    const specs: WeightEntry[] = [{ name: 'dense/kernel', shape: [784, 128], dtype: 'float32' }, { name: 'dense/bias', shape: [128], dtype: 'float32' }];
    assert.throws(
      () => decodeWeights([{ paths: ['group1-shard1of1.bin'], weights: specs }], [[new Uint8Array(1024)]], '/m/model.json'),
      (error: unknown) => {
        assert.ok(error instanceof ModelFormatError);
        assert.equal(error.file, '/m/model.json');
        assert.equal(error.message, '/m/model.json: weights manifest expects 401,920 bytes but group1-shard1of1.bin has 1,024');
        return true;
      },
    );
    assert.throws(
      () => decodeWeights([{ paths: ['s1.bin', 's2.bin'], weights: specs }], [[new Uint8Array(1000), new Uint8Array(24)]], 'model.json'),
      /expects 401,920 bytes but s1\.bin \(1,000\) \+ s2\.bin \(24\) have 1,024/,
    );
  });

  it('refuses NaN and infinite weights, naming the tensor and its shard', () => {
    const { specs, bytes } = encodeWeights([{ name: 'a', shape: [2], values: Float32Array.of(1, 2) }, { name: 'b', shape: [2], values: Float32Array.of(3, Infinity) }]);
    assert.throws(() => decodeWeights([{ paths: ['x.bin', 'y.bin'], weights: specs }], [[bytes.subarray(0, 8), bytes.subarray(8)]], 'model.json'), /weight 'b' in y\.bin has a non-finite value \(Infinity\) at index 1/);
  });

  it('refuses to decode non-float32 tensors', () => {
    const specs: WeightEntry[] = [{ name: 'q', shape: [4], dtype: 'float32', quantization: { dtype: 'uint8', scale: 1, min: 0 } }];
    assert.throws(() => decodeWeights([{ paths: ['q.bin'], weights: specs }], [[new Uint8Array(4)]], 'model.json'), /'q' is stored as uint8 \(quantised\)/);
  });
});

describe('tfjs weight names', () => {
  const entry = (name: string, shape: number[] = [1]): WeightEntry => ({ name, shape, dtype: 'float32' });
  const requests = [
    { layer: 'dense_3', params: ['kernel', 'bias'] },
    { layer: 'dense_4', params: ['kernel'] },
  ];

  it('matches Keras 2, Keras 3 (model prefix), tfjs and TF ":0" names', () => {
    assert.deepEqual(matchWeights(requests, [entry('dense_3/kernel'), entry('dense_3/bias'), entry('dense_4/kernel')]), { indices: [[0, 1], [2]], by: 'name' });
    assert.deepEqual(
      matchWeights(requests, [entry('sequential_1/dense_3/kernel'), entry('sequential_1/dense_3/bias'), entry('sequential_1/dense_4/kernel')]),
      { indices: [[0, 1], [2]], by: 'prefix' },
    );
    assert.deepEqual(matchWeights(requests, [entry('dense_4/kernel:0'), entry('dense_3/bias:0'), entry('dense_3/kernel:0')]), { indices: [[2, 1], [0]], by: 'name' });
    assert.deepEqual(matchWeights([{ layer: 'dense_Dense1', params: ['kernel'] }], [entry('dense_Dense1/kernel')])?.by, 'name');
  });

  it('does not confuse layers whose names end alike', () => {
    const match = matchWeights([{ layer: 'dense_1', params: ['kernel'] }, { layer: 'my_dense_1', params: ['kernel'] }], [entry('my_dense_1/kernel'), entry('dense_1/kernel')]);
    assert.deepEqual(match, { indices: [[1], [0]], by: 'name' });
    assert.equal(weightOwner('model/my_dense_1/kernel', ['dense_1', 'my_dense_1']), 'my_dense_1');
  });

  it('reads numbered parameters (saved-model style names)', () => {
    assert.deepEqual(matchWeights(requests, [entry('dense_3/0'), entry('dense_3/1'), entry('dense_4/0')]), { indices: [[0, 1], [2]], by: 'name' });
  });

  it('falls back to manifest order when names do not name the layers, ignoring optimizer tensors', () => {
    const entries = [entry('W1'), { ...entry('adam/m'), group: 'optimizer' }, entry('b1'), entry('W2')];
    assert.deepEqual(matchWeights(requests, entries), { indices: [[0, 2], [3]], by: 'order' });
    assert.equal(matchWeights(requests, entries.slice(0, 2)), undefined);
    assert.equal(firstMissing(requests, entries), 'dense_3/kernel');
  });
});
