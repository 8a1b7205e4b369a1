// One esbuild config for every entry point (hexeditor-style `build(options)` helper).
// Usage: node scripts/build.mjs [--watch] [--minify] [--vscode-tests]
import * as esbuild from 'esbuild';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { copyOnnxRuntime, folderSize, onnxruntimeTarget } from './onnxruntimeFiles.mjs';
import { copyWasmBinaries } from './wasmFiles.mjs';

const version = JSON.parse(readFileSync('package.json', 'utf8')).version;

const watch = process.argv.includes('--watch');
const minify = process.argv.includes('--minify');

// onnxruntime-node (the fast engine) is a native addon: every Node bundle keeps it external and
// resolves it in dist/node_modules/, which copyOnnxRuntime fills below (see onnxruntimeFiles.mjs
// for how the package is installed and what is copied).
const NATIVE = ['onnxruntime-node'];

/** Entry points: Node bundles (CommonJS) for the extension host, worker and CLI; a browser bundle for the webview. */
const entries = [
  // tfjs and onnx-proto are external here: the format registry reaches them only through
  // createRuntime's, createFieldRuntimes' and (onnx-proto) write's lazy imports, which the
  // extension host never calls (the worker does), so they must not bloat activation. h5wasm (HDF5
  // in wasm, 4 MB) and fflate are Keras's lazy imports: the host sniffs Keras files but cannot
  // inspect them itself; the worker, which bundles both, does.
  { in: 'src/extension/extension.ts', out: 'dist/extension.js', platform: 'node', external: ['vscode', '@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', 'onnx-proto', 'h5wasm', 'fflate'] },
  { in: 'src/engine/worker.ts', out: 'dist/worker.js', platform: 'node' },
  // Second-core helper for the fragility sweeps, started by the worker and the CLI.
  { in: 'src/engine/fragilityHelper.ts', out: 'dist/fragilityWorker.js', platform: 'node' },
  // Second-core helper for the attack lab and the ownership reference networks, started by the worker and the CLI.
  { in: 'src/engine/attackLabHelper.ts', out: 'dist/attackLabWorker.js', platform: 'node' },
  // HDF5 reader thread (h5wasm), started by the worker and the CLI; a crash on a hostile file replaces it.
  { in: 'src/engine/hdf5Thread.ts', out: 'dist/hdf5Worker.js', platform: 'node' },
  { in: 'src/cli/cli.ts', out: 'dist/cli.js', platform: 'node', banner: '#!/usr/bin/env node' },
  { in: 'webview/report/main.ts', out: 'dist/webview/report.js', platform: 'browser' },
  // The report panel's stylesheet, loaded through asWebviewUri (the CSP allows no inline styles).
  { in: 'webview/report/report.css', out: 'dist/webview/report.css', platform: 'browser' },
].filter((entry) => existsSync(entry.in));

// The extension-host suite (npm run test:vscode): one bundle per test file, run by @vscode/test-cli's Mocha.
if (process.argv.includes('--vscode-tests')) {
  for (const file of readdirSync('test/vscode/suite').filter((f) => f.endsWith('.test.ts'))) {
    entries.push({ in: `test/vscode/suite/${file}`, out: `out/test/vscode/${file.replace(/\.ts$/, '.js')}`, platform: 'node', external: ['vscode', 'mocha'] });
  }
}

function build(entry) {
  return {
    entryPoints: [entry.in],
    outfile: entry.out,
    bundle: true,
    platform: entry.platform,
    format: entry.platform === 'node' ? 'cjs' : 'iife',
    target: entry.platform === 'node' ? 'node20' : 'es2022',
    external: entry.platform === 'node' ? [...NATIVE, ...(entry.external ?? [])] : (entry.external ?? []),
    sourcemap: true,
    minify,
    banner: entry.banner ? { js: entry.banner } : undefined,
    logLevel: 'warning',
    define: {
      __MIMOSANET_VERSION__: JSON.stringify(version),
      ...(entry.platform === 'browser' ? { 'process.env.NODE_ENV': '"production"' } : {}),
    },
  };
}

// The worker and the CLI bundle the tfjs wasm backend; its .wasm binaries go beside them.
copyWasmBinaries('dist/wasm');
// onnxruntime-node for this platform, or MIMOSANET_TARGET's (`npm run package:target -- linux-x64`).
const ortTarget = onnxruntimeTarget();
if (copyOnnxRuntime('dist', ortTarget)) {
  const { bytes, files } = folderSize('dist/node_modules');
  console.log(`onnxruntime-node for ${ortTarget.name} in dist/node_modules (${files} files, ${(bytes / 2 ** 20).toFixed(1)} MiB)`);
}

if (watch) {
  for (const entry of entries) (await esbuild.context(build(entry))).watch();
  console.log('watching', entries.map((e) => e.in).join(', '));
} else {
  await Promise.all(entries.map((entry) => esbuild.build(build(entry))));
  console.log('built', entries.map((e) => e.out).join(', '));
}
