import { additive } from './additive';
import { finetuneAdam } from './finetuneAdam';
import { finetuneSgd } from './finetuneSgd';
import { float16 } from './float16';
import { int8 } from './int8';
import { multiplicative } from './multiplicative';
import type { Perturbation } from './perturbation';
import { prune } from './prune';
import { singleEdit } from './singleEdit';

/**
 * The perturbation kinds of DESIGN §4, in the order options default to and reports list them.
 * Adding a kind is adding its module beside this file and one line here; package.json's
 * `mimosanet.perturbations` enum is kept equal to this list by a unit test.
 */
export const PERTURBATIONS = [multiplicative, additive, finetuneAdam, finetuneSgd, float16, int8, prune, singleEdit] as const;

/** One perturbation kind. */
export type PerturbationKind = (typeof PERTURBATIONS)[number]['kind'];

/** Kind identifiers, in report order. */
export const PERTURBATION_KINDS: readonly PerturbationKind[] = PERTURBATIONS.map((p) => p.kind);

const BY_KIND = new Map<string, Perturbation<PerturbationKind>>(PERTURBATIONS.map((p) => [p.kind, p]));

/** The module of a kind. */
export function perturbationOf(kind: PerturbationKind): Perturbation<PerturbationKind> {
  const found = BY_KIND.get(kind);
  if (!found) throw new RangeError(`Unknown perturbation kind '${String(kind)}'`);
  return found;
}

/** How people read each kind, in tables, charts and tooltips. */
export const PERTURBATION_TITLES = Object.fromEntries(PERTURBATIONS.map((p) => [p.kind, p.title])) as Record<PerturbationKind, string>;
