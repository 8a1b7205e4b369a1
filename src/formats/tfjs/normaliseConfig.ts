import { isObject } from './modelJson';
import type { Json } from './topology';

/**
 * Rewrites of layer and model configs that tfjs 4.22 needs to load files from newer producers
 * (Keras 3). Each rewrite reports a note key, so the loader can tell the user what the written
 * copy changes.
 */

/** Kinds of rewrite, for aggregated notes. */
export type ConfigRewrite = 'batch_shape' | 'dtype-policy' | 'negative_slope';

/** Deep copy of JSON data. */
export function cloneJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * Normalises one layer (or model) config in place: Keras 3 `batch_shape` → `batch_input_shape`,
 * DTypePolicy objects → "float32", LeakyReLU `negative_slope` → `alpha`. Returns what it changed.
 */
export function normaliseConfig(config: { [key: string]: Json | undefined }, className: string): ConfigRewrite[] {
  const changed: ConfigRewrite[] = [];
  if (Array.isArray(config['batch_shape'])) {
    if (config['batch_input_shape'] === undefined) config['batch_input_shape'] = config['batch_shape'];
    delete config['batch_shape'];
    changed.push('batch_shape');
  }
  if (isObject(config['dtype'])) {
    // tfjs takes a dtype string; a policy's variables are float32 whatever its compute type.
    config['dtype'] = 'float32';
    changed.push('dtype-policy');
  }
  if (className === 'LeakyReLU' && typeof config['negative_slope'] === 'number') {
    if (typeof config['alpha'] !== 'number') config['alpha'] = config['negative_slope'];
    delete config['negative_slope'];
    changed.push('negative_slope');
  }
  return changed;
}

/** One-line notes for a set of rewrites, as `LoadedModel.normalised` shows them. */
export function describeRewrites(counts: Map<ConfigRewrite, string[]>): string[] {
  const notes: string[] = [];
  for (const [kind, names] of counts) {
    const list = names.map((n) => `'${n}'`).join(', ');
    switch (kind) {
      case 'batch_shape':
        notes.push(`batch_shape → batch_input_shape on ${list} (tfjs 4.22 does not read Keras 3 batch_shape)`);
        break;
      case 'dtype-policy':
        notes.push(`DTypePolicy objects → "float32" on ${list} (tfjs takes dtype strings)`);
        break;
      case 'negative_slope':
        notes.push(`LeakyReLU negative_slope → alpha on ${list} (the tfjs spelling)`);
        break;
      default: {
        const never: never = kind;
        notes.push(String(never));
      }
    }
  }
  return notes;
}

/** Adds `name` under each rewrite kind. */
export function recordRewrites(into: Map<ConfigRewrite, string[]>, kinds: ConfigRewrite[], name: string): void {
  for (const kind of kinds) into.set(kind, [...(into.get(kind) ?? []), name]);
}
