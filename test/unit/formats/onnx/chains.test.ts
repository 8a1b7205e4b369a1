import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { onnx } from 'onnx-proto';
import { protectNetwork } from '../../../../src/core/constructions';
import { compareOutputs } from '../../../../src/core/equivalence';
import { UnsupportedLayerError } from '../../../../src/core/errors';
import { forward } from '../../../../src/core/forward';
import { describeArchitecture, outputWidth } from '../../../../src/core/network';
import type { ModelRuntime } from '../../../../src/formats/format';
import { onnxFormat as format } from '../../../../src/formats/onnx/onnxFormat';
import { buildModel, bytesReader, probeInputs, weights } from './helpers';

/** A model that is a chain in some exporter's layout, what it reads as, and the notes it gets. */
interface ChainCase {
  name: string;
  bytes: () => Uint8Array;
  architecture: string;
  notes?: string[];
}

const header = (version: number) => ({ opsetImport: [{ domain: '', version }], irVersion: version >= 21 ? 10 : 8, producerName: 'test' });

const CASES: ChainCase[] = [
  {
    name: 'Gemm with [in,out] weights, alpha and beta, then Gemm(transB=1) › Softmax',
    bytes: () =>
      buildModel((g) => {
        const h = g.op('Relu', [g.op('Gemm', ['x', g.tensor('w1', [4, 5], weights(20, 1)), g.tensor('b1', [5], weights(5, 2))], { alpha: { float: 0.5 }, beta: { float: 2 } })]);
        return { out: g.op('Softmax', [g.op('Gemm', [h, g.tensor('w2', [3, 5], weights(15, 3)), g.tensor('b2', [1, 3], weights(3, 4))], { transB: { int: 1 } })], { axis: { int: -1 } }, 'probs'), units: 3 };
      }, { inputs: 4 }),
    architecture: '4 › 5 relu › 3 softmax',
    notes: ['alpha 0.5 and beta 2 folded'],
  },
  {
    name: 'Gemm with transA=1 (input [features, batch])',
    bytes: () => buildModel((g) => ({ out: g.op('Tanh', [g.op('Gemm', ['x', g.tensor('w', [3, 4], weights(12, 5)), g.tensor('b', [3], weights(3, 6))], { transA: { int: 1 }, transB: { int: 1 } })]), units: 3 }), { inputs: 4, inputDims: [4, 'N'] }),
    architecture: '4 › 3 tanh',
    notes: ['transA=1'],
  },
  {
    name: 'tf2onnx: MatMul + Add (bias first) › LeakyRelu › MatMul + Add › Sigmoid',
    bytes: () =>
      buildModel((g) => {
        const z1 = g.op('Add', [g.tensor('b1', [6], weights(6, 7)), g.op('MatMul', ['x', g.tensor('w1', [4, 6], weights(24, 8))])]);
        const h = g.op('LeakyRelu', [z1], { alpha: { float: 0.2 } });
        return { out: g.op('Sigmoid', [g.op('Add', [g.op('MatMul', [h, g.tensor('w2', [6, 1], weights(6, 9))]), g.tensor('b2', [1], weights(1, 10))])]), units: 1 };
      }, { inputs: 4 }),
    architecture: '4 › 6 leaky_relu › 1 sigmoid',
  },
  {
    name: 'Flatten of [N, 1, 2, 3] › Gemm › Elu › Dropout › Gemm (no bias) + Add',
    bytes: () =>
      buildModel((g) => {
        const flat = g.op('Flatten', ['x'], { axis: { int: 1 } });
        const h = g.op('Dropout', [g.op('Elu', [g.op('Gemm', [flat, g.tensor('w1', [5, 6], weights(30, 11)), g.tensor('b1', [5], weights(5, 12))], { transB: { int: 1 } })], { alpha: { float: 0.7 } })]);
        return { out: g.op('Add', [g.op('Gemm', [h, g.tensor('w2', [5, 2], weights(10, 13))]), g.tensor('b2', [2], weights(2, 14))]), units: 2 };
      }, { inputs: 6, inputDims: ['N', 1, 2, 3] }),
    architecture: '6 › 5 elu › 2 linear',
    notes: ["Dropout 'Dropout #3' left out"],
  },
  {
    name: 'Reshape to [-1, 6] › MatMul (bias-free) › Relu › MatMul, opset 21',
    bytes: () =>
      buildModel((g) => {
        const flat = g.op('Reshape', ['x', g.int64s([-1, 6])]);
        return { out: g.op('MatMul', [g.op('Relu', [g.op('MatMul', [flat, g.tensor('w1', [6, 4], weights(24, 15))])]), g.tensor('w2', [4, 3], weights(12, 16))]), units: 3 };
      }, { inputs: 6, inputDims: ['N', 2, 3], header: header(21) }),
    architecture: '6 › 4 relu › 3 linear',
  },
  {
    name: 'float64 weights and inputs, Tanh and Sigmoid',
    bytes: () =>
      buildModel((g) => {
        const h = g.op('Tanh', [g.op('Gemm', ['x', g.tensor('w1', [4, 3], weights(12, 17), 'float64'), g.tensor('b1', [4], weights(4, 18), 'float64')], { transB: { int: 1 } })]);
        return { out: g.op('Sigmoid', [g.op('Gemm', [h, g.tensor('w2', [2, 4], weights(8, 19), 'float64')], { transB: { int: 1 } })]), units: 2 };
      }, { inputs: 3, type: 'float64' }),
    architecture: '3 › 4 tanh › 2 sigmoid',
    notes: ['float64 weights'],
  },
  {
    name: 'Softplus, Softsign and HardSigmoid(0.2, 0.5)',
    bytes: () =>
      buildModel((g) => {
        const h1 = g.op('Softplus', [g.op('Gemm', ['x', g.tensor('w1', [4, 3], weights(12, 20)), g.tensor('b1', [4], weights(4, 21))], { transB: { int: 1 } })]);
        const h2 = g.op('Softsign', [g.op('Gemm', [h1, g.tensor('w2', [4, 4], weights(16, 22))], { transB: { int: 1 } })]);
        return { out: g.op('HardSigmoid', [g.op('Gemm', [h2, g.tensor('w3', [2, 4], weights(8, 23))], { transB: { int: 1 } })], { alpha: { float: 0.2 }, beta: { float: 0.5 } }), units: 2 };
      }, { inputs: 3 }),
    architecture: '3 › 4 softplus › 4 softsign › 2 hard_sigmoid',
  },
];

/** The same model with every float32 initializer moved from raw_data to float_data. */
function asFloatData(bytes: Uint8Array): Uint8Array {
  const model = onnx.ModelProto.decode(bytes);
  for (const t of model.graph!.initializer!) {
    const raw = t.rawData;
    if (t.dataType !== onnx.TensorProto.DataType.FLOAT || !raw || raw.length === 0) continue;
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    t.floatData = Array.from({ length: raw.length / 4 }, (_, i) => view.getFloat32(i * 4, true));
    delete (t as { rawData?: Uint8Array }).rawData;
  }
  return onnx.ModelProto.encode(model).finish();
}

describe('ONNX dense chains in exporters\' layouts', () => {
  let runtime: ModelRuntime;
  before(async () => {
    runtime = await format.createRuntime();
  });

  for (const c of [...CASES, { ...CASES[0]!, name: `${CASES[0]!.name}, weights in float_data`, bytes: () => asFloatData(CASES[0]!.bytes()) }]) {
    it(`${c.name}: reads as ${c.architecture} and computes what onnxruntime computes`, async () => {
      const bytes = c.bytes();
      const model = await format.load('/mem/model.onnx', bytesReader(bytes));
      assert.equal(describeArchitecture(model.network), c.architecture);
      for (const note of c.notes ?? []) assert.ok(model.normalised.some((n) => n.includes(note)), `${note}: ${JSON.stringify(model.normalised)}`);
      const rows = 33;
      const x = probeInputs(rows, model.network.inputs, 4);
      const files = [{ name: 'model.onnx', bytes }];
      const width = outputWidth(model.network);
      for (const logits of [false, true]) {
        const ort = await runtime.predict(files, x, rows, { logits, batch: 8 });
        const ours = forward(model.network, x, rows, { logits, precision: 'float64' });
        const { maxAbsDiff } = compareOutputs(ours, ort, rows, width);
        assert.ok(maxAbsDiff < 1e-5, `logits ${logits}: max |Δ| ${maxAbsDiff} between onnxruntime and the network read`);
      }
      // The protected copy is written in the same layout and stays equivalent.
      const copy = protectNetwork(model.network, { seed: 3, amplitude: 4, copies: 3, rescaleExponent: 8, twins: 0, permute: true });
      const written = await format.write(model, copy.network, 'model');
      const a = await runtime.predict(files, x, rows, { logits: true });
      const b = await runtime.predict(written, x, rows, { logits: true });
      assert.ok(compareOutputs(a, b, rows, width).relDiff < 1e-4);
    });
  }
});

/** Models that parse but are not chains, with the node that blocks them. */
const BLOCKED: { name: string; bytes: () => Uint8Array; layer: string; className: string; message: string }[] = [
  {
    name: 'two activations in a row',
    bytes: () => buildModel((g) => ({ out: g.op('Tanh', [g.op('Relu', [g.op('Gemm', ['x', g.tensor('w', [2, 4], weights(8, 1))], { transB: { int: 1 } })])], {}, 'y', 'tanh_node'), units: 2 }), { inputs: 4 }),
    layer: 'tanh_node',
    className: 'Tanh',
    message: 'second activation',
  },
  {
    name: 'a residual Add',
    bytes: () =>
      buildModel((g) => {
        const h = g.op('Gemm', ['x', g.tensor('w', [4, 4], weights(16, 1))], { transB: { int: 1 } });
        return { out: g.op('Add', [h, g.op('Relu', [h])], {}, 'y', 'residual'), units: 4 };
      }, { inputs: 4 }),
    layer: 'residual',
    className: 'Add',
    message: 'branches',
  },
  {
    name: 'Softmax before another layer',
    bytes: () =>
      buildModel((g) => {
        const h = g.op('Softmax', [g.op('Gemm', ['x', g.tensor('w1', [3, 4], weights(12, 1))], { transB: { int: 1 } })], {}, undefined, 'early_softmax');
        return { out: g.op('Gemm', [h, g.tensor('w2', [2, 3], weights(6, 2))], { transB: { int: 1 } }), units: 2 };
      }, { inputs: 4 }),
    layer: 'early_softmax',
    className: 'Softmax',
    message: 'only supported on the last layer',
  },
  {
    name: 'float16 weights',
    bytes: () => {
      const bytes = buildModel((g) => ({ out: g.op('Gemm', ['x', g.tensor('w', [2, 4], weights(8, 1))], { transB: { int: 1 } }, undefined, 'half'), units: 2 }), { inputs: 4 });
      const model = onnx.ModelProto.decode(bytes);
      const w = model.graph!.initializer![0]!;
      w.dataType = onnx.TensorProto.DataType.FLOAT16;
      w.rawData = w.rawData!.subarray(0, 16);
      return onnx.ModelProto.encode(model).finish();
    },
    layer: 'half',
    className: 'Gemm',
    message: 'of type float16; only float32 and float64',
  },
  {
    name: 'opset 22',
    bytes: () => buildModel((g) => ({ out: g.op('Gemm', ['x', g.tensor('w', [2, 4], weights(8, 1))], { transB: { int: 1 } }), units: 2 }), { inputs: 4, header: header(22) }),
    layer: 'opset_import',
    className: 'ModelProto',
    message: 'opsets 6–21',
  },
];

describe('ONNX models that are not dense chains', () => {
  for (const c of BLOCKED) {
    it(`${c.name}: refused at ${c.className} '${c.layer}'`, async () => {
      const reader = bytesReader(c.bytes());
      const info = await format.inspect('/mem/m.onnx', reader);
      assert.deepEqual(info.blocker && { layer: info.blocker.layer, className: info.blocker.className }, { layer: c.layer, className: c.className }, JSON.stringify(info.blocker));
      await assert.rejects(format.load('/mem/m.onnx', reader), (error: unknown) => error instanceof UnsupportedLayerError && error.message.includes(c.message));
    });
  }

  it('a copy MimosaNet wrote is recognised as one (protect refuses it)', async () => {
    const bytes = CASES[0]!.bytes();
    const model = await format.load('/mem/m.onnx', bytesReader(bytes));
    assert.equal(model.info.producer, undefined);
    const [written] = await format.write(model, model.network, 'm');
    assert.equal((await format.inspect('/mem/m.onnx', bytesReader(written!.bytes))).producer, 'MimosaNet');
  });
});

