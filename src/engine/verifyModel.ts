import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ReportFormatError } from '../core/errors';
import { pathExists, readHead } from './fileSystem';
import { compareOutputs, equivalencePasses } from '../core/equivalence';
import { outputWidth } from '../core/network';
import type { ProtectionReport } from '../core/report';
import { parseReport } from '../core/reportParse';
import { Rng } from '../core/rng';
import { readDataset } from '../formats/data/dataset';
import { generateProbes } from '../formats/data/probes';
import { requireFormat } from '../formats/registry';

import { nodeFileReader } from './nodeFileReader';
import { originalLogits } from './originalLogits';
import type { VerifyResult } from '../protocol/jobs';

/**
 * Checks a protected model against its report: every recorded file's SHA-256, then (when the
 * original model is still at its recorded path) a fresh equivalence check in the real runtime
 * on the report's data or on seeded probes.
 */
export async function verifyModel(protectedPath: string, reportPath: string): Promise<VerifyResult> {
  const modelPath = resolve(protectedPath);
  const report = await readReport(resolve(reportPath));
  const files: VerifyResult['files'] = [];
  for (const [name, expected] of Object.entries(report.protected.sha256)) {
    try {
      const actual = createHash('sha256').update(await readFile(join(dirname(modelPath), name))).digest('hex');
      files.push(actual === expected ? { name, ok: true } : { name, ok: false, problem: 'contents differ from the report (SHA-256 mismatch)' });
    } catch {
      files.push({ name, ok: false, problem: 'missing' });
    }
  }
  const result: VerifyResult = { ok: files.every((f) => f.ok), modelPath, reportPath: resolve(reportPath), files, originalPath: report.model.path };
  if (!(await pathExists(report.model.path))) return result;

  const originalFormat = requireFormat(report.model.path, await readHead(report.model.path));
  const protectedFormat = requireFormat(modelPath, await readHead(modelPath));
  const original = await originalFormat.load(report.model.path, nodeFileReader);
  const runtime = await protectedFormat.createRuntime();
  const inputs = original.network.inputs;
  let x: Float32Array;
  let rows: number;
  if (report.data.source === 'file' && report.data.path && (await pathExists(report.data.path))) {
    const dataset = await readDataset(report.data.path, undefined, nodeFileReader, inputs);
    rows = Math.min(dataset.rows, report.data.samples);
    x = dataset.x.subarray(0, rows * inputs);
  } else {
    rows = 500;
    x = generateProbes(inputs, rows, new Rng(report.construction.seed).fork('verify')).x;
  }
  const { logits: reference } = await originalLogits(originalFormat, original, report.model.path, await originalFormat.readFiles(report.model.path, nodeFileReader), runtime, x, rows);
  const candidate = await runtime.predict(await protectedFormat.readFiles(modelPath, nodeFileReader), x, rows, { logits: true });
  const comparison = compareOutputs(reference, candidate, rows, outputWidth(original.network));
  const passed = equivalencePasses(comparison, report.construction.tolerance);
  result.equivalence = { top1Agreement: comparison.top1Agreement, maxAbsDiff: comparison.maxAbsDiff, relDiff: comparison.relDiff, passed, runtime: runtime.name, samples: rows };
  result.ok = result.ok && passed;
  return result;
}

/** Reads report.json; parsing and its errors are core/reportParse's. */
async function readReport(path: string): Promise<ProtectionReport> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ReportFormatError(path, `cannot be read (${error instanceof Error ? error.message : String(error)})`);
  }
  return parseReport(text, path);
}
