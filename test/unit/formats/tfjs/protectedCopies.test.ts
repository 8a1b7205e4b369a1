import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { InvalidNetworkError } from '../../../../src/core/errors';
import { cloneNetwork, type DenseLayer, type DenseNetwork } from '../../../../src/core/network';
import type { ModelRuntime, WrittenFile } from '../../../../src/formats/format';
import { tfjsLayersFormat as format } from '../../../../src/formats/tfjs/tfjsLayersFormat';
import type { ModelJson } from '../../../../src/formats/tfjs/topology';
import { fixturePath, hiddenLayers, LOADABLE_FIXTURES } from '../../../fixtures/tfjsManifest';
import { assertSameNetwork, diskFiles, maxAbsDiff, memoryFiles, probeInputs, writtenLayers } from './helpers';

/**
 * Writes networks shaped like the constructions' output (wider hidden layers, inserted layers)
 * and checks tfjs loads them and computes the original function. The networks are built by hand
 * with function-preserving edits, so any difference is the writer's.
 */

const TOLERANCE = 1e-6;
const ROWS = 29;

/** Doubles hidden layer `l`: every neuron twice, each copy with half the outgoing weights. */
function widen(network: DenseNetwork, l: number): DenseNetwork {
  const out = cloneNetwork(network);
  const layer = out.layers[l]!;
  const next = out.layers[l + 1]!;
  const units = layer.units * 2;
  const weights = new Float32Array(units * layer.inputs);
  const bias = new Float32Array(units);
  for (let j = 0; j < units; j++) {
    weights.set(layer.weights.subarray((j % layer.units) * layer.inputs, (j % layer.units + 1) * layer.inputs), j * layer.inputs);
    bias[j] = layer.bias[j % layer.units]!;
  }
  const nextWeights = new Float32Array(next.units * units);
  for (let r = 0; r < next.units; r++) {
    // Halving is exact in float32, so the two copies sum to the original weight.
    for (let j = 0; j < units; j++) nextWeights[r * units + j] = next.weights[r * next.inputs + (j % layer.units)]! / 2;
  }
  out.layers[l] = { ...layer, units, weights, bias };
  out.layers[l + 1] = { ...next, inputs: units, weights: nextWeights };
  return out;
}

/** Inserts a relu layer [I; −I] before layer `l` and feeds the pair back as x = relu(x) − relu(−x). */
function insertBefore(network: DenseNetwork, l: number, name = 'inserted_relu'): DenseNetwork {
  const out = cloneNetwork(network);
  const target = out.layers[l]!;
  const n = target.inputs;
  const weights = new Float32Array(2 * n * n);
  for (let i = 0; i < n; i++) {
    weights[i * n + i] = 1;
    weights[(n + i) * n + i] = -1;
  }
  const inserted: DenseLayer = { name, inputs: n, units: 2 * n, weights, bias: new Float32Array(2 * n), activation: 'relu', hasBias: true, inserted: true };
  const targetWeights = new Float32Array(target.units * 2 * n);
  for (let r = 0; r < target.units; r++) {
    for (let i = 0; i < n; i++) {
      targetWeights[r * 2 * n + i] = target.weights[r * n + i]!;
      targetWeights[r * 2 * n + n + i] = -target.weights[r * n + i]!;
    }
  }
  out.layers[l] = { ...target, inputs: 2 * n, weights: targetWeights };
  out.layers.splice(l, 0, inserted);
  return out;
}

function modelJsonOf(files: WrittenFile[]): ModelJson {
  return JSON.parse(new TextDecoder().decode(files[0]!.bytes)) as ModelJson;
}

describe('tfjs protected copies', () => {
  let runtime: ModelRuntime;
  before(async () => {
    runtime = await format.createRuntime();
  });

  /** Writes `network` for the fixture and checks tfjs computes the original's logits and outputs. */
  async function assertEquivalent(name: string, network: DenseNetwork): Promise<WrittenFile[]> {
    const model = await format.load(fixturePath(name), diskFiles);
    const original = await format.write(model, model.network, 'model');
    const written = await format.write(model, network, 'model');
    const x = probeInputs(ROWS, model.network.inputs, 7);
    for (const logits of [true, false]) {
      const expected = await runtime.predict(original, x, ROWS, { logits });
      const actual = await runtime.predict(written, x, ROWS, { logits });
      assert.ok(maxAbsDiff(actual, expected) <= TOLERANCE, `${name} (logits ${logits}): ${maxAbsDiff(actual, expected)}`);
    }
    // The written copy reads back as the same network; inserted layers then count as the file's
    // own (with a bias) and may have been renamed to stay unique.
    const mem = memoryFiles(written);
    const reread = await format.load(mem.main, mem.reader);
    const expected = network.layers.map(({ inserted, ...layer }, i) =>
      inserted ? { ...layer, hasBias: true, name: reread.network.layers[i]?.name ?? layer.name } : layer,
    );
    assertSameNetwork(reread.network, { ...network, layers: expected });
    return written;
  }

  // A fixture without a hidden layer (single-dense) has nothing to widen.
  for (const { name } of LOADABLE_FIXTURES.filter((f) => hiddenLayers(f) > 0)) {
    it(`${name}: a doubled hidden layer writes, loads in tfjs and computes the same function`, async () => {
      const model = await format.load(fixturePath(name), diskFiles);
      const wide = widen(model.network, 0);
      const written = await assertEquivalent(name, wide);
      const dense = writtenLayers(modelJsonOf(written)).filter((l) => l.class_name === 'Dense');
      assert.deepEqual(dense.map((l) => l.config.units), wide.layers.map((l) => l.units));
      assert.deepEqual(dense.map((l) => l.config.name), model.network.layers.map((l) => l.name), 'source names kept');
    });
  }

  it('updates Keras 3 build_config input shapes of layers whose input widened', async () => {
    const model = await format.load(fixturePath('keras3-converter'), diskFiles);
    const written = await format.write(model, widen(model.network, 0), 'model');
    const dense = writtenLayers(modelJsonOf(written)).filter((l) => l.class_name === 'Dense');
    assert.deepEqual(dense.map((l) => l.build_config), [{ input_shape: [null, 5] }, { input_shape: [null, 14] }]);
  });

  it('keeps identity layers in place around widened layers', async () => {
    const model = await format.load(fixturePath('dropout-flatten'), diskFiles);
    const written = await assertEquivalent('dropout-flatten', widen(model.network, 0));
    assert.deepEqual(writtenLayers(modelJsonOf(written)).map((l) => [l.class_name, l.config.units]), [
      ['InputLayer', undefined],
      ['Flatten', undefined],
      ['Dense', 12],
      ['Dropout', undefined],
      ['Dense', 3],
    ]);
  });

  it('a single-Dense model gets its inserted layer first, carrying the input shape', async () => {
    const model = await format.load(fixturePath('single-dense'), diskFiles);
    const written = await assertEquivalent('single-dense', insertBefore(model.network, 0));
    const layers = writtenLayers(modelJsonOf(written));
    assert.deepEqual(layers.map((l) => [l.config.name, l.config.units, l.config.activation, l.config.batch_input_shape]), [
      ['inserted_relu', 10, 'relu', [null, 5]],
      ['dense_Dense1', 3, 'softmax', undefined],
    ]);
  });

  it('an inserted layer goes right before its source layer, also in functional and InputLayer models', async () => {
    for (const [name, at] of [['keras3-functional', 0], ['tfjs-save', 1], ['keras2-old-no-inputlayer', 0], ['keras2-converter', 1]] as const) {
      const model = await format.load(fixturePath(name), diskFiles);
      const network = insertBefore(model.network, at);
      const written = await assertEquivalent(name, network);
      const dense = writtenLayers(modelJsonOf(written)).filter((l) => l.class_name === 'Dense').map((l) => l.config.name);
      assert.deepEqual(dense, network.layers.map((l) => l.name), name);
    }
    const functional = writtenLayers(modelJsonOf(await format.write(await format.load(fixturePath('keras3-functional'), diskFiles), insertBefore((await format.load(fixturePath('keras3-functional'), diskFiles)).network, 0), 'model')));
    assert.deepEqual(functional.map((l) => [l.config.name, l.inbound_nodes]), [
      ['input_layer', []],
      ['inserted_relu', [[['input_layer', 0, 0, {}]]]],
      ['dense', [[['inserted_relu', 0, 0, {}]]]],
      ['dense_1', [[['dense', 0, 0, {}]]]],
    ]);
  });

  it('inserted layer names never clash with the model’s own', async () => {
    const model = await format.load(fixturePath('tfjs-save'), diskFiles);
    const network = insertBefore(insertBefore(model.network, 2, 'dense_Dense1'), 1, 'dense_Dense1');
    const written = await assertEquivalent('tfjs-save', network);
    const names = writtenLayers(modelJsonOf(written)).map((l) => l.config.name);
    assert.equal(new Set(names).size, names.length, names.join(', '));
  });

  it('a bias-free layer stays bias-free while its bias is zero, and gains one when it is not', async () => {
    const model = await format.load(fixturePath('batchnorm-after-relu'), diskFiles);
    assert.equal(model.network.layers[0]!.hasBias, false);
    const plain = writtenLayers(modelJsonOf(await format.write(model, widen(model.network, 0), 'model')));
    assert.equal(plain[0]!.config.use_bias, false);
    const shifted = cloneNetwork(model.network);
    shifted.layers[0]!.bias[0] = 0.5;
    const files = await format.write(model, shifted, 'model');
    assert.equal(writtenLayers(modelJsonOf(files))[0]!.config.use_bias, true);
    assert.ok(modelJsonOf(files).weightsManifest![0]!.weights.some((w) => w.name === 'dense_Dense1/bias'));
  });

  it('refuses networks that do not match the source structure', async () => {
    const model = await format.load(fixturePath('tfjs-save'), diskFiles);
    const short = { ...model.network, layers: model.network.layers.slice(1) };
    short.inputs = short.layers[0]!.inputs;
    await assert.rejects(format.write(model, short, 'model'), InvalidNetworkError);
    const trailing = cloneNetwork(model.network);
    trailing.layers[trailing.layers.length - 1]!.inserted = true;
    await assert.rejects(format.write(model, trailing, 'model'), InvalidNetworkError);
  });

  it('names the shard after the base name, or group1-shard1of1.bin when it is unusable', async () => {
    const model = await format.load(fixturePath('tfjs-save'), diskFiles);
    assert.equal((await format.write(model, model.network, 'classifier'))[1]!.name, 'classifier.weights.bin');
    assert.equal((await format.write(model, model.network, '../x'))[1]!.name, 'group1-shard1of1.bin');
  });
});
