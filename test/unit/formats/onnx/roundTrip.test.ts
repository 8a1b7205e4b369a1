import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { insertReluPairLayer } from '../../../../src/core/constructions';
import { UsageError } from '../../../../src/core/errors';
import type { DenseNetwork } from '../../../../src/core/network';
import { DEFAULT_OPTIONS } from '../../../../src/core/options';
import { readOriginal } from '../../../../src/engine/protect/originalModel';
import { protectModel } from '../../../../src/engine/protectModel';
import { decodeModel } from '../../../../src/formats/onnx/onnxModel';
import { onnxFormat as format } from '../../../../src/formats/onnx/onnxFormat';
import { sniffFormat } from '../../../../src/formats/registry';
import { buildModel, diskFiles, ONNX_FIXTURES_DIR, weights, writtenReader } from './helpers';

const EXAMPLE = join(__dirname, '..', '..', '..', '..', 'examples', 'onnx-mlp', 'model.onnx');
const LOADABLE = [
  join(ONNX_FIXTURES_DIR, 'heman-pytorch110-gemm/gemm.onnx'),
  join(ONNX_FIXTURES_DIR, 'mvjl-acasxu-float64/ACASXU_run2a_1_1_batch_2000.onnx'),
  join(ONNX_FIXTURES_DIR, 'mvjl-small-nnet-float64/small_nnet.onnx'),
  join(ONNX_FIXTURES_DIR, 'mvjl-tf2onnx-drl-nobias/model_drl_unsafe.onnx'),
  join(ONNX_FIXTURES_DIR, 'onnx-pytorch-converted/test_Linear.onnx'),
  join(ONNX_FIXTURES_DIR, 'onnx-pytorch-converted/test_Linear_no_bias.onnx'),
  EXAMPLE,
];

/** Weights, biases, activations and slopes are equal bit for bit. */
function assertSameNetwork(actual: DenseNetwork, expected: DenseNetwork, label: string): void {
  assert.equal(actual.inputs, expected.inputs, label);
  assert.equal(actual.layers.length, expected.layers.length, label);
  actual.layers.forEach((layer, l) => {
    const other = expected.layers[l]!;
    assert.deepEqual([layer.units, layer.inputs, layer.activation, layer.alpha], [other.units, other.inputs, other.activation, other.alpha], `${label} layer ${l}`);
    assert.deepEqual(layer.weights, other.weights, `${label} layer ${l} weights`);
    assert.deepEqual(layer.bias, other.bias, `${label} layer ${l} bias`);
  });
}

describe('ONNX round trip', () => {
  for (const path of LOADABLE) {
    it(`${path.split('/').slice(-2).join('/')}: read › write › read gives the same network, opset, IR version and input/output`, async () => {
      const model = await format.load(path, diskFiles);
      const written = await format.write(model, model.network, 'model');
      assert.equal(written.length, 1);
      assert.equal(written[0]!.name, 'model.onnx');
      const { reader, path: writtenPath } = writtenReader(written);
      const again = await format.load(writtenPath, reader);
      assertSameNetwork(again.network, model.network, path);
      assert.equal(again.info.producer, 'MimosaNet');
      const before = decodeModel(readFileSync(path), path);
      const after = decodeModel(written[0]!.bytes, writtenPath);
      assert.equal(after.irVersion, before.irVersion);
      assert.deepEqual(after.opsetImport, before.opsetImport);
      const io = (m: typeof before) => [...m.graph!.input.filter((i) => !m.graph!.initializer.some((t) => t.name === i.name)), ...m.graph!.output].map((v) => [v.name, v.shape]);
      assert.deepEqual(io(after), io(before));
      // Written twice, the same bytes.
      assert.deepEqual((await format.write(model, model.network, 'model'))[0]!.bytes, written[0]!.bytes);
    });
  }

  it('an inserted layer (a single-layer model gains a hidden one) is written before its source layer and reads back', async () => {
    const model = await format.load(LOADABLE[0]!, diskFiles);
    const widened = insertReluPairLayer(model.network);
    const written = await format.write(model, widened, 'model');
    const { reader, path } = writtenReader(written);
    assertSameNetwork((await format.load(path, reader)).network, widened, 'relu pairs');
  });

  it('a bias-free layer stays bias-free while its bias is zero and gains one when it is not', async () => {
    const model = await format.load(LOADABLE[3]!, diskFiles);
    const plain = decodeModel((await format.write(model, model.network, 'm'))[0]!.bytes, 'm');
    assert.equal(plain.graph!.node.filter((n) => n.opType === 'Add').length, 0);
    const biased = { ...model.network, layers: model.network.layers.map((l) => ({ ...l, bias: l.bias.map(() => 0.25) })) };
    const written = await format.write(model, biased, 'm');
    assert.equal(decodeModel(written[0]!.bytes, 'm').graph!.node.filter((n) => n.opType === 'Add').length, 3);
    const { reader, path } = writtenReader(written);
    assertSameNetwork((await format.load(path, reader)).network, { ...biased, layers: biased.layers.map((l) => ({ ...l, hasBias: true })) }, 'biased');
  });
});

describe('protecting an ONNX model end to end', () => {
  const work = mkdtempSync(join(tmpdir(), 'mimosanet-onnx-protect-'));
  after(() => rmSync(work, { recursive: true, force: true }));

  it('protect writes an ONNX copy that passes in onnxruntime, and refuses to protect that copy again', async () => {
    const modelPath = join(work, 'mlp.onnx');
    writeFileSync(
      modelPath,
      buildModel((g) => {
        const h1 = g.op('Relu', [g.op('Gemm', ['x', g.tensor('fc1.weight', [16, 8], weights(128, 1)), g.tensor('fc1.bias', [16], weights(16, 2))], { transB: { int: 1 } })]);
        const h2 = g.op('Relu', [g.op('Gemm', [h1, g.tensor('fc2.weight', [12, 16], weights(192, 3)), g.tensor('fc2.bias', [12], weights(12, 4))], { transB: { int: 1 } })]);
        return { out: g.op('Gemm', [h2, g.tensor('fc3.weight', [3, 12], weights(36, 5)), g.tensor('fc3.bias', [3], weights(3, 6))], { transB: { int: 1 } }, 'logits'), units: 3 };
      }, { inputs: 8 }),
    );
    assert.equal(sniffFormat(modelPath, readFileSync(modelPath).subarray(0, 64 * 1024))?.id, 'onnx');
    const outDir = join(work, 'mlp.mimosa');
    const { report, protectedPath } = await protectModel({
      modelPath,
      outDir,
      force: false,
      options: { ...DEFAULT_OPTIONS, kinds: ['multiplicative'], repeats: 1, maxSamples: 200, attacks: false, engine: 'js' },
    });
    assert.equal(report.model.format, 'onnx');
    assert.equal(report.equivalence.passed, true);
    assert.match(report.equivalence.runtime, /^onnxruntime-node/);
    assert.equal(protectedPath, join(outDir, 'mlp.onnx'));
    const copy = await format.load(protectedPath, diskFiles);
    assert.equal(copy.info.producer, 'MimosaNet');
    assert.ok(copy.network.layers[0]!.units > 16, 'hidden neurons were split');
    await assert.rejects(readOriginal(protectedPath), UsageError);
  });
});
