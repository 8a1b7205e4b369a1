import type { Blocker } from '../format';
import { isObject } from './modelJson';
import type { FunctionalConfig, Json, LayerJson } from './topology';

/** A functional model's layers ordered as a chain, or the layer that makes it something else. */
export type ChainOrder = { ok: true; layers: LayerJson[] } | { ok: false; blocker: Blocker };

/**
 * Orders the layers of a functional model (`Model` / `Functional`) from input to output, accepting
 * it only when it is a single linear chain: one input, one output, every layer called once on the
 * previous layer's output. Reads both inbound_nodes spellings (Keras 2/tfjs lists, Keras 3 dicts).
 */
export function functionalChain(layers: LayerJson[], config: FunctionalConfig): ChainOrder {
  const byName = new Map(layers.map((layer) => [layer.config.name, layer]));
  const block = (layer: LayerJson | undefined, name: string, reason: string): ChainOrder => ({
    ok: false,
    blocker: { layer: layer?.config.name ?? name, className: layer?.class_name ?? 'Model', reason },
  });

  const inputs = endpointNames(config.input_layers);
  const outputs = endpointNames(config.output_layers);
  if (inputs.length !== 1) {
    const second = inputs[1];
    return second === undefined
      ? block(undefined, 'input_layers', 'the model declares no input')
      : block(byName.get(second), second, 'is a second model input; only single-input models are supported');
  }
  if (outputs.length !== 1) {
    const second = outputs[1];
    return second === undefined
      ? block(undefined, 'output_layers', 'the model declares no output')
      : block(byName.get(second), second, 'is a second model output; only single-output models are supported');
  }

  // Each layer's single producer; a consumer map finds branches (one output read twice).
  const consumerOf = new Map<string, string>();
  for (const layer of layers) {
    const nodes = layer.inbound_nodes ?? [];
    if (layer.class_name === 'InputLayer') continue;
    if (nodes.length !== 1) {
      return block(layer, '', nodes.length === 0 ? 'is not connected to the model input' : 'is called more than once (a shared layer); only a single chain is supported');
    }
    const sources = inboundNames(nodes[0]!);
    if (sources.length !== 1) return block(layer, '', 'merges several inputs (a branching model); only a single chain of layers is supported');
    const source = sources[0]!;
    const other = consumerOf.get(source);
    if (other !== undefined) {
      return block(layer, '', `reads the output of '${source}', which '${other}' also reads (a branching model); only a single chain is supported`);
    }
    consumerOf.set(source, layer.config.name);
  }

  const ordered: LayerJson[] = [];
  let name: string | undefined = inputs[0]!;
  const seen = new Set<string>();
  while (name !== undefined && !seen.has(name)) {
    seen.add(name);
    const layer = byName.get(name);
    if (layer === undefined) return block(undefined, name, 'is referenced by the model but not defined');
    ordered.push(layer);
    name = consumerOf.get(name);
  }
  const last = ordered[ordered.length - 1]!;
  if (last.config.name !== outputs[0]) {
    return block(last, '', `ends the chain from the input, but the model output is '${outputs[0]}'`);
  }
  const stray = layers.find((layer) => !seen.has(layer.config.name));
  if (stray) return block(stray, '', 'is not on the path from the model input to its output (a branching model)');
  return { ok: true, layers: ordered };
}

/** Layer names of `input_layers` / `output_layers`: `[["in", 0, 0]]`, or Keras 3's single `["in", 0, 0]`. */
function endpointNames(value: Json | undefined): string[] {
  if (!Array.isArray(value)) return [];
  if (typeof value[0] === 'string') return [value[0]];
  return value.flatMap((entry) => (Array.isArray(entry) && typeof entry[0] === 'string' ? [entry[0]] : []));
}

/** Layer names a node reads: Keras 2 `[["dense", 0, 0, {}], ...]` or Keras 3 `{args: [...keras tensors]}`. */
function inboundNames(node: Json): string[] {
  if (Array.isArray(node)) {
    return node.flatMap((input) => (Array.isArray(input) && typeof input[0] === 'string' ? [input[0]] : []));
  }
  if (isObject(node)) {
    const names: string[] = [];
    collectHistories(node['args'] ?? null, names);
    return names;
  }
  return [];
}

function collectHistories(value: Json, into: string[]): void {
  if (Array.isArray(value)) {
    for (const item of value) collectHistories(item, into);
    return;
  }
  if (!isObject(value)) return;
  const config = value['config'];
  if (value['class_name'] === '__keras_tensor__' && isObject(config) && Array.isArray(config['keras_history'])) {
    const source = config['keras_history'][0];
    if (typeof source === 'string') into.push(source);
    return;
  }
  for (const item of Object.values(value)) collectHistories(item, into);
}
