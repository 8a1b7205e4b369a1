/** The bench's rows, statistics and the two outputs: a readable table and a JSON array. */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { NumpyInfo } from './numpy';

/** One measured (workload, backend) pair; the JSON output is an array of these. */
export interface BenchRow {
  workload: string;
  /** A compute backend, 'numpy' (1 BLAS thread: the reference) or 'numpy-2t'. */
  backend: string;
  /** Median wall-clock seconds of the timed runs. */
  seconds: number;
  /** Forward workloads: 2·rows·Σ inputs·units / seconds / 1e9; null otherwise. */
  gflops: number | null;
  /** seconds / numpy's (1 thread) seconds on the same workload; null without numpy. */
  ratioToNumpy: number | null;
  /** cpuSeconds / numpy's (1 thread) cpuSeconds on the same workload; null without numpy. */
  cpuRatioToNumpy: number | null;
  /**
   * The protect job only (else null): median seconds spent running the written files in the
   * real runtimes (tfjs cpu and wasm for the example), or numpy's CPU seconds on the passes
   * standing for them.
   */
  runtimeSeconds: number | null;
  /** (cpuSeconds − runtimeSeconds) / numpy's same difference: the CPU ratio with the real-runtime rows counted apart. */
  cpuRatioToNumpyWithoutRuntimes: number | null;
  /** Peak RSS of the process that ran the workload (a child process per row). */
  peakMemoryBytes: number;
  /** Median CPU seconds (user + system, all threads) of the timed runs. */
  cpuSeconds: number;
  /** Timed runs behind the medians. */
  runs: number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The machine, for the header: cores, CPU model, node and numpy versions. */
export function machineLine(numpy: NumpyInfo): string {
  let cpu = 'unknown CPU';
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpu;
  } catch {
    // Not Linux: no /proc/cpuinfo.
  }
  const numpyPart = numpy.status === 'ok' ? `numpy ${numpy.numpy} (${numpy.blas}, python ${numpy.python})` : 'numpy not available';
  return `${availableParallelism()} cores, ${cpu}, node ${process.versions.node}, ${numpyPart}`;
}

/** `rows` with their time and CPU ratios to `reference` (numpy with one BLAS thread). */
export function withRatios(rows: readonly BenchRow[], reference: BenchRow): BenchRow[] {
  const apart = (r: BenchRow): number | null =>
    r.runtimeSeconds === null || reference.runtimeSeconds === null ? null : (r.cpuSeconds - r.runtimeSeconds) / (reference.cpuSeconds - reference.runtimeSeconds);
  return rows.map((r) => ({ ...r, ratioToNumpy: r.seconds / reference.seconds, cpuRatioToNumpy: r.cpuSeconds / reference.cpuSeconds, cpuRatioToNumpyWithoutRuntimes: apart(r) }));
}

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

/** The readable table: header, one line per row, then the notes. */
export function formatTable(header: string[], rows: readonly BenchRow[], notes: readonly string[]): string {
  const cells = rows.map((r) => [
    r.workload,
    r.backend,
    String(r.runs),
    r.seconds.toFixed(3),
    r.cpuSeconds.toFixed(2),
    r.gflops === null ? '–' : r.gflops.toFixed(2),
    r.ratioToNumpy === null ? '–' : `${r.ratioToNumpy.toFixed(2)}×`,
    r.cpuRatioToNumpy === null ? '–' : `${r.cpuRatioToNumpy.toFixed(2)}×`,
    mib(r.peakMemoryBytes),
  ]);
  const titles = ['workload', 'backend', 'runs', 'seconds (median)', 'CPU s', 'GFLOP/s', 'vs numpy', 'CPU vs numpy', 'peak RSS'];
  const widths = titles.map((t, i) => Math.max(t.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]): string => c.map((s, i) => (i < 2 ? s.padEnd(widths[i]!) : s.padStart(widths[i]!))).join('  ');
  return [...header, '', line(titles), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line), '', ...notes.map((n) => `* ${n}`)].join('\n');
}
