/**
 * The README's scaling table: protect time and peak memory of the built CLI (default report:
 * every kind; 500 of the example's images, no labels, so the fine-tuning kinds are skipped as
 * they would be for such data) on He-initialised ReLU MLPs of growing size.
 * Usage: npm run build && npm run bench:scaling [-- 784-128-64-10 784-512-256-10 ...]
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseNpy } from '../../src/formats/data/npy';
import { writeScalingModels } from './makeModels';

const ROOT = join(__dirname, '../..');
const SHAPES = ['784-128-64-10', '784-512-256-10', '784-1024-1024-10', '784-2048-2048-2048-10'];

/** The first 500 example images as a float32 .npy. */
function writeInputs(path: string): void {
  const x = parseNpy(new Uint8Array(readFileSync(join(ROOT, 'examples/mnist-mlp/eval-x.npy'))), 'eval-x.npy');
  const values = Float32Array.from(x.values.subarray(0, 500 * 784));
  const header = `{'descr': '<f4', 'fortran_order': False, 'shape': (500, 784), }`;
  const padded = header.padEnd(118, ' ') + '\n';
  const bytes = new Uint8Array(10 + padded.length + values.byteLength);
  bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, padded.length & 255, padded.length >> 8]);
  bytes.set(new TextEncoder().encode(padded), 10);
  bytes.set(new Uint8Array(values.buffer), 10 + padded.length);
  writeFileSync(path, bytes);
}

async function protect(model: string, data: string, out: string, usage: string): Promise<{ seconds: number; peakBytes: number; timings: Record<string, number> }> {
  const env = { ...process.env, MIMOSANET_BENCH_RUSAGE: usage, NODE_OPTIONS: `--import=${join(ROOT, 'bench/rusageAtExit.mjs')}` };
  const start = performance.now();
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'dist/cli.js'), 'protect', model, '--data', data, '--out', out, '--force', '--quiet'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('close', resolve);
  });
  const seconds = (performance.now() - start) / 1000;
  if (code !== 0) throw new Error(`protect ${model} exited with ${code}`);
  const dir = join(usage, '..');
  const peak = Math.max(...readdirSync(dir).filter((f) => f.startsWith('rusage.')).map((f) => (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { maxRSS: number }).maxRSS));
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { timings: Record<string, number> };
  return { seconds, peakBytes: peak * 1024, timings: report.timings };
}

async function main(): Promise<void> {
  const shapes = process.argv.slice(2).length ? process.argv.slice(2) : SHAPES;
  const work = mkdtempSync(join(tmpdir(), 'mimosanet-scaling-'));
  try {
    await measure(work, shapes);
  } finally {
    // The models and protected copies take ~0.4 GB: nothing is left behind.
    rmSync(work, { recursive: true, force: true });
  }
}

async function measure(work: string, shapes: string[]): Promise<void> {
  const data = join(work, 'x500.npy');
  writeInputs(data);
  await writeScalingModels(work, shapes);
  console.log('| network | protected weights | protect time | calibrate / field check / sweeps / attack lab | peak memory |\n|---|---|---|---|---|');
  for (const shape of shapes) {
    const runDir = join(work, `run-${shape}`);
    mkdirSync(runDir);
    const result = await protect(join(work, shape, 'model.json'), data, join(runDir, 'out'), join(runDir, 'rusage'));
    const t = result.timings;
    const weights = (JSON.parse(readFileSync(join(runDir, 'out', 'report.json'), 'utf8')) as { protected: { parameters: number } }).protected.parameters;
    const m = Math.floor(result.seconds / 60);
    console.log(`| ${shape} | ${(weights / 1e6).toFixed(2)} M | ${m ? `${m} min ` : ''}${Math.round(result.seconds % 60)} s | ${Math.round(t.calibrate ?? 0)} / ${Math.round(t.equivalence ?? 0)} / ${Math.round(t.fragility ?? 0)} / ${Math.round(t.attacks ?? 0)} s | ${(result.peakBytes / 2 ** 30).toFixed(2)} GiB |`);
  }
}

void main();
