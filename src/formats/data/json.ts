/**
 * Evaluation data as JSON: a bare nested array (`[[...], [...]]`, any depth) or an object of
 * them (`{"x": [[...]], "y": [...]}`, `{"inputs": ..., "labels": ...}`). Exposed as an
 * ArrayBundle so member choice follows the same rule as .npz; a bare array is member "".
 */

import { DataError } from '../../core/errors';
import type { ArrayBundle } from './bundle';
import type { NdArray } from './ndarray';
import { sizeOf } from './ndarray';

/** Name under which a top-level array is exposed. */
export const UNNAMED = '';

function where(name: string, path: readonly number[]): string {
  return `${name || 'array'}${path.map((i) => `[${i}]`).join('')}`;
}

/** Converts a nested JSON array into a C-order array, checking it is rectangular and numeric. */
function toNdArray(value: unknown, name: string, file: string): NdArray {
  const shape: number[] = [];
  for (let v = value; Array.isArray(v); v = v[0]) {
    shape.push(v.length);
    if (v.length === 0) break;
  }
  const values = new Float64Array(sizeOf(shape));
  let k = 0;
  const path: number[] = [];
  const fill = (v: unknown, depth: number): void => {
    if (depth === shape.length) {
      if (typeof v === 'number') {
        values[k++] = v;
        return;
      }
      const why = v === null ? 'null (JSON cannot hold NaN or Infinity; writers emit null for them)' : Array.isArray(v) ? 'a nested array' : `${JSON.stringify(v)?.slice(0, 40)}, not a number`;
      throw new DataError(file, `${where(name, path)} is ${why}`);
    }
    if (!Array.isArray(v)) throw new DataError(file, `${where(name, path)} is ${JSON.stringify(v)?.slice(0, 40)}, expected an array of ${shape[depth]} items`);
    if (v.length !== shape[depth]) {
      throw new DataError(file, `${where(name, path)} has ${v.length} items, but ${where(name, path.map(() => 0))} has ${shape[depth]} (rows must all be the same length)`);
    }
    for (let i = 0; i < v.length; i++) {
      path.push(i);
      fill(v[i], depth + 1);
      path.pop();
    }
  };
  fill(value, 0);
  return { shape, dtype: 'json', values };
}

/** Parses JSON text into named arrays; DataError (naming `file` and the element path) on anything else. */
export function readJson(text: string, file: string): ArrayBundle {
  if (text.trim() === '') throw new DataError(file, 'is empty');
  let root: unknown;
  try {
    root = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new DataError(file, `is not valid JSON (${(error as Error).message})`);
  }
  if (Array.isArray(root)) return { names: [UNNAMED], get: () => toNdArray(root, UNNAMED, file) };
  if (typeof root !== 'object' || root === null) {
    throw new DataError(file, 'must hold an array of rows or an object such as {"x": [[...]], "y": [...]}');
  }
  const members = root as Record<string, unknown>;
  const names = Object.keys(members).filter((k) => Array.isArray(members[k]));
  if (names.length === 0) throw new DataError(file, 'holds an object with no array members (expected e.g. {"x": [[...]], "y": [...]})');
  return {
    names,
    get: (name) => {
      if (!names.includes(name)) throw new DataError(file, `has no array named '${name}'`);
      return toNdArray(members[name], name, file);
    },
  };
}
