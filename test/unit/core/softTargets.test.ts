import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fineTune, softTargets } from '../../../src/core/fineTune';
import { argmaxRows, forward } from '../../../src/core/forward';
import type { DenseNetwork } from '../../../src/core/network';
import { Rng } from '../../../src/core/rng';
import { randomInputs, randomNetwork } from '../helpers/randomNetwork';

describe('soft targets (distillation on a teacher’s probabilities)', () => {
  it('are softmax(z / T) per row, and a single sigmoid output gives two classes', () => {
    const logits = Float32Array.from([2, 0, -1, 0, 0, 0]);
    const t1 = softTargets(logits, 2, 3, 1);
    const e = [Math.exp(2), 1, Math.exp(-1)];
    const sum = e[0]! + e[1]! + e[2]!;
    e.forEach((v, c) => assert.ok(Math.abs(t1.probabilities[c]! - v / sum) < 1e-6));
    for (let c = 3; c < 6; c++) assert.ok(Math.abs(t1.probabilities[c]! - 1 / 3) < 1e-6);
    const t3 = softTargets(logits, 2, 3, 3);
    assert.ok(t3.probabilities[0]! < t1.probabilities[0]!, 'a higher temperature softens the top class');
    const sigmoid = softTargets(Float32Array.from([Math.log(3)]), 1, 1, 1);
    assert.equal(sigmoid.classes, 2);
    assert.ok(Math.abs(sigmoid.probabilities[1]! - 0.75) < 1e-6 && Math.abs(sigmoid.probabilities[0]! - 0.25) < 1e-6);
  });

  it('one-hot targets train exactly as the integer labels do (same batches, same steps)', async () => {
    const rows = 64;
    const x = randomInputs(rows, 5, 3);
    const labels = Int32Array.from({ length: rows }, (_, r) => r % 3);
    const oneHot = new Float32Array(rows * 3);
    labels.forEach((c, r) => (oneHot[r * 3 + c] = 1));
    const net = randomNetwork([5, 8, 3], ['relu', 'softmax'], 4);
    const train = async (targets: Int32Array | { probabilities: Float32Array; classes: number }): Promise<DenseNetwork> => {
      let out: DenseNetwork | undefined;
      await fineTune(net, x, targets, rows, { optimizer: 'adam', learningRate: 1e-2, batchSize: 16, checkpoints: [40], rng: new Rng(9), onCheckpoint: (_s, n) => (out = n) });
      return out!;
    };
    const hard = await train(labels);
    const soft = await train({ probabilities: oneHot, classes: 3 });
    hard.layers.forEach((layer, l) => assert.deepEqual(soft.layers[l]!.weights, layer.weights));
  });

  it('draw labels in proportion to the probabilities', async () => {
    // One row whose target is 70 % class 0 and 30 % class 1: record the labels the trainer sees.
    const seen: number[] = [];
    const net = randomNetwork([2, 2], ['softmax'], 1);
    const recording = {
      trainer: async () => ({
        step: async (_x: Float32Array, y: Int32Array, n: number, count = 1) => void seen.push(...y.subarray(0, n * count)),
        snapshot: async () => net,
        dispose: () => undefined,
      }),
    } as unknown as NonNullable<Parameters<typeof fineTune>[4]['compute']>;
    await fineTune(net, Float32Array.from([0, 0]), { probabilities: Float32Array.from([0.7, 0.3]), classes: 2 }, 1, {
      optimizer: 'sgd',
      learningRate: 0,
      batchSize: 1,
      checkpoints: [4000],
      rng: new Rng(2),
      onCheckpoint: () => undefined,
      compute: recording,
    });
    const share = seen.filter((c) => c === 0).length / seen.length;
    assert.equal(seen.length, 4000);
    assert.ok(Math.abs(share - 0.7) < 0.03, `class 0 drawn ${share}`);
  });

  it('a student distilled on soft targets learns the teacher', async () => {
    const rows = 400;
    const x = randomInputs(rows, 6, 5);
    const teacher = randomNetwork([6, 12, 3], ['relu', 'softmax'], 8);
    // A confident teacher, as trained classifiers are: random weights give near-uniform outputs.
    teacher.layers[1]!.weights.forEach((w, i, all) => (all[i] = 4 * w));
    const logits = forward(teacher, x, rows, { logits: true });
    const answers = argmaxRows(logits, rows, 3);
    let student: DenseNetwork | undefined;
    await fineTune(randomNetwork([6, 12, 3], ['relu', 'softmax'], 99), x, softTargets(logits, rows, 3, 2), rows, {
      optimizer: 'adam', learningRate: 1e-2, batchSize: 32, checkpoints: [2000], rng: new Rng(3), onCheckpoint: (_s, n) => (student = n),
    });
    const got = argmaxRows(forward(student!, x, rows), rows, 3);
    const agreement = answers.filter((a, r) => a === got[r]).length / rows;
    assert.ok(agreement > 0.85, `student agrees with the teacher on ${agreement}`);
  });
});
