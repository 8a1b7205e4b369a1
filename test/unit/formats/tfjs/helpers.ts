import assert from 'node:assert/strict';
import type { DenseNetwork } from '../../../../src/core/network';
import type { LayerJson, ModelJson } from '../../../../src/formats/tfjs/topology';
import type { FileReader, WrittenFile } from '../../../../src/formats/format';
import { nodeFileReader } from '../../../../src/engine/nodeFileReader';

/** FileReader over the local file system. */
export const diskFiles: FileReader = nodeFileReader;

/** A FileReader over written files held in memory, under the folder `/mem/`. */
export function memoryFiles(files: WrittenFile[]): { reader: FileReader; main: string } {
  const byPath = new Map(files.map((f) => [`/mem/${f.name}`, f.bytes]));
  return {
    main: `/mem/${files[0]!.name}`,
    reader: {
      read: async (path) => {
        const bytes = byPath.get(path);
        if (!bytes) throw new Error(`ENOENT: ${path}`);
        return bytes;
      },
      resolve: (from, relative) => `${from.slice(0, from.lastIndexOf('/') + 1)}${relative}`,
    },
  };
}

/** Deterministic inputs in [-1, 1). */
export function probeInputs(rows: number, cols: number, seed = 1): Float32Array {
  let state = seed >>> 0;
  return Float32Array.from({ length: rows * cols }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state / 2 ** 32) * 2 - 1;
  });
}

/** Largest absolute difference of two equally long arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} ≠ ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/** Asserts two networks are identical, weights bit for bit. */
export function assertSameNetwork(actual: DenseNetwork, expected: DenseNetwork): void {
  assert.equal(actual.inputs, expected.inputs);
  assert.equal(actual.layers.length, expected.layers.length);
  expected.layers.forEach((e, i) => {
    const a = actual.layers[i]!;
    assert.deepEqual(
      [a.name, a.inputs, a.units, a.activation, a.alpha, a.hasBias],
      [e.name, e.inputs, e.units, e.activation, e.alpha, e.hasBias],
      `layer ${i}`,
    );
    assert.deepEqual(new Uint8Array(a.weights.buffer, a.weights.byteOffset, a.weights.byteLength), new Uint8Array(e.weights.buffer, e.weights.byteOffset, e.weights.byteLength), `weights of layer ${i}`);
    assert.deepEqual(new Uint8Array(a.bias.buffer, a.bias.byteOffset, a.bias.byteLength), new Uint8Array(e.bias.buffer, e.bias.byteOffset, e.bias.byteLength), `bias of layer ${i}`);
  });
}

/** Layers of a written model.json. */
export function writtenLayers(json: ModelJson): LayerJson[] {
  const holder = json.modelTopology.model_config ?? json.modelTopology;
  const config = holder.config!;
  return Array.isArray(config) ? config : config.layers;
}
