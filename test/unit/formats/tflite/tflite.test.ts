import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MimosaError, ModelFormatError, UnsupportedLayerError } from '../../../../src/core/errors';
import { Rng } from '../../../../src/core/rng';
import { nodeFileReader } from '../../../../src/engine/nodeFileReader';
import type { FileReader } from '../../../../src/formats/format';
import { sniffFormat } from '../../../../src/formats/registry';
import { tfliteFormat } from '../../../../src/formats/tflite/tfliteFormat';

const DIR = join(__dirname, '../../../fixtures/tflite');
const FLOAT = join(DIR, 'sine_model.tflite');
const INT8 = join(DIR, 'sine_model_quantized.tflite');

describe('TensorFlow Lite: recognised, described, refused (formats/tflite)', () => {
  it('is recognised by content, not by name', () => {
    const head = readFileSync(FLOAT).subarray(0, 64);
    assert.equal(sniffFormat('sine_model.tflite', head)?.id, 'tflite');
    assert.equal(sniffFormat('renamed.tflite', new Uint8Array(64))?.id, undefined);
  });

  it('describes the float sine model (three FULLY_CONNECTED layers, 321 parameters) and refuses it naming the format', async () => {
    const info = await tfliteFormat.inspect(FLOAT, nodeFileReader);
    assert.deepEqual(info.layers.map((l) => [l.className, l.units, l.parameters]), [['FULLY_CONNECTED', 16, 32], ['FULLY_CONNECTED', 16, 272], ['FULLY_CONNECTED', 1, 17]]);
    assert.equal(info.inputs, 1);
    assert.match(info.blocker!.reason, /TensorFlow Lite model: recognised, but not supported yet/);
    await assert.rejects(tfliteFormat.load(FLOAT, nodeFileReader), UnsupportedLayerError);
  });

  it('names the int8 quantisation as the blocker of the quantised model', async () => {
    const info = await tfliteFormat.inspect(INT8, nodeFileReader);
    assert.equal(info.blocker!.className, 'QUANTIZE');
    assert.match(info.blocker!.reason, /int8-quantised/);
    await assert.rejects(tfliteFormat.load(INT8, nodeFileReader), (e: unknown) => e instanceof UnsupportedLayerError && /int8-quantised/.test((e as Error).message));
  });

  it('hostile input: 2,000 seeded truncations, bit flips and huge declared sizes each end in a typed error naming the file, or a description', async () => {
    const originals = [readFileSync(FLOAT), readFileSync(INT8)];
    const rng = new Rng(2026);
    const started = performance.now();
    let errors = 0;
    for (let c = 0; c < 2000; c++) {
      const source = originals[c % 2]!;
      let bytes = new Uint8Array(source);
      const kind = c % 4;
      if (kind === 0) bytes = bytes.subarray(0, rng.int(bytes.length));
      else if (kind === 1) for (let f = 0; f < 1 + rng.int(8); f++) bytes[rng.int(bytes.length)]! ^= 1 << rng.int(8);
      else if (kind === 2) new DataView(bytes.buffer).setUint32(4 * rng.int(bytes.length >> 2), 0xfffffff0 - rng.int(1000), true);
      else bytes.set([0xff, 0xff, 0xff, 0x7f], 8 + rng.int(bytes.length - 12));
      const name = `case-${c}.tflite`;
      const reader: FileReader = { read: async () => bytes, resolve: (_from, relative) => relative };
      try {
        await tfliteFormat.inspect(name, reader);
      } catch (error) {
        assert.ok(error instanceof MimosaError, `case ${c}: ${String(error)}`);
        assert.ok(error instanceof ModelFormatError || error instanceof UnsupportedLayerError, `case ${c}: ${(error as Error).message}`);
        assert.match((error as Error).message, new RegExp(name), `case ${c} names the file`);
        errors++;
      }
    }
    assert.ok(errors > 500, `${errors} of 2,000 cases were refused (the rest still parse as a description)`);
    assert.ok(performance.now() - started < 20_000);
  });
});
