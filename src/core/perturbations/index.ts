import { additive } from './additive';
import { finetuneAdam } from './finetuneAdam';
import { finetuneSgd } from './finetuneSgd';
import { float16 } from './float16';
import { int8 } from './int8';
import { multiplicative } from './multiplicative';
import type { PerturbationKind } from './kinds';
import type { Perturbation } from './perturbation';
import { prune } from './prune';
import { singleEdit } from './singleEdit';

/**
 * The perturbation kinds of DESIGN §4, in the order options default to and reports list them.
 * Adding a kind is adding its module beside this file, one line here and its title in kinds.ts; package.json's
 * `mimosanet.perturbations` enum is kept equal to this list by a unit test.
 */
export const PERTURBATIONS = [multiplicative, additive, finetuneAdam, finetuneSgd, float16, int8, prune, singleEdit] as const;

export { PERTURBATION_KINDS, PERTURBATION_TITLES, type PerturbationKind } from './kinds';

// Every kind of kinds.ts has exactly one module here, in the same order (a unit test checks the order).
type Implemented = (typeof PERTURBATIONS)[number]['kind'];
const everyKindImplemented: [PerturbationKind] extends [Implemented] ? ([Implemented] extends [PerturbationKind] ? true : never) : never = true;
void everyKindImplemented;

const BY_KIND = new Map<string, Perturbation<PerturbationKind>>(PERTURBATIONS.map((p) => [p.kind, p]));

/** The module of a kind. */
export function perturbationOf(kind: PerturbationKind): Perturbation<PerturbationKind> {
  const found = BY_KIND.get(kind);
  if (!found) throw new RangeError(`Unknown perturbation kind '${String(kind)}'`);
  return found;
}

