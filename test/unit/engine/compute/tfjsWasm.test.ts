import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import * as esbuild from 'esbuild';
import { ACTIVATIONS, type Activation } from '../../../../src/core/activations';
import type { ComputeBackend, OptimizerName, Trainer } from '../../../../src/core/compute';
import { EngineUnavailableError } from '../../../../src/core/errors';
import { jsCompute } from '../../../../src/core/jsCompute';
import type { DenseNetwork } from '../../../../src/core/network';
import { Rng } from '../../../../src/core/rng';
import { createTfjsWasmCompute, FEATURE_MAJOR_ROWS } from '../../../../src/engine/compute/tfjsWasm';
import { parseNpy } from '../../../../src/formats/data/npy';
import type { ModelRuntime, WrittenFile } from '../../../../src/formats/format';
import { tfjsLayersFormat as format } from '../../../../src/formats/tfjs/tfjsLayersFormat';
import { randomNetwork } from '../../helpers/randomNetwork';
import { diskFiles } from '../../formats/tfjs/helpers';

const ROOT = join(__dirname, '../../../..');

/**
 * Float32 tolerance against the float64 reference: |Δ| ≤ 1e-5 · max(1, max|reference|), about 80
 * float32 ulps of the largest value. Measured (forward, 16 inputs a layer): ≤ 2.6e-7 relative;
 * after 300 training steps: ≤ 1e-6 relative.
 */
const TOLERANCE = 1e-5;

function maxAbs(a: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]!));
  return max;
}

/** max|a − b| / max(1, max|b|). */
function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max / Math.max(1, maxAbs(b));
}

/** Largest relDiff over every weight and bias array of two networks of the same shape. */
function networkDiff(a: DenseNetwork, b: DenseNetwork): number {
  return Math.max(...a.layers.flatMap((layer, l) => [relDiff(layer.weights, b.layers[l]!.weights), relDiff(layer.bias, b.layers[l]!.bias)]));
}

/** Largest change of any parameter between two networks. */
function networkChange(a: DenseNetwork, b: DenseNetwork): number {
  return Math.max(...a.layers.flatMap((layer, l) => [maxAbs(layer.weights.map((w, i) => w - b.layers[l]!.weights[i]!)), maxAbs(layer.bias.map((w, i) => w - b.layers[l]!.bias[i]!))]));
}

/** Uniform inputs in [−scale, scale). */
function inputs(rows: number, cols: number, scale: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: rows * cols }, () => (rng.uniform() * 2 - 1) * scale);
}

function labelsFor(rows: number, classes: number, seed: number): Int32Array {
  const rng = new Rng(seed);
  return Int32Array.from({ length: rows }, () => rng.int(classes));
}

/** A network whose hidden layers use `hidden` and whose last layer uses `last`, with weights large enough to reach every branch (relu6's 6, softplus' 20, hard_sigmoid's clip). */
function activationNetwork(hidden: Activation, last: Activation, seed: number): DenseNetwork {
  const network = randomNetwork([12, 16, 16, 5], [hidden, hidden, last], seed);
  for (const layer of network.layers) layer.weights.forEach((w, i) => (layer.weights[i] = 2 * w));
  if (hidden === 'leaky_relu') network.layers[0]!.alpha = 1.7; // layer 1 keeps Keras' default 0.3
  if (hidden === 'elu') network.layers[1]!.alpha = 0.4;
  return network;
}

/** Runs `steps` steps of both trainers on the same batches (cycling over three) and returns both snapshots. */
async function trainBoth(engine: ComputeBackend, network: DenseNetwork, optimizer: OptimizerName, learningRate: number, rows: number, steps: number, classes: number): Promise<[DenseNetwork, DenseNetwork]> {
  const width = network.inputs;
  const x = inputs(3 * rows, width, 1, 11);
  const labels = labelsFor(3 * rows, classes, 12);
  const trainers: Trainer[] = [await engine.trainer(network, { optimizer, learningRate }), await jsCompute.trainer(network, { optimizer, learningRate })];
  try {
    for (let s = 0; s < steps; s++) {
      const k = s % 3;
      for (const trainer of trainers) await trainer.step(x.subarray(k * rows * width, (k + 1) * rows * width), labels.subarray(k * rows, (k + 1) * rows), rows);
    }
    return [await trainers[0]!.snapshot(), await trainers[1]!.snapshot()];
  } finally {
    for (const trainer of trainers) trainer.dispose();
  }
}

describe('tfjs-wasm compute engine', () => {
  let engine: ComputeBackend;
  before(async () => {
    engine = await createTfjsWasmCompute();
  });

  it('names itself with the backend version, SIMD and threads', () => {
    assert.equal(engine.name, 'tfjs-wasm');
    assert.match(engine.description, /^@tensorflow\/tfjs-backend-wasm 4\.22\.0, (SIMD|no SIMD), 1 thread$/);
  });

  /** Row counts of a call in each layout: activations feature-major (few rows), row-major (more). */
  const LAYOUTS = [FEATURE_MAJOR_ROWS, FEATURE_MAJOR_ROWS + 44];

  it('computes every activation as the reference does, outputs and logits, in both layouts', async (t) => {
    for (const rows of LAYOUTS) {
      const x = inputs(rows, 12, 8, 5);
      for (const activation of ACTIVATIONS) {
        const network = activationNetwork(activation === 'softmax' ? 'relu' : activation, activation, 3);
        const diffs = [];
        for (const options of [{}, { logits: true }]) {
          const got = await engine.forward(network, x, rows, options);
          assert.ok(got instanceof Float32Array);
          const diff = relDiff(got, await jsCompute.forward(network, x, rows, options));
          assert.ok(diff <= TOLERANCE, `${activation} ${JSON.stringify(options)}, ${rows} rows: relative difference ${diff}`);
          diffs.push(diff.toExponential(1));
        }
        t.diagnostic(`${rows} rows, ${activation}: ${diffs.join(', ')}`);
      }
    }
  });

  it('matches the reference over several row batches, with float64 input too', async () => {
    const network = randomNetwork([30, 64, 10], ['relu', 'softmax'], 8);
    const rows = 2500;
    const x = inputs(rows, 30, 1, 9);
    const want = await jsCompute.forward(network, x, rows, { logits: true });
    assert.ok(relDiff(await engine.forward(network, x, rows, { logits: true }), want) <= TOLERANCE);
    assert.ok(relDiff(await engine.forward(network, Float64Array.from(x), rows, { logits: true }), want) <= TOLERANCE);
    assert.equal((await engine.forward(network, new Float32Array(0), 0)).length, 0);
  });

  it('has a single sigmoid output', async () => {
    const network = randomNetwork([6, 8, 1], ['gelu', 'sigmoid'], 4);
    const x = inputs(50, 6, 3, 6);
    for (const options of [{}, { logits: true }]) {
      assert.ok(relDiff(await engine.forward(network, x, 50, options), await jsCompute.forward(network, x, 50, options)) <= TOLERANCE);
    }
  });

  it('gives the inputs of every layer, and the forward pass from any layer, in both layouts', async () => {
    const network = activationNetwork('tanh', 'softmax', 13);
    for (const rows of LAYOUTS) {
      const x = inputs(rows, 12, 2, 14);
      const got = await engine.layerInputs(network, x, rows);
      const want = await jsCompute.layerInputs(network, x, rows);
      assert.equal(got.length, 3);
      assert.equal(got[0], x);
      got.forEach((h, l) => assert.ok(relDiff(h, want[l]!) <= TOLERANCE, `layer ${l}, ${rows} rows`));
      const full = await jsCompute.forward(network, x, rows, { logits: true });
      for (let from = 0; from < 3; from++) {
        assert.ok(relDiff(await engine.forward(network, want[from]!, rows, { from, logits: true }), full) <= TOLERANCE, `from ${from}, ${rows} rows`);
      }
      assert.deepEqual(await engine.forward(network, full, rows, { from: 3 }), Float32Array.from(full));
    }
    const single = randomNetwork([5, 3], ['softmax'], 2);
    assert.deepEqual(await engine.layerInputs(single, inputs(2, 5, 1, 1), 2), [inputs(2, 5, 1, 1)]);
  });

  it('refuses a layer that does not exist and inputs of the wrong size', async () => {
    const network = randomNetwork([4, 3, 2], ['relu', 'softmax'], 1);
    await assert.rejects(engine.forward(network, new Float32Array(8), 2, { from: 3 }), /3/);
    await assert.rejects(engine.forward(network, new Float32Array(7), 2), /2 × 4/);
  });

  it('leaves no tensors behind', async () => {
    const network = activationNetwork('selu', 'softmax', 2);
    const x = inputs(20, 12, 1, 3);
    await engine.forward(network, x, 20);
    const count = tf.memory().numTensors;
    await engine.forward(network, x, 20);
    await engine.layerInputs(network, x, 20);
    const many = inputs(FEATURE_MAJOR_ROWS + 1, 12, 1, 4); // the row-major layout
    await engine.forward(network, many, FEATURE_MAJOR_ROWS + 1);
    await engine.layerInputs(network, many, FEATURE_MAJOR_ROWS + 1);
    const trainer = await engine.trainer(network, { optimizer: 'adam', learningRate: 1e-3 });
    await trainer.step(x, labelsFor(20, 5, 1), 20);
    await trainer.snapshot();
    trainer.dispose();
    await engine.forward(network, x, 1); // runs after the trainer's tensors are freed (same queue)
    assert.equal(tf.memory().numTensors, count);
    await assert.rejects(trainer.step(x, labelsFor(20, 5, 1), 20), EngineUnavailableError);
  });
});

describe('tfjs-wasm trainer', () => {
  let engine: ComputeBackend;
  before(async () => {
    engine = await createTfjsWasmCompute();
  });

  for (const [optimizer, learningRate] of [['adam', 1e-3], ['sgd', 0.05]] as const) {
    for (const rows of [1, 2000]) {
      it(`follows the reference over 300 ${optimizer} steps of ${rows} rows`, async (t) => {
        const network = randomNetwork([20, 32, 16, 5], ['relu', 'tanh', 'softmax'], 21);
        const [got, want] = await trainBoth(engine, network, optimizer, learningRate, rows, 300, 5);
        const diff = networkDiff(got, want);
        t.diagnostic(`relative difference ${diff.toExponential(2)}, largest change ${networkChange(want, network).toFixed(3)}`);
        assert.ok(diff <= TOLERANCE, `relative difference ${diff}`);
        assert.ok(networkChange(want, network) > 0.05, 'training moved the weights');
      });
    }
  }

  it('trains a single sigmoid output on 0/1 labels', async (t) => {
    const network = randomNetwork([10, 12, 1], ['gelu', 'sigmoid'], 22);
    const [got, want] = await trainBoth(engine, network, 'adam', 1e-2, 64, 300, 2);
    const diff = networkDiff(got, want);
    t.diagnostic(`relative difference ${diff.toExponential(2)}, largest change ${networkChange(want, network).toFixed(3)}`);
    assert.ok(diff <= TOLERANCE, `relative difference ${diff}`);
    assert.ok(networkChange(want, network) > 0.05);
  });

  it('back-propagates through every hidden activation as the reference does', async (t) => {
    for (const activation of ACTIVATIONS.filter((a) => a !== 'softmax')) {
      const network = activationNetwork(activation, 'softmax', 23);
      const [got, want] = await trainBoth(engine, network, 'adam', 1e-2, 16, 30, 5);
      const diff = networkDiff(got, want);
      t.diagnostic(`${activation}: ${diff.toExponential(2)}`);
      assert.ok(diff <= TOLERANCE, `${activation}: relative difference ${diff}`);
    }
  });

  it("never changes the caller's network, and snapshots are copies", async () => {
    const network = randomNetwork([4, 6, 3], ['relu', 'softmax'], 24);
    const before = JSON.stringify(network, (_, v: unknown) => (v instanceof Float32Array ? Array.from(v) : v));
    const trainer = await engine.trainer(network, { optimizer: 'sgd', learningRate: 0.5 });
    try {
      await trainer.step(inputs(8, 4, 1, 1), labelsFor(8, 3, 2), 8);
      const first = await trainer.snapshot();
      assert.equal(first.layers[0]!.name, network.layers[0]!.name);
      assert.equal(first.layers[0]!.hasBias, true);
      first.layers[0]!.weights.fill(0);
      assert.notEqual(maxAbs((await trainer.snapshot()).layers[0]!.weights), 0);
      assert.equal(JSON.stringify(network, (_, v: unknown) => (v instanceof Float32Array ? Array.from(v) : v)), before);
    } finally {
      trainer.dispose();
    }
  });

  it('is unusable once the engine is disposed', async () => {
    const own = await createTfjsWasmCompute();
    const network = randomNetwork([4, 3], ['softmax'], 1);
    const trainer = await own.trainer(network, { optimizer: 'adam', learningRate: 1e-3 });
    await own.dispose();
    await assert.rejects(own.forward(network, new Float32Array(4), 1), EngineUnavailableError);
    await assert.rejects(trainer.snapshot(), EngineUnavailableError);
    // Other engines share the wasm backend and keep working.
    assert.equal((await engine.forward(network, new Float32Array(4), 1)).length, 3);
  });
});

describe('tfjs-wasm engine beside the field-check runtimes (one tfjs, one backend at a time)', () => {
  const rows = 64;
  let cpu: ModelRuntime;
  let wasm: ModelRuntime;
  let files: WrittenFile[];
  let network: DenseNetwork;
  let x: Float32Array;
  let baseline: Float32Array[];

  before(async () => {
    const field = await format.createFieldRuntimes();
    assert.equal(field.runtimes.length, 2, field.notes.join('; '));
    [cpu, wasm] = field.runtimes as [ModelRuntime, ModelRuntime];
    const path = join(ROOT, 'examples/mnist-mlp/model.json');
    files = await format.readFiles(path, diskFiles);
    network = (await format.load(path, diskFiles)).network;
    const data = parseNpy(readFileSync(join(ROOT, 'examples/mnist-mlp/eval-x.npy')), 'eval-x.npy');
    x = Float32Array.from(data.values as ArrayLike<number>).subarray(0, rows * 784);
    baseline = [await cpu.predict(files, x, rows, { logits: true }), await wasm.predict(files, x, rows, { logits: true })];
  });

  it('gives the logits the cpu runtime gives', async () => {
    const engine = await createTfjsWasmCompute();
    assert.ok(relDiff(await engine.forward(network, x, rows, { logits: true }), baseline[0]!) <= TOLERANCE);
  });

  it('leaves both runtimes working, after it ran and while it runs', async () => {
    const engine = await createTfjsWasmCompute();
    const trainer = await engine.trainer(network, { optimizer: 'adam', learningRate: 1e-3 });
    try {
      const labels = labelsFor(rows, 10, 3);
      await trainer.step(x, labels, rows);
      const ours = await engine.forward(network, x, rows, { logits: true });
      assert.deepEqual(await cpu.predict(files, x, rows, { logits: true }), baseline[0]);
      assert.deepEqual(await wasm.predict(files, x, rows, { logits: true }), baseline[1]);
      // Started together: the shared queue keeps every call on its own backend.
      const [a, b, c, , d] = await Promise.all([
        cpu.predict(files, x, rows, { logits: true, batch: 8 }),
        engine.forward(network, x, rows, { logits: true }),
        wasm.predict(files, x, rows, { logits: true }),
        trainer.step(x, labels, rows),
        cpu.predict(files, x, rows, { logits: true }),
      ]);
      assert.deepEqual([a, b, c, d], [baseline[0], ours, baseline[1], baseline[0]]);
    } finally {
      trainer.dispose();
    }
  });
});

describe('tfjs-wasm engine without its binaries (bundled, as in the .vsix, with no wasm/ beside it)', () => {
  let folder: string;
  before(() => {
    folder = mkdtempSync(join(tmpdir(), 'mimosanet-tfjs-wasm-'));
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('throws EngineUnavailableError saying which files are missing', async () => {
    await esbuild.build({
      stdin: {
        contents: [
          "import { createTfjsWasmCompute } from './src/engine/compute/tfjsWasm';",
          'createTfjsWasmCompute().then(',
          "  () => console.log(JSON.stringify({ started: true })),",
          '  (error) => console.log(JSON.stringify({ name: error.name, code: error.code, engine: error.engine, message: error.message })),',
          ');',
        ].join('\n'),
        resolveDir: ROOT,
        loader: 'ts',
      },
      outfile: join(folder, 'bundle.js'),
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      logLevel: 'silent',
    });
    const result = spawnSync(process.execPath, [join(folder, 'bundle.js')], { encoding: 'utf8', cwd: folder });
    assert.equal(result.status, 0, result.stderr);
    const error = JSON.parse(result.stdout) as Record<string, unknown>;
    assert.equal(error.name, 'EngineUnavailableError');
    assert.equal(error.code, 'ENGINE');
    assert.equal(error.engine, 'tfjs-wasm');
    assert.match(String(error.message), /^the tfjs-wasm engine cannot start here: .*tfjs-backend-wasm-simd\.wasm/);
  });
});
