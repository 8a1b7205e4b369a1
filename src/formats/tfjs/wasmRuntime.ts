import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount, setWasmPaths, version_wasm } from '@tensorflow/tfjs-backend-wasm';
import type { ModelRuntime } from '../format';
import { backendRuntime, exclusive } from './runtime';

/**
 * The wasm binaries MimosaNet loads, as `@tensorflow/tfjs-backend-wasm` names them: SIMD, and the
 * plain one for a Node without wasm SIMD. The threaded binary is never loaded: tfjs 4.22 reports
 * no thread support in Node, and we pin that flag off too. scripts/wasmFiles.mjs copies the same
 * list into dist/wasm/ (node_modules is not in the .vsix).
 */
export const WASM_BINARIES: readonly string[] = ['tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm.wasm'];

let started: Promise<TfjsWasmInfo> | undefined;
let ready: Promise<ModelRuntime> | undefined;

/** What the started wasm backend runs with. */
export interface TfjsWasmInfo {
  /** Version of @tensorflow/tfjs-backend-wasm. */
  version: string;
  /** Whether the SIMD binary was loaded. */
  simd: boolean;
  /** Threads its kernels run on (1: the threaded binary is never loaded). */
  threads: number;
}

/**
 * A second runtime for TF.js models: `@tensorflow/tfjs-backend-wasm` (XNNPACK kernels compiled
 * to WebAssembly), single-threaded so results are deterministic. Runs the same loader and predict
 * code as the cpu runtime; both share tfjs's engine, and the shared queue in runtime.ts keeps
 * their calls apart. Rejects (always with the same reason) when the backend cannot start here.
 * The binaries are read from disk, never fetched: from `wasm/` beside the running bundle
 * (dist/wasm/), else from the installed package (running from source).
 */
export function createTfjsWasmRuntime(): Promise<ModelRuntime> {
  ready ??= startTfjsWasm().then(({ version, simd, threads }) => {
    const detail = [simd ? 'SIMD' : 'no SIMD', ...(threads > 1 ? [`${threads} threads`] : [])].join(', ');
    return backendRuntime('wasm', `@tensorflow/tfjs-backend-wasm ${version} (wasm backend, ${detail})`);
  });
  return ready;
}

/**
 * Starts the wasm backend once, through the shared queue (the field runtime above and the
 * tfjs-wasm compute engine share it); rejects, always with the same reason, when it cannot
 * start here. Leaves wasm the active backend; users switch with `tf.setBackend` in `exclusive`.
 */
export function startTfjsWasm(): Promise<TfjsWasmInfo> {
  started ??= exclusive(initWasm);
  return started;
}

async function initWasm(): Promise<TfjsWasmInfo> {
  const folder = locateWasmFolder();
  setWasmPaths(folder);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  setThreadsCount(1);
  const { reason } = await startBackend();
  if (reason !== undefined) {
    // A failed setBackend leaves the engine without a backend: give it back its cpu one.
    await tf.setBackend('cpu');
    throw new Error(`the tfjs wasm backend did not start (${reason})`);
  }
  // init() picked the binary from this (cached) flag: SIMD if true, else the plain one.
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  return { version: version_wasm, simd, threads: getThreadsCount() };
}

/**
 * Switches tfjs to wasm, which loads and compiles the binary. tfjs reports a failed start only
 * through console.warn (setBackend resolves false), so the warnings are held back meanwhile:
 * on failure they are the reason, on success they are passed on. Emscripten's Node glue also
 * adds process-wide 'uncaughtException'/'unhandledRejection' listeners that rethrow; they would
 * override the host's own handling (the worker's, the test runner's), so they are taken off.
 */
async function startBackend(): Promise<{ reason?: string }> {
  const uncaught = process.listeners('uncaughtException');
  const unhandled = process.listeners('unhandledRejection');
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    warnings.push(args.map((a) => (typeof a === 'string' ? a : a instanceof Error ? a.message : JSON.stringify(a))).join(' '));
  };
  let started = false;
  try {
    started = await tf.setBackend('wasm');
  } catch (error) {
    warnings.push(error instanceof Error ? error.message : String(error));
  } finally {
    console.warn = warn;
    for (const listener of process.listeners('uncaughtException')) if (!uncaught.includes(listener)) process.removeListener('uncaughtException', listener);
    for (const listener of process.listeners('unhandledRejection')) if (!unhandled.includes(listener)) process.removeListener('unhandledRejection', listener);
  }
  if (started) {
    for (const warning of warnings) warn(warning);
    return {};
  }
  // Left out: tfjs's own headline, and its generic hint about serving .wasm files from a web server.
  const reason = warnings
    .filter((w) => !w.startsWith('Initialization of backend wasm failed') && !w.startsWith('Make sure the server can serve'))
    .map((w) => w.split('\n')[0]!.trim())
    .filter((w) => w !== '');
  return { reason: reason.join('; ') || 'no reason given' };
}

/**
 * The folder holding every file of WASM_BINARIES, with a trailing slash: `wasm/` beside this
 * code when it runs bundled (dist/worker.js, dist/cli.js), else the installed package's dist/
 * (running from source under tsx, where this module's folder has no wasm/).
 */
export function locateWasmFolder(): string {
  const candidates: string[] = [];
  if (typeof __dirname === 'string') candidates.push(`${__dirname}/wasm/`);
  try {
    const manifest = require.resolve('@tensorflow/tfjs-backend-wasm/package.json');
    candidates.push(`${manifest.slice(0, -'package.json'.length)}dist/`);
  } catch {
    // Not installed (the packaged extension ships no node_modules).
  }
  const folder = candidates.find((c) => WASM_BINARIES.every((name) => isFile(c + name)));
  if (folder === undefined) throw new Error(`its binaries (${WASM_BINARIES.join(', ')}) are in none of ${candidates.join(', ') || 'the places searched'}`);
  return folder;
}

/**
 * Whether a file exists, found the way Node finds modules (an absolute path resolves to itself
 * when the file is there): src/formats does no file I/O of its own.
 */
function isFile(path: string): boolean {
  try {
    require.resolve(path);
    return true;
  } catch {
    return false;
  }
}
