import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { encodeNpy } from '../../../../src/formats/data/npy';
import { onnxFormat as format } from '../../../../src/formats/onnx/onnxFormat';
import { formatsForName, sniffFormat } from '../../../../src/formats/registry';
import { ONNX_FIXTURES_DIR } from './helpers';

const EXAMPLES = join(__dirname, '..', '..', '..', '..', 'examples');

describe('ONNX sniff', () => {
  it('recognises a model by its content from the first 64 KiB, whatever the file is called', () => {
    const big = readFileSync(join(EXAMPLES, 'onnx-mlp', 'model.onnx'));
    assert.ok(big.length > 64 * 1024);
    assert.equal(format.sniff(big.subarray(0, 64 * 1024), 'model.onnx'), true);
    // A conv net named like an MLP is still an ONNX model (inspect then names its Conv).
    const conv = readFileSync(join(ONNX_FIXTURES_DIR, 'mvjl-pytorch-conv-negative', 'mlp_python.onnx')).subarray(0, 64 * 1024);
    assert.equal(sniffFormat('mlp_python.onnx', conv)?.id, 'onnx');
  });

  it('rejects look-alikes: other formats, other protobufs, text, nothing', () => {
    const lookAlikes: [string, Uint8Array][] = [
      ['tfjs model.json', readFileSync(join(EXAMPLES, 'mnist-mlp', 'model.json'))],
      ['npy', encodeNpy([2, 2], Float32Array.of(1, 2, 3, 4))],
      ['tflite', Uint8Array.from([0x1c, 0, 0, 0, 0x54, 0x46, 0x4c, 0x33, 0, 0, 0, 0])],
      ['a TensorProto (dims, data_type)', Uint8Array.from([0x08, 0x02, 0x08, 0x03, 0x10, 0x01])],
      ['ir_version only', Uint8Array.from([0x08, 0x07])],
      ['ir_version 0', Uint8Array.from([0x08, 0x00, 0x3a, 0x00])],
      ['text', new TextEncoder().encode('hello, this is not a model')],
      ['empty', new Uint8Array(0)],
      ['zeros', new Uint8Array(1024)],
    ];
    for (const [name, head] of lookAlikes) assert.equal(format.sniff(head, 'x.onnx'), false, name);
  });

  it('takes .onnx names only (case-insensitive), and the registry offers it for them', () => {
    assert.equal(format.matchesName('model.ONNX'), true);
    assert.equal(format.matchesName('model.onnx.json'), false);
    assert.equal(format.matchesName('model.pb'), false);
    assert.deepEqual(formatsForName('/a/b/net.onnx').map((f) => f.id), ['onnx']);
  });
});
