/**
 * Runs the numpy reference (bench/reference.py) in a process of its own per workload and thread
 * count, BLAS threads pinned through the environment. python3 or numpy missing is an answer,
 * not an error: the bench then prints "numpy not available" and leaves ratios out.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Timings } from './childProtocol';

const SCRIPT = join(__dirname, 'reference.py');
const PYTHON = process.env.PYTHON ?? 'python3';

/** python and numpy versions, or why numpy cannot run. */
export type NumpyInfo = { status: 'ok'; python: string; numpy: string; blas: string } | { status: 'unavailable'; reason: string };

export function numpyInfo(inheritOpenblasEnv = false): NumpyInfo {
  const answer = spawnSync(PYTHON, [SCRIPT, 'info'], { encoding: 'utf8', env: threadEnv(1, inheritOpenblasEnv) });
  if (answer.error) return { status: 'unavailable', reason: `numpy not available (${PYTHON}: ${answer.error.message})` };
  try {
    return JSON.parse(answer.stdout) as NumpyInfo;
  } catch {
    return { status: 'unavailable', reason: `numpy not available (${PYTHON} ${SCRIPT} info said: ${`${answer.stdout}${answer.stderr}`.trim().slice(0, 200)})` };
  }
}

/**
 * OpenBLAS settings that pin a kernel or a cache size. Some machines set them so that old
 * OpenBLAS builds run correctly; on a current numpy they slow it: this machine (AMD EPYC with
 * AVX-512) sets OPENBLAS_CORETYPE=Haswell, and numpy then multiplies at ~100 GFLOP/s on one
 * thread instead of ~190 with the SkylakeX kernel it picks itself. A reference must run at its
 * own speed, so the bench clears them unless told to keep them (--inherit-openblas-env).
 */
const OPENBLAS_PINS = ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE'] as const;

/** BLAS and OpenMP threads of the numpy process, and its OpenBLAS kernel left to OpenBLAS. */
function threadEnv(threads: number, inheritOpenblasEnv: boolean): NodeJS.ProcessEnv {
  const n = String(threads);
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: n, OMP_NUM_THREADS: n, MKL_NUM_THREADS: n };
  if (!inheritOpenblasEnv) for (const name of OPENBLAS_PINS) delete env[name];
  return env;
}

/** What reference.py answers for one workload. */
export type NumpyResult = ({ status: 'ok'; flops: number | null; checks: Record<string, number[]> | null } & Timings) | { status: 'unavailable'; reason: string };

/** Times one workload in numpy; `spec` is reference.py's spec without runs (added here). */
export async function runNumpy(spec: Record<string, unknown>, runs: number, threads: number, work: string, inheritOpenblasEnv = false): Promise<NumpyResult> {
  const specFile = join(work, `numpy-spec-${String(spec.workload)}.json`);
  const resultFile = join(work, `numpy-result-${String(spec.workload)}-${threads}.json`);
  writeFileSync(specFile, JSON.stringify({ ...spec, runs }));
  rmSync(resultFile, { force: true });
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(PYTHON, [SCRIPT, 'run', specFile, resultFile], { env: threadEnv(threads, inheritOpenblasEnv), stdio: ['ignore', process.stderr, process.stderr] });
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) throw new Error(`${SCRIPT} exited with code ${code}`);
  return JSON.parse(readFileSync(resultFile, 'utf8')) as NumpyResult;
}
