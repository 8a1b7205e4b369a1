import type { Blocker, LayerInfo, ModelInfo } from '../format';
import { analyseChain, type ChainAnalysis } from './denseChain';
import { functionalChain } from './functionalChain';
import { blockReason, layerRole } from './layerKinds';
import { isGraphModel, isObject, locateModel, TFJS_FORMAT_ID, type LocatedModel } from './modelJson';
import type { LayerJson, ModelJson, WeightEntry } from './topology';
import { elementCount, isPlainFloat32 } from './weights';
import { weightOwner } from './weightNames';
import { PRODUCER } from './writeModel';

/** A model.json read as far as the topology goes (no weights). */
export interface ModelAnalysis {
  /** The description `inspect` returns. */
  info: ModelInfo;
  /** The located model, unless it is a graph model. */
  model?: LocatedModel;
  /** The chain, when the layers form one (possibly with a weight blocker still set in `info`). */
  chain?: ChainAnalysis;
  /** True when the file comes from Keras 3. */
  keras3: boolean;
}

/**
 * Describes a parsed model.json and finds the first thing that prevents protecting it, in this
 * order: graph model, a layer class that is not part of a dense chain (first in file order), a
 * functional graph that is not a chain, a chain problem (activation that cannot fold, ...), no
 * weights, non-float32 (quantised) weights.
 */
export function analyseModel(json: ModelJson, path: string): ModelAnalysis {
  const entries: WeightEntry[] = (json.weightsManifest ?? []).flatMap((g) => g.weights);
  const parameters = entries.filter((e) => e.group !== 'optimizer').reduce((n, e) => n + elementCount(e.shape), 0);
  const base = { format: TFJS_FORMAT_ID, path, parameters, ...(json.convertedBy === PRODUCER ? { producer: PRODUCER } : {}) };
  if (isGraphModel(json)) {
    const blocker: Blocker = {
      layer: 'graph-model',
      className: 'graph-model',
      reason: 'is a TF.js graph model (a converted TensorFlow graph), not a Layers model; convert the Keras model with --output_format=tfjs_layers_model',
    };
    return { info: { ...base, layers: [], blocker }, keras3: false };
  }
  const model = locateModel(json, path);
  const keras3 = isKeras3(json, model.layers);
  const names = model.layers.map((l) => l.config.name);
  const infos: LayerInfo[] = model.layers.map((layer) => layerInfo(layer, entries, names));
  const info: ModelInfo = { ...base, layers: infos };
  const result = (blocker?: Blocker, chain?: ChainAnalysis): ModelAnalysis => ({
    info: { ...info, ...(chain?.inputs !== undefined ? { inputs: chain.inputs } : {}), ...(blocker ? { blocker } : {}) },
    model,
    ...(chain ? { chain } : {}),
    keras3,
  });

  const blocked = model.layers.find((layer) => layerRole(layer.class_name) === 'blocked');
  if (blocked) return result({ layer: blocked.config.name, className: blocked.class_name, reason: blockReason(blocked.class_name) });
  let ordered = model.layers;
  if (model.functional) {
    const order = functionalChain(model.layers, model.functional);
    if (!order.ok) return result(order.blocker);
    ordered = order.layers;
  }
  const chain = analyseChain(ordered, keras3);
  if (chain.blocker) return result(chain.blocker, chain);
  if (json.weightsManifest === undefined) {
    return result({ layer: 'weightsManifest', className: 'weightsManifest', reason: 'is missing: the file holds a topology without weights' }, chain);
  }
  const quantised = entries.find((e) => e.group !== 'optimizer' && !isPlainFloat32(e));
  if (quantised) {
    const stored = quantised.quantization ? `${quantised.quantization.dtype} (quantised from ${quantised.dtype})` : quantised.dtype;
    const owner = weightOwner(quantised.name, names);
    const reason = `has weight '${quantised.name}' stored as ${stored}; only float32 weights can be protected (re-export without quantisation)`;
    return result({ layer: owner ?? quantised.name, className: 'quantised weights', reason }, chain);
  }
  return result(undefined, chain);
}

/** Keras 3 files: version 3.x, or its telltale fields (dtype policies, batch_shape). */
function isKeras3(json: ModelJson, layers: LayerJson[]): boolean {
  const version = String(json.modelTopology.keras_version ?? '');
  if (/^3\./.test(version) || /keras v3\./.test(String(json.generatedBy ?? ''))) return true;
  return layers.some((l) => isObject(l.config.dtype) || Array.isArray(l.config.batch_shape));
}

function layerInfo(layer: LayerJson, entries: WeightEntry[], names: string[]): LayerInfo {
  const c = layer.config;
  const parameters = entries
    .filter((e) => e.group !== 'optimizer' && weightOwner(e.name, names) === c.name)
    .reduce((n, e) => n + elementCount(e.shape), 0);
  const activation = typeof c.activation === 'string' ? c.activation : layer.class_name === 'LeakyReLU' ? 'leaky_relu' : layer.class_name === 'Softmax' ? 'softmax' : undefined;
  return {
    name: c.name,
    className: layer.class_name,
    ...(typeof c.units === 'number' ? { units: c.units } : {}),
    ...(activation !== undefined ? { activation } : {}),
    parameters,
  };
}
