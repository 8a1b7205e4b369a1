/**
 * The whole-job workload: the built CLI's `protect` on the example without the attack lab (the
 * numpy reference does the job's other passes), one child process per run,
 * with wall time measured here and CPU time (user + system over every thread of the CLI and of
 * the engine process it forks: the fragility helper thread, native thread pools) and peak RSS
 * read from each process's own rusage at exit (bench/rusageAtExit.mjs).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Timings } from './childProtocol';
import { EXAMPLE } from './workloads';

const ROOT = join(__dirname, '..');
const CLI = join(ROOT, 'dist/cli.js');
const PRELOAD = join(__dirname, 'rusageAtExit.mjs');

/** Whether the built CLI exists, and whether it takes `--engine` (the fast engines add it). */
export function cliSupport(): { built: boolean; engineFlag: boolean } {
  if (!existsSync(CLI)) return { built: false, engineFlag: false };
  const help = spawnSync(process.execPath, [CLI, 'protect', '--help'], { encoding: 'utf8' });
  return { built: true, engineFlag: /--engine\b/.test(`${help.stdout}${help.stderr}`) };
}

/** Resource usage as node reports it (microseconds, kilobytes). */
interface ResourceUsage {
  userCPUTime: number;
  systemCPUTime: number;
  maxRSS: number;
}

/** One protect run: its exit code, wall and CPU seconds and peak RSS. */
async function runOnce(outDir: string, engine: string | null, rusageFile: string): Promise<{ wall: number; cpu: number; maxRssBytes: number; runtime: number }> {
  // The numpy reference does the sweeps' passes only: the attack lab and the ownership evidence
  // (reference networks, fingerprints) are left out on both sides.
  const args = [CLI, 'protect', EXAMPLE.model, '--data', EXAMPLE.x, '--labels', EXAMPLE.y, '--out', outDir, '--force', '--quiet', '--no-attacks', '--no-ownership'];
  if (engine) args.push('--engine', engine);
  const dir = dirname(rusageFile);
  const prefix = `${basename(rusageFile)}.`;
  const usageFiles = (): string[] => readdirSync(dir).filter((f) => f.startsWith(prefix)).map((f) => join(dir, f));
  for (const f of usageFiles()) rmSync(f, { force: true });
  const start = performance.now();
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    // Through NODE_OPTIONS, so the engine process the CLI forks is measured too.
    const env = { ...process.env, MIMOSANET_BENCH_RUSAGE: rusageFile, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${PRELOAD}`.trim() };
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (exitCode) => resolve({ code: exitCode, stderr: err }));
  });
  const wall = (performance.now() - start) / 1000;
  if (code !== 0) throw new Error(`protect exited with code ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
  const usages = usageFiles().map((f) => JSON.parse(readFileSync(f, 'utf8')) as ResourceUsage);
  if (usages.length < 2) throw new Error(`expected the CLI and its engine process to report their resource usage, got ${usages.length}`);
  const cpu = usages.reduce((n, u) => n + u.userCPUTime + u.systemCPUTime, 0) / 1e6;
  return { wall, cpu, maxRssBytes: Math.max(...usages.map((u) => u.maxRSS)) * 1024, runtime: runtimeSecondsOf(join(outDir, 'report.json')) };
}

/** The seconds a report says its job spent in the real runtimes (0 for reports without the field). */
function runtimeSecondsOf(reportFile: string): number {
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as { runtimeSeconds?: Record<string, number> };
  return Object.values(report.runtimeSeconds ?? {}).reduce((n, s) => n + s, 0);
}

/**
 * One protect job on the example (engine `engine`, or the CLI's default when null), as Timings
 * of one run. Its output folder is kept at `outDir` for the numpy reference (it reads
 * report.json there). The bench alternates these runs with numpy's, one at a time.
 */
export async function timeProtectJob(engine: string | null, outDir: string, work: string): Promise<Timings> {
  const run = await runOnce(outDir, engine, join(work, 'rusage.json'));
  process.stderr.write(`  protect ${engine ?? 'cli default'}: ${run.wall.toFixed(1)} s wall, ${run.cpu.toFixed(1)} s CPU, ${run.runtime.toFixed(1)} s in the real runtimes\n`);
  return { seconds: [run.wall], cpuSeconds: [run.cpu], maxRssBytes: run.maxRssBytes, runtimeSeconds: [run.runtime] };
}
