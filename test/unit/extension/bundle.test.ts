import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as esbuild from 'esbuild';

/** Bundles an entry in memory with the options scripts/build.mjs uses for it. */
async function bundle(entry: string, external: string[]) {
  const result = await esbuild.build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', target: 'node20', external, write: false, metafile: true, outfile: 'out.js', logLevel: 'silent' });
  return { bytes: result.outputFiles[0]!.contents.length, inputs: Object.keys(result.metafile.inputs) };
}

describe('extension host bundle', () => {
  it('is small and holds neither tfjs nor the engine (they load in the worker)', async () => {
    const { bytes, inputs } = await bundle('src/extension/extension.ts', ['vscode', '@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', 'onnx-proto', 'onnxruntime-node', 'h5wasm', 'fflate']);
    // Unminified; each format's sniff and inspect code runs in the host (tfjs ~190 KB with the UI, ONNX ~80 KB more, Keras ~45 KB more,
    // TFLite's FlatBuffer walk ~6 KB more).
    // (~324 KB once the sweeps' code stopped riding along with the kinds' names; it was 360 KB.)
    assert.ok(bytes < 340_000, `dist/extension.js would be ${bytes} bytes`);
    assert.deepEqual(inputs.filter((i) => i.startsWith('src/core/perturbations/') && !i.endsWith('/kinds.ts')), [], 'the sweeps run in the engine: the host needs only the kinds');
    assert.deepEqual(inputs.filter((i) => i.includes('@tensorflow') || (i.startsWith('src/engine/') && !i.endsWith('defaults.ts'))), []);
    assert.deepEqual(inputs.filter((i) => i.startsWith('node_modules/')), [], 'no third-party code on the activation path');
  });
});
