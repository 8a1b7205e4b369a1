/**
 * Writes the scaling table's models (README "Scaling"): He-initialised ReLU MLPs with the
 * example's input width, as TF.js Layers files, each with the example's first 500 images.
 * Random weights cost the engine exactly what trained ones do; what they mean is not measured.
 * Usage: tsx bench/scaling/makeModels.ts <out-folder> 784-512-256-10 ...
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DenseNetwork } from '../../src/core/network';
import { Rng } from '../../src/core/rng';
import { nodeFileReader } from '../../src/engine/nodeFileReader';
import { tfjsLayersFormat } from '../../src/formats/tfjs/tfjsLayersFormat';

/** A ReLU MLP with softmax output, weights N(0, 2/inputs), zero biases. */
export function heNetwork(sizes: number[], seed: number): DenseNetwork {
  const rng = new Rng(seed);
  return {
    inputs: sizes[0]!,
    layers: sizes.slice(1).map((units, l) => {
      const inputs = sizes[l]!;
      const std = Math.sqrt(2 / inputs);
      const weights = new Float32Array(units * inputs);
      for (let i = 0; i < weights.length; i++) weights[i] = rng.normal() * std;
      const last = l === sizes.length - 2;
      // Layers past the template's three are written as inserted ones (the writer names them).
      const inserted = l >= 2 && !last;
      return { name: `dense_${l + 1}`, inputs, units, weights, bias: new Float32Array(units), activation: last ? 'softmax' : 'relu', hasBias: true, ...(inserted ? { inserted } : {}) };
    }),
  };
}

/** Writes one folder per shape ("784-512-256-10") under `out`, each a TF.js model. */
export async function writeScalingModels(out: string, shapes: readonly string[]): Promise<void> {
  const template = await tfjsLayersFormat.load(join(__dirname, '../../examples/mnist-mlp/model.json'), nodeFileReader);
  for (const shape of shapes) {
    const sizes = shape.split('-').map(Number);
    const dir = join(out, shape);
    mkdirSync(dir, { recursive: true });
    const files = await tfjsLayersFormat.write(template, heNetwork(sizes, 7), 'model');
    // The writer signs its files as MimosaNet output (`convertedBy`); these are originals.
    for (const file of files) {
      const bytes = file.name.endsWith('.json') ? JSON.stringify({ ...JSON.parse(Buffer.from(file.bytes).toString('utf8')), convertedBy: 'bench/scaling/makeModels.ts' }) : file.bytes;
      writeFileSync(join(dir, file.name), bytes);
    }
  }
}

async function main(): Promise<void> {
  const [out, ...shapes] = process.argv.slice(2);
  if (!out || shapes.length === 0) throw new Error('usage: makeModels.ts <out-folder> <784-512-256-10> ...');
  await writeScalingModels(out, shapes);
}

if (require.main === module) void main();
