import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { before, describe, it } from 'node:test';
import { protectNetwork } from '../../../../src/core/constructions';
import { compareOutputs, equivalencePasses } from '../../../../src/core/equivalence';
import { UnsupportedLayerError } from '../../../../src/core/errors';
import { describeArchitecture, outputWidth } from '../../../../src/core/network';
import type { ModelRuntime } from '../../../../src/formats/format';
import { onnxFormat as format } from '../../../../src/formats/onnx/onnxFormat';
import { diskFiles, ONNX_FIXTURES_DIR, probeInputs, writtenReader } from './helpers';

/** Real files that are dense chains: protected, and equivalent in onnxruntime. */
const PROTECTED: { file: string; architecture: string; notes: string[] }[] = [
  { file: 'heman-pytorch110-gemm/gemm.onnx', architecture: '16 › 8 linear', notes: ['fixed batch of 1'] },
  {
    file: 'mvjl-acasxu-float64/ACASXU_run2a_1_1_batch_2000.onnx',
    architecture: `5 › 5 linear › ${Array(6).fill('50 relu').join(' › ')} › 5 linear`,
    notes: ['float64 weights are protected at float32 precision', "declared float32 but the weights are float64", 'fixed batch of 5'],
  },
  { file: 'mvjl-small-nnet-float64/small_nnet.onnx', architecture: '1 › 2 relu › 2 relu › 1 relu', notes: ['float64 weights', 'declared float32', 'fixed batch of 1'] },
  { file: 'mvjl-tf2onnx-drl-nobias/model_drl_unsafe.onnx', architecture: '7 › 32 relu › 32 relu › 3 linear', notes: [] },
  { file: 'onnx-pytorch-converted/test_Linear.onnx', architecture: '10 › 8 linear', notes: ['fixed batch of 4', 'opset 6'] },
  { file: 'onnx-pytorch-converted/test_Linear_no_bias.onnx', architecture: '10 › 8 linear', notes: ['fixed batch of 4', 'opset 6'] },
];

const WEIGHTS_AS_INPUTS = 'as a graph input, not stored in the file';
/** Real files that are not: refused, naming the first blocking node. */
const REFUSED: { file: string; layer: string; className: string; message: string }[] = [
  { file: 'onnx-light-alexnet/light_bvlc_alexnet.onnx', layer: 'n0', className: 'Conv', message: 'is a convolution' },
  { file: 'heman-pytorch-cnn-square-negative/mnist.onnx', layer: 'Conv_0', className: 'Conv', message: 'is a convolution' },
  { file: 'mvjl-pytorch-conv-negative/mlp_python.onnx', layer: '/conv1/Conv', className: 'Conv', message: 'is a convolution' },
  { file: 'onnx-backend-node/test_gemm_default_no_bias.onnx', layer: 'Gemm #0', className: 'Gemm', message: WEIGHTS_AS_INPUTS },
  { file: 'onnx-backend-node/test_gemm_default_vector_bias.onnx', layer: 'Gemm #0', className: 'Gemm', message: WEIGHTS_AS_INPUTS },
  { file: 'onnx-backend-node/test_gemm_transposeB.onnx', layer: 'Gemm #0', className: 'Gemm', message: WEIGHTS_AS_INPUTS },
  { file: 'onnx-backend-node/test_matmul_2d.onnx', layer: 'MatMul #0', className: 'MatMul', message: WEIGHTS_AS_INPUTS },
  { file: 'onnx-pytorch-converted/test_operator_addmm.onnx', layer: 'Gemm #0', className: 'Gemm', message: WEIGHTS_AS_INPUTS },
  { file: 'onnx-backend-node/test_relu.onnx', layer: 'Relu #0', className: 'Relu', message: 'activation before any dense layer' },
  { file: 'onnx-pytorch-converted/test_ReLU.onnx', layer: 'Relu #0', className: 'Relu', message: 'activation before any dense layer' },
];

function allFixtures(dir = ONNX_FIXTURES_DIR): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? allFixtures(path) : name.endsWith('.onnx') ? [relative(ONNX_FIXTURES_DIR, path)] : [];
  });
}

describe('ONNX fixtures', () => {
  let runtimes: ModelRuntime[] = [];
  before(async () => {
    runtimes = (await format.createFieldRuntimes()).runtimes;
  });

  it('the table lists every fixture once, and the README names each', () => {
    const listed = [...PROTECTED, ...REFUSED].map((f) => f.file).sort();
    assert.deepEqual(listed, allFixtures().sort());
    const readme = readFileSync(join(ONNX_FIXTURES_DIR, 'README.md'), 'utf8');
    for (const file of listed) assert.ok(readme.includes(file.split('/')[0]!), `README row for ${file}`);
  });

  it('every fixture is recognised by content (and the name check takes .onnx)', () => {
    for (const file of allFixtures()) {
      assert.equal(format.sniff(readFileSync(join(ONNX_FIXTURES_DIR, file)).subarray(0, 64 * 1024), file), true, file);
      assert.equal(format.matchesName(file.split('/').pop()!), true);
    }
  });

  for (const fixture of PROTECTED) {
    it(`${fixture.file}: ${fixture.architecture}, protected and equivalent in onnxruntime`, async () => {
      const path = join(ONNX_FIXTURES_DIR, fixture.file);
      const info = await format.inspect(path, diskFiles);
      assert.equal(info.blocker, undefined);
      const model = await format.load(path, diskFiles);
      assert.equal(describeArchitecture(model.network), fixture.architecture);
      assert.equal(model.normalised.length, fixture.notes.length, JSON.stringify(model.normalised));
      for (const note of fixture.notes) assert.ok(model.normalised.some((n) => n.includes(note)), `${note}: ${JSON.stringify(model.normalised)}`);
      const copy = protectNetwork(model.network, { seed: 7, amplitude: 4, copies: 3, rescaleExponent: 8, twins: 0, permute: true });
      const written = await format.write(model, copy.network, 'model');
      const { reader, path: writtenPath } = writtenReader(written);
      assert.equal((await format.inspect(writtenPath, reader)).producer, 'MimosaNet');
      const original = await format.readFiles(path, diskFiles);
      const rows = 64;
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
      const path = join(ONNX_FIXTURES_DIR, fixture.file);
      const info = await format.inspect(path, diskFiles);
      assert.deepEqual(info.blocker && { layer: info.blocker.layer, className: info.blocker.className }, { layer: fixture.layer, className: fixture.className });
      assert.ok(info.layers.length > 0, 'inspect still lists the nodes');
      await assert.rejects(format.load(path, diskFiles), (error: unknown) => {
        assert.ok(error instanceof UnsupportedLayerError, String(error));
        assert.ok(error.message.startsWith(path), error.message);
        assert.ok(error.message.includes(fixture.message), error.message);
        assert.ok(error.message.endsWith(info.blocker!.reason));
        return true;
      });
    });
  }
});
