// onnxruntime-node, the fast compute engine, beside the bundles that load it: the packaged
// extension ships no root node_modules, so dist/worker.js, dist/fragilityWorker.js and dist/cli.js
// (which keep `require('onnxruntime-node')` external) resolve it in dist/node_modules/.
//
// How it is installed: from the npm registry only, as a normal dependency whose postinstall never
// runs. The package already carries the CPU libraries of every platform in
// bin/napi-v6/<platform>/<arch>/; its postinstall would only fetch CUDA/TensorRT providers for
// linux-x64 from NuGet (which this engine does not use, and without which `npm ci` would fail
// offline). package.json's `"allowScripts": { "onnxruntime-node": false }` denies it on npm
// versions that read allowScripts (11.19 on the project's machines); with an older npm, install
// with ONNXRUNTIME_NODE_INSTALL=skip (an .npmrc key would do it too, but npm 11 warns about the
// unknown key on every command).
//
// Copied: onnxruntime-node's package.json and compiled JavaScript (dist/*.js; its lib/ holds the
// TypeScript sources), the native binding and libraries of ONE platform, and onnxruntime-common's
// CommonJS build. The platform is this machine's, or MIMOSANET_TARGET (a `vsce package --target`
// name such as linux-x64, darwin-arm64, win32-x64) for a platform-specific .vsix:
//   npm run package:target -- linux-x64
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);

/** `vsce --target` platforms and onnxruntime-node's folder for them (its Linux builds need glibc: none for alpine). */
const PLATFORMS = { linux: 'linux', alpine: 'alpine (musl)', darwin: 'darwin', win32: 'win32' };

/** The platform and arch whose binaries to ship: MIMOSANET_TARGET, else this machine's. */
export function onnxruntimeTarget(target = process.env.MIMOSANET_TARGET) {
  if (!target) return { platform: process.platform, arch: process.arch, name: `${process.platform}-${process.arch}` };
  const match = /^([a-z0-9]+)-([a-z0-9]+)$/.exec(target);
  const platform = match && PLATFORMS[match[1]];
  if (!match || !platform) throw new Error(`MIMOSANET_TARGET=${target}: expected a vsce target such as linux-x64, darwin-arm64 or win32-x64`);
  return { platform, arch: match[2], name: target };
}

/** The folder of package `name` as `from` resolves it (its "exports" may hide package.json). */
function packageDir(name, from = require) {
  let dir = dirname(from.resolve(name));
  while (!existsSync(join(dir, 'package.json')) || JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name !== name) {
    if (dirname(dir) === dir) throw new Error(`cannot find the folder of ${name}`);
    dir = dirname(dir);
  }
  return dir;
}

/**
 * Copies onnxruntime-node (one platform's binaries) and onnxruntime-common into
 * `outDir`/node_modules. Returns the binaries folder copied, or undefined (with a warning) when
 * onnxruntime-node ships none for the target: the engine then falls back to tfjs-wasm there.
 */
export function copyOnnxRuntime(outDir, target = onnxruntimeTarget()) {
  const modules = join(outDir, 'node_modules');
  const ortOut = join(modules, 'onnxruntime-node');
  const commonOut = join(modules, 'onnxruntime-common');
  // Never leave another target's binaries from an earlier build.
  rmSync(ortOut, { recursive: true, force: true });
  rmSync(commonOut, { recursive: true, force: true });
  const ort = packageDir('onnxruntime-node');
  const bin = join('bin', 'napi-v6', target.platform, target.arch);
  if (!existsSync(join(ort, bin))) {
    console.warn(`onnxruntime-node has no binaries for ${target.name} (${bin}): the build ships no onnxruntime engine for it`);
    return undefined;
  }
  const jsOnly = (source) => statSync(source).isDirectory() || /\.(c?js|json)$/.test(source);
  mkdirSync(ortOut, { recursive: true });
  cpSync(join(ort, 'package.json'), join(ortOut, 'package.json'));
  cpSync(join(ort, 'dist'), join(ortOut, 'dist'), { recursive: true, filter: jsOnly });
  // On macOS the package holds libonnxruntime.1.dylib twice (also as libonnxruntime.1.30.0.dylib,
  // a symlink in the original build): the binding and the library name only the .1 one.
  const duplicate = (source) => /libonnxruntime\.\d+\.\d+\.\d+\.dylib$/.test(source) && existsSync(join(dirname(source), 'libonnxruntime.1.dylib'));
  cpSync(join(ort, bin), join(ortOut, bin), { recursive: true, filter: (source) => !duplicate(source) });
  // onnxruntime-common: "require" resolves to dist/cjs (with its own {"type": "commonjs"}).
  const common = packageDir('onnxruntime-common', createRequire(join(ort, 'package.json')));
  mkdirSync(commonOut, { recursive: true });
  cpSync(join(common, 'package.json'), join(commonOut, 'package.json'));
  cpSync(join(common, 'dist', 'cjs'), join(commonOut, 'dist', 'cjs'), { recursive: true, filter: jsOnly });
  return bin;
}

/** Total bytes and file count under `dir`. */
export function folderSize(dir) {
  let bytes = 0;
  let files = 0;
  for (const entry of readdirSync(dir, { recursive: true })) {
    const stat = statSync(join(dir, entry));
    if (stat.isFile()) {
      bytes += stat.size;
      files++;
    }
  }
  return { bytes, files };
}

// `node scripts/onnxruntimeFiles.mjs package <target> [vsce options]` (npm run package:target):
// a .vsix for one platform, its dist/ built for that platform's onnxruntime binaries.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href && process.argv[2] === 'package') {
  const [target, ...rest] = process.argv.slice(3);
  if (!target) {
    console.error('usage: npm run package:target -- <vsce target, e.g. linux-x64> [vsce options]');
    process.exit(2);
  }
  onnxruntimeTarget(target);
  const root = relative(process.cwd(), join(dirname(fileURLToPath(import.meta.url)), '..')) || '.';
  const vsce = ['vsce', 'package', '--no-dependencies', '--readme-path', 'README.vsix.md', '--target', target, ...rest];
  // vscode:prepublish (the minified build) runs inside vsce and reads MIMOSANET_TARGET.
  const run = spawnSync('npx', vsce, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32', env: { ...process.env, MIMOSANET_TARGET: target } });
  process.exit(run.status ?? 1);
}
