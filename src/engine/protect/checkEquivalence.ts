import type { ComputeBackend } from '../../core/compute';
import { accuracy, equivalencePasses, type OutputComparison } from '../../core/equivalence';
import { outputWidth } from '../../core/network';
import type { AmplitudeTradeOff, FieldEquivalence } from '../../core/report';
import type { WrittenFile } from '../../formats/format';
import type { ProtectOptions } from '../../protocol/jobs';
import { amplitudeTradeOff, FIELD_MARGIN } from '../fieldCheck';
import { compareWithReference } from '../originalLogits';
import type { Calibration } from './calibrate';
import type { EvaluationData } from './evaluationData';

/** Everything the equivalence phase measured. */
export interface EquivalenceCheck {
  /** Reference runtime, original vs the written-back protected files. */
  comparison: OutputComparison;
  accuracyOriginal: number | null;
  accuracyProtected: number | null;
  field: FieldEquivalence;
  /** The overall pass: reference runtime and field check. */
  passed: boolean;
  /** max |Δ| in float64 arithmetic of the stored weights (exactness of the construction). */
  float64MaxAbsDiff: number;
  tradeOff: AmplitudeTradeOff[];
}

/**
 * Phase "equivalence": the reference runtime on the files as written to disk, the emulated
 * orders and bounds on the chosen copy, and the amplitude trade-off around it.
 */
export async function checkEquivalence(
  calibration: Calibration,
  writtenBack: WrittenFile[],
  data: EvaluationData,
  options: ProtectOptions,
  report: (within: number, message: string) => void,
  compute: ComputeBackend,
  signal?: AbortSignal,
): Promise<EquivalenceCheck> {
  const { runtime, reference, emulated, protectedModel } = calibration;
  const original = emulated.original;
  const width = outputWidth(original);
  const rows = calibration.plan.samples;
  const labels = data.labels?.subarray(0, rows) ?? null;
  const { comparison, logits: protectedLogits } = await compareWithReference(runtime, reference.logits, writtenBack, data.x.subarray(0, rows * original.inputs), rows, width, calibration.predictOptions);
  report(0.3, 'Emulating kernel summation orders');
  const emulatedFinal = await emulated.run(protectedModel.network);
  report(0.8, 'Computing the error bound');
  const field: FieldEquivalence = {
    runtimes: calibration.runtimeRows,
    notes: calibration.runtimeNotes,
    emulated: { samples: emulatedFinal.samples, results: emulatedFinal.results, worst: emulatedFinal.worst, margin: FIELD_MARGIN, passed: emulatedFinal.passed },
    bound: emulated.bound(protectedModel.network),
    passed:
      calibration.runtimeRows.every((r) => r.passed) &&
      emulatedFinal.results.every((r) => r.top1Agreement === 1 && r.relDiff <= options.tolerance),
  };
  report(0.85, 'Measuring the amplitude trade-off');
  // Without tripwires: their fragility does not depend on the amplitude and would hide what it buys.
  const tradeOff = await amplitudeTradeOff(original, (m) => calibration.build(m, 0).network, calibration.amplitude, data, {
    seed: options.seed,
    tolerance: options.tolerance,
    weights: protectedModel.network.layers.reduce((n, l) => n + l.weights.length, 0),
    compute,
    ...(signal ? { signal } : {}),
    onProgress: (fraction) => report(0.85 + 0.15 * fraction, 'Measuring the amplitude trade-off'),
  });
  const exact = emulated.exactComparison(protectedModel.network);
  return {
    comparison,
    accuracyOriginal: labels ? accuracy(reference.logits, rows, width, labels) : null,
    accuracyProtected: labels ? accuracy(protectedLogits, rows, width, labels) : null,
    field,
    passed: equivalencePasses(comparison, options.tolerance) && field.passed,
    float64MaxAbsDiff: exact.maxAbsDiff,
    tradeOff,
  };
}
