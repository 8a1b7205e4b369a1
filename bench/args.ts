/** The bench's command line: npm run bench -- [--json] [--workloads …] [--backends …] [--runs N] [--rows N] [--threads N]. */
import { parseArgs } from 'node:util';
import { DEFAULT_ROWS, WORKLOADS, type Workload } from './workloads';

/** Compute backends the bench knows, fastest first (createCompute's names). */
export const BACKENDS = ['onnxruntime', 'tfjs-wasm', 'js'] as const;

/** Runs of the whole protect job when --runs is not given (each is a minute or more). */
export const DEFAULT_PROTECT_RUNS = 3;
/** Runs of every other workload when --runs is not given. */
export const DEFAULT_RUNS = 5;

export interface BenchArgs {
  /** Print only the JSON array of rows on stdout. */
  json: boolean;
  workloads: Workload[];
  backends: string[];
  /** Whether --backends was given: named backends run even where 'js' would be skipped as too slow. */
  backendsGiven: boolean;
  /** Timed runs per workload; undefined keeps the defaults (5, the protect job 3). */
  runs: number | undefined;
  /** Rows of the forward workloads. */
  rows: number;
  /** Intra-op threads asked of native engines (createCompute's `threads`). */
  threads: number;
  /** Whether to run the numpy reference. */
  numpy: boolean;
  /** Keep OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE for numpy (by default they are cleared: see bench/numpy.ts). */
  inheritOpenblasEnv: boolean;
  help: boolean;
}

export const USAGE = `Usage: npm run bench -- [options]
  --json                 print only a JSON array of rows on stdout (progress goes to stderr);
                         npm prints its own "> mimosanet bench" banner on stdout unless run as npm run -s bench -- --json
  --workloads <list>     ${WORKLOADS.join(',')} (default: all)
  --backends <list>      ${BACKENDS.join(',')} (default: all; 'js' is skipped where it would take over ~2 minutes unless named)
  --runs <n>             timed runs per workload (default ${DEFAULT_RUNS}, the protect job ${DEFAULT_PROTECT_RUNS}); the median is reported
  --rows <n>             rows of the forward workloads (default ${DEFAULT_ROWS})
  --threads <n>          intra-op threads of native engines (default 1, like the single-threaded numpy reference)
  --no-numpy             skip the numpy reference (no ratios)
  --inherit-openblas-env keep OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE for numpy (by default they are cleared,
                         so OpenBLAS picks its own kernel; the header names the kernel it ran)`;

function list<T extends string>(value: string | undefined, known: readonly T[], flag: string): T[] | undefined {
  if (value === undefined) return undefined;
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = items.filter((s) => !(known as readonly string[]).includes(s));
  if (unknown.length > 0 || items.length === 0) throw new Error(`--${flag}: unknown ${unknown.join(', ') || '(empty)'}; expected a list of ${known.join(', ')}`);
  return items as T[];
}

function positiveInteger(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${flag} must be a positive integer, got ${value}`);
  return n;
}

/** Parses the bench's arguments; throws an Error naming the bad flag. */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      json: { type: 'boolean', default: false },
      workloads: { type: 'string' },
      backends: { type: 'string' },
      runs: { type: 'string' },
      rows: { type: 'string' },
      threads: { type: 'string' },
      'no-numpy': { type: 'boolean', default: false },
      'inherit-openblas-env': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const backends = list(values.backends, BACKENDS, 'backends');
  return {
    json: values.json,
    workloads: list(values.workloads, WORKLOADS, 'workloads') ?? [...WORKLOADS],
    backends: backends ?? [...BACKENDS],
    backendsGiven: backends !== undefined,
    runs: positiveInteger(values.runs, 'runs'),
    rows: positiveInteger(values.rows, 'rows') ?? DEFAULT_ROWS,
    threads: positiveInteger(values.threads, 'threads') ?? 1,
    numpy: !values['no-numpy'],
    inheritOpenblasEnv: values['inherit-openblas-env'],
    help: values.help,
  };
}
