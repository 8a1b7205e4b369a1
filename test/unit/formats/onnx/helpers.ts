import { join } from 'node:path';
import type { FileReader, WrittenFile } from '../../../../src/formats/format';
import { nodeFileReader } from '../../../../src/engine/nodeFileReader';
import { GraphBuilder, type ModelHeader } from '../../../../src/formats/onnx/graphBuilder';

/** The copied real ONNX files (see test/fixtures/onnx/README.md). */
export const ONNX_FIXTURES_DIR = join(__dirname, '..', '..', '..', 'fixtures', 'onnx');

/** FileReader over the local file system. */
export const diskFiles: FileReader = nodeFileReader;

/** A FileReader serving `bytes` under any path (for written copies and synthetic models). */
export function bytesReader(bytes: Uint8Array): FileReader {
  return { read: async () => bytes, resolve: (_from, relative) => relative };
}

/** The main file of a written copy as a FileReader and path. */
export function writtenReader(files: WrittenFile[]): { reader: FileReader; path: string } {
  return { reader: bytesReader(files[0]!.bytes), path: `/mem/${files[0]!.name}` };
}

/** Deterministic inputs in [-1, 1). */
export function probeInputs(rows: number, cols: number, seed = 1): Float32Array {
  let state = seed >>> 0;
  return Float32Array.from({ length: rows * cols }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  });
}

/** Seeded values of a weight matrix in [-0.5, 0.5). */
export function weights(count: number, seed: number): Float32Array {
  return probeInputs(count, 1, seed).map((v) => v / 2);
}

/**
 * A model built with the project's graph builder: `build` adds nodes after the input 'x'
 * ([N, inputs] unless `inputDims` says otherwise) and returns the value that is the graph output.
 */
export function buildModel(
  build: (g: GraphBuilder, x: string) => { out: string; units: number },
  options: { inputs: number; inputDims?: (number | string)[]; header?: ModelHeader; type?: 'float32' | 'float64' } = { inputs: 4 },
): Uint8Array {
  const g = new GraphBuilder('test', options.header ?? { opsetImport: [{ domain: '', version: 17 }], irVersion: 8, producerName: 'test' });
  const x = g.input('x', options.inputDims ?? ['N', options.inputs], options.type ?? 'float32');
  const { out, units } = build(g, x);
  g.output(out, ['N', units], out, options.type ?? 'float32');
  return g.encode();
}
