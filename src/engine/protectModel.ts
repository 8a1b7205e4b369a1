import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { searchAmplitude } from '../core/amplitude';
import { chooseTripwireFeatures, protectNetwork, type ProtectedNetwork } from '../core/constructions';
import { CancelledError, EquivalenceError, UsageError, throwIfCancelled } from '../core/errors';
import { accuracy, compareOutputs, equivalencePasses, type OutputComparison } from '../core/equivalence';
import { forward } from '../core/forward';
import { classCount, outputWidth, parameterCount, type DenseNetwork } from '../core/network';
import type { AmplitudeSearchTrial, FieldEquivalence, FragilityKind, ProtectionReport, RuntimeEquivalence } from '../core/report';
import { Rng } from '../core/rng';
import { checkLabels, readDataset } from '../formats/data/dataset';
import { generateProbes } from '../formats/data/probes';
import type { LoadedModel, WrittenFile } from '../formats/format';
import { requireFormat } from '../formats/registry';
import type { JobProgress, ProtectJob, ProtectPhase, ProtectResult } from '../protocol/jobs';
import { AtomicOutput } from './atomicOutput';
import { amplitudeTradeOff, EmulatedOrdersCheck, FIELD_MARGIN, LARGE_BATCH, runtimeMatrix } from './fieldCheck';
import { readHead } from './fileSystem';

import { MAX_SWEEP_SAMPLES, PROBE_SAMPLES } from './defaults';
import { nodeFileReader } from './nodeFileReader';
import { originalLogits } from './originalLogits';
import { measureFragilityParallel } from './parallelFragility';
import { formatAmplitude, verdictSentence } from '../core/verdict';
import { TOOL_VERSION } from './version';

/** Callbacks of a running protect job. */
export interface ProtectHooks {
  /** Progress for bars and logs. */
  onProgress?: (progress: JobProgress) => void;
  /** The report as far as it is known, while fragility sweeps run. */
  onPartialReport?: (report: Partial<ProtectionReport>) => void;
  /** Aborting cancels the job: CancelledError, nothing written. */
  signal?: AbortSignal;
}

/** Share of the overall progress bar each phase takes (sweeps dominate the run time). */
const PHASE_SPAN: Record<ProtectPhase, [number, number]> = {
  read: [0, 0.02],
  data: [0.02, 0.04],
  calibrate: [0.04, 0.2],
  write: [0.2, 0.22],
  equivalence: [0.22, 0.25],
  fragility: [0.25, 0.99],
  report: [0.99, 1],
};

/** Evaluation inputs in the shape every step uses. */
interface EvaluationData {
  x: Float32Array;
  rows: number;
  labels: Int32Array | null;
  report: ProtectionReport['data'];
}

/** Default output folder: `<dir>/<name>.mimosa` beside the model. */
export function defaultOutDir(modelPath: string): string {
  const name = basename(modelPath, extname(modelPath));
  return join(dirname(modelPath), `${name}.mimosa`);
}

/**
 * Protects one model end to end: read, load data, calibrate the amplitude in the format's real
 * runtime, write the protected copy atomically, check equivalence on the written files, sweep
 * fragility and write report.json. The original model is only ever read.
 */
export async function protectModel(job: ProtectJob, hooks: ProtectHooks = {}): Promise<ProtectResult> {
  const timings: Record<string, number> = {};
  let phaseStart = performance.now();
  let phase: ProtectPhase = 'read';
  const enter = (next: ProtectPhase, message: string): void => {
    timings[phase] = (timings[phase] ?? 0) + (performance.now() - phaseStart) / 1000;
    phase = next;
    phaseStart = performance.now();
    report(0, message);
  };
  let lastFraction = 0;
  const report = (within: number, message: string): void => {
    const [from, to] = PHASE_SPAN[phase];
    // A bar never goes back, even when a step is retried (e.g. the amplitude steps down).
    lastFraction = Math.max(lastFraction, from + (to - from) * Math.min(1, Math.max(0, within)));
    hooks.onProgress?.({ phase, message, fraction: lastFraction });
  };
  const { signal } = hooks;
  const options = job.options;
  validateOptions(job);

  const modelPath = resolve(job.modelPath);
  report(0, `Reading ${basename(modelPath)}`);
  const format = requireFormat(modelPath, await readHead(modelPath));
  const model = await format.load(modelPath, nodeFileReader);
  if (model.info.producer === 'MimosaNet') {
    // Its weights already span 2^±16 around amplitudes of hundreds: there is no fidelity budget
    // left for a second layer of cancellation, and the copy is already protected.
    throw new UsageError(`${modelPath} is already a MimosaNet-protected copy; protect the original model instead`);
  }
  const outDir = resolve(job.outDir ?? defaultOutDir(modelPath));
  const originalFiles = await format.readFiles(modelPath, nodeFileReader);
  const inputFiles = new Set(originalFiles.map((f) => resolve(dirname(modelPath), f.name)));
  inputFiles.add(modelPath);
  if (inputFiles.has(outDir) || dirname(modelPath) === outDir) {
    throw new UsageError(`The output folder ${outDir} is the model's own folder; choose another with --out`);
  }
  const output = await AtomicOutput.open(outDir, job.force);
  try {
    throwIfCancelled(signal);
    enter('data', job.dataPath ? `Reading ${basename(job.dataPath)}` : 'Generating probe inputs');
    const data = await loadData(job, model);

    enter('calibrate', 'Loading the runtime');
    const runtime = await format.createRuntime();
    // Batches of LARGE_BATCH rows: a tiled-GEMM path like the field check's, and a cancel is seen within one batch.
    const predictOptions = { logits: true, batch: LARGE_BATCH, ...(signal ? { signal } : {}) };
    const reference = await originalLogits(format, model, modelPath, originalFiles, runtime, data.x, data.rows, predictOptions);
    const normalised = [...model.normalised, ...reference.notes];
    // Which inputs the tripwires watch: the most often nonzero on the evaluation data. This only
    // steers fragility; their silence is certified for every input.
    const features = chooseTripwireFeatures(data.x, data.rows, model.network.inputs, options.tripwires);
    const build = (amplitude: number, tripwires = options.tripwires): ProtectedNetwork =>
      protectNetwork(model.network, {
        seed: options.seed,
        amplitude,
        copies: options.copies,
        rescaleExponent: options.rescaleExponent,
        twins: options.twins,
        permute: true,
        tripwires,
        features,
      });
    const baseName = basename(modelPath, extname(modelPath));
    const width = outputWidth(model.network);
    const check = async (candidate: ProtectedNetwork): Promise<OutputComparison> => {
      const files = await format.write(model, candidate.network, baseName);
      return compareOutputs(reference.logits, await runtime.predict(files, data.x, data.rows, predictOptions), data.rows, width);
    };
    const emulated = new EmulatedOrdersCheck(model.network, data.x, data.rows, { seed: options.seed, tolerance: options.tolerance, ...(signal ? { signal } : {}) });
    let amplitude: number;
    let trials: AmplitudeSearchTrial[] = [];
    if (options.amplitude === 'auto') {
      let tried = 0;
      const search = await searchAmplitude(
        async (candidate) => {
          throwIfCancelled(signal);
          report(tried / 12, `Trying amplitude ${formatAmplitude(candidate)} in ${runtime.name} and emulated kernel orders`);
          const built = build(candidate);
          const comparison = await check(built);
          // The candidate must also hold under the summation orders of real kernels, each output
          // column in its own order as tiled GEMMs do, with a margin for orders nobody emulated.
          const field = equivalencePasses(comparison, options.tolerance) ? await emulated.run(built.network) : null;
          const passed = equivalencePasses(comparison, options.tolerance) && (field?.passed ?? false);
          trials.push({ amplitude: candidate, passed, relDiff: comparison.relDiff, ...(field ? { emulatedRelDiff: field.worst.relDiff } : {}) });
          const shown = field ? `, emulated orders ${field.worst.relDiff.toExponential(2)}` : '';
          report(++tried / 12, `amplitude ${formatAmplitude(candidate)}: ${runtime.name} relDiff ${comparison.relDiff.toExponential(2)}${shown}, ${passed ? 'pass' : 'fail'}`);
          return { passed, relDiff: Math.max(comparison.relDiff, field?.worst.relDiff ?? 0) };
        },
        { maxExponent: MAX_AMPLITUDE_EXPONENT },
      );
      if (search.amplitude === null) {
        throw new EquivalenceError(
          `${basename(modelPath)}: even amplitude 1 breaks equivalence (${runtime.name} relDiff ${trials[0]!.relDiff.toExponential(2)}, emulated orders ${trials[0]!.emulatedRelDiff?.toExponential(2) ?? 'not run'}; tolerance ${options.tolerance}); try a larger tolerance`,
        );
      }
      amplitude = search.amplitude;
    } else {
      amplitude = options.amplitude;
    }
    const fieldRuntimes = await format.createFieldRuntimes();

    // Real runtimes may sum in orders the emulation does not cover: when one fails at a searched
    // amplitude, step down half an octave and check again.
    let protectedModel: ProtectedNetwork;
    let files: WrittenFile[];
    let runtimeRows: RuntimeEquivalence[];
    for (;;) {
      protectedModel = build(amplitude);
      files = await format.write(model, protectedModel.network, baseName);
      report(0.9, `Checking amplitude ${formatAmplitude(amplitude)} in ${fieldRuntimes.runtimes.map((r) => r.name).join(', ')}`);
      runtimeRows = await runtimeMatrix(fieldRuntimes.runtimes, reference.files, files, data.x, data.rows, width, model.network.inputs, options.tolerance, signal);
      if (runtimeRows.every((r) => r.passed) || options.amplitude !== 'auto' || amplitude <= 1) break;
      const failed = runtimeRows.find((r) => !r.passed)!;
      const referenceRow = runtimeRows.find((r) => r.runtime === runtime.name && r.batch > 1) ?? failed;
      trials.push({ amplitude, passed: false, relDiff: referenceRow.relDiff, failedIn: { runtime: failed.runtime, batch: failed.batch, relDiff: failed.relDiff } });
      report(0.95, `amplitude ${formatAmplitude(amplitude)} fails in ${failed.runtime} at batch ${failed.batch} (relDiff ${failed.relDiff.toExponential(2)}); stepping down`);
      amplitude /= Math.SQRT2;
    }

    enter('write', `Writing the protected model to ${outDir}`);
    const sha256: Record<string, string> = {};
    for (const file of files) {
      await output.write(file.name, file.bytes);
      sha256[file.name] = createHash('sha256').update(file.bytes).digest('hex');
    }
    throwIfCancelled(signal);

    enter('equivalence', `Checking equivalence in ${runtime.name}`);
    // Read the written files back from disk: the check covers exactly what will be shipped.
    const writtenBack: WrittenFile[] = await Promise.all(files.map(async (f) => ({ name: f.name, bytes: await nodeFileReader.read(output.stagedPath(f.name)) })));
    const protectedLogits = await runtime.predict(writtenBack, data.x, data.rows, predictOptions);
    const comparison = compareOutputs(reference.logits, protectedLogits, data.rows, width);
    trials = options.amplitude === 'auto' ? trials : [{ amplitude, passed: equivalencePasses(comparison, options.tolerance), relDiff: comparison.relDiff }];
    report(0.3, 'Emulating kernel summation orders');
    const emulatedFinal = await emulated.run(protectedModel.network);
    report(0.8, 'Computing the error bound');
    const bound = emulated.bound(protectedModel.network);
    const field: FieldEquivalence = {
      runtimes: runtimeRows,
      notes: fieldRuntimes.notes,
      emulated: { samples: emulatedFinal.samples, results: emulatedFinal.results, worst: emulatedFinal.worst, margin: FIELD_MARGIN, passed: emulatedFinal.passed },
      bound,
      passed: runtimeRows.every((r) => r.passed) && emulatedFinal.results.every((r) => equivalencePasses({ ...r, meanAbsDiff: 0, perSampleMaxAbsDiff: new Float64Array(0) }, options.tolerance)),
    };
    const passed = equivalencePasses(comparison, options.tolerance) && field.passed;
    report(0.85, 'Measuring the amplitude trade-off');
    // Without tripwires: their fragility does not depend on the amplitude and would hide what it buys.
    const tradeOff = await amplitudeTradeOff(model.network, (m) => build(m, 0).network, amplitude, emulated, data, {
      seed: options.seed,
      ...(signal ? { signal } : {}),
      onProgress: (fraction) => report(0.85 + 0.15 * fraction, 'Measuring the amplitude trade-off'),
    });
    const exact = compareOutputs(
      forward(model.network, data.x, data.rows, { precision: 'float64', logits: true }),
      forward(protectedModel.network, data.x, data.rows, { precision: 'float64', logits: true }),
      data.rows,
      width,
    );
    const mainFile = join(outDir, files[0]!.name);
    const partial: ProtectionReport = {
      schemaVersion: 1,
      createdAt: new Date().toISOString(),
      tool: { name: 'mimosanet', version: TOOL_VERSION },
      model: {
        path: modelPath,
        format: format.id,
        layers: model.network.layers.filter((l) => !l.inserted).map((l) => ({ units: l.units, activation: l.activation })),
        inputs: model.network.inputs,
        parameters: parameterCount(model.network),
        bytes: await totalBytes([...inputFiles]),
        normalised,
      },
      protected: {
        path: mainFile,
        files: files.map((f) => f.name),
        layers: protectedModel.network.layers.map((l) => ({ units: l.units, activation: l.activation })),
        parameters: parameterCount(protectedModel.network),
        bytes: files.reduce((n, f) => n + f.bytes.length, 0),
        sha256,
        maxAbsWeight: maxAbsWeight(protectedModel.network),
      },
      construction: {
        seed: options.seed,
        amplitude,
        amplitudeMode: options.amplitude === 'auto' ? 'auto' : 'fixed',
        amplitudeSearch: trials,
        tolerance: options.tolerance,
        copies: options.copies,
        rescaleExponent: options.rescaleExponent,
        methods: protectedModel.methods,
        tradeOff,
      },
      data: data.report,
      equivalence: {
        top1Agreement: comparison.top1Agreement,
        maxAbsDiff: comparison.maxAbsDiff,
        meanAbsDiff: comparison.meanAbsDiff,
        relDiff: comparison.relDiff,
        compared: 'logits',
        accuracyOriginal: data.labels ? accuracy(reference.logits, data.rows, width, data.labels) : null,
        accuracyProtected: data.labels ? accuracy(protectedLogits, data.rows, width, data.labels) : null,
        passed,
        runtime: runtime.name,
        perSampleMaxAbsDiff: Array.from(comparison.perSampleMaxAbsDiff.subarray(0, 5000)),
        float64MaxAbsDiff: exact.maxAbsDiff,
        field,
      },
      fragility: {
        metric: data.labels ? 'accuracy' : 'agreement',
        chance: 1 / classCount(model.network),
        samples: Math.min(data.rows, MAX_SWEEP_SAMPLES),
        runtime: 'MimosaNet core forward pass (float32 weights, float64 accumulation)',
        kinds: [],
      },
      verdict: '',
      timings,
    };
    hooks.onPartialReport?.(partial);

    enter('fragility', 'Measuring fragility');
    const sweepRows = Math.min(data.rows, MAX_SWEEP_SAMPLES);
    const finished: FragilityKind[] = [];
    const kinds = await measureFragilityParallel(
      model.network,
      protectedModel.network,
      { x: data.x.subarray(0, sweepRows * model.network.inputs), rows: sweepRows, labels: data.labels?.subarray(0, sweepRows) ?? null },
      {
        kinds: options.kinds,
        repeats: options.repeats,
        seed: options.seed,
        ...(signal ? { signal } : {}),
        onProgress: (fraction, message) => report(fraction, message),
        onKind: (kind) => {
          // Kinds finish in any order across the two threads; reports list them as requested.
          finished.push(kind);
          partial.fragility.kinds = options.kinds.flatMap((k) => finished.filter((f) => f.kind === k));
          hooks.onPartialReport?.({ ...partial, verdict: verdictSentence(partial) });
        },
      },
    );
    throwIfCancelled(signal);

    enter('report', 'Writing report.json');
    partial.fragility.kinds = kinds;
    partial.verdict = verdictSentence(partial);
    timings[phase] = (performance.now() - phaseStart) / 1000;
    await output.write('report.json', `${JSON.stringify(partial, null, 2)}\n`);
    await output.commit();
    report(1, 'Done');
    return { report: partial, reportPath: join(outDir, 'report.json'), protectedPath: mainFile };
  } catch (error) {
    await output.discard();
    if (signal?.aborted && !(error instanceof CancelledError)) throw new CancelledError();
    throw error;
  }
}

/**
 * Amplitudes above 2^16 are never chosen: beyond that, one ulp of a cancelling term is no
 * longer small next to the signal, and equivalence would hang on the exact rounding of the
 * checking runtime rather than on the construction.
 */
const MAX_AMPLITUDE_EXPONENT = 16;

function validateOptions(job: ProtectJob): void {
  const o = job.options;
  if (!(o.tolerance > 0)) throw new UsageError(`--tolerance must be a positive number, got ${o.tolerance}`);
  if (o.amplitude !== 'auto' && !(o.amplitude > 0)) throw new UsageError(`--amplitude must be 'auto' or a positive number, got ${o.amplitude}`);
  if (!Number.isInteger(o.seed)) throw new UsageError(`--seed must be an integer, got ${o.seed}`);
  if (!Number.isInteger(o.copies) || o.copies < 3) throw new UsageError(`copies must be an integer ≥ 3, got ${o.copies}`);
  if (!Number.isInteger(o.tripwires) || o.tripwires < 0) throw new UsageError(`tripwires must be a non-negative integer, got ${o.tripwires}`);
  if (!Number.isInteger(o.repeats) || o.repeats < 1) throw new UsageError(`repeats must be a positive integer, got ${o.repeats}`);
  if (!Number.isInteger(o.maxSamples) || o.maxSamples < 1) throw new UsageError(`maxSamples must be a positive integer, got ${o.maxSamples}`);
  if (job.labelsPath && !job.dataPath) throw new UsageError('--labels needs --data');
}

async function loadData(job: ProtectJob, model: LoadedModel): Promise<EvaluationData> {
  const inputs = model.network.inputs;
  if (!job.dataPath) {
    const rows = Math.min(PROBE_SAMPLES, job.options.maxSamples);
    const probes = generateProbes(inputs, rows, new Rng(job.options.seed).fork('probes'));
    return { x: probes.x, rows, labels: null, report: { source: 'probes', samples: rows, labelled: false, probeDescription: probes.description } };
  }
  const dataPath = resolve(job.dataPath);
  const labelsPath = job.labelsPath ? resolve(job.labelsPath) : undefined;
  const dataset = await readDataset(dataPath, labelsPath, nodeFileReader, inputs);
  if (dataset.labels) checkLabels(dataset.labels, classCount(model.network), dataset.labelsSource ?? labelsPath ?? dataPath);
  const rows = Math.min(dataset.rows, job.options.maxSamples);
  return {
    x: dataset.x.subarray(0, rows * inputs),
    rows,
    labels: dataset.labels ? dataset.labels.subarray(0, rows) : null,
    report: {
      source: 'file',
      path: dataPath,
      ...(labelsPath ? { labelsPath } : {}),
      samples: rows,
      labelled: dataset.labels !== null,
    },
  };
}

async function totalBytes(paths: string[]): Promise<number> {
  let total = 0;
  for (const path of paths) total += (await stat(path)).size;
  return total;
}

/** Largest |weight| or |bias| of a network: the dynamic range a runtime must hold in float32. */
function maxAbsWeight(network: DenseNetwork): number {
  let max = 0;
  for (const layer of network.layers) {
    for (const w of layer.weights) max = Math.max(max, Math.abs(w));
    for (const b of layer.bias) max = Math.max(max, Math.abs(b));
  }
  return max;
}
