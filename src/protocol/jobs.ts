/**
 * Jobs shared by the CLI, the engine worker and the extension: what to protect, what a run
 * produced, and what `verify` found (how far a run is: progress.ts). Types only (plain data
 * that crosses thread and process boundaries); import with `import type`.
 */
import type { ProtectOptions } from '../core/options';
import type { ProtectionReport } from '../core/report';
import type { AttackReport } from '../core/attacks/lab';
import type { AttackJob } from '../engine/attackModel';
import type { CompareJob, CompareReport } from '../engine/compareModel';

/**
 * A request to judge whether a suspect model is derived from an original (`mimosanet compare`,
 * "MimosaNet: Compare with Original…"), and its JSON document. Declared beside compareModel,
 * which the CLI calls directly; re-exported here so the worker protocol names every job.
 */
export type { CompareJob, CompareReport };

/** A request to run the attack lab on a protected copy (`mimosanet attack`), and its JSON document. Declared beside attackModel. */
export type { AttackJob, AttackReport };

/** Options of a protect job (defaults, ranges and the parser live in src/core/options.ts). */
export type { ProtectOptions };

/** A request to protect one model. */
export interface ProtectJob {
  /** Main file of the model. */
  modelPath: string;
  /** Output folder; default `<dir>/<name>.mimosa/`. */
  outDir?: string;
  /** Evaluation inputs (.npy/.npz/.csv/.json); probes are generated without it. */
  dataPath?: string;
  /** Integer labels for the inputs. */
  labelsPath?: string;
  /** Overwrite an existing output folder. */
  force: boolean;
  /** Tunables. */
  options: ProtectOptions;
}

/** Result of a finished protect job. */
export interface ProtectResult {
  /** The report, also written as report.json. */
  report: ProtectionReport;
  /** Absolute path of report.json. */
  reportPath: string;
  /** Absolute path of the protected model's main file. */
  protectedPath: string;
}

/** A request to check a protected model against its report (`mimosanet verify`, "MimosaNet: Verify Protected Model"). */
export interface VerifyJob {
  /** The file to check: normally the protected model's main file. */
  modelPath: string;
  /** The report.json that describes it. */
  reportPath: string;
}

/** Outcome of `mimosanet verify`. */
export interface VerifyResult {
  /** True when every file matches its recorded hash and, if re-run, the model is still equivalent. */
  ok: boolean;
  /** The protected model checked. */
  modelPath: string;
  /** The report it was checked against. */
  reportPath: string;
  /** One entry per file recorded in the report. */
  files: { name: string; ok: boolean; problem?: string }[];
  /** Where the report says the original is. */
  originalPath: string;
  /**
   * Set when the file given is not the protected model the report describes (the original, or
   * another file): why, in words. Nothing else is checked then, and `ok` is false.
   */
  notTheProtectedModel?: string;
  /** Re-run of the equivalence check against the original, when the original is still there. */
  equivalence?: { top1Agreement: number; maxAbsDiff: number; relDiff: number; passed: boolean; runtime: string; samples: number };
}
