/**
 * Writes the ONNX example: the trained network of examples/mnist-mlp (read with MimosaNet's own
 * TF.js reader) exported as a PyTorch-style ONNX model with MimosaNet's ONNX graph builder, plus
 * the first EVAL_ROWS rows of that example's held-out evaluation data.
 *
 *   npx tsx examples/onnx-mlp/export.ts      (or: npm run example:onnx)
 *
 * The layout is what `torch.onnx.export` writes for nn.Linear layers: `Gemm` with transB=1 and
 * [out, in] weights named fc<k>.weight / fc<k>.bias, a dynamic batch dimension, opset 17, IR 8;
 * the last layer ends in `Softmax` as the TF.js model does. No randomness: two runs write
 * byte-identical files.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Activation } from '../../src/core/activations';
import type { DenseNetwork } from '../../src/core/network';
import { encodeNpy, parseNpy } from '../../src/formats/data/npy';
import { GraphBuilder } from '../../src/formats/onnx/graphBuilder';
import { tfjsLayersFormat } from '../../src/formats/tfjs/tfjsLayersFormat';

const SOURCE = join(__dirname, '..', 'mnist-mlp');
const OUT = __dirname;
/** Evaluation rows copied (half of the TF.js example's 2,000, to keep the repository small). */
const EVAL_ROWS = 1000;

const OPS: Partial<Record<Activation, string>> = { relu: 'Relu', softmax: 'Softmax' };

/** The network as a PyTorch-style ONNX model. */
export function exportOnnx(network: DenseNetwork): Uint8Array {
  const g = new GraphBuilder('mnist_mlp', { opsetImport: [{ domain: '', version: 17 }], irVersion: 8, producerName: 'mimosanet examples/onnx-mlp/export.ts', producerVersion: '1' });
  let h = g.input('input', ['batch_size', network.inputs]);
  network.layers.forEach((layer, k) => {
    const w = g.tensor(`fc${k + 1}.weight`, [layer.units, layer.inputs], layer.weights);
    const b = g.tensor(`fc${k + 1}.bias`, [layer.units], layer.bias);
    const last = k === network.layers.length - 1;
    const op = OPS[layer.activation];
    if (!op && layer.activation !== 'linear') throw new Error(`no ONNX operator for ${layer.activation}`);
    h = g.op('Gemm', [h, w, b], { transB: { int: 1 } }, last && !op ? 'output' : `/fc${k + 1}/Gemm_output_0`, `/fc${k + 1}/Gemm`);
    if (op) h = g.op(op, [h], op === 'Softmax' ? { axis: { int: 1 } } : {}, last ? 'output' : `/act${k + 1}/${op}_output_0`, `/act${k + 1}/${op}`);
  });
  g.output(h, ['batch_size', network.layers[network.layers.length - 1]!.units]);
  return g.encode();
}

async function main(): Promise<void> {
  const files = { read: async (path: string) => new Uint8Array(readFileSync(path)), resolve: (from: string, relative: string) => join(from, '..', relative) };
  const model = await tfjsLayersFormat.load(join(SOURCE, 'model.json'), files);
  writeFileSync(join(OUT, 'model.onnx'), exportOnnx(model.network));
  const x = parseNpy(new Uint8Array(readFileSync(join(SOURCE, 'eval-x.npy'))), 'eval-x.npy');
  const y = parseNpy(new Uint8Array(readFileSync(join(SOURCE, 'eval-y.npy'))), 'eval-y.npy');
  const width = x.shape[1]!;
  writeFileSync(join(OUT, 'eval-x.npy'), encodeNpy([EVAL_ROWS, width], Float32Array.from(x.values.subarray(0, EVAL_ROWS * width))));
  writeFileSync(join(OUT, 'eval-y.npy'), encodeNpy([EVAL_ROWS], Int32Array.from(y.values.subarray(0, EVAL_ROWS))));
  console.log(`wrote model.onnx (${model.network.inputs} › ${model.network.layers.map((l) => `${l.units} ${l.activation}`).join(' › ')}) and ${EVAL_ROWS} evaluation rows to ${OUT}`);
}

if (require.main === module) void main();
