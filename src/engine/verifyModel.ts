import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { checkpoint, ReportFormatError } from '../core/errors';
import { pathExists } from './fileSystem';
import { equivalencePasses } from '../core/equivalence';
import { outputWidth } from '../core/network';
import type { ProtectionReport } from '../core/report';
import { parseReport } from '../core/reportParse';
import { Rng } from '../core/rng';
import { readDataset } from '../formats/data/dataset';
import { generateProbes } from '../formats/data/probes';

import { nodeFileReader } from './nodeFileReader';
import { compareWithReference, originalLogits } from './originalLogits';
import { readModel } from './protect/originalModel';
import type { VerifyResult } from '../protocol/jobs';
import type { JobProgress } from '../protocol/progress';

/** Callbacks of a verify run (the extension's progress notification and its Cancel button). */
export interface VerifyHooks {
  /** Aborting stops the run at its next step with a CancelledError; verify writes nothing, so nothing is left behind. */
  signal?: AbortSignal;
  /** Progress: hashing, loading, re-running the equivalence check. */
  onProgress?: (progress: JobProgress) => void;
}

/**
 * Checks a protected model against its report: every recorded file's SHA-256, then (when the
 * original model is still at its recorded path) a fresh equivalence check in the real runtime
 * on the report's data or on seeded probes.
 */
export async function verifyModel(protectedPath: string, reportPath: string, hooks: VerifyHooks = {}): Promise<VerifyResult> {
  const { signal } = hooks;
  const progress = (phase: JobProgress['phase'], fraction: number, message: string): void => hooks.onProgress?.({ phase, fraction, message });
  const modelPath = resolve(protectedPath);
  progress('hashes', 0, `Reading ${basename(reportPath)}`);
  const report = await readReport(resolve(reportPath));
  const mismatch = notTheProtectedModel(modelPath, report);
  if (mismatch) return { ok: false, modelPath, reportPath: resolve(reportPath), files: [], originalPath: report.model.path, notTheProtectedModel: mismatch };
  const files: VerifyResult['files'] = [];
  for (const [name, expected] of Object.entries(report.protected.sha256)) {
    await checkpoint(signal);
    progress('hashes', 0.05, `Hashing ${name}`);
    try {
      const actual = createHash('sha256').update(await readFile(join(dirname(modelPath), name))).digest('hex');
      files.push(actual === expected ? { name, ok: true } : { name, ok: false, problem: 'contents differ from the report (SHA-256 mismatch)' });
    } catch {
      files.push({ name, ok: false, problem: 'missing' });
    }
  }
  const result: VerifyResult = { ok: files.every((f) => f.ok), modelPath, reportPath: resolve(reportPath), files, originalPath: report.model.path };
  if (!(await pathExists(report.model.path))) return result;

  // The same loading and reference check as protect (src/engine/protect).
  await checkpoint(signal);
  progress('load', 0.2, `Reading the original ${basename(report.model.path)} and the protected copy`);
  const original = await readModel(report.model.path);
  const candidate = await readModel(modelPath);
  const runtime = await candidate.format.createRuntime();
  const { x, rows } = await verificationInputs(report, original.model.network.inputs);
  await checkpoint(signal);
  progress('equivalence', 0.4, `Running the original in ${runtime.name} on ${rows} samples`);
  const { logits: reference } = await originalLogits(original.format, original.model, original.path, await original.format.readFiles(original.path, nodeFileReader), runtime, x, rows);
  await checkpoint(signal);
  progress('equivalence', 0.7, `Running the protected copy in ${runtime.name}`);
  const candidateFiles = await candidate.format.readFiles(candidate.path, nodeFileReader);
  const { comparison } = await compareWithReference(runtime, reference, candidateFiles, x, rows, outputWidth(original.model.network));
  progress('equivalence', 1, 'Done');
  const passed = equivalencePasses(comparison, report.construction.tolerance);
  result.equivalence = { top1Agreement: comparison.top1Agreement, maxAbsDiff: comparison.maxAbsDiff, relDiff: comparison.relDiff, passed, runtime: runtime.name, samples: rows };
  result.ok = result.ok && passed;
  return result;
}

/**
 * Why `modelPath` is not the protected model `report` describes, or undefined when it may be:
 * the original the report was made from, or a file the report does not list. Hashes would only
 * say "missing" and the re-run "equivalent", which reads as if the copy had been checked.
 */
function notTheProtectedModel(modelPath: string, report: ProtectionReport): string | undefined {
  const expected = report.protected.path;
  if (modelPath === resolve(report.model.path)) return `this is the original model the report was made from, not its protected copy (${expected})`;
  if (!report.protected.files.includes(basename(modelPath))) {
    return `the report describes the protected copy ${expected} (files ${report.protected.files.join(', ')}), not ${basename(modelPath)}`;
  }
  return undefined;
}

/** The report's data file when it is still there (first `samples` rows), else seeded probes. */
async function verificationInputs(report: ProtectionReport, inputs: number): Promise<{ x: Float32Array; rows: number }> {
  if (report.data.source === 'file' && report.data.path && (await pathExists(report.data.path))) {
    const dataset = await readDataset(report.data.path, undefined, nodeFileReader, inputs);
    const rows = Math.min(dataset.rows, report.data.samples);
    return { x: dataset.x.subarray(0, rows * inputs), rows };
  }
  const rows = 500;
  return { x: generateProbes(inputs, rows, new Rng(report.construction.seed).fork('verify')).x, rows };
}

/** Reads report.json; parsing and its errors (ReportFormatError naming the file) are core/reportParse's. */
export async function readReport(path: string): Promise<ProtectionReport> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ReportFormatError(path, `cannot be read (${error instanceof Error ? error.message : String(error)})`);
  }
  return parseReport(text, path);
}
