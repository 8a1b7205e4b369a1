import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ModelFormatError, UnsupportedLayerError } from '../../../../src/core/errors';
import { describeArchitecture } from '../../../../src/core/network';
import { tfjsLayersFormat as format } from '../../../../src/formats/tfjs/tfjsLayersFormat';
import { diskFiles, FIXTURES, fixturePath } from './helpers';

/** What reading a fixture must give: an architecture (and notes), or a refusal. */
type Expectation =
  | { architecture: string; notes?: RegExp[] }
  | { unsupported: { layer: string; className: string }; reason?: RegExp }
  | { corrupt: RegExp; inspectFails?: boolean };

const TABLE: Record<string, Expectation> = {
  'tfjs-save': { architecture: '4 › 5 relu › 4 tanh › 3 softmax' },
  'keras2-converter': { architecture: '6 › 8 relu › 3 softmax', notes: [/2 weight shards/] },
  'keras3-converter': {
    architecture: '5 › 7 relu › 4 softmax',
    notes: [/batch_shape → batch_input_shape/, /DTypePolicy objects → "float32"/, /'sequential_1\/dense\/kernel' → 'dense\/kernel'/, /2 manifest group/],
  },
  'keras3-functional': { architecture: '5 › 7 relu › 4 softmax', notes: [/inbound_nodes rewritten/] },
  'keras2-old-no-inputlayer': { architecture: '3 › 6 relu › 2 softmax' },
  'keras2-bare-list': { architecture: '3 › 4 relu › 1 sigmoid', notes: [/manifest order/] },
  'separate-activation': { architecture: '4 › 5 relu › 3 softmax', notes: [/Activation 'activation_Activation1' \(softmax\) folded into Dense 'dense_Dense2'/] },
  'dropout-flatten': { architecture: '16 › 6 relu › 3 softmax' },
  'tanh-head': { architecture: '3 › 5 relu › 1 tanh' },
  'sigmoid-head': { architecture: '4 › 6 relu › 1 sigmoid' },
  // The LeakyReLU layer stays a separate layer in written copies (tfjs has no leaky_relu Dense string), so no note.
  'leaky-relu-layer': { architecture: '4 › 6 leaky_relu › 3 softmax', notes: [] },
  'batchnorm-after-dense': { architecture: '4 › 6 relu › 3 softmax', notes: [/BatchNormalization .* folded into the preceding Dense/, /Activation .* folded/] },
  'batchnorm-after-relu': { architecture: '4 › 6 relu › 2 softmax', notes: [/BatchNormalization .* folded into the inputs of the following Dense 'dense_Dense2'/] },
  'single-dense': { architecture: '5 › 3 softmax' },
  'functional-chain': { architecture: '4 › 5 relu › 3 softmax' },
  'branching-functional': { unsupported: { layer: 'add_Add1', className: 'Add' } },
  conv2d: { unsupported: { layer: 'conv2d_Conv2D1', className: 'Conv2D' } },
  lstm: { unsupported: { layer: 'lstm_LSTM1', className: 'LSTM' } },
  'activation-after-relu': { unsupported: { layer: 'activation_Activation1', className: 'Activation' } },
  'graph-model': { unsupported: { layer: 'graph-model', className: 'graph-model' } },
  'quantised-uint8': { unsupported: { layer: 'dense_1', className: 'quantised weights' }, reason: /weight 'dense_1\/kernel' stored as uint8/ },
  'truncated-shard': { corrupt: /model\.json: weights manifest expects 256 bytes but weights\.bin has 64$/ },
  'missing-shard': { corrupt: /model\.json: weights file 'weights\.bin' listed in the weights manifest cannot be read/ },
  'corrupt-json': { corrupt: /model\.json: is not valid JSON .*truncated/, inspectFails: true },
  'nan-weights': { corrupt: /weight 'dense_Dense1\/kernel' in weights\.bin has a non-finite value \(NaN\) at index 7/ },
};

describe('tfjs fixtures', () => {
  it('every fixture folder has a row in the table (and every row a folder)', () => {
    const folders = readdirSync(FIXTURES, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    assert.deepEqual(folders, Object.keys(TABLE).sort());
  });

  it('sniff accepts every fixture and the name check takes model.json', () => {
    for (const name of Object.keys(TABLE)) {
      const head = readFileSync(fixturePath(name)).subarray(0, 64 * 1024);
      assert.equal(format.sniff(head, 'model.json'), true, name);
      assert.equal(format.matchesName('model.json'), true);
    }
  });

  for (const [name, expected] of Object.entries(TABLE)) {
    it(`${name}: ${'architecture' in expected ? expected.architecture : 'unsupported' in expected ? `refused at ${expected.unsupported.layer}` : 'corrupt'}`, async () => {
      const path = fixturePath(name);
      if ('architecture' in expected) {
        const info = await format.inspect(path, diskFiles);
        assert.equal(info.blocker, undefined);
        assert.equal(info.format, 'tfjs-layers');
        const model = await format.load(path, diskFiles);
        assert.equal(describeArchitecture(model.network), expected.architecture);
        assert.equal(model.info.inputs, model.network.inputs);
        const stored = model.network.layers.reduce((n, l) => n + l.weights.length + (l.hasBias ? l.units : 0), 0);
        assert.ok(info.parameters >= stored, `${info.parameters} stored parameters ≥ ${stored} in the network`);
        for (const note of expected.notes ?? []) {
          assert.ok(model.normalised.some((n) => note.test(n)), `no note matches ${note}: ${JSON.stringify(model.normalised)}`);
        }
      } else if ('unsupported' in expected) {
        const info = await format.inspect(path, diskFiles);
        assert.equal(info.blocker?.layer, expected.unsupported.layer);
        assert.equal(info.blocker?.className, expected.unsupported.className);
        if (expected.reason) assert.match(info.blocker?.reason ?? '', expected.reason);
        await assert.rejects(format.load(path, diskFiles), (error: unknown) => {
          assert.ok(error instanceof UnsupportedLayerError, String(error));
          assert.equal(error.layer, expected.unsupported.layer);
          assert.equal(error.className, expected.unsupported.className);
          assert.ok(error.message.startsWith(path), error.message);
          return true;
        });
      } else {
        if (expected.inspectFails) await assert.rejects(format.inspect(path, diskFiles), ModelFormatError);
        else assert.equal((await format.inspect(path, diskFiles)).blocker, undefined);
        await assert.rejects(format.load(path, diskFiles), (error: unknown) => {
          assert.ok(error instanceof ModelFormatError, String(error));
          assert.equal(error.file, path);
          assert.match(error.message, expected.corrupt);
          return true;
        });
      }
    });
  }

  it('inspect lists layers with units, activations and parameters, in file order', async () => {
    const info = await format.inspect(fixturePath('keras3-converter'), diskFiles);
    assert.deepEqual(
      info.layers.map((l) => [l.name, l.className, l.units, l.activation, l.parameters]),
      [
        ['input_layer', 'InputLayer', undefined, undefined, 0],
        ['dense', 'Dense', 7, 'relu', 5 * 7 + 7],
        ['dropout', 'Dropout', undefined, undefined, 0],
        ['dense_1', 'Dense', 4, 'softmax', 7 * 4 + 4],
      ],
    );
    assert.equal(info.inputs, 5);
    assert.equal(info.parameters, 42 + 32);
    assert.equal(info.producer, undefined);
  });
});
