import { argmaxRows } from '../forward';
import { softTargets, type SoftTargets } from '../fineTune';
import { outputWidth } from '../network';
import type { Attack } from './attack';
import { bestTrained, freshNetwork } from './train';

/**
 * Temperature of the soft targets. The attacker holds the file, so they have the copy's full
 * output, not only its top answer; softening it (Hinton et al. 2015) passes on how the copy ranks
 * the other classes. 3 sits in the usual 2–5 range.
 */
export const DISTILLATION_TEMPERATURE = 3;

/**
 * Train a fresh network of the original's architecture on the copy's outputs on the attacker's
 * inputs (no labels needed): the copy's weights are never touched. Two students, the attacker's
 * best kept: one on the copy's top answers, one on its probabilities at
 * `DISTILLATION_TEMPERATURE`.
 */
export const distillAttack: Attack = {
  kind: 'distill',
  knowledge: 'none',
  needs: 'unlabelled',
  training: { runs: 2, steps: 3000, network: 'original' },
  description: `train a fresh network of the original's architecture on the copy's answers and, separately, on its output probabilities at temperature ${DISTILLATION_TEMPERATURE} (Adam lr 1e-3, up to 3,000 steps; the better student kept)`,
  run: async (network, context) => {
    const width = outputWidth(network);
    const logits = await context.compute.forward(network, context.x, context.rows, { logits: true });
    const targets: (Int32Array | SoftTargets)[] = [argmaxRows(logits, context.rows, width), softTargets(logits, context.rows, width, DISTILLATION_TEMPERATURE)];
    const students = [];
    for (const [i, labels] of targets.entries()) {
      students.push(
        await bestTrained(freshNetwork(context.original, context.rng.fork(i === 0 ? 'student' : 'soft student')), context.x, labels, context.rows, context, {
          optimizer: 'adam',
          learningRates: [1e-3],
          steps: [300, 1000, 3000],
        }),
      );
    }
    const scores = await Promise.all(students.map((s) => context.score(s)));
    return scores[1]! > scores[0]! ? students[1]! : students[0]!;
  },
};
