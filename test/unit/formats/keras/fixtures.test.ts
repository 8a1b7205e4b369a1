import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { before, describe, it } from 'node:test';
import { protectNetwork } from '../../../../src/core/constructions';
import { compareOutputs, equivalencePasses } from '../../../../src/core/equivalence';
import { UnsupportedLayerError } from '../../../../src/core/errors';
import { describeArchitecture, outputWidth } from '../../../../src/core/network';
import type { ModelRuntime } from '../../../../src/formats/format';
import { kerasFormat as format } from '../../../../src/formats/keras/kerasFormat';
import { sniffFormat } from '../../../../src/formats/registry';
import { diskFiles, KERAS_FIXTURES_DIR, probeInputs, writtenReader } from './helpers';

/** Keras files that are dense chains: protected, written in the same layout, equivalent in tfjs cpu and wasm. */
const PROTECTED: { file: string; architecture: string; written: string[]; notes: string[] }[] = [
  {
    file: 'creditfraud-weights-only-keras205/model.h5',
    architecture: '30 › 16 relu › 18 relu › 20 relu › 24 relu › 1 sigmoid',
    written: ['model.h5', 'model.json'],
    notes: [],
  },
  {
    file: 'keras3-sequential-mlp/mlp.keras',
    architecture: '12 › 10 relu › 4 softmax',
    written: ['mlp.keras'],
    notes: ["Activation 'activation' (softmax) folded into Dense 'dense_1'", 'optimizer state (10 tensors) left out'],
  },
  {
    file: 'keras3-sequential-mlp-h5/mlp.h5',
    architecture: '12 › 10 relu › 4 softmax',
    written: ['mlp.h5'],
    notes: ["Activation 'activation' (softmax) folded into Dense 'dense_1'", 'optimizer state (10 tensors) left out'],
  },
  {
    file: 'keras3-weights-only/mlp.weights.h5',
    architecture: '12 › 10 relu › 4 softmax',
    written: ['mlp.weights.h5', 'mlp.json'],
    notes: ["Activation 'activation' (softmax) folded into Dense 'dense_1'", 'optimizer state (10 tensors) left out'],
  },
  {
    file: 'keras3-functional-bn/scorer.keras',
    architecture: '6 › 8 leaky_relu › 1 sigmoid',
    written: ['scorer.keras'],
    notes: ["BatchNormalization 'norm' folded into the preceding Dense 'hidden'", 'Keras 2 form (Keras 3 reads it too)', 'optimizer state (12 tensors) left out'],
  },
  {
    file: 'keras3-functional-bn-h5/scorer.h5',
    architecture: '6 › 8 leaky_relu › 1 sigmoid',
    written: ['scorer.h5'],
    notes: ["BatchNormalization 'norm' folded into the preceding Dense 'hidden'", 'Keras 2 form (Keras 3 reads it too)', 'optimizer state (12 tensors) left out'],
  },
  { file: 'keras2-style-h5/model.h5', architecture: '5 › 7 tanh › 3 softmax', written: ['model.h5'], notes: [] },
];

/** Keras files that are not: refused, naming the blocking layer. */
const REFUSED: { file: string; layer: string; className: string; message: string }[] = [
  { file: 'keras3-conv-negative/cnn.keras', layer: 'conv', className: 'Conv2D', message: 'is a convolution' },
];

function allFixtures(dir = KERAS_FIXTURES_DIR): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? allFixtures(path) : /\.(h5|keras)$/.test(name) ? [relative(KERAS_FIXTURES_DIR, path)] : [];
  });
}

describe('Keras fixtures', () => {
  let runtimes: ModelRuntime[] = [];
  before(async () => {
    runtimes = (await format.createFieldRuntimes()).runtimes;
  });

  it('the table lists every fixture once, and the README names each', () => {
    assert.deepEqual([...PROTECTED, ...REFUSED].map((f) => f.file).sort(), allFixtures().sort());
    const readme = readFileSync(join(KERAS_FIXTURES_DIR, 'README.md'), 'utf8');
    for (const file of allFixtures()) assert.ok(readme.includes(file.split('/')[0]!), `README row for ${file}`);
  });

  it('every fixture is recognised by content through the registry; the JSON beside a weights-only file is not a TF.js model', () => {
    for (const file of allFixtures()) assert.equal(sniffFormat(file, readFileSync(join(KERAS_FIXTURES_DIR, file)).subarray(0, 64 * 1024))?.id, 'keras', file);
    for (const json of ['creditfraud-weights-only-keras205/model.json', 'keras3-weights-only/mlp.json']) {
      assert.equal(sniffFormat(json, readFileSync(join(KERAS_FIXTURES_DIR, json))), undefined, json);
    }
    // Content decides, not the name: a TF.js model.json renamed .h5 and a zip of something else are not Keras.
    assert.equal(format.sniff(new TextEncoder().encode('{"modelTopology": {}}'), 'model.h5'), false);
    assert.equal(format.sniff(Uint8Array.from([0x50, 0x4b, 3, 4, ...new Array(26).fill(0)]), 'x.keras'), false);
  });

  for (const fixture of PROTECTED) {
    it(`${fixture.file}: ${fixture.architecture}, protected, written as ${fixture.written.join(' + ')}, equivalent in tfjs`, async () => {
      const path = join(KERAS_FIXTURES_DIR, fixture.file);
      const info = await format.inspect(path, diskFiles);
      assert.equal(info.blocker, undefined);
      assert.equal(info.producer, undefined);
      const model = await format.load(path, diskFiles);
      assert.equal(describeArchitecture(model.network), fixture.architecture);
      assert.equal(model.normalised.length, fixture.notes.length, JSON.stringify(model.normalised));
      for (const note of fixture.notes) assert.ok(model.normalised.some((n) => n.includes(note)), `${note}: ${JSON.stringify(model.normalised)}`);
      const copy = protectNetwork(model.network, { seed: 7, amplitude: 4, copies: 3, rescaleExponent: 8, twins: 0, permute: true });
      const base = fixture.written[0]!.replace(/\.(h5|keras)$/, '');
      const written = await format.write(model, copy.network, base);
      assert.deepEqual(written.map((f) => f.name), fixture.written);
      const { reader, path: writtenPath } = writtenReader(written);
      const back = await format.load(writtenPath, reader);
      assert.equal(back.info.producer, 'MimosaNet');
      assert.equal(describeArchitecture(back.network), describeArchitecture(copy.network));
      const original = await format.readFiles(path, diskFiles);
      const rows = 48;
      const x = probeInputs(rows, model.network.inputs, 3);
      for (const runtime of runtimes) {
        for (const batch of [1, 16]) {
          const a = await runtime.predict(original, x, rows, { logits: true, batch });
          const b = await runtime.predict(written, x, rows, { logits: true, batch });
          const comparison = compareOutputs(a, b, rows, outputWidth(model.network));
          assert.ok(equivalencePasses(comparison, 1e-4), `${runtime.name} batch ${batch}: relDiff ${comparison.relDiff}, top-1 ${comparison.top1Agreement}`);
        }
      }
    });
  }

  for (const fixture of REFUSED) {
    it(`${fixture.file}: refused at ${fixture.className} '${fixture.layer}'`, async () => {
      const path = join(KERAS_FIXTURES_DIR, fixture.file);
      const info = await format.inspect(path, diskFiles);
      assert.deepEqual(info.blocker && { layer: info.blocker.layer, className: info.blocker.className }, { layer: fixture.layer, className: fixture.className });
      assert.ok(info.layers.length > 0, 'inspect still lists the layers');
      await assert.rejects(format.load(path, diskFiles), (error: unknown) => {
        assert.ok(error instanceof UnsupportedLayerError, String(error));
        assert.ok(error.message.startsWith(path), error.message);
        assert.ok(error.message.includes(fixture.message), error.message);
        return true;
      });
    });
  }
});
