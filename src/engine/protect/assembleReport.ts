import type { ProtectedNetwork } from '../../core/constructions';
import { equivalencePasses } from '../../core/equivalence';
import { skippedKinds } from '../../core/fragility';
import { classCount, parameterCount, type DenseNetwork } from '../../core/network';
import type { ProtectionReport } from '../../core/report';
import type { WrittenFile } from '../../formats/format';
import type { ProtectOptions } from '../../protocol/jobs';
import type { ComputeSelection } from '../compute';
import { MAX_SWEEP_SAMPLES } from '../defaults';
import type { Calibration } from './calibrate';
import type { EquivalenceCheck } from './checkEquivalence';
import type { EvaluationData } from './evaluationData';
import type { OriginalModel } from './originalModel';

/** Everything the report is made of, measured by the phases before the sweeps. */
export interface ReportInputs {
  original: OriginalModel;
  options: ProtectOptions;
  data: EvaluationData;
  calibration: Calibration;
  equivalence: EquivalenceCheck;
  /** Absolute path of the protected model's main file, once committed. */
  protectedPath: string;
  /** SHA-256 of each written file. */
  sha256: Record<string, string>;
  /** Wall time per phase (the same object keeps filling in while sweeps run). */
  timings: Record<string, number>;
  /** Report creation time and tool version (passed in, so assembly is pure). */
  createdAt: string;
  toolVersion: string;
  /** The compute engine of the search and the sweeps, and why faster ones did not start. */
  engine: ComputeSelection;
}

/**
 * The report as known before the fragility sweeps (kinds empty, verdict empty): a pure
 * function of what the phases measured, so the same inputs always give the same report.
 */
export function assembleReport(inputs: ReportInputs): ProtectionReport {
  const { original, options, data, calibration, equivalence } = inputs;
  const network = original.model.network;
  const protectedNetwork: ProtectedNetwork = calibration.protectedModel;
  const files: WrittenFile[] = calibration.files;
  const { comparison } = equivalence;
  return {
    schemaVersion: 1,
    createdAt: inputs.createdAt,
    tool: { name: 'mimosanet', version: inputs.toolVersion },
    model: {
      path: original.path,
      format: original.format.id,
      layers: network.layers.filter((l) => !l.inserted).map((l) => ({ units: l.units, activation: l.activation })),
      inputs: network.inputs,
      parameters: parameterCount(network),
      bytes: original.bytes,
      normalised: [...original.model.normalised, ...calibration.reference.notes],
    },
    protected: {
      path: inputs.protectedPath,
      files: files.map((f) => f.name),
      layers: protectedNetwork.network.layers.map((l) => ({ units: l.units, activation: l.activation })),
      parameters: parameterCount(protectedNetwork.network),
      bytes: files.reduce((n, f) => n + f.bytes.length, 0),
      sha256: inputs.sha256,
      maxAbsWeight: maxAbsWeight(protectedNetwork.network),
    },
    construction: {
      seed: options.seed,
      amplitude: calibration.amplitude,
      amplitudeMode: options.amplitude === 'auto' ? 'auto' : 'fixed',
      amplitudeSearch:
        options.amplitude === 'auto' ? calibration.trials : [{ amplitude: calibration.amplitude, passed: equivalencePasses(comparison, options.tolerance), relDiff: comparison.relDiff }],
      ...(options.amplitude === 'auto' ? { search: calibration.search } : {}),
      tolerance: options.tolerance,
      copies: options.copies,
      rescaleExponent: options.rescaleExponent,
      methods: protectedNetwork.methods,
      tradeOff: equivalence.tradeOff,
    },
    data: data.report,
    equivalence: {
      top1Agreement: comparison.top1Agreement,
      maxAbsDiff: comparison.maxAbsDiff,
      meanAbsDiff: comparison.meanAbsDiff,
      relDiff: comparison.relDiff,
      samples: calibration.plan.samples,
      compared: 'logits',
      accuracyOriginal: equivalence.accuracyOriginal,
      accuracyProtected: equivalence.accuracyProtected,
      passed: equivalence.passed,
      runtime: calibration.runtime.name,
      perSampleMaxAbsDiff: Array.from(comparison.perSampleMaxAbsDiff.subarray(0, 5000)),
      float64MaxAbsDiff: equivalence.float64MaxAbsDiff,
      field: equivalence.field,
    },
    fragility: {
      metric: data.labels ? 'accuracy' : 'agreement',
      chance: 1 / classCount(network),
      samples: Math.min(data.rows, MAX_SWEEP_SAMPLES),
      runtime: [inputs.engine.compute.description, ...inputs.engine.notes].join('; '),
      kinds: [],
      ...skippedSection(options, data),
    },
    verdict: '',
    timings: inputs.timings,
    runtimeSeconds: calibration.predictions.runtimeSeconds(),
  };
}

/** Kinds left out for want of labels, when there are any (the report says so instead of dropping them silently). */
function skippedSection(options: ProtectOptions, data: EvaluationData): Pick<ProtectionReport['fragility'], 'skipped'> {
  const skipped = skippedKinds(options.kinds, data.labels !== null);
  return skipped.length ? { skipped } : {};
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
