import type { WeightEntry } from './topology';

/**
 * Maps manifest tensors to layers. Producers name the same kernel differently: Keras 2
 * `dense_3/kernel`, Keras 3 `sequential_1/dense_3/kernel` (model-name prefix), tfjs
 * `dense_Dense1/kernel`, old TF `dense_3/kernel:0`, Keras saved-model style `dense_3/0`.
 * Matching strips any prefix that ends at a '/' and falls back to manifest order.
 */

/** The tensors one layer needs, in the order Keras stores them. */
export interface WeightRequest {
  /** Layer name. */
  layer: string;
  /** Parameter names, e.g. ["kernel", "bias"] or ["gamma", "beta", "moving_mean", "moving_variance"]. */
  params: string[];
}

/** How the tensors were matched. */
export interface WeightMatch {
  /** For each request, the manifest index of each of its params (same order as `params`). */
  indices: number[][];
  /** How names were matched: exactly, with a model-name prefix stripped, or by manifest order. */
  by: 'name' | 'prefix' | 'order';
}

/** Splits "sequential_1/dense_3/kernel:0" into its path before the parameter and the parameter. */
function split(name: string): { head: string; param: string } {
  const base = name.replace(/:\d+$/, '');
  const slash = base.lastIndexOf('/');
  return slash < 0 ? { head: '', param: base } : { head: base.slice(0, slash), param: base.slice(slash + 1) };
}

/** True when `head` is the layer name, possibly behind prefixes ending at a '/'. */
function headIs(head: string, layer: string): 'exact' | 'prefix' | undefined {
  if (head === layer) return 'exact';
  return head.endsWith(`/${layer}`) ? 'prefix' : undefined;
}

/** Owner layer of a manifest name among `layers` (longest name wins), for per-layer parameter counts. */
export function weightOwner(name: string, layers: readonly string[]): string | undefined {
  const { head } = split(name);
  let best: string | undefined;
  for (const layer of layers) if (headIs(head, layer) && (best === undefined || layer.length > best.length)) best = layer;
  return best;
}

/**
 * Finds the manifest tensors of each request, by name when every one is found, else by manifest
 * order when the counts line up. Returns undefined when neither works (the caller names the first
 * missing tensor). Optimizer tensors (`group: "optimizer"`) are never matched.
 */
export function matchWeights(requests: WeightRequest[], entries: WeightEntry[]): WeightMatch | undefined {
  const byName = matchByName(requests, entries);
  if (byName) return byName;
  const usable = entries.flatMap((entry, index) => (entry.group === 'optimizer' ? [] : [index]));
  const needed = requests.reduce((n, r) => n + r.params.length, 0);
  if (needed !== usable.length) return undefined;
  let next = 0;
  return { indices: requests.map((r) => r.params.map(() => usable[next++]!)), by: 'order' };
}

/** The first tensor of `requests` that no manifest name matches, for error messages. */
export function firstMissing(requests: WeightRequest[], entries: WeightEntry[]): string | undefined {
  for (const request of requests) {
    for (const [k, param] of request.params.entries()) {
      if (findIndex(request.layer, param, k, entries) === undefined) return `${request.layer}/${param}`;
    }
  }
  return undefined;
}

function matchByName(requests: WeightRequest[], entries: WeightEntry[]): WeightMatch | undefined {
  let prefixed = false;
  const indices: number[][] = [];
  for (const request of requests) {
    const found: number[] = [];
    for (const [k, param] of request.params.entries()) {
      const hit = findIndex(request.layer, param, k, entries);
      if (hit === undefined) return undefined;
      if (hit.prefixed) prefixed = true;
      found.push(hit.index);
    }
    indices.push(found);
  }
  return { indices, by: prefixed ? 'prefix' : 'name' };
}

function findIndex(layer: string, param: string, position: number, entries: WeightEntry[]): { index: number; prefixed: boolean } | undefined {
  let prefixHit: number | undefined;
  for (const [index, entry] of entries.entries()) {
    if (entry.group === 'optimizer') continue;
    const parts = split(entry.name);
    // Keras saved-model style names number the parameters instead of naming them.
    if (parts.param !== param && parts.param !== String(position)) continue;
    const how = headIs(parts.head, layer);
    if (how === 'exact') return { index, prefixed: false };
    if (how === 'prefix' && prefixHit === undefined) prefixHit = index;
  }
  return prefixHit === undefined ? undefined : { index: prefixHit, prefixed: true };
}
