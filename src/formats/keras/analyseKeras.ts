import type { ModelInfo } from '../format';
import { analyseModel, type ModelAnalysis } from '../tfjs/analyseModel';
import { isObject, locateModel } from '../tfjs/modelJson';
import type { JsonObject, LayerJson, ModelJson } from '../tfjs/topology';
import { PRODUCER } from '../tfjs/writeModel';
import type { KerasStructure, RawWeight } from './readStructure';
import { KERAS_FORMAT_ID, type StoredWeight } from './source';

/**
 * Sees a Keras file as the TF.js Layers model it is closest to (the same Keras config, with a
 * weights manifest listing the HDF5 tensors), so the chain analysis, BatchNormalization folding
 * and weight matching of src/formats/tfjs serve both formats.
 */

/** A Keras file analysed: the description, the chain, and each stored tensor's chain name. */
export interface KerasAnalysis {
  /** What `inspect` returns. */
  info: ModelInfo;
  /** The chain analysis (model, steps) from the tfjs reader. */
  analysis: ModelAnalysis;
  /** The config wrapped as a model.json. */
  json: ModelJson;
  /** Stored tensors with `<layer>/<param>` names, in file order (the manifest's order). */
  weights: StoredWeight[];
  /** Notes about tensors that belong to no layer of the config. */
  notes: string[];
}

/** Parameter names Keras gives the tensors of the layers a dense chain can hold. */
const KNOWN_PARAMS = new Set(['kernel', 'bias', 'gamma', 'beta', 'moving_mean', 'moving_variance']);

/** Analyses a Keras file's structure; never throws for unsupported layers (they become `info.blocker`). */
export function analyseKeras(structure: KerasStructure, path: string): KerasAnalysis {
  const topology = {
    ...(structure.kerasVersion !== undefined ? { keras_version: structure.kerasVersion } : {}),
    ...(structure.backend !== undefined ? { backend: structure.backend } : {}),
    model_config: structure.config as unknown as NonNullable<ModelJson['modelTopology']['model_config']>,
  };
  const draft: ModelJson = { format: 'layers-model', modelTopology: topology };
  const layers = locateModel(draft, path).layers;
  const { weights, notes } = structure.layout === 'v3' ? v3Weights(structure, layers) : legacyWeights(structure.weights);
  const json: ModelJson = { ...draft, weightsManifest: [{ paths: [], weights: weights.map((w) => ({ name: w.name, shape: w.shape, dtype: w.dtype })) }] };
  const analysis = analyseModel(json, path);
  const info: ModelInfo = { ...analysis.info, format: KERAS_FORMAT_ID, path, ...(structure.producedByMimosaNet ? { producer: PRODUCER } : {}) };
  if (!structure.producedByMimosaNet) delete info.producer;
  return { info, analysis: { ...analysis, info }, json, weights, notes };
}

/** Legacy tensors: the layer is the group, the parameter the last part of the weight name ("dense_1/kernel:0" → kernel). */
function legacyWeights(raw: RawWeight[]): { weights: StoredWeight[]; notes: string[] } {
  const position = new Map<string, number>();
  const weights = raw.map((w) => {
    const index = position.get(w.group) ?? 0;
    position.set(w.group, index + 1);
    const last = w.key.slice(w.key.lastIndexOf('/') + 1).replace(/:\d+$/, '');
    // Keras 1 names ("dense_1_W:0") say nothing the matcher knows: match those by position.
    const param = KNOWN_PARAMS.has(last) ? last : String(index);
    return { name: `${w.group}/${param}`, path: w.path, shape: w.shape, dtype: w.dtype };
  });
  return { weights, notes: [] };
}

/**
 * Keras 3 tensors: `layers/<group>/vars/<i>`, where the group is named after the layer's class in
 * snake case with a per-class counter, in the model's layer order (not after the layer's name).
 */
function v3Weights(structure: KerasStructure, layers: LayerJson[]): { weights: StoredWeight[]; notes: string[] } {
  const groups = v3GroupNames(layers, isSequential(structure.config));
  const layerOf = new Map(groups.map((g) => [g.group, g.layer]));
  const stray = new Set<string>();
  const weights: StoredWeight[] = [];
  for (const w of structure.weights) {
    const layer = layerOf.get(w.group);
    if (layer === undefined) {
      stray.add(w.group);
      continue;
    }
    weights.push({ name: `${layer}/${w.key}`, path: w.path, shape: w.shape, dtype: w.dtype });
  }
  const notes = stray.size > 0 ? [`weights under layers/${[...stray].join(', layers/')} belong to no layer of the config and are not written`] : [];
  return { weights, notes };
}

/** Group names Keras 3 gives the layers of a model under `layers/` (InputLayer is not a layer of a Sequential model). */
export function v3GroupNames(layers: LayerJson[], sequential: boolean): { layer: string; group: string }[] {
  const used = new Map<string, number>();
  const out: { layer: string; group: string }[] = [];
  for (const layer of layers) {
    if (sequential && layer.class_name === 'InputLayer') continue;
    const base = snakeCase(layer.class_name);
    const count = used.get(base);
    used.set(base, count === undefined ? 0 : count + 1);
    out.push({ layer: layer.config.name, group: count === undefined ? base : `${base}_${count + 1}` });
  }
  return out;
}

/** Keras' `naming.to_snake_case`: "BatchNormalization" → "batch_normalization", "LeakyReLU" → "leaky_re_lu". */
export function snakeCase(name: string): string {
  return name
    .replace(/\W+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/** True for a Sequential model config. */
export function isSequential(config: JsonObject): boolean {
  return config['class_name'] === 'Sequential' || (isObject(config['config']) === false && Array.isArray(config['config']));
}
