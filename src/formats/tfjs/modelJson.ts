import { ModelFormatError } from '../../core/errors';
import type { FunctionalConfig, Json, JsonObject, LayerJson, ModelJson, ModelTopology } from './topology';

/** Format id used in reports and errors. */
export const TFJS_FORMAT_ID = 'tfjs-layers';

/** Where the layer list sits in the file, so the writer can put it back in the same shape. */
export interface TopologyLayout {
  /** True when the converter's `model_config` wrapper holds the model (Keras → converter files). */
  wrapped: boolean;
  /** True when the Sequential config is a bare list of layers (Keras 2.0). */
  bareList: boolean;
  /** "Sequential", "Model" or "Functional". */
  className: string;
}

/** The model found inside `modelTopology`. */
export interface LocatedModel {
  /** Shape of the topology, for writing back. */
  layout: TopologyLayout;
  /** Model name ("sequential_1"), used to strip Keras 3 weight-name prefixes; "" when absent. */
  modelName: string;
  /** Layers in file order. */
  layers: LayerJson[];
  /** Functional models: their config (input_layers, output_layers); undefined for Sequential. */
  functional?: FunctionalConfig;
}

/** Parses model.json bytes; throws ModelFormatError naming the file on corrupt or truncated JSON. */
export function parseModelJson(bytes: Uint8Array, file: string): ModelJson {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8').decode(bytes).replace(/^\uFEFF/, ''));
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new ModelFormatError(file, TFJS_FORMAT_ID, `is not valid JSON (${detail}); the file may be truncated`);
  }
  if (!isObject(value)) throw new ModelFormatError(file, TFJS_FORMAT_ID, 'is not a JSON object');
  if (!isObject(value['modelTopology'])) {
    throw new ModelFormatError(file, TFJS_FORMAT_ID, 'has no "modelTopology" object, so it is not a TF.js model');
  }
  const manifest = value['weightsManifest'];
  if (manifest !== undefined && !isValidManifest(manifest)) {
    throw new ModelFormatError(file, TFJS_FORMAT_ID, '"weightsManifest" is malformed (expected [{paths: [...], weights: [{name, shape, dtype}]}])');
  }
  return value as unknown as ModelJson;
}

/** True for a graph model (a converted TensorFlow graph), which this format does not cover. */
export function isGraphModel(json: ModelJson): boolean {
  return json.format === 'graph-model' || Array.isArray(json.modelTopology.node);
}

/** Finds the Keras model config in any of the known wrappers; throws ModelFormatError if there is none. */
export function locateModel(json: ModelJson, file: string): LocatedModel {
  const topology: ModelTopology = json.modelTopology;
  const wrapped = topology.model_config !== undefined;
  const modelConfig = wrapped ? topology.model_config : topology;
  const className = modelConfig?.class_name;
  const config = modelConfig?.config;
  if (typeof className !== 'string' || config === undefined || config === null) {
    throw new ModelFormatError(file, TFJS_FORMAT_ID, 'modelTopology has no model config (class_name and config)');
  }
  if (Array.isArray(config)) {
    checkLayers(config, file);
    return { layout: { wrapped, bareList: true, className }, modelName: '', layers: config };
  }
  if (!isObject(config) || !Array.isArray(config.layers)) {
    throw new ModelFormatError(file, TFJS_FORMAT_ID, `the ${className} config has no "layers" list`);
  }
  checkLayers(config.layers, file);
  const modelName = typeof config.name === 'string' ? config.name : '';
  const layout = { wrapped, bareList: false, className };
  if (className === 'Sequential') return { layout, modelName, layers: config.layers };
  return { layout, modelName, layers: config.layers, functional: config as FunctionalConfig };
}

/** Narrowing check for plain JSON objects. */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkLayers(layers: unknown[], file: string): asserts layers is LayerJson[] {
  layers.forEach((layer, index) => {
    if (!isObject(layer) || typeof layer['class_name'] !== 'string' || !isObject(layer['config'])) {
      throw new ModelFormatError(file, TFJS_FORMAT_ID, `layer #${index} has no class_name/config`);
    }
    const config = layer['config'];
    // Keras 3 may leave the name only on the layer entry; every reader below keys on config.name.
    if (typeof config['name'] !== 'string') config['name'] = typeof layer['name'] === 'string' ? layer['name'] : `layer_${index}`;
  });
}

function isValidManifest(value: unknown): boolean {
  if (!Array.isArray(value)) return false;
  return value.every(
    (group: Json) =>
      isObject(group) &&
      Array.isArray(group['paths']) &&
      group['paths'].every((p) => typeof p === 'string') &&
      Array.isArray(group['weights']) &&
      group['weights'].every(
        (w) =>
          isObject(w) &&
          typeof w['name'] === 'string' &&
          typeof w['dtype'] === 'string' &&
          Array.isArray(w['shape']) &&
          w['shape'].every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0),
      ),
  );
}
