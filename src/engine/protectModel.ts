import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import { CancelledError, throwIfCancelled, UsageError } from '../core/errors';
import { parseOptions, type RawOptions } from '../core/options';
import type { ProtectionReport } from '../core/report';
import { verdictSentence } from '../core/verdict';
import type { WrittenFile } from '../formats/format';
import type { ProtectJob, ProtectResult } from '../protocol/jobs';
import type { JobProgress } from '../protocol/progress';
import { AtomicOutput } from './atomicOutput';
import { createCompute } from './compute';
import { nodeFileReader } from './nodeFileReader';
import { assembleReport } from './protect/assembleReport';
import { calibrate } from './protect/calibrate';
import { checkEquivalence } from './protect/checkEquivalence';
import { loadEvaluationData } from './protect/evaluationData';
import { readOriginal, resolveOutDir } from './protect/originalModel';
import { PhaseTimer } from './protect/phaseTimer';
import { attackLab, LAB_WORK_BUDGET, MIN_ATTACK_SAMPLES } from './protect/attackLab';
import { sweepFragility } from './protect/sweep';
import { OWNERSHIP_WORK_BUDGET, recordOwnership } from './protect/ownershipEvidence';
import { referenceTrainingWork } from '../core/ownership/references';
import { MIN_COMPARE_SAMPLES } from './compareModel';
import { TOOL_VERSION } from './version';

export { defaultOutDir } from './protect/originalModel';

/** Callbacks of a running protect job. */
export interface ProtectHooks {
  /** Progress for bars and logs. */
  onProgress?: (progress: JobProgress) => void;
  /** The report as far as it is known, while fragility sweeps run. */
  onPartialReport?: (report: Partial<ProtectionReport>) => void;
  /** Aborting cancels the job: CancelledError, nothing written. */
  signal?: AbortSignal;
  /**
   * The staging folder partial output goes to, as soon as it is chosen: whoever may have to
   * terminate the job's thread (a cancel stuck in a long synchronous step) removes it then.
   */
  onStaging?: (path: string) => void;
}

/**
 * Protects one model end to end, phase by phase (src/engine/protect/): read the original,
 * load the data, calibrate the amplitude (reference runtime, emulated kernel orders, runtime
 * matrix), write the protected copy atomically, check equivalence on the written files, sweep
 * fragility, commit with report.json. The original model is only ever read.
 */
export async function protectModel(job: ProtectJob, hooks: ProtectHooks = {}): Promise<ProtectResult> {
  const { signal } = hooks;
  const { options } = job;
  validateOptions(job);
  const timer = new PhaseTimer(hooks.onProgress);
  const progress = (within: number, message: string): void => timer.report(within, message);
  timer.report(0, `Reading ${basename(job.modelPath)}`);
  const original = await readOriginal(job.modelPath);
  const outDir = resolveOutDir(original, job.outDir);
  const output = await AtomicOutput.open(outDir, job.force);
  hooks.onStaging?.(output.stagingPath);
  // One thread: the sweeps already run one thread per core (parallelFragility).
  const engine = await createCompute(options.engine, { threads: 1 });
  try {
    throwIfCancelled(signal);
    timer.enter('data', job.dataPath ? `Reading ${basename(job.dataPath)}` : 'Generating probe inputs');
    const data = await loadEvaluationData(job, original.model);

    timer.enter('calibrate', `Loading the runtime (search engine: ${engine.compute.description})`);
    const calibration = await calibrate(original, data, options, progress, engine.compute, signal);

    timer.enter('write', `Writing the protected model to ${outDir}`);
    const sha256 = await writeFiles(output, calibration.files);
    throwIfCancelled(signal);

    timer.enter('equivalence', `Checking equivalence in ${calibration.runtime.name}`);
    // Read the written files back from disk: the check covers exactly what will be shipped.
    const writtenBack: WrittenFile[] = await Promise.all(calibration.files.map(async (f) => ({ name: f.name, bytes: await nodeFileReader.read(output.stagedPath(f.name)) })));
    const equivalence = await checkEquivalence(calibration, writtenBack, data, options, progress, engine.compute, signal);
    const protectedPath = join(outDir, calibration.files[0]!.name);
    const report = assembleReport({
      original,
      options,
      data,
      calibration,
      equivalence,
      protectedPath,
      sha256,
      timings: timer.timings,
      createdAt: new Date().toISOString(),
      toolVersion: TOOL_VERSION,
      engine,
    });
    hooks.onPartialReport?.(report);

    timer.enter('fragility', 'Measuring fragility');
    report.fragility.kinds = await sweepFragility(original.model.network, calibration.protectedModel.network, data, options, report, progress, engine.compute, hooks.onPartialReport, signal);
    throwIfCancelled(signal);

    // Without labels the lab runs the attacks that need none and lists the others as skipped.
    if (options.attacks && data.rows >= MIN_ATTACK_SAMPLES) {
      timer.enter('attacks', data.labels ? 'Running the attack lab' : 'Running the attack lab (no labels: the attacks that need none)');
      report.attacks = await attackLab(original.model.network, calibration.protectedModel.network, { x: data.x, rows: data.rows, ...(data.labels ? { labels: data.labels } : {}) }, options.seed, engine.compute, progress, signal, LAB_WORK_BUDGET);
      hooks.onPartialReport?.({ ...report, verdict: verdictSentence(report) });
    }

    // Ownership evidence needs labels: without them there are no independent references. Its
    // reference networks cost time in proportion to the model's size: past a budget (about 5×
    // the example's), protect leaves it to `compare --original` and says so.
    const ownershipWork = referenceTrainingWork(original.model.network);
    if (options.ownership && data.labels && data.rows >= MIN_COMPARE_SAMPLES && ownershipWork > OWNERSHIP_WORK_BUDGET) {
      report.ownershipNote = `ownership evidence was not recorded: training its reference networks would take ${(ownershipWork / 1e9).toFixed(0)}·10⁹ multiply-adds, over the ${(OWNERSHIP_WORK_BUDGET / 1e9).toFixed(0)}·10⁹ budget of protect; run 'mimosanet compare <suspect> --original <model> --data … --labels …' when needed`;
    } else if (options.ownership && data.labels && data.rows >= MIN_COMPARE_SAMPLES) {
      timer.enter('ownership', 'Recording ownership evidence (reference networks)');
      report.ownership = await recordOwnership(original.model.network, { x: data.x, rows: data.rows, labels: data.labels }, options.seed, engine.compute, output, progress, signal);
    }

    timer.enter('report', 'Writing report.json');
    report.verdict = verdictSentence(report);
    timer.close();
    await output.write('report.json', `${JSON.stringify(report, null, 2)}\n`);
    await output.commit();
    timer.report(1, 'Done');
    return { report, reportPath: join(outDir, 'report.json'), protectedPath };
  } catch (error) {
    await output.discard();
    if (signal?.aborted && !(error instanceof CancelledError)) throw new CancelledError();
    throw error;
  } finally {
    await engine.compute.dispose();
  }
}

/** Phase "write": stages each file and records its SHA-256 for `verify`. */
async function writeFiles(output: AtomicOutput, files: WrittenFile[]): Promise<Record<string, string>> {
  const sha256: Record<string, string> = {};
  for (const file of files) {
    await output.write(file.name, file.bytes);
    sha256[file.name] = createHash('sha256').update(file.bytes).digest('hex');
  }
  return sha256;
}

/** Checks a job's options with the one options parser (jobs can come from any client). */
function validateOptions(job: ProtectJob): void {
  const [problem] = parseOptions(job.options as unknown as RawOptions, job.options).problems;
  if (problem) throw new UsageError(`Option ${problem.option} must be ${problem.expected}, got ${JSON.stringify(problem.value)}`);
  if (job.labelsPath && !job.dataPath) throw new UsageError('Labels need evaluation data: give a data file with the labels file');
}
