/**
 * What the bench's parent process and a child process (bench/child.ts: one workload on one
 * backend) tell each other. The spec goes in as argv[2] (JSON); the result comes back in the
 * file the spec names, so whatever a backend prints on stdout cannot garble it.
 */
import type { Workload } from './workloads';

/** One child run. */
export interface ChildSpec {
  workload: Workload;
  /** 'onnxruntime', 'tfjs-wasm' or 'js' (createCompute's names). */
  backend: string;
  /** Timed runs. */
  runs: number;
  /** One untimed run first (sessions, JIT). */
  warmup: boolean;
  /** Rows of a forward workload. */
  rows: number;
  /** Intra-op threads asked of native engines. */
  threads: number;
  /** Where the child writes its ChildResult as JSON. */
  resultFile: string;
}

/** Timings of a workload: per run, in seconds. */
export interface Timings {
  /** Wall-clock seconds per timed run. */
  seconds: number[];
  /** CPU seconds (user + system, all threads of the process) per timed run. */
  cpuSeconds: number[];
  /** Process peak resident set size (includes setup), in bytes. */
  maxRssBytes: number;
  /**
   * The protect job only: seconds per run spent running the written files in the real runtimes
   * (report.json's runtimeSeconds), or, for numpy, CPU seconds of the passes standing for them.
   */
  runtimeSeconds?: number[];
}

/** What a child reports. */
export type ChildResult =
  | ({ status: 'ok'; description: string; flops: number | null; checks?: CleanAccuracies } & Timings)
  /** The backend did not start here (not installed, not built yet, no native library). */
  | { status: 'unavailable'; reason: string };

/** The sweep's unperturbed metric per kind, [original, protected]: numpy's must match (same networks, same data). */
export type CleanAccuracies = Record<string, number[]>;
