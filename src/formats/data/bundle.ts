/**
 * Files that hold several named arrays (an .npz archive, a JSON object) share one shape and one
 * rule for which member holds the inputs and which the labels, so `--data eval.npz` and
 * `--data eval.json` behave the same.
 */

import { DataError } from '../../core/errors';
import type { NdArray } from './ndarray';

/** A file holding one or more named arrays, decoded lazily (an .npz member is only inflated when asked for). */
export interface ArrayBundle {
  /** Member names in file order. */
  names: string[];
  /** Decodes member `name` (one of `names`); throws DataError naming the file and member. */
  get(name: string): NdArray;
}

/** Member names taken as the inputs, in order of preference (Keras-style `x_test` before a bare first member). */
export const INPUT_NAMES = ['x', 'X', 'inputs', 'data', 'features', 'x_test', 'X_test', 'x_eval', 'x_val'];

/** Member names taken as the labels, in order of preference. */
export const LABEL_NAMES = ['y', 'Y', 'labels', 'targets', 'label', 'target', 'y_test', 'Y_test', 'y_eval', 'y_val'];

function list(names: readonly string[]): string {
  return names.length ? names.map((n) => `'${n}'`).join(', ') : 'none';
}

function requireMember(names: readonly string[], name: string, file: string): string {
  if (!names.includes(name)) throw new DataError(file, `has no array named '${name}' (arrays: ${list(names)})`);
  return name;
}

/** Name of the inputs member: `explicit` if given, else the first of INPUT_NAMES, else the first non-label member. */
export function pickInputsName(names: readonly string[], file: string, explicit?: string): string {
  if (explicit !== undefined) return requireMember(names, explicit, file);
  const found = INPUT_NAMES.find((n) => names.includes(n)) ?? names.find((n) => !LABEL_NAMES.includes(n));
  if (found === undefined) throw new DataError(file, `holds no input array (arrays: ${list(names)})`);
  return found;
}

/** Name of the labels member embedded next to the inputs, if any: `explicit` if given, else the first of LABEL_NAMES. */
export function pickEmbeddedLabelsName(names: readonly string[], file: string, explicit?: string): string | undefined {
  if (explicit !== undefined) return requireMember(names, explicit, file);
  return LABEL_NAMES.find((n) => names.includes(n));
}

/** Name of the labels member of a file given as the labels file: as above, or its only member. */
export function pickLabelsFileName(names: readonly string[], file: string, explicit?: string): string {
  const found = pickEmbeddedLabelsName(names, file, explicit) ?? (names.length === 1 ? names[0] : undefined);
  if (found === undefined) {
    throw new DataError(file, `has no labels array (looked for ${list(LABEL_NAMES.slice(0, 4))}; arrays: ${list(names)})`);
  }
  return found;
}
