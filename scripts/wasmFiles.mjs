// The tfjs wasm backend's binaries, copied beside the bundles that load them: the packaged
// extension ships no node_modules, so dist/worker.js and dist/cli.js read them from dist/wasm/.
// Keep the list equal to WASM_BINARIES in src/formats/tfjs/wasmRuntime.ts (a unit test checks).
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** SIMD and plain; never the threaded one (tfjs turns threads off in Node). */
export const WASM_BINARIES = ['tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm.wasm'];

/** Copies WASM_BINARIES from the installed @tensorflow/tfjs-backend-wasm into `outDir`. */
export function copyWasmBinaries(outDir) {
  const from = join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  mkdirSync(outDir, { recursive: true });
  for (const name of WASM_BINARIES) copyFileSync(join(from, name), join(outDir, name));
}
