import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import * as esbuild from 'esbuild';
import { CancelledError } from '../../../../src/core/errors';
import { parseNpy } from '../../../../src/formats/data/npy';
import type { ModelRuntime, WrittenFile } from '../../../../src/formats/format';
import { tfjsLayersFormat as format } from '../../../../src/formats/tfjs/tfjsLayersFormat';
import { locateWasmFolder, WASM_BINARIES } from '../../../../src/formats/tfjs/wasmRuntime';
import { fixturePath } from '../../../fixtures/tfjsManifest';
import { diskFiles, maxAbsDiff } from './helpers';

const ROOT = join(__dirname, '../../../..');
const EXAMPLE = join(ROOT, 'examples/mnist-mlp/model.json');
/** Rows of examples/mnist-mlp/eval-x.npy (784 pixels each) used here. */
const ROWS = 500;

/** Row-wise argmax of a [rows × cols] matrix. */
function top1(y: Float32Array, rows: number): number[] {
  const cols = y.length / rows;
  return Array.from({ length: rows }, (_, r) => {
    let best = 0;
    for (let c = 1; c < cols; c++) if (y[r * cols + c]! > y[r * cols + best]!) best = c;
    return best;
  });
}

function maxAbs(a: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]!));
  return max;
}

/** A signal that reads as aborted from its `abortAfter + 1`-th look on, counting the looks. */
function countingSignal(abortAfter: number): { signal: AbortSignal; looks: () => number } {
  let looks = 0;
  const signal = {
    get aborted() {
      looks++;
      return looks > abortAfter;
    },
  } as AbortSignal;
  return { signal, looks: () => looks };
}

describe('tfjs wasm runtime', () => {
  let cpu: ModelRuntime;
  let wasm: ModelRuntime;
  let notes: string[];
  let files: WrittenFile[];
  let x: Float32Array;

  let listeners: number[];

  before(async () => {
    const count = () => [process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')];
    const before = count();
    const field = await format.createFieldRuntimes();
    listeners = [...before, ...count()];
    notes = field.notes;
    [cpu, wasm] = field.runtimes as [ModelRuntime, ModelRuntime];
    files = await format.readFiles(EXAMPLE, diskFiles);
    const data = parseNpy(readFileSync(join(ROOT, 'examples/mnist-mlp/eval-x.npy')), 'eval-x.npy');
    x = Float32Array.from(data.values as ArrayLike<number>).subarray(0, ROWS * 784);
  });

  it('is the second field runtime, after the cpu reference, with no notes', () => {
    assert.deepEqual(notes, []);
    assert.match(cpu.name, /^@tensorflow\/tfjs 4\.22\.0 \(cpu backend\)$/);
    assert.match(wasm.name, /^@tensorflow\/tfjs-backend-wasm 4\.22\.0 \(wasm backend, (SIMD|no SIMD)\)$/);
  });

  it("takes off the process-wide handlers Emscripten's Node glue adds", () => {
    assert.deepEqual(listeners.slice(2), listeners.slice(0, 2));
  });

  it('loads its binaries from the installed package when running from source', () => {
    const packageDist = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
    assert.equal(join(locateWasmFolder()), join(packageDist, '/'));
  });

  it('matches the cpu runtime within float32 rounding, but not bit for bit (784 inputs)', async () => {
    const a = await cpu.predict(files, x, ROWS, { logits: true });
    const b = await wasm.predict(files, x, ROWS, { logits: true });
    const diff = maxAbsDiff(a, b);
    assert.ok(diff / maxAbs(a) <= 1e-5, `max|Δlogit| ${diff} against max|logit| ${maxAbs(a)}`);
    // XNNPACK sums the 784 products in another order than the cpu backend's loops.
    assert.ok(diff > 0, 'wasm and cpu logits are bit-identical');
    assert.deepEqual(top1(b, ROWS), top1(a, ROWS));
  });

  it('gives the same top-1 with batch 1 (matrix-vector kernels) and one big batch', async () => {
    const one = await wasm.predict(files, x, ROWS, { logits: true, batch: 1 });
    const big = await wasm.predict(files, x, ROWS, { logits: true, batch: ROWS });
    assert.deepEqual(top1(one, ROWS), top1(big, ROWS));
    assert.ok(maxAbsDiff(one, big) / maxAbs(big) <= 1e-5);
    const small = await wasm.predict(files, x, ROWS, { logits: true, batch: 7 });
    assert.deepEqual(top1(small, ROWS), top1(big, ROWS));
  });

  it('refuses a batch size that is not a whole number ≥ 1', async () => {
    await assert.rejects(wasm.predict(files, x, ROWS, { logits: true, batch: 0 }), /batch size/);
  });

  it('gives stable results when cpu and wasm calls alternate or overlap', async () => {
    const rows = 64;
    const sub = x.subarray(0, rows * 784);
    const cpu1 = await cpu.predict(files, sub, rows, { logits: true });
    const wasm1 = await wasm.predict(files, sub, rows, { logits: true });
    const cpu2 = await cpu.predict(files, sub, rows, { logits: true });
    const wasm2 = await wasm.predict(files, sub, rows, { logits: true });
    assert.deepEqual(cpu2, cpu1);
    assert.deepEqual(wasm2, wasm1);
    // Started together: the runtimes' shared queue keeps them from switching tfjs's backend under each other.
    const overlapped = await Promise.all([cpu, wasm, cpu, wasm].map((r) => r.predict(files, sub, rows, { logits: true, batch: 8 })));
    assert.deepEqual(overlapped, [cpu1, wasm1, cpu1, wasm1]);
  });

  it('rejects with CancelledError when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    for (const runtime of [cpu, wasm]) {
      await assert.rejects(runtime.predict(files, x, ROWS, { logits: true, signal: controller.signal }), CancelledError);
    }
  });

  it('sees an abort within one batch', async () => {
    for (const runtime of [cpu, wasm]) {
      // One look before the first batch, then one between batches: aborted at the 4th look, after 3 batches.
      const { signal, looks } = countingSignal(3);
      await assert.rejects(runtime.predict(files, x, ROWS, { logits: true, batch: 10, signal }), CancelledError);
      assert.equal(looks(), 4);
    }
  });

  it('sees an abort sent from another task while it runs', async () => {
    const controller = new AbortController();
    const running = wasm.predict(files, x, ROWS, { logits: true, batch: 1, signal: controller.signal });
    setImmediate(() => controller.abort());
    await assert.rejects(running, CancelledError);
    // The runtime is usable afterwards.
    assert.equal((await wasm.predict(files, x.subarray(0, 3 * 784), 3, { logits: true })).length, 30);
  });
});

describe('tfjs wasm runtime, bundled without node_modules (as in the .vsix)', () => {
  let folder: string;
  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'mimosanet-wasm-'));
    // The options scripts/build.mjs bundles dist/worker.js with.
    await esbuild.build({
      entryPoints: [join(__dirname, 'fieldRuntimesEntry.ts')],
      outfile: join(folder, 'bundle.js'),
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      logLevel: 'silent',
    });
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  const run = (): { names: string[]; notes: string[]; logits: number[][] } => {
    const result = spawnSync(process.execPath, [join(folder, 'bundle.js'), fixturePath('tfjs-save'), '16'], { encoding: 'utf8', cwd: folder });
    assert.equal(result.status, 0, result.stderr);
    return JSON.parse(result.stdout) as { names: string[]; notes: string[]; logits: number[][] };
  };

  it('the build copies the binaries the runtime loads', async () => {
    const script = (await import(pathToFileURL(join(ROOT, 'scripts/wasmFiles.mjs')).href)) as { WASM_BINARIES: string[]; copyWasmBinaries(outDir: string): void };
    assert.deepEqual(script.WASM_BINARIES, [...WASM_BINARIES]);
    script.copyWasmBinaries(join(folder, 'wasm'));
    for (const name of WASM_BINARIES) assert.ok(existsSync(join(folder, 'wasm', name)), name);
  });

  it('loads the binaries from wasm/ beside the bundle', () => {
    const { names, notes, logits } = run();
    assert.deepEqual(notes, []);
    assert.equal(names.length, 2);
    assert.match(names[1]!, /wasm backend/);
    assert.ok(maxAbsDiff(logits[0]!, logits[1]!) <= 1e-5);
  });

  it('without them, runs on cpu alone and says why', () => {
    rmSync(join(folder, 'wasm'), { recursive: true });
    const { names, notes } = run();
    assert.deepEqual(names, ['@tensorflow/tfjs 4.22.0 (cpu backend)']);
    assert.equal(notes.length, 1);
    assert.match(notes[0]!, /^@tensorflow\/tfjs-backend-wasm was left out: .*tfjs-backend-wasm-simd\.wasm/);
  });
});
