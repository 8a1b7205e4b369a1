/**
 * Benchmark: forward passes on the bundled example, original and protected, in MimosaNet's core
 * (float64 accumulation with zero skipping, and strict sequential float32) and in
 * @tensorflow/tfjs (cpu backend). Prints milliseconds and ratios against tfjs on the original
 * model, measured in the same run (machines here are shared and noisy: read the ratios).
 * Run: npm run bench
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { protectNetwork } from '../src/core/constructions';
import { forward } from '../src/core/forward';
import { DEFAULT_OPTIONS } from '../src/core/options';
import { nodeFileReader } from '../src/engine/nodeFileReader';
import { parseNpy } from '../src/formats/data/npy';
import { tfjsLayersFormat } from '../src/formats/tfjs/tfjsLayersFormat';

const ROWS = 500;
const REPEATS = 5;

async function time(run: () => unknown | Promise<unknown>): Promise<number> {
  await run(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  return samples.sort((a, b) => a - b)[Math.floor(REPEATS / 2)]!; // median
}

async function main(): Promise<void> {
  const example = join(__dirname, '../examples/mnist-mlp');
  const model = await tfjsLayersFormat.load(join(example, 'model.json'), nodeFileReader);
  const data = parseNpy(new Uint8Array(readFileSync(join(example, 'eval-x.npy'))), 'eval-x.npy');
  const x = Float32Array.from(data.values.subarray(0, ROWS * 784));
  const protectedNet = protectNetwork(model.network, { ...DEFAULT_OPTIONS, amplitude: 724, permute: true }).network;
  const runtime = await tfjsLayersFormat.createRuntime();
  const originalFiles = await tfjsLayersFormat.readFiles(join(example, 'model.json'), nodeFileReader);
  const protectedFiles = await tfjsLayersFormat.write(model, protectedNet, 'model');

  const rows: [string, number][] = [];
  for (const [label, network, files] of [['original', model.network, originalFiles], ['protected', protectedNet, protectedFiles]] as const) {
    rows.push([`tfjs cpu predict, ${label}`, await time(() => runtime.predict([...files], x, ROWS, { logits: true }))]);
    rows.push([`core float64 (zero skipping), ${label}`, await time(() => forward(network, x, ROWS, { precision: 'float64', logits: true }))]);
    rows.push([`core strict float32, ${label}`, await time(() => forward(network, x, ROWS, { precision: 'float32', logits: true }))]);
  }
  const reference = rows[0]![1];
  console.log(`${ROWS} MNIST samples, median of ${REPEATS}; ratio = time / (tfjs cpu predict, original)`);
  for (const [label, ms] of rows) console.log(`${label.padEnd(44)} ${ms.toFixed(1).padStart(8)} ms  ${(ms / reference).toFixed(2).padStart(6)}×`);
}

void main();
