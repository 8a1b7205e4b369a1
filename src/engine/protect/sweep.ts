import type { ComputeBackend, EngineChoice } from '../../core/compute';
import type { DenseNetwork } from '../../core/network';
import type { FragilityKind, ProtectionReport } from '../../core/report';
import { verdictSentence } from '../../core/verdict';
import type { ProtectOptions } from '../../protocol/jobs';
import { MAX_SWEEP_SAMPLES } from '../defaults';
import { measureFragilityParallel } from '../parallelFragility';
import type { EvaluationData } from './evaluationData';

/**
 * Phase "fragility": the sweeps on up to MAX_SWEEP_SAMPLES samples over two threads. Each kind
 * lands in `report` as it finishes (in the requested order), and `onPartial` sees the report grow.
 */
export async function sweepFragility(
  original: DenseNetwork,
  protectedNetwork: DenseNetwork,
  data: EvaluationData,
  options: ProtectOptions,
  report: ProtectionReport,
  progress: (within: number, message: string) => void,
  compute: ComputeBackend,
  onPartial?: (report: ProtectionReport) => void,
  signal?: AbortSignal,
): Promise<FragilityKind[]> {
  const rows = Math.min(data.rows, MAX_SWEEP_SAMPLES);
  const finished: FragilityKind[] = [];
  return measureFragilityParallel(
    original,
    protectedNetwork,
    { x: data.x.subarray(0, rows * original.inputs), rows, labels: data.labels?.subarray(0, rows) ?? null },
    {
      kinds: options.kinds,
      repeats: options.repeats,
      seed: options.seed,
      compute,
      ...(signal ? { signal } : {}),
      onProgress: progress,
      onKind: (kind) => {
        // Kinds finish in any order across the two threads; reports list them as requested.
        finished.push(kind);
        report.fragility.kinds = options.kinds.flatMap((k) => finished.filter((f) => f.kind === k));
        onPartial?.({ ...report, verdict: verdictSentence(report) });
      },
    },
    // The helper thread starts the same engine (by name) for its half of the kinds.
    { engine: compute.name as EngineChoice },
  );
}
