import { assembleLab, labLabelled, labTrainingAllowed, labUnitMessage, labUnitRunner, planLab, runAttackLab, type AttackLabInput, type AttackReport, type LabUnit, type LabUnitResult } from '../core/attacks/lab';
import type { EngineChoice } from '../core/compute';
import { throwIfCancelled } from '../core/errors';
import { parameterCount } from '../core/network';
import { longestFirst, runOnTwoThreads, startHelper } from './twoThreads';

/**
 * Seconds one core spent on each unit of the lab on the bundled example (onnxruntime, a busy machine:
 * 1,000 attacker samples; the protected copy has about 4× the original's parameters). Only their
 * ratios matter: they order the queue and weigh progress.
 */
const UNIT_COST: Record<LabUnit, number> = {
  scratch: 5.1,
  'finetune-adam/protected': 14,
  'finetune-adam/original': 4.7,
  'finetune-sgd/protected': 3.7,
  'finetune-sgd/original': 1.5,
  'head-retrain/protected': 1.2,
  'head-retrain/original': 1.1,
  'merge/protected': 0.1,
  'merge/original': 0.05,
  'least-squares/protected': 0.5,
  'least-squares/original': 0.06,
  'distill/protected': 6.8,
  'distill/original': 8.6,
};

/** The order units are handed out in: longest first (plan order among equals), so the two threads end close together. */
export function labQueue(units: readonly LabUnit[]): LabUnit[] {
  return longestFirst(units, (unit) => UNIT_COST[unit]);
}

/** A copy of a data half that owns its buffer (posting a view would copy the whole dataset's buffer). */
const own = (part: AttackLabInput['attacker']): AttackLabInput['attacker'] => ({ x: part.x.slice(), rows: part.rows, ...(part.labels ? { labels: part.labels.slice() } : {}) });

/**
 * runAttackLab over two cores: this thread and a helper thread (its own instance of the same
 * engine) each take the next unit of the lab from one queue, longest first, until none is left
 * (twoThreads.ts). Every unit draws from its own seeded stream, so the report is the
 * single-threaded one (timings aside). Small networks, one-core machines or a missing helper
 * script run in-process.
 */
export async function runAttackLabParallel(input: AttackLabInput, { force = false, engine = 'js' }: { force?: boolean; engine?: EngineChoice } = {}): Promise<AttackReport> {
  throwIfCancelled(input.signal);
  const units = planLab(labLabelled(input), labTrainingAllowed(input));
  const helper = startHelper(units.length, parameterCount(input.original), force);
  if (!helper) return runAttackLab(input);
  const { original, protectedNet, seed } = input;
  const results = await runOnTwoThreads(helper, {
    start: { type: 'start', job: 'lab', original, protectedNet, attacker: own(input.attacker), evaluation: own(input.evaluation), seed, engine },
    queue: labQueue(units),
    local: (signal) => labUnitRunner({ ...input, signal }),
    onResult: progressOver(units, input.onProgress),
    ...(input.signal ? { signal: input.signal } : {}),
  });
  return assembleLab(input, results.map((r) => r.result));
}

/** Progress of the whole lab as units finish on either side: the share of its cost done, and what just finished. */
function progressOver(units: readonly LabUnit[], onProgress: AttackLabInput['onProgress']): (unit: LabUnit, result: LabUnitResult) => void {
  const total = units.reduce((n, u) => n + UNIT_COST[u], 0);
  let cost = 0;
  let count = 0;
  return (unit) => {
    cost += UNIT_COST[unit];
    onProgress?.(++count === units.length ? 1 : Math.min(1, cost / total), labUnitMessage(unit));
  };
}
