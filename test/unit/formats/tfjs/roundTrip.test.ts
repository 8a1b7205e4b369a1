import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { forward } from '../../../../src/core/forward';
import type { ModelRuntime } from '../../../../src/formats/format';
import { tfjsLayersFormat as format } from '../../../../src/formats/tfjs/tfjsLayersFormat';
import type { ModelJson } from '../../../../src/formats/tfjs/topology';
import { fixturePath, LOADABLE_FIXTURES } from '../../../fixtures/tfjsManifest';
import { assertSameNetwork, diskFiles, maxAbsDiff, memoryFiles, probeInputs, writtenLayers } from './helpers';

const TOLERANCE = 1e-6;
const ROWS = 37;

describe('tfjs read → write → read', () => {
  let runtime: ModelRuntime;
  before(async () => {
    runtime = await format.createRuntime();
  });

  it('the runtime names tfjs and its version', () => {
    assert.match(runtime.name, /^@tensorflow\/tfjs 4\.\d+\.\d+ \(cpu backend\)$/);
  });

  for (const { name, tfjsRunsOriginal } of LOADABLE_FIXTURES) {
    describe(name, () => {
      it('round-trips the network bit for bit and writes deterministically', async () => {
        const model = await format.load(fixturePath(name), diskFiles);
        const written = await format.write(model, model.network, 'model');
        assert.deepEqual(written.map((f) => f.name), ['model.json', 'model.weights.bin']);
        const mem = memoryFiles(written);
        const reread = await format.load(mem.main, mem.reader);
        assertSameNetwork(reread.network, model.network);
        assert.deepEqual(reread.normalised, [], 'a written copy needs no further normalisation');
        const again = await format.write(reread, reread.network, 'model');
        assert.deepEqual(again.map((f) => f.bytes), written.map((f) => f.bytes));
      });

      it('writes a plain tfjs 4.22 Layers model', async () => {
        const model = await format.load(fixturePath(name), diskFiles);
        const [main, shard] = await format.write(model, model.network, 'model');
        const json = JSON.parse(new TextDecoder().decode(main!.bytes)) as ModelJson;
        assert.equal(json.format, 'layers-model');
        assert.equal(json.convertedBy, 'MimosaNet');
        assert.equal(json.weightsManifest?.length, 1);
        assert.deepEqual(json.weightsManifest![0]!.paths, [shard!.name]);
        const text = JSON.stringify(json.modelTopology);
        assert.doesNotMatch(text, /batch_shape|DTypePolicy/);
        const layers = writtenLayers(json);
        const names = layers.map((l) => l.config.name);
        assert.equal(new Set(names).size, names.length, 'unique layer names');
        const first = layers[0]!;
        assert.ok(first.class_name === 'InputLayer' || Array.isArray(first.config.batch_input_shape), 'input shape on the first layer');
        for (const weight of json.weightsManifest![0]!.weights) {
          assert.ok(names.includes(weight.name.split('/')[0]!), `weight ${weight.name} is named after a layer`);
          assert.equal(weight.dtype, 'float32');
        }
      });

      it('the written copy predicts like the original in tfjs (logits and outputs, within 1e-6)', async () => {
        const path = fixturePath(name);
        const model = await format.load(path, diskFiles);
        const written = await format.write(model, model.network, 'model');
        const x = probeInputs(ROWS, model.network.inputs);
        for (const logits of [true, false]) {
          const protectedY = await runtime.predict(written, x, ROWS, { logits });
          const core = forward(model.network, x, ROWS, { precision: 'float64', logits });
          assert.ok(maxAbsDiff(protectedY, core) <= TOLERANCE, `written vs core forward (logits ${logits}): ${maxAbsDiff(protectedY, core)}`);
          const originalFiles = await format.readFiles(path, diskFiles);
          // tfjs 4.22 refuses some originals (Keras 3 batch_shape, Keras 1 weight names): those are compared with the core forward pass only.
          if (!tfjsRunsOriginal) {
            await assert.rejects(runtime.predict(originalFiles, x, ROWS, { logits }));
          } else {
            const original = await runtime.predict(originalFiles, x, ROWS, { logits });
            assert.ok(maxAbsDiff(protectedY, original) <= TOLERANCE, `written vs original (logits ${logits}): ${maxAbsDiff(protectedY, original)}`);
          }
        }
      });
    });
  }

  it('readFiles lists model.json and the shards the manifest names', async () => {
    const files = await format.readFiles(fixturePath('keras2-converter'), diskFiles);
    assert.deepEqual(files.map((f) => f.name), ['model.json', 'group1-shard1of2.bin', 'group1-shard2of2.bin']);
  });

  it('keeps the source layout: wrapper, bare list, functional wiring, extra fields', async () => {
    const read = async (name: string) => {
      const model = await format.load(fixturePath(name), diskFiles);
      const [main] = await format.write(model, model.network, 'model');
      return JSON.parse(new TextDecoder().decode(main!.bytes)) as ModelJson;
    };
    const keras2 = await read('keras2-converter');
    assert.equal(keras2.generatedBy, 'keras v2.15.0');
    assert.equal(keras2.modelTopology.model_config?.class_name, 'Sequential');
    assert.ok(keras2.modelTopology['training_config'], 'training_config kept');
    assert.deepEqual(writtenLayers(keras2).map((l) => l.class_name), ['InputLayer', 'Dense', 'Dropout', 'Dense']);
    const bare = await read('keras2-bare-list');
    assert.ok(Array.isArray(bare.modelTopology.model_config?.config));
    const keras3 = await read('keras3-converter');
    assert.deepEqual(writtenLayers(keras3).map((l) => l.build_config), [undefined, { input_shape: [null, 5] }, undefined, { input_shape: [null, 7] }]);
    const functional = await read('keras3-functional');
    const layers = writtenLayers(functional);
    assert.deepEqual(layers.map((l) => l.inbound_nodes), [[], [[['input_layer', 0, 0, {}]]], [[['dense', 0, 0, {}]]]]);
    const config = functional.modelTopology.model_config!.config as { input_layers: unknown; output_layers: unknown };
    assert.deepEqual([config.input_layers, config.output_layers], [[['input_layer', 0, 0]], [['dense_1', 0, 0]]]);
    const folded = await read('batchnorm-after-dense');
    assert.deepEqual(writtenLayers(folded).map((l) => [l.class_name, l.config.activation]), [['Dense', 'relu'], ['Dense', 'softmax']]);
    const leaky = await read('leaky-relu-layer');
    assert.deepEqual(writtenLayers(leaky).map((l) => [l.class_name, l.config.activation ?? l.config.alpha]), [['Dense', 'linear'], ['LeakyReLU', 0.1], ['Dense', 'softmax']]);
  });
});
