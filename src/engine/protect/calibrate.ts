import { basename } from 'node:path';
import { searchAmplitude } from '../../core/amplitude';
import { chooseTripwireFeatures, protectNetwork, type ProtectedNetwork } from '../../core/constructions';
import type { ComputeBackend } from '../../core/compute';
import { compareOutputs, equivalencePasses } from '../../core/equivalence';
import { EquivalenceError, throwIfCancelled } from '../../core/errors';
import { outputWidth, type DenseNetwork } from '../../core/network';
import type { AmplitudeSearchTrial, RuntimeEquivalence } from '../../core/report';
import { formatAmplitude, formatCount, formatNumber, formatPercent } from '../../core/reportFormat';
import type { ModelRuntime, PredictOptions, WrittenFile } from '../../formats/format';
import type { ProtectOptions } from '../../protocol/jobs';
import { EmulatedOrdersCheck, FIELD_MARGIN, runtimeMatrix, runtimePlan, type RuntimePlan } from '../fieldCheck';
import { originalLogits } from '../originalLogits';
import { PredictionCache } from '../predictionCache';
import type { EvaluationData } from './evaluationData';
import type { OriginalModel } from './originalModel';

/**
 * Amplitudes above 2^16 are never chosen: beyond that, one ulp of a cancelling term is no
 * longer small next to the signal, and equivalence would hang on the exact rounding of the
 * checking runtime rather than on the construction.
 */
const MAX_AMPLITUDE_EXPONENT = 16;

/**
 * Samples each search trial compares in the compute engine. The written copy is checked on
 * every sample in the real runtimes afterwards; the search only has to find the amplitude.
 */
export const SEARCH_SAMPLES = 500;

/** What calibration hands to the later phases. */
export interface Calibration {
  /** The reference runtime (amplitude search and the headline check). */
  runtime: ModelRuntime;
  /** Every real-runtime prediction of the job, memoised and timed (report `runtimeSeconds`). */
  predictions: PredictionCache;
  predictOptions: PredictOptions;
  /** Samples and batches of the real-runtime checks. */
  plan: RuntimePlan;
  /** The original's logits in the reference runtime, and the files they came from. */
  reference: { logits: Float32Array; files: WrittenFile[]; notes: string[] };
  /** Builds the protected network at an amplitude (tripwires as the options say, or none). */
  build: (amplitude: number, tripwires?: number) => ProtectedNetwork;
  /** The emulated-orders check, with the original's outputs cached. */
  emulated: EmulatedOrdersCheck;
  amplitude: number;
  trials: AmplitudeSearchTrial[];
  /** Where the trials ran (report `construction.search`). */
  search: { engine: string; samples: number; emulatedSamples: number; screenSamples: number };
  protectedModel: ProtectedNetwork;
  /** The protected model's files as written. */
  files: WrittenFile[];
  /** The runtime matrix at the chosen amplitude, and runtimes that could not run. */
  runtimeRows: RuntimeEquivalence[];
  runtimeNotes: string[];
}

/** Phase "calibrate": reference logits, the amplitude search, then the runtime matrix (stepping down on failure). */
export async function calibrate(
  original: OriginalModel,
  data: EvaluationData,
  options: ProtectOptions,
  report: (within: number, message: string) => void,
  compute: ComputeBackend,
  signal?: AbortSignal,
): Promise<Calibration> {
  const { format, model } = original;
  // Every real-runtime prediction of the job goes through one cache: the reference logits are
  // also the matrix's large-batch row, and the headline check re-reads the same bytes.
  const predictions = new PredictionCache();
  const runtime = predictions.wrap(await format.createRuntime());
  // Which inputs the tripwires watch: the most often nonzero on the evaluation data. This only
  // steers fragility; their silence is certified for every input.
  const features = chooseTripwireFeatures(data.x, data.rows, model.network.inputs, options.tripwires);
  // The search's last accepted candidate is the chosen one: keep it, so the runtime matrix and
  // the equivalence phase reuse that network (and its emulated result) instead of rebuilding it.
  let accepted: { amplitude: number; network: ProtectedNetwork } | undefined;
  const construct = (amplitude: number, tripwires: number): ProtectedNetwork =>
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
  // The copy at amplitude 1 sizes the checks below (its weight count does not depend on the
  // amplitude) and is the search's first candidate: built once, handed over, then let go.
  let atOne: ProtectedNetwork | undefined = construct(1, options.tripwires);
  const weights = atOne.network.layers.reduce((n, l) => n + l.weights.length, 0);
  const build = (amplitude: number, tripwires = options.tripwires): ProtectedNetwork => {
    if (accepted && accepted.amplitude === amplitude && tripwires === options.tripwires) return accepted.network;
    const first = amplitude === 1 && tripwires === options.tripwires ? atOne : undefined;
    atOne = undefined;
    return first ?? construct(amplitude, tripwires);
  };
  // How much the real runtimes check: every sample unless the network is large (runtimePlan).
  const plan = runtimePlan(data.rows, weights);
  // Batches of the plan's large batch: a tiled-GEMM path like the field check's, and a cancel is seen within one batch.
  const predictOptions: PredictOptions = { logits: true, batch: plan.largeBatch, ...(signal ? { signal } : {}) };
  const reference = await originalLogits(format, model, original.path, original.files, runtime, data.x.subarray(0, plan.samples * model.network.inputs), plan.samples, predictOptions);
  const emulated = new EmulatedOrdersCheck(model.network, data.x, data.rows, { seed: options.seed, tolerance: options.tolerance, weights, ...(signal ? { signal } : {}) });
  const searchRows = Math.min(data.rows, SEARCH_SAMPLES);
  const searchX = data.x.subarray(0, searchRows * model.network.inputs);
  const context: SearchContext = {
    original,
    options,
    report,
    compute,
    rows: searchRows,
    x: searchX,
    engineReference: await compute.forward(model.network, searchX, searchRows, { logits: true }),
    build,
    emulated,
    onAccepted: (amplitude, network) => (accepted = { amplitude, network }),
    ...(signal ? { signal } : {}),
  };
  const search = { engine: compute.description, samples: searchRows, emulatedSamples: emulated.samples, screenSamples: emulated.screenSamples };
  const trials: AmplitudeSearchTrial[] = [];
  const amplitude = options.amplitude === 'auto' ? await searchLargestAmplitude(context, trials) : options.amplitude;

  const field = await format.createFieldRuntimes();
  const fieldRuntimes = { runtimes: field.runtimes.map((r) => predictions.wrap(r)), notes: field.notes };
  const checked = await stepDownUntilFieldPasses(context, { amplitude, trials, fieldRuntimes, referenceFiles: reference.files, data, plan, referenceName: runtime.name });
  return { runtime, predictions, predictOptions, plan, reference, build, emulated, trials, search, runtimeNotes: fieldRuntimes.notes, ...checked };
}

/**
 * The full emulation (the search only screened) and the runtime matrix at the chosen amplitude.
 * Real runtimes may sum in orders the emulation does not cover, and the full emulation sees more
 * samples than the screen: when either fails, step down half an octave and check again.
 */
async function stepDownUntilFieldPasses(
  context: SearchContext,
  state: {
    amplitude: number;
    trials: AmplitudeSearchTrial[];
    fieldRuntimes: { runtimes: ModelRuntime[] };
    referenceFiles: WrittenFile[];
    data: EvaluationData;
    plan: RuntimePlan;
    referenceName: string;
  },
): Promise<Pick<Calibration, 'amplitude' | 'protectedModel' | 'files' | 'runtimeRows'>> {
  const { original, options, report, signal } = context;
  const { model, format } = original;
  const { trials, fieldRuntimes, data } = state;
  const auto = options.amplitude === 'auto';
  for (let amplitude = state.amplitude; ; amplitude /= Math.SQRT2) {
    const protectedModel = context.build(amplitude);
    const last = !auto || amplitude <= 1;
    if (auto) {
      report(0.85, `Emulating kernel orders at amplitude ${formatAmplitude(amplitude)} on ${formatCount(context.emulated.samples)} samples`);
      const full = await context.emulated.run(protectedModel.network);
      if (!full.passed && !last) {
        const comparison = await compareInEngine(context, protectedModel.network);
        trials.push({ amplitude, passed: false, relDiff: comparison.relDiff, emulatedRelDiff: full.worst.relDiff });
        report(0.88, `amplitude ${formatAmplitude(amplitude)} too large under emulated kernel orders on ${formatCount(context.emulated.samples)} samples: relDiff ${full.worst.relDiff.toExponential(2)} > ${formatNumber(options.tolerance / FIELD_MARGIN)}; trying ${formatAmplitude(amplitude / Math.SQRT2)}`);
        continue;
      }
    }
    const files = await format.write(model, protectedModel.network, baseName(original));
    report(0.9, `Checking amplitude ${formatAmplitude(amplitude)} in ${fieldRuntimes.runtimes.map((r) => r.name).join(', ')}`);
    const runtimeRows = await runtimeMatrix(fieldRuntimes.runtimes, state.referenceFiles, files, data.x, state.plan, outputWidth(model.network), model.network.inputs, options.tolerance, signal);
    if (runtimeRows.every((r) => r.passed) || last) return { amplitude, protectedModel, files, runtimeRows };
    const failed = runtimeRows.find((r) => !r.passed)!;
    const referenceRow = runtimeRows.find((r) => r.runtime === state.referenceName && r.batch > 1) ?? failed;
    trials.push({ amplitude, passed: false, relDiff: referenceRow.relDiff, failedIn: { runtime: failed.runtime, batch: failed.batch, relDiff: failed.relDiff } });
    report(0.95, `amplitude ${formatAmplitude(amplitude)} too large for ${failed.runtime} at batch ${failed.batch}: relDiff ${failed.relDiff.toExponential(2)} > ${formatNumber(options.tolerance)}; trying ${formatAmplitude(amplitude / Math.SQRT2)}`);
  }
}

/** What one amplitude trial needs. */
interface SearchContext {
  original: OriginalModel;
  options: ProtectOptions;
  report: (within: number, message: string) => void;
  /** The engine the trials run in, the samples they compare, and the original's logits there. */
  compute: ComputeBackend;
  rows: number;
  x: Float32Array;
  engineReference: Float32Array | Float64Array;
  build: (amplitude: number) => ProtectedNetwork;
  /** Called with each candidate that passes (the last one is the amplitude chosen). */
  onAccepted: (amplitude: number, network: ProtectedNetwork) => void;
  emulated: EmulatedOrdersCheck;
  signal?: AbortSignal;
}

/**
 * The largest amplitude whose copy keeps every top-1 class within tolerance in the compute
 * engine and, with margin, under the emulated kernel orders (a quick screen first); trials are
 * appended. The chosen copy then meets the real runtimes on every sample (runtime matrix).
 */
async function searchLargestAmplitude(context: SearchContext, trials: AmplitudeSearchTrial[]): Promise<number> {
  const { original, options, report, compute, signal } = context;
  let tried = 0;
  const search = await searchAmplitude(
    async (candidate) => {
      throwIfCancelled(signal);
      report(tried / 12, `Trying amplitude ${formatAmplitude(candidate)} in ${compute.name} and emulated kernel orders`);
      const built = context.build(candidate);
      const comparison = await compareInEngine(context, built.network);
      // The candidate must also hold under the summation orders of real kernels, each output
      // column in its own order as tiled GEMMs do, with a margin for orders nobody emulated.
      const field = equivalencePasses(comparison, options.tolerance) ? await emulate(context, built.network) : null;
      const passed = equivalencePasses(comparison, options.tolerance) && (field?.passed ?? false);
      if (passed) context.onAccepted(candidate, built);
      trials.push({ amplitude: candidate, passed, relDiff: comparison.relDiff, ...(field ? { emulatedRelDiff: field.worst.relDiff } : {}) });
      // Worded as a search step, not an error: "too large" is how the search finds the limit.
      const enginePart = `relDiff ${comparison.relDiff.toExponential(2)} ${comparison.relDiff <= options.tolerance ? '≤' : '>'} ${formatNumber(options.tolerance)} in ${compute.name}`;
      const emulatedPart = field ? `, ${field.worst.relDiff.toExponential(2)} ${field.passed ? '≤' : '>'} ${formatNumber(options.tolerance / FIELD_MARGIN)} under emulated kernel orders` : '';
      const agreement = comparison.top1Agreement < 1 ? `, top-1 agreement ${formatPercent(comparison.top1Agreement, 2)}` : '';
      report(++tried / 12, `amplitude ${formatAmplitude(candidate)} ${passed ? 'fits' : 'too large'}: ${enginePart}${emulatedPart}${agreement}`);
      return { passed, relDiff: Math.max(comparison.relDiff, field?.worst.relDiff ?? 0) };
    },
    { maxExponent: MAX_AMPLITUDE_EXPONENT },
  );
  if (search.amplitude === null) {
    const first = trials[0]!;
    throw new EquivalenceError(
      `${basename(original.path)}: even amplitude 1 breaks equivalence (${compute.name} relDiff ${first.relDiff.toExponential(2)}, emulated orders ${first.emulatedRelDiff?.toExponential(2) ?? 'not run'}; tolerance ${options.tolerance}); try a larger tolerance`,
    );
  }
  return search.amplitude;
}

/** A candidate against the original in the compute engine, on the search samples. */
async function compareInEngine(context: SearchContext, network: DenseNetwork): Promise<ReturnType<typeof compareOutputs>> {
  const logits = await context.compute.forward(network, context.x, context.rows, { logits: true });
  return compareOutputs(context.engineReference, logits, context.rows, outputWidth(network));
}

/**
 * The emulated orders during the search: the quick screen on the first samples only. The
 * chosen amplitude gets the full run afterwards (stepDownUntilFieldPasses).
 */
function emulate(context: SearchContext, network: DenseNetwork): Promise<{ passed: boolean; worst: { relDiff: number } }> {
  return context.emulated.screen(network);
}

/** File name stem the protected files are written under (the original's). */
export function baseName(original: OriginalModel): string {
  const name = basename(original.path);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}
