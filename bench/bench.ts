/**
 * npm run bench: the compute engines against numpy on fixed workloads (issue: fast engine).
 *
 *   forward-protected  forward pass of the example's protected network (amplitude 2^4.5, tripwires) on 10,000 rows
 *   forward-large      forward pass of a 784-2048-1024-10 random ReLU network on 10,000 rows
 *   sweep              the protect job's full fragility sweep (measureFragility, default kinds and repeats) on the example
 *   protect            the whole CLI protect job on the example (wall and CPU time of the process, all threads)
 *
 * Each (workload, backend) pair runs in a child process of its own (bench/child.ts) so its peak
 * RSS is its own; the numpy reference (bench/reference.py) does the same passes in float32 numpy
 * with one BLAS thread (and two, for the forward workloads). `--json` prints only the rows
 * (`npm run -s bench -- --json`: without -s, npm adds its banner on stdout).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PROTECT_RUNS, DEFAULT_RUNS, parseBenchArgs, USAGE, type BenchArgs } from './args';
import type { CleanAccuracies, Timings } from './childProtocol';
import { numpyInfo, runNumpy, type NumpyInfo } from './numpy';
import { NumpyFolders } from './numpyFiles';
import { cliSupport, timeProtectJob } from './protectJob';
import { formatTable, machineLine, median, withRatios, type BenchRow } from './report';
import { runChild } from './runChild';
import { FORWARD_WORKLOADS, loadExample, PROTECTED_AMPLITUDE, type Workload } from './workloads';

/** What every workload needs. */
interface Context {
  args: BenchArgs;
  work: string;
  numpy: NumpyInfo;
  folders: NumpyFolders;
  notes: string[];
  /** The sweep's clean accuracies per backend, to hold numpy's against. */
  checks: Map<string, CleanAccuracies>;
}

/**
 * About the seconds the 'js' reference takes per run of each workload (forward ones at 10,000
 * rows), measured on a shared 2-core AMD EPYC; 'js' is skipped (unless named in --backends)
 * where the runs would take over 2 minutes.
 */
const JS_SECONDS_PER_RUN: Record<Workload, number> = { 'forward-protected': 6, 'forward-large': 47, sweep: 70, protect: 135 };
const JS_BUDGET_SECONDS = 120;

function jsTooSlow(workload: Workload, context: Context, runs: number): number | null {
  if (context.args.backendsGiven) return null;
  const perRun = JS_SECONDS_PER_RUN[workload] * (FORWARD_WORKLOADS.includes(workload) ? context.args.rows / 10_000 : 1);
  const total = perRun * (runs + (FORWARD_WORKLOADS.includes(workload) ? 1 : 0));
  return total > JS_BUDGET_SECONDS ? total : null;
}

function row(workload: Workload, backend: string, timings: Timings, flops: number | null): BenchRow {
  const seconds = median(timings.seconds);
  return {
    workload,
    backend,
    seconds,
    gflops: flops === null ? null : flops / seconds / 1e9,
    ratioToNumpy: null,
    cpuRatioToNumpy: null,
    runtimeSeconds: timings.runtimeSeconds?.length ? median(timings.runtimeSeconds) : null,
    cpuRatioToNumpyWithoutRuntimes: null,
    peakMemoryBytes: timings.maxRssBytes,
    cpuSeconds: median(timings.cpuSeconds),
    runs: timings.seconds.length,
  };
}

/** A forward workload or the sweep on each backend, in child processes. */
async function engineRows(workload: Workload, context: Context, runs: number): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const backend of context.args.backends) {
    const estimate = backend === 'js' ? jsTooSlow(workload, context, runs) : null;
    if (estimate !== null) {
      context.notes.push(`${workload}: js skipped (about ${Math.round(estimate)} s for ${runs} runs here, over the ~2-minute budget; name it in --backends to run it)`);
      continue;
    }
    process.stderr.write(`${workload} on ${backend}…\n`);
    try {
      const spec = { workload, backend, runs, warmup: FORWARD_WORKLOADS.includes(workload), rows: context.args.rows, threads: context.args.threads };
      const result = await runChild(spec, context.work);
      if (result.status === 'unavailable') context.notes.push(`${workload}: ${backend} not available (${result.reason})`);
      else {
        rows.push(row(workload, backend, result, result.flops));
        if (result.checks) context.checks.set(backend, result.checks);
      }
    } catch (error) {
      context.notes.push(`${workload}: ${backend} failed (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  return rows;
}

/** Appends one run's timings to a row's. */
function addRun(into: Timings, run: Timings): void {
  into.seconds.push(...run.seconds);
  into.cpuSeconds.push(...run.cpuSeconds);
  into.maxRssBytes = Math.max(into.maxRssBytes, run.maxRssBytes);
  if (run.runtimeSeconds) (into.runtimeSeconds ??= []).push(...run.runtimeSeconds);
}

/**
 * The whole protect job on each engine the CLI takes (or its default engine, before it takes
 * --engine), and numpy's reference of it, run by turns: round r runs every engine once, then
 * numpy once. This machine's speed drifts over minutes (shared cores), and back-to-back blocks
 * of runs moved the CPU ratio between 3.0x and 3.7x; by turns, every ratio compares runs made
 * seconds apart. numpy reads the passes from the first engine's report.json.
 */
async function protectRows(context: Context, runs: number): Promise<BenchRow[]> {
  const support = cliSupport();
  if (!support.built) {
    context.notes.push('protect: dist/cli.js is missing; run npm run build first');
    return [];
  }
  if (!support.engineFlag) context.notes.push("protect: the CLI has no --engine flag yet, so the job runs on its default engine (row 'cli-default')");
  const engines: (string | null)[] = [];
  for (const engine of support.engineFlag ? context.args.backends : [null]) {
    const estimate = engine === 'js' ? jsTooSlow('protect', context, runs) : null;
    if (estimate === null) engines.push(engine);
    else context.notes.push(`protect: js skipped (about ${Math.round(estimate)} s for ${runs} runs here, over the ~2-minute budget; name it in --backends to run it)`);
  }
  const timings = new Map<string | null, Timings>();
  const failed = new Set<string | null>();
  const numpy: Timings = { seconds: [], cpuSeconds: [], maxRssBytes: 0 };
  let numpySpec: Record<string, unknown> | null | undefined;
  let numpyOk = context.numpy.status === 'ok';
  for (let round = 0; round < runs; round++) {
    let outDir: string | null = null;
    for (const engine of engines) {
      if (failed.has(engine)) continue;
      process.stderr.write(`protect on ${engine ?? 'the CLI default engine'}, round ${round + 1}/${runs}…\n`);
      const dir = join(context.work, `protect-${engine ?? 'default'}`);
      try {
        const run = await timeProtectJob(engine, dir, context.work);
        const known = timings.get(engine);
        if (known) addRun(known, run);
        else timings.set(engine, run);
        outDir ??= dir;
      } catch (error) {
        failed.add(engine);
        context.notes.push(`protect: ${engine ?? 'cli default'} failed (${error instanceof Error ? error.message : String(error)})`);
      }
    }
    if (!numpyOk) continue;
    numpySpec ??= await context.folders.spec('protect', outDir);
    if (!numpySpec) {
      context.notes.push('protect: no numpy reference (the protect job did not run, so there is no report.json to read its passes from)');
      numpyOk = false;
      continue;
    }
    process.stderr.write(`protect in numpy, round ${round + 1}/${runs}…\n`);
    const answer = await runNumpy(numpySpec, 1, 1, context.work, context.args.inheritOpenblasEnv);
    if (answer.status !== 'ok') {
      context.notes.push(`protect: numpy reference unavailable (${answer.reason})`);
      numpyOk = false;
      continue;
    }
    addRun(numpy, answer);
  }
  const rows = engines.filter((e) => timings.has(e)).map((e) => row('protect', e ?? 'cli-default', timings.get(e)!, null));
  if (!numpyOk || numpy.seconds.length === 0) return rows;
  const reference = row('protect', 'numpy', numpy, null);
  const rated = withRatios([...rows, reference], reference);
  for (const r of rated) {
    if (r === rated.at(-1) || r.cpuRatioToNumpyWithoutRuntimes === null) continue;
    const apart = (x: BenchRow): string => `${(x.cpuSeconds - x.runtimeSeconds!).toFixed(2)} s (${x.cpuSeconds.toFixed(2)} − ${x.runtimeSeconds!.toFixed(2)})`;
    context.notes.push(
      `protect with the real-runtime rows counted apart (CPU less the seconds spent running the written files in tfjs cpu/wasm, numpy less its passes standing for them): ${r.backend} ${apart(r)} against numpy ${apart(rated.at(-1)!)}, ${r.cpuRatioToNumpyWithoutRuntimes.toFixed(2)}×`,
    );
  }
  return rated;
}

/** numpy rows of a workload (1 thread, and 2 for forward workloads), and every row's ratio to the 1-thread one. */
async function withNumpy(workload: Workload, rows: BenchRow[], context: Context, runs: number): Promise<BenchRow[]> {
  if (context.numpy.status !== 'ok') return rows;
  const spec = await context.folders.spec(workload, null);
  if (!spec) return rows;
  process.stderr.write(`${workload} in numpy…\n`);
  const result: BenchRow[] = [];
  for (const threads of FORWARD_WORKLOADS.includes(workload) ? [1, 2] : [1]) {
    const answer = await runNumpy(spec, runs, threads, context.work, context.args.inheritOpenblasEnv);
    if (answer.status !== 'ok') {
      context.notes.push(`${workload}: numpy reference unavailable (${answer.reason})`);
      return rows;
    }
    if (answer.checks) checkCleanAccuracies(workload, answer.checks, context);
    result.push(row(workload, threads === 1 ? 'numpy' : `numpy-${threads}t`, answer, answer.flops));
  }
  return withRatios([...rows, ...result], result[0]!);
}

/**
 * numpy's unperturbed accuracies against each backend's (the sweep): equal up to a sample or two
 * when numpy runs the same networks on the same rows; a difference is a note, since the ratios
 * would then compare different work.
 */
function checkCleanAccuracies(workload: Workload, numpy: CleanAccuracies, context: Context): void {
  process.stderr.write(`  numpy ${workload} clean accuracy [original, protected] per kind: ${JSON.stringify(numpy)}\n`);
  if (workload !== 'sweep') return;
  for (const [backend, ours] of context.checks) {
    const off = Object.entries(ours).filter(([kind, values]) => values.some((v, i) => Math.abs(v - (numpy[kind]?.[i] ?? NaN)) > 0.005 || Number.isNaN(numpy[kind]?.[i] ?? NaN)));
    if (off.length > 0) context.notes.push(`sweep: numpy's clean accuracies differ from ${backend}'s for ${off.map(([k]) => k).join(', ')} (numpy ${JSON.stringify(numpy)}, ${backend} ${JSON.stringify(ours)})`);
  }
}

function headerLines(context: Context, protectedShape: string): string[] {
  const { args } = context;
  return [
    `MimosaNet bench: ${machineLine(context.numpy)}`,
    `forward workloads: ${args.rows} rows (eval-x.npy tiled), protected example ${protectedShape} at amplitude 2^${Math.log2(PROTECTED_AMPLITUDE)}, large 784-2048-1024-10 ReLU; native engines at ${args.threads} intra-op thread(s)`,
  ];
}

function standingNotes(context: Context): string[] {
  const numpy = context.numpy.status === 'ok' ? "vs numpy = seconds / numpy's seconds (1 BLAS thread: OPENBLAS/OMP/MKL_NUM_THREADS=1) on the same passes; numpy-2t is numpy with 2 BLAS threads; CPU vs numpy the same for CPU seconds" : `${context.numpy.reason}: no ratios`;
  return [
    `seconds and CPU s: medians of ${context.args.runs === undefined ? `${DEFAULT_RUNS} timed runs (the protect job ${DEFAULT_PROTECT_RUNS}: each run is a whole job)` : `${context.args.runs} timed runs (--runs)`}; forward workloads after one untimed warm-up, the sweep and the protect job without; CPU s counts every thread of the process`,
    'GFLOP/s = 2·rows·Σ inputs·units / seconds (forward workloads only)',
    numpy,
    'peak RSS: maxRSS of the process that ran the row (a child process per row: the bench child with tsx, the example and the networks loaded; the CLI process for protect; the python process for numpy)',
    'sweep: measureFragility on original + protected (all 8 kinds, 3 repeats, 500 labelled rows) in one thread; the protect job runs its sweep over two threads. numpy sweeps the same plan (written by the same plan functions), noise repeats stopping at chance by the same rule, and its clean accuracies are checked against the backends\'',
    'protect numpy reference: the job\'s compute passes as its report.json records them (search trials in the engine and their emulation screens, the full emulation, runtime matrix rows as the job memoises them, bounds, trade-off rows, the sweep), one float32 pass per emulated kernel order; not the job\'s JavaScript-only work (constructions, order emulation loops, file writing)',
  ];
}

async function main(): Promise<void> {
  const args = parseBenchArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'mimosanet-bench-'));
  try {
    const numpy: NumpyInfo = args.numpy ? numpyInfo(args.inheritOpenblasEnv) : { status: 'unavailable', reason: 'numpy reference skipped (--no-numpy)' };
    if (numpy.status !== 'ok') process.stderr.write(`${numpy.reason}\n`);
    const example = await loadExample();
    const context: Context = { args, work, numpy, folders: new NumpyFolders(example, work, args.rows), notes: [], checks: new Map() };
    const rows: BenchRow[] = [];
    for (const workload of args.workloads) {
      const runs = args.runs ?? (workload === 'protect' ? DEFAULT_PROTECT_RUNS : DEFAULT_RUNS);
      rows.push(...(workload === 'protect' ? await protectRows(context, runs) : await withNumpy(workload, await engineRows(workload, context, runs), context, runs)));
    }
    if (args.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    else process.stdout.write(`${formatTable(headerLines(context, context.folders.protectedShape()), rows, [...standingNotes(context), ...context.notes])}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
