import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { searchAmplitude } from '../../../src/core/amplitude';
import { accuracy, compareOutputs, equivalencePasses } from '../../../src/core/equivalence';
import { forward } from '../../../src/core/forward';
import { measureFragility } from '../../../src/core/fragility';
import { protectNetwork } from '../../../src/core/constructions';
import { float16RoundTrip, roundToFloat16 } from '../../../src/core/perturbations/float16';
import { int8Quantise } from '../../../src/core/perturbations/int8';
import { magnitudePrune } from '../../../src/core/perturbations/prune';
import { additiveNoise } from '../../../src/core/perturbations/additive';
import { multiplicativeNoise } from '../../../src/core/perturbations/multiplicative';
import { drawNoise } from '../../../src/core/perturbations/noise';
import { cloneNetwork } from '../../../src/core/network';
import { randomWeightPosition, singleWeightEdit } from '../../../src/core/perturbations/singleEdit';
import { seededSweep, type SweepContext } from '../../../src/core/perturbations/perturbation';
import { Rng } from '../../../src/core/rng';
import { fragilityFactor, logGrid, s50 } from '../../../src/core/s50';
import { fineTune } from '../../../src/core/fineTune';
import { argmaxRows } from '../../../src/core/forward';
import { randomInputs, randomNetwork } from '../helpers/randomNetwork';

describe('s50', () => {
  it('interpolates in log magnitude between the bracketing points', () => {
    // clean 1, chance 0.1 → threshold 0.55, crossed between 1e-2 (0.8) and 1e-1 (0.3): halfway in log.
    const value = s50([1e-3, 1e-2, 1e-1, 1], [1, 0.8, 0.3, 0.1], 1, 0.1)!;
    assert.ok(Math.abs(Math.log10(value) - -1.5) < 1e-12, String(value));
  });
  it('is null when the curve never falls halfway, and the first magnitude when it starts below', () => {
    assert.equal(s50([1, 10], [0.99, 0.9], 1, 0.1), null);
    assert.equal(s50([1, 10], [0.2, 0.1], 1, 0.1), 1);
  });
  it('fragility factor is a lower bound when the original never breaks', () => {
    assert.deepEqual(fragilityFactor(1, 1e-3, 10), { value: 1000, bound: 'exact' });
    assert.deepEqual(fragilityFactor(null, 1e-3, 10), { value: 10000, bound: 'lower' });
    assert.deepEqual(fragilityFactor(1, null, 10), { value: null, bound: 'exact' });
  });
  it('log grids include both ends', () => {
    assert.deepEqual(logGrid(1e-2, 1, 1), [0.01, 0.1, 1]);
    assert.equal(logGrid(1e-6, 10, 2).length, 15);
  });
});

describe('Rng', () => {
  it('is deterministic per seed and forks independently of draws made', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const drawsA = Array.from({ length: 5 }, () => a.nextUint32());
    assert.deepEqual(drawsA, Array.from({ length: 5 }, () => b.nextUint32()));
    assert.notDeepEqual(drawsA, Array.from({ length: 5 }, () => new Rng(43).nextUint32()));
    const forkBefore = new Rng(42).fork('x').uniform();
    assert.equal(a.fork('x').uniform(), forkBefore);
  });
  it('normals have mean ~0 and std ~1', () => {
    const rng = new Rng(1);
    const values = Array.from({ length: 20000 }, () => rng.normal());
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
    assert.ok(Math.abs(mean) < 0.03 && Math.abs(std - 1) < 0.03, `${mean} ${std}`);
  });
});

describe('perturbations', () => {
  it('rounds to float16 like IEEE binary16', () => {
    assert.equal(roundToFloat16(1 + 2 ** -11), 1); // tie → even
    assert.equal(roundToFloat16(1 + 3 * 2 ** -11), 1 + 2 ** -9);
    assert.equal(roundToFloat16(65504), 65504);
    assert.equal(roundToFloat16(70000), Infinity);
    assert.equal(roundToFloat16(2 ** -25), 0);
    assert.equal(roundToFloat16(-(2 ** -24)), -(2 ** -24));
    assert.equal(roundToFloat16(0.1), 0.0999755859375);
  });
  const net = randomNetwork([10, 8, 3], ['relu', 'softmax']);
  it('int8 keeps 255 levels per tensor and float16 changes weights slightly', () => {
    const q = int8Quantise(net);
    assert.ok(new Set(q.layers[0]!.weights).size <= 255);
    const h = float16RoundTrip(net);
    assert.ok(Math.abs(h.layers[0]!.weights[0]! - net.layers[0]!.weights[0]!) < 1e-3);
  });
  it('magnitude pruning zeroes the smallest weights per layer', () => {
    const pruned = magnitudePrune(net, 50);
    const zeros = pruned.layers[0]!.weights.filter((w) => w === 0).length;
    assert.equal(zeros, 40);
    const kept = pruned.layers[0]!.weights.filter((w) => w !== 0).map(Math.abs);
    const dropped = net.layers[0]!.weights.filter((_, i) => pruned.layers[0]!.weights[i] === 0).map(Math.abs);
    assert.ok(Math.min(...kept) >= Math.max(...dropped));
  });
  it('noise written into a reused scratch copy equals noise on a fresh copy, and leaves the source alone', () => {
    const source = cloneNetwork(net);
    const noise = drawNoise(net, new Rng(7));
    const scratch = cloneNetwork(net);
    for (const [name, perturb] of [
      ['multiplicative', (s: number, into?: typeof net) => multiplicativeNoise(net, s, noise, into)],
      ['additive', (s: number, into?: typeof net) => additiveNoise(net, s, noise, undefined, into)],
    ] as const) {
      for (const s of [1e-3, 0.5, 1e-3]) {
        const fresh = perturb(s);
        assert.equal(perturb(s, scratch), scratch, name);
        fresh.layers.forEach((layer, l) => {
          assert.deepEqual(scratch.layers[l]!.weights, layer.weights, `${name} s=${s} weights`);
          assert.deepEqual(scratch.layers[l]!.bias, layer.bias, `${name} s=${s} bias`);
        });
        assert.notDeepEqual(fresh.layers[0]!.weights, net.layers[0]!.weights, `${name} s=${s} perturbs`);
      }
    }
    net.layers.forEach((layer, l) => assert.deepEqual(layer.weights, source.layers[l]!.weights));
  });
});

describe('equivalence', () => {
  it('compares outputs and applies the pass rule', () => {
    const c = compareOutputs([1, 2, 3, 4], [1, 2.001, 3, 4], 2, 2);
    assert.equal(c.top1Agreement, 1);
    assert.ok(Math.abs(c.maxAbsDiff - 0.001) < 1e-9);
    assert.ok(Math.abs(c.relDiff - 0.00025) < 1e-9);
    assert.equal(equivalencePasses(c, 1e-4), false);
    assert.equal(equivalencePasses(c, 1e-3), true);
    assert.equal(equivalencePasses(compareOutputs([1, 0], [NaN, 0], 1, 2), 1), false);
    assert.equal(accuracy([0.1, 0.9, 0.8, 0.2], 2, 2, Int32Array.from([1, 1])), 0.5);
  });
});

describe('amplitude search', () => {
  it('finds the largest passing power of two, refined by half an octave', async () => {
    const limit = 300;
    const result = await searchAmplitude(async (m) => ({ passed: m <= limit, relDiff: m * 1e-7 }));
    assert.equal(result.amplitude, 2 ** 8); // 2^8.5 ≈ 362 > 300
    assert.ok(result.trials.length < 15);
    const failing = await searchAmplitude(async () => ({ passed: false, relDiff: 1 }));
    assert.equal(failing.amplitude, null);
  });
});

describe('fine-tuning', () => {
  it('Adam training lowers the loss of a learnable problem (gradients are right)', async () => {
    const rng = new Rng(3);
    const rows = 256;
    const x = randomInputs(rows, 6, 5);
    const labels = Int32Array.from({ length: rows }, (_, r) => (x[r * 6]! + x[r * 6 + 1]! > 1 ? 1 : 0));
    const net = randomNetwork([6, 16, 2], ['relu', 'softmax'], 11);
    const accuracies: number[] = [];
    await fineTune(net, x, labels, rows, {
      optimizer: 'adam',
      learningRate: 1e-2,
      batchSize: 32,
      checkpoints: [0, 300],
      rng,
      onCheckpoint: (_s, n) => accuracies.push(accuracy(forward(n, x, rows), rows, 2, labels)),
    });
    assert.ok(accuracies[1]! > 0.9 && accuracies[1]! > accuracies[0]!, accuracies.join(' → '));
  });
});

describe('fine-tuning cancellation', () => {
  it('yields to the event loop, so an abort from a timer (a worker message) stops training early', async () => {
    const net = randomNetwork([6, 16, 2], ['relu', 'softmax'], 11);
    const x = randomInputs(64, 6, 5);
    const labels = Int32Array.from({ length: 64 }, (_, r) => r % 2);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 0);
    let reached = false;
    await fineTune(net, x, labels, 64, {
      optimizer: 'sgd',
      learningRate: 1e-2,
      batchSize: 8,
      checkpoints: [100000],
      rng: new Rng(1),
      signal: controller.signal,
      onCheckpoint: () => (reached = true),
    });
    assert.equal(reached, false);
  });
});

describe('fragility sweep', () => {
  it('measures a protected network as far more fragile than the original', async () => {
    const net = randomNetwork([12, 16, 8, 4], ['relu', 'relu', 'softmax'], 21);
    const x = randomInputs(200, 12, 22);
    const { network } = protectNetwork(net, { seed: 1, amplitude: 256, copies: 3, rescaleExponent: 8, twins: 0, permute: true });
    const labels = argmaxRows(forward(net, x, 200), 200, 4);
    const seen: string[] = [];
    const kinds = await measureFragility(net, network, { x, rows: 200, labels }, {
      kinds: ['multiplicative', 'int8', 'single-edit', 'finetune-sgd'],
      repeats: 2,
      seed: 5,
      fineTuneSteps: [1, 10],
      onKind: (k) => seen.push(k.kind),
    });
    assert.deepEqual(seen, ['multiplicative', 'int8', 'single-edit', 'finetune-sgd']);
    const mult = kinds[0]!;
    assert.equal(mult.original.clean, 1);
    assert.ok(mult.protected.s50 !== null && mult.fragilityFactor !== null && mult.fragilityFactor > 20, JSON.stringify(mult.fragilityFactor));
    assert.equal(kinds[1]!.fragilityFactor, null);
    assert.equal(kinds[1]!.magnitudes.length, 1);
  });
  it('stops a noise repeat once it sits at chance for two magnitudes, and carries its last value', async () => {
    // A network that breaks at s = 1e-3 in repeat 0 and at 1e-2 in repeat 1 (0.12 is at chance 0.1).
    const magnitudes = [1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10];
    const evaluated: string[] = [];
    const context = {
      kind: 'multiplicative',
      who: 'protected',
      plan: { magnitudes, repeats: 2 },
      rng: new Rng(1),
      chance: 0.1,
      metric: async () => 0.9,
      progress: async () => undefined,
    } as unknown as SweepContext;
    let draws = 0;
    const measured = await seededSweep(
      context,
      () => draws++,
      async (repeat, s) => {
        evaluated.push(`${repeat}@${s}`);
        return s >= (repeat === 0 ? 1e-3 : 1e-2) ? 0.12 : 0.9;
      },
      { stopAtChance: true },
    );
    // Repeat 0 runs 1e-5 … 1e-2 (two at chance), repeat 1 runs up to 1e-1.
    assert.deepEqual(evaluated, ['0@0.00001', '0@0.0001', '0@0.001', '0@0.01', '1@0.00001', '1@0.0001', '1@0.001', '1@0.01', '1@0.1']);
    assert.equal(measured.notMeasuredFrom, 5);
    assert.deepEqual(measured.values.map((v) => v.length), [2, 2, 2, 2, 2, 2, 2]);
    assert.deepEqual(measured.values[6], [0.12, 0.12]);
    // Without the option every magnitude runs.
    const all = await seededSweep(context, () => 0, async () => 0.12);
    assert.equal(all.notMeasuredFrom, undefined);
  });
  it('says on the chart which points a sweep did not run', async () => {
    const net = randomNetwork([12, 16, 10], ['relu', 'softmax'], 17);
    const x = randomInputs(300, 12, 3);
    const { network } = protectNetwork(net, { seed: 1, amplitude: 2 ** 12, copies: 3, rescaleExponent: 8, twins: 0, permute: true });
    const labels = Int32Array.from({ length: 300 }, (_, r) => r % 10);
    const [kind] = await measureFragility(net, network, { x, rows: 300, labels }, { kinds: ['multiplicative'], repeats: 2, seed: 5 });
    if (kind!.protected.notMeasuredFrom !== undefined) assert.match(kind!.notes ?? '', /Not run, drawn at the last measured values: .*the protected from/);
    else assert.doesNotMatch(kind!.notes ?? '', /Not run/);
  });
  it('stops with CancelledError when the signal aborts', async () => {
    const net = randomNetwork([12, 8, 4], ['relu', 'softmax'], 21);
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(
      measureFragility(net, net, { x: randomInputs(10, 12), rows: 10, labels: null }, { kinds: ['additive'], repeats: 1, seed: 1, signal: controller.signal }),
      { name: 'CancelledError' },
    );
  });
});

describe('single-weight edits', () => {
  it('the incremental computation gives exactly the full forward pass of the edited network', async () => {
    const net = randomNetwork([12, 16, 8, 4], ['relu', 'tanh', 'softmax'], 41);
    const x = randomInputs(50, 12, 42);
    // Zero some inputs so untouched weights take the shortcut too.
    for (let r = 0; r < 50; r++) x[r * 12 + 3] = 0;
    const labels = argmaxRows(forward(net, x, 50), 50, 4);
    const [fast] = await measureFragility(net, net, { x, rows: 50, labels }, { kinds: ['single-edit'], repeats: 10, seed: 3 });
    // Reference: the same positions (same seeded streams), each edit applied to a copy and run in full.
    const rng = new Rng(3).fork('fragility/single-edit');
    for (const who of ['original', 'protected'] as const) {
      const series = who === 'original' ? fast!.original : fast!.protected;
      const perMagnitude: number[][] = fast!.magnitudes.map(() => []);
      for (let r = 0; r < fast!.repeats; r++) {
        const position = randomWeightPosition(net, rng.fork(`${who}/${r}`));
        fast!.magnitudes.forEach((s, i) => perMagnitude[i]!.push(accuracy(forward(singleWeightEdit(net, position, s), x, 50, { precision: 'float64' }), 50, 4, labels)));
      }
      assert.deepEqual(series.mean, perMagnitude.map((v) => v.reduce((a, b) => a + b, 0) / v.length));
    }
  });
});

describe('magnitude pruning', () => {
  it('zeroes exactly the count a stable comparator sort would, ties in index order', () => {
    const net = randomNetwork([20, 30, 4], ['relu', 'linear'], 5);
    // Ties and existing zeros: quantise some weights onto a coarse grid.
    for (const layer of net.layers) for (let i = 0; i < layer.weights.length; i += 3) layer.weights[i] = Math.round(layer.weights[i]! * 4) / 4;
    for (const percent of [0.5, 10, 33, 50, 90, 100]) {
      const pruned = magnitudePrune(net, percent);
      net.layers.forEach((layer, l) => {
        const nonzero = Array.from(layer.weights.keys()).filter((i) => layer.weights[i] !== 0);
        const count = Math.floor((nonzero.length * percent) / 100);
        const expected = new Set(nonzero.sort((a, b) => Math.abs(layer.weights[a]!) - Math.abs(layer.weights[b]!)).slice(0, count));
        layer.weights.forEach((w, i) => assert.equal(pruned.layers[l]!.weights[i], expected.has(i) ? 0 : w, `layer ${l} weight ${i} at ${percent} %`));
      });
    }
  });
});
