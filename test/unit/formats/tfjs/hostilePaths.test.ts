import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ModelFormatError } from '../../../../src/core/errors';
import { isContainedRelativePath } from '../../../../src/formats/tfjs/modelFiles';
import { tfjsLayersFormat as format } from '../../../../src/formats/tfjs/tfjsLayersFormat';
import { memoryFiles } from './helpers';

describe('weights manifest paths', () => {
  it('accepts relative paths inside the model folder and refuses the rest', () => {
    for (const ok of ['weights.bin', 'group1-shard1of1.bin', './w/shard.bin', 'a/../b.bin']) assert.equal(isContainedRelativePath(ok), true, ok);
    for (const bad of ['', '/etc/passwd', '../secret.bin', 'a/../../b.bin', '..\\\\x.bin', 'C:\\\\x.bin', 'https://example.com/w.bin', 'file:///etc/passwd', '\\\\\\\\server\\\\share']) {
      assert.equal(isContainedRelativePath(bad), false, bad);
    }
  });

  it('a model.json pointing outside its folder is refused before anything is read', async () => {
    const json = {
      format: 'layers-model',
      modelTopology: { class_name: 'Sequential', config: { name: 's', layers: [{ class_name: 'Dense', config: { name: 'd', units: 1, activation: 'linear', use_bias: true, batch_input_shape: [null, 2] } }] } },
      weightsManifest: [{ paths: ['../../../etc/passwd'], weights: [{ name: 'd/kernel', shape: [2, 1], dtype: 'float32' }, { name: 'd/bias', shape: [1], dtype: 'float32' }] }],
    };
    const { reader, main } = memoryFiles([{ name: 'model.json', bytes: new TextEncoder().encode(JSON.stringify(json)) }]);
    let read = 0;
    const counting = { ...reader, read: async (p: string) => (read++, reader.read(p)) };
    await assert.rejects(format.load(main, counting), (error: unknown) => error instanceof ModelFormatError && /not a relative path inside the model's folder/.test(error.message));
    assert.equal(read, 1, 'only model.json was read');
  });
});
