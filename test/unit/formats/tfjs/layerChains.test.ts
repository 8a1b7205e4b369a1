import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { UnsupportedLayerError } from '../../../../src/core/errors';
import { forward } from '../../../../src/core/forward';
import { describeArchitecture } from '../../../../src/core/network';
import type { ModelRuntime, WrittenFile } from '../../../../src/formats/format';
import { tfjsLayersFormat as format } from '../../../../src/formats/tfjs/tfjsLayersFormat';
import type { ModelJson } from '../../../../src/formats/tfjs/topology';
import { encodeWeights, type NamedTensor } from '../../../../src/formats/tfjs/weights';
import { maxAbsDiff, memoryFiles, probeInputs, writtenLayers } from './helpers';

/**
 * Layer arrangements the fixtures do not cover, as small in-memory models: a layer list (Keras
 * JSON) plus generated weights for every Dense and BatchNormalization.
 */

type Layer = { class_name: string; config: Record<string, unknown>; [key: string]: unknown };

const dense = (name: string, units: number, activation = 'linear', extra: Record<string, unknown> = {}): Layer => ({
  class_name: 'Dense',
  config: { name, units, activation, use_bias: true, ...extra },
});
const input = (shape: number[], keras3 = false): Layer => ({
  class_name: 'InputLayer',
  config: { name: 'input_1', dtype: 'float32', ...(keras3 ? { batch_shape: [null, ...shape] } : { batch_input_shape: [null, ...shape] }) },
});
const layer = (class_name: string, name: string, config: Record<string, unknown> = {}): Layer => ({ class_name, config: { name, ...config } });

/** A Sequential model.json over `layers` with seeded weights; `inputs` is the flat input width. */
function model(layers: Layer[], inputs: number, options: { keras3?: boolean; manifest?: boolean } = {}): WrittenFile[] {
  let width = inputs;
  let seed = 1;
  const values = (n: number, lo: number, hi: number) =>
    Float32Array.from({ length: n }, () => {
      seed = (seed * 16807) % 2147483647;
      return lo + ((hi - lo) * seed) / 2147483647;
    });
  const tensors: NamedTensor[] = [];
  for (const l of layers) {
    const name = l.config['name'] as string;
    if (l.class_name === 'Dense') {
      const units = l.config['units'] as number;
      tensors.push({ name: `${name}/kernel`, shape: [width, units], values: values(width * units, -0.8, 0.8) });
      if (l.config['use_bias'] !== false) tensors.push({ name: `${name}/bias`, shape: [units], values: values(units, -0.3, 0.3) });
      width = units;
    } else if (l.class_name === 'BatchNormalization') {
      tensors.push({ name: `${name}/gamma`, shape: [width], values: values(width, 0.5, 1.5) });
      tensors.push({ name: `${name}/beta`, shape: [width], values: values(width, -0.5, 0.5) });
      tensors.push({ name: `${name}/moving_mean`, shape: [width], values: values(width, -0.3, 0.3) });
      tensors.push({ name: `${name}/moving_variance`, shape: [width], values: values(width, 0.2, 2) });
    }
  }
  const { specs, bytes } = encodeWeights(tensors);
  const json = {
    format: 'layers-model',
    generatedBy: options.keras3 ? 'keras v3.6.0' : 'keras v2.15.0',
    convertedBy: 'TensorFlow.js Converter v4.22.0',
    modelTopology: { keras_version: options.keras3 ? '3.6.0' : '2.15.0', backend: 'tensorflow', model_config: { class_name: 'Sequential', config: { name: 'sequential', layers } } },
    ...(options.manifest === false ? {} : { weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: specs }] }),
  };
  return [
    { name: 'model.json', bytes: new TextEncoder().encode(JSON.stringify(json)) },
    { name: 'group1-shard1of1.bin', bytes },
  ];
}

async function load(files: WrittenFile[]) {
  const mem = memoryFiles(files);
  return format.load(mem.main, mem.reader);
}

async function blockerOf(files: WrittenFile[]) {
  const mem = memoryFiles(files);
  const info = await format.inspect(mem.main, mem.reader);
  await assert.rejects(format.load(mem.main, mem.reader), UnsupportedLayerError);
  return info.blocker && [info.blocker.layer, info.blocker.className];
}

describe('tfjs layer chains', () => {
  let runtime: ModelRuntime;
  before(async () => {
    runtime = await format.createRuntime();
  });

  /** Writes the model's network and checks tfjs computes what the core forward pass does. */
  async function assertWrittenRuns(files: WrittenFile[]): Promise<ModelJson> {
    const loaded = await load(files);
    const written = await format.write(loaded, loaded.network, 'model');
    const x = probeInputs(17, loaded.network.inputs, 3);
    for (const logits of [true, false]) {
      const y = await runtime.predict(written, x, 17, { logits });
      const core = forward(loaded.network, x, 17, { precision: 'float64', logits });
      assert.ok(maxAbsDiff(y, core) <= 1e-6, `logits ${logits}: ${maxAbsDiff(y, core)}`);
    }
    return JSON.parse(new TextDecoder().decode(written[0]!.bytes)) as ModelJson;
  }

  it("Keras 3 'leaky_relu' Dense activation: slope 0.2, written as Dense + LeakyReLU", async () => {
    const files = model([input([4], true), dense('dense', 5, 'leaky_relu'), dense('dense_1', 2, 'softmax')], 4, { keras3: true });
    const loaded = await load(files);
    assert.equal(describeArchitecture(loaded.network), '4 › 5 leaky_relu › 2 softmax');
    assert.equal(loaded.network.layers[0]!.alpha, 0.2);
    const json = await assertWrittenRuns(files);
    assert.deepEqual(writtenLayers(json).map((l) => [l.class_name, l.config.activation ?? l.config.alpha]), [
      ['InputLayer', undefined],
      ['Dense', 'linear'],
      ['LeakyReLU', 0.2],
      ['Dense', 'softmax'],
    ]);
  });

  it('activation layers: ReLU with a slope, ReLU(6), ELU(1), Softmax, Keras 3 LeakyReLU negative_slope', async () => {
    const cases: [Layer, string, number | undefined, RegExp | undefined][] = [
      [layer('ReLU', 're_lu', { max_value: null, negative_slope: 0.05, threshold: 0 }), 'leaky_relu', 0.05, /ReLU 're_lu' \(leaky_relu\) written as a LeakyReLU layer/],
      [layer('ReLU', 're_lu', { max_value: 6, negative_slope: 0, threshold: 0 }), 'relu6', undefined, /ReLU 're_lu' \(relu6\) folded into Dense 'dense'/],
      [layer('ELU', 'elu', { alpha: 1 }), 'elu', 1, /ELU 'elu' \(elu\) folded/],
      [layer('Softmax', 'softmax', { axis: -1 }), 'softmax', undefined, /Softmax 'softmax' \(softmax\) folded/],
      [layer('LeakyReLU', 'leaky_re_lu', { negative_slope: 0.1 }), 'leaky_relu', 0.1, /LeakyReLU negative_slope → alpha on 'leaky_re_lu'/],
    ];
    for (const [activationLayer, activation, alpha, note] of cases) {
      const last = activation === 'softmax';
      const layers = last ? [input([3]), dense('dense', 4, 'relu'), dense('dense_1', 3), activationLayer] : [input([3]), dense('dense', 4), activationLayer, dense('dense_1', 2, 'sigmoid')];
      const files = model(layers, 3);
      const loaded = await load(files);
      const target = loaded.network.layers[last ? 1 : 0]!;
      assert.deepEqual([target.activation, target.alpha], [activation, alpha], activationLayer.class_name);
      if (note) assert.ok(loaded.normalised.some((n) => note.test(n)), `${note} in ${JSON.stringify(loaded.normalised)}`);
      await assertWrittenRuns(files);
    }
  });

  it('Reshape to a flat vector is accepted; identity layers tfjs lacks are left out with a note', async () => {
    const files = model([input([2, 3]), layer('Reshape', 'reshape', { target_shape: [6] }), dense('dense', 4, 'tanh'), layer('ActivityRegularization', 'reg', { l1: 0.01 }), dense('dense_1', 2)], 6);
    const loaded = await load(files);
    assert.equal(describeArchitecture(loaded.network), '6 › 4 tanh › 2 linear');
    assert.ok(loaded.normalised.some((n) => /ActivityRegularization 'reg' left out/.test(n)));
    const json = await assertWrittenRuns(files);
    assert.deepEqual(writtenLayers(json).map((l) => l.class_name), ['InputLayer', 'Reshape', 'Dense', 'Dense']);
  });

  it("keeps the file's gelu spelling and says the core approximates it", async () => {
    const loaded = await load(model([input([3]), dense('dense', 4, 'gelu'), dense('dense_1', 2)], 3));
    assert.equal(loaded.network.layers[0]!.activation, 'gelu');
    assert.ok(loaded.normalised.some((n) => /erf/.test(n)));
    const written = await format.write(loaded, loaded.network, 'model');
    assert.equal(writtenLayers(JSON.parse(new TextDecoder().decode(written[0]!.bytes)) as ModelJson)[1]!.config.activation, 'gelu');
  });

  it('refuses what cannot be a dense chain, naming the first blocking layer', async () => {
    const cases: [Layer[], number, [string, string], { keras3?: boolean; manifest?: boolean }?][] = [
      [[input([3]), dense('dense', 4, 'softmax'), dense('dense_1', 2)], 3, ['dense', 'Dense']],
      [[input([3]), dense('dense', 4, 'relu'), layer('BatchNormalization', 'bn', { axis: -1 })], 3, ['bn', 'BatchNormalization']],
      [[input([3]), layer('Activation', 'act', { activation: 'relu' }), dense('dense', 2)], 3, ['act', 'Activation']],
      [[input([2, 3]), dense('dense', 4)], 6, ['dense', 'Dense']],
      [[input([2, 3]), layer('Reshape', 'reshape', { target_shape: [3, 2] }), dense('dense', 4)], 6, ['reshape', 'Reshape']],
      [[input([2, 3, 1]), layer('Flatten', 'flatten', { data_format: 'channels_first' }), dense('dense', 4)], 6, ['flatten', 'Flatten']],
      [[input([3]), dense('dense', 4, 'exponential')], 3, ['dense', 'Dense']],
      [[input([3], true), dense('dense', 4, 'hard_sigmoid')], 3, ['dense', 'Dense'], { keras3: true }],
      [[input([3]), dense('dense', 4), layer('PReLU', 'p_re_lu'), dense('dense_1', 2)], 3, ['p_re_lu', 'PReLU']],
      // tfjs 4.22 runs ELU with alpha 1 only, so a copy could not be loaded.
      [[input([3]), dense('dense', 4), layer('ELU', 'elu', { alpha: 0.5 }), dense('dense_1', 2)], 3, ['elu', 'ELU']],
      [[input([3]), dense('dense', 4), layer('LayerNormalization', 'ln'), dense('dense_1', 2)], 3, ['ln', 'LayerNormalization']],
      [[input([3]), layer('Embedding', 'embedding'), dense('dense', 2)], 3, ['embedding', 'Embedding']],
      [[input([3]), layer('Dropout', 'dropout', { rate: 0.1 })], 3, ['input_1', 'InputLayer']],
      [[input([3]), dense('dense', 2)], 3, ['weightsManifest', 'weightsManifest'], { manifest: false }],
    ];
    for (const [layers, inputs, expected, options] of cases) {
      assert.deepEqual(await blockerOf(model(layers, inputs, options)), expected, JSON.stringify(layers.map((l) => l.class_name)));
    }
  });

  it('refuses functional graphs that are not one chain', async () => {
    const node = (from: string) => [[[from, 0, 0, {}]]];
    const functional = (layers: Layer[], inputs: string[], outputs: string[]): WrittenFile[] => {
      const files = model([], 3);
      const json = {
        format: 'layers-model',
        modelTopology: { class_name: 'Model', config: { name: 'm', layers, input_layers: inputs.map((n) => [n, 0, 0]), output_layers: outputs.map((n) => [n, 0, 0]) } },
        weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: [] }],
      };
      return [{ name: 'model.json', bytes: new TextEncoder().encode(JSON.stringify(json)) }, files[1]!];
    };
    const inA = { ...input([3]), config: { name: 'a', batch_input_shape: [null, 3] }, name: 'a', inbound_nodes: [] };
    const inB = { ...inA, config: { name: 'b', batch_input_shape: [null, 3] }, name: 'b' };
    const d = (name: string, from: string) => ({ ...dense(name, 2), name, inbound_nodes: node(from) });
    assert.deepEqual(await blockerOf(functional([inA, inB, d('d1', 'a')], ['a', 'b'], ['d1'])), ['b', 'InputLayer']);
    assert.deepEqual(await blockerOf(functional([inA, d('d1', 'a'), d('d2', 'a')], ['a'], ['d1'])), ['d2', 'Dense']);
    assert.deepEqual(await blockerOf(functional([inA, d('d1', 'a'), d('d2', 'd1')], ['a'], ['d1', 'd2'])), ['d2', 'Dense']);
    const shared = { ...dense('d1', 3), name: 'd1', inbound_nodes: [[['a', 0, 0, {}]], [['d1', 0, 0, {}]]] };
    assert.deepEqual(await blockerOf(functional([inA, shared], ['a'], ['d1'])), ['d1', 'Dense']);
  });
});
