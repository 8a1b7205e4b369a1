import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { leastSquaresAttack } from '../../../../src/core/attacks/leastSquares';
import { mergeAttack } from '../../../../src/core/attacks/merge';
import { Rng } from '../../../../src/core/rng';
import { chooseTripwireFeatures, protectNetwork } from '../../../../src/core/constructions';
import { compareOutputs } from '../../../../src/core/equivalence';
import { forward } from '../../../../src/core/forward';
import { measureFragility } from '../../../../src/core/fragility';
import { DEFAULT_OPTIONS } from '../../../../src/core/options';
import { createCompute } from '../../../../src/engine/compute';
import { nodeFileReader } from '../../../../src/engine/nodeFileReader';
import { parseNpy } from '../../../../src/formats/data/npy';
import { tfjsLayersFormat } from '../../../../src/formats/tfjs/tfjsLayersFormat';
import { randomInputs, randomNetwork } from '../../helpers/randomNetwork';

const EXAMPLE = join(__dirname, '../../../../examples/mnist-mlp');

describe('merge attack (canonicalise, merge parallel neurons, drop dead outgoing)', () => {
  it('recovers the original architecture from a split, rescaled, permuted copy, with the same outputs', () => {
    const original = randomNetwork([12, 16, 8, 4], ['relu', 'relu', 'softmax'], 3);
    const { network } = protectNetwork(original, { seed: 2, amplitude: 2 ** 8, copies: 3, rescaleExponent: 8, twins: 0, permute: true });
    assert.deepEqual(network.layers.map((l) => l.units).slice(0, 2), [16 * 3, 8 * 3]);
    const merged = mergeAttack(network);
    assert.deepEqual(merged.layers.map((l) => l.units), [16, 8, 4]);
    const x = randomInputs(100, 12, 9);
    const c = compareOutputs(forward(original, x, 100, { precision: 'float64', logits: true }), forward(merged, x, 100, { precision: 'float64', logits: true }), 100, 4);
    assert.equal(c.top1Agreement, 1);
    assert.ok(c.relDiff < 1e-5, String(c.relDiff));
  });

  it('leaves the caller’s network alone and skips layers whose activation cannot be rescaled', () => {
    const net = randomNetwork([6, 5, 3], ['tanh', 'softmax'], 4);
    const before = net.layers.map((l) => l.weights.slice());
    const merged = mergeAttack(net);
    assert.deepEqual(merged.layers.map((l) => l.units), [5, 3]);
    net.layers.forEach((l, i) => assert.deepEqual(l.weights, before[i]));
  });

  it('on the example’s protected copy (defaults, certified tripwires): same accuracy, and robust to weight noise again', async () => {
    const original = (await tfjsLayersFormat.load(join(EXAMPLE, 'model.json'), nodeFileReader)).network;
    const rows = 500;
    const x = Float32Array.from(parseNpy(new Uint8Array(readFileSync(join(EXAMPLE, 'eval-x.npy'))), 'x').values.subarray(0, rows * 784));
    const labels = Int32Array.from(parseNpy(new Uint8Array(readFileSync(join(EXAMPLE, 'eval-y.npy'))), 'y').values.subarray(0, rows));
    // As the protect job builds it: the tripwires watch the most often nonzero inputs.
    const features = chooseTripwireFeatures(x, rows, 784, DEFAULT_OPTIONS.tripwires);
    const { network } = protectNetwork(original, { ...DEFAULT_OPTIONS, amplitude: 2 ** 4.5, permute: true, features });
    assert.deepEqual(network.layers.map((l) => l.units), [448, 224, 10]);
    const started = performance.now();
    const merged = mergeAttack(network);
    const seconds = (performance.now() - started) / 1000;
    // 128 + 32 tripwire relays, 64 + 32 tripwires: the splitting is gone, the tripwires stay but are defused.
    assert.deepEqual(merged.layers.map((l) => l.units), [160, 96, 10]);
    const { compute } = await createCompute('onnxruntime', { threads: 1 });
    try {
      const [kind] = await measureFragility(original, merged, { x, rows, labels }, { kinds: ['multiplicative'], repeats: 3, seed: 1, compute });
      const at = kind!.magnitudes.indexOf(1e-3);
      assert.equal(kind!.protected.clean, kind!.original.clean);
      assert.ok(kind!.protected.mean[at]! >= kind!.original.clean - 0.01, `accuracy under 0.1 % noise after merging: ${kind!.protected.mean[at]}`);
      assert.ok(kind!.fragilityFactor! < 10, `fragility factor left: ${kind!.fragilityFactor}`);
      assert.ok(seconds < 5, `${seconds} s`);
      // The data-driven repair: refit every later layer on the attacker's inputs (the other 1,000 rows).
      const attackerRows = 1000;
      const attackerX = Float32Array.from(parseNpy(new Uint8Array(readFileSync(join(EXAMPLE, 'eval-x.npy'))), 'x').values.subarray(1000 * 784, 2000 * 784));
      const refit = await leastSquaresAttack.run(network, { compute, x: attackerX, rows: attackerRows, labels: new Int32Array(attackerRows), original, score: async () => 0, rng: new Rng(1) });
      const [afterRefit] = await measureFragility(original, refit, { x, rows, labels }, { kinds: ['multiplicative'], repeats: 3, seed: 1, compute });
      assert.ok(afterRefit!.protected.clean >= afterRefit!.original.clean - 0.01, `refit accuracy ${afterRefit!.protected.clean}`);
      assert.ok(afterRefit!.protected.mean[at]! >= afterRefit!.protected.clean - 0.01, `refit under 0.1 % noise: ${afterRefit!.protected.mean[at]}`);
    } finally {
      await compute.dispose();
    }
  });
});
