import { InvalidNetworkError } from '../../core/errors';
import { validateNetwork, type DenseLayer, type DenseNetwork } from '../../core/network';
import type { WrittenFile } from '../format';
import { transpose } from './buildNetwork';
import { ACTIVATION_CLASSES, SEPARATE_CLASS, TFJS_IDENTITY_CLASSES, tfjsActivationName, type ParsedActivation } from './layerKinds';
import { isObject } from './modelJson';
import { cloneJson, describeRewrites, normaliseConfig, recordRewrites, type ConfigRewrite } from './normaliseConfig';
import type { TfjsSource } from './source';
import type { Json, JsonObject, LayerJson, ModelConfig, ModelJson, ModelTopology, SequentialConfig } from './topology';
import { encodeWeights, type NamedTensor } from './weights';

/** Value of `convertedBy` in written files, so inspect can recognise a protected copy. */
export const PRODUCER = 'MimosaNet';

/** A model.json ready to serialise, the tensors of its single shard, and notes on what changed. */
export interface ComposedModel {
  /** The model.json to write. */
  json: ModelJson;
  /** Tensors in manifest order. */
  tensors: NamedTensor[];
  /** What the written copy changes relative to the source file (beyond units and inserted layers). */
  notes: string[];
}

/**
 * Writes `network` (the source's network or a protected copy of it: same Dense layers, possibly
 * wider, possibly with `inserted` layers right before the source layer they belong to) as a TF.js
 * Layers model that `tf.loadLayersModel` of tfjs 4.22 loads: model.json plus one shard.
 * Pure: returns the bytes. `baseName` names the shard (`<base>.weights.bin`).
 */
export function writeTfjsModel(source: TfjsSource, network: DenseNetwork, baseName: string): WrittenFile[] {
  const weightsFile = /^[\w.-]+$/.test(baseName) && !baseName.startsWith('.') ? `${baseName}.weights.bin` : 'group1-shard1of1.bin';
  const { json, tensors } = composeModel(source, network, weightsFile);
  const { specs, bytes } = encodeWeights(tensors);
  json.weightsManifest = [{ paths: [weightsFile], weights: specs }];
  return [
    { name: 'model.json', bytes: new TextEncoder().encode(JSON.stringify(json)) },
    { name: weightsFile, bytes },
  ];
}

/** How composeModel spells configs. */
export interface ComposeOptions {
  /**
   * 'tfjs' (default) rewrites Keras 3 spellings tfjs 4.22 cannot load (batch_shape, dtype
   * policies, negative_slope); 'keras' keeps the file's own spelling, for writers of Keras files.
   */
  spelling?: 'tfjs' | 'keras';
}

/** Builds the written model.json and its tensors (the weights manifest is filled by the caller). */
export function composeModel(source: TfjsSource, network: DenseNetwork, weightsFile: string, options: ComposeOptions = {}): ComposedModel {
  const tfjsSpelling = (options.spelling ?? 'tfjs') === 'tfjs';
  validateNetwork(network);
  const groups = groupLayers(source, network);
  const notes: string[] = [];
  const rewrites = new Map<ConfigRewrite, string[]>();
  const names = new Set(source.model.layers.map((l) => l.config.name));
  const unique = (base: string): string => {
    let name = base;
    for (let k = 1; names.has(name); k++) name = `${base}_${k}`;
    names.add(name);
    return name;
  };
  const folded = new Map<number, LayerJson>();
  for (const step of source.steps) if (step.kind === 'activation') folded.set(step.dense, step.layer);

  const out: LayerJson[] = [];
  const tensors: NamedTensor[] = [];
  const keep = (layer: LayerJson): LayerJson => {
    const copy = cloneJson(layer);
    if (tfjsSpelling) recordRewrites(rewrites, normaliseConfig(copy.config, copy.class_name), copy.config.name);
    return copy;
  };

  const emitDense = (template: LayerJson, layer: DenseLayer, name: string, activationLayer?: LayerJson): void => {
    const json = keep(template);
    const c = json.config;
    c.name = name;
    c.units = layer.units;
    // A bias-free source layer stays bias-free only while its bias is still all zero.
    const useBias = layer.hasBias || layer.inserted === true || layer.bias.some((b) => b !== 0);
    c.use_bias = useBias;
    const activation: ParsedActivation = { activation: layer.activation, ...(layer.alpha !== undefined ? { alpha: layer.alpha } : {}) };
    const spelling = activationLayer?.class_name === 'Activation' ? activationLayer.config.activation : template.config.activation;
    const inline = tfjsActivationName(activation, layer.inserted ? undefined : spelling);
    c.activation = inline ?? 'linear';
    // Keras 3 records the built input shape; keep it true for a layer whose input width changed.
    const build = json.build_config;
    if (isObject(build) && Array.isArray(build['input_shape'])) build['input_shape'] = [null, layer.inputs];
    out.push(json);
    tensors.push({ name: `${name}/kernel`, shape: [layer.inputs, layer.units], values: transpose(layer.weights, layer.units, layer.inputs) });
    if (useBias) tensors.push({ name: `${name}/bias`, shape: [layer.units], values: layer.bias.slice() });
    if (inline === undefined) out.push(separateActivation(activation, activationLayer, name, unique, keep));
  };

  for (const step of source.steps) {
    switch (step.kind) {
      case 'input':
        out.push(keep(step.layer));
        break;
      case 'identity': {
        const cls = step.layer.class_name;
        if (TFJS_IDENTITY_CLASSES.has(cls) || cls === 'Flatten' || cls === 'Reshape' || ACTIVATION_CLASSES.has(cls)) out.push(keep(step.layer));
        else notes.push(`${cls} '${step.layer.config.name}' left out: it does nothing at inference and tfjs 4.22 cannot load it`);
        break;
      }
      case 'activation':
      case 'batchnorm':
        // Folded into its Dense when the network was read; the Dense carries it now.
        break;
      case 'dense': {
        const group = groups[step.dense]!;
        for (const inserted of group.inserted) {
          const template = cloneJson(step.layer);
          for (const key of ['batch_input_shape', 'batch_shape', 'input_dim', 'input_shape']) delete template.config[key];
          emitDense(template, inserted, unique(inserted.name && !names.has(inserted.name) ? inserted.name : `${step.layer.config.name}_pre`));
        }
        emitDense(step.layer, group.layer, step.layer.config.name, folded.get(step.dense));
        break;
      }
      default: {
        const never: never = step;
        throw new InvalidNetworkError(`unknown chain step ${JSON.stringify(never)}`);
      }
    }
  }

  placeInputShape(source, out);
  if (source.model.functional) {
    out.forEach((layer, i) => {
      layer.name = layer.config.name;
      layer.inbound_nodes = i === 0 ? [] : [[[out[i - 1]!.config.name, 0, 0, {}]]];
    });
    const keras3Nodes = source.model.layers.some((l) => (l.inbound_nodes ?? []).some((node) => isObject(node)));
    if (keras3Nodes) notes.push('functional inbound_nodes rewritten in the Keras 2 form tfjs reads');
  }
  notes.unshift(...describeRewrites(rewrites));
  const shards = (source.json.weightsManifest ?? []).reduce((n, g) => n + g.paths.length, 0);
  if (shards > 1) notes.push(`${shards} weight shards (${(source.json.weightsManifest ?? []).length} manifest group(s)) written as one shard file`);
  return { json: modelJson(source, out, weightsFile, tfjsSpelling), tensors, notes };
}

/** Pairs each source Dense with its layer in `network` and the inserted layers before it. */
function groupLayers(source: TfjsSource, network: DenseNetwork): { inserted: DenseLayer[]; layer: DenseLayer }[] {
  const groups: { inserted: DenseLayer[]; layer: DenseLayer }[] = [];
  let pending: DenseLayer[] = [];
  for (const layer of network.layers) {
    if (layer.inserted) pending.push(layer);
    else {
      groups.push({ inserted: pending, layer });
      pending = [];
    }
  }
  const denseCount = source.steps.filter((s) => s.kind === 'dense').length;
  if (pending.length > 0) throw new InvalidNetworkError(`inserted layer '${pending[0]!.name}' follows the last source layer; inserted layers must precede a source layer`);
  if (groups.length !== denseCount) {
    throw new InvalidNetworkError(`the network has ${groups.length} layers from the source model, which has ${denseCount} Dense layers`);
  }
  if (network.inputs !== source.inputs) throw new InvalidNetworkError(`the network reads ${network.inputs} inputs, the source model ${source.inputs}`);
  return groups;
}

/** A separate activation layer for activations tfjs has no Dense string for (leaky relu). */
function separateActivation(
  activation: ParsedActivation,
  template: LayerJson | undefined,
  dense: string,
  unique: (base: string) => string,
  keep: (layer: LayerJson) => LayerJson,
): LayerJson {
  const className = SEPARATE_CLASS[activation.activation];
  if (className === undefined) {
    throw new InvalidNetworkError(`layer '${dense}': tfjs cannot express activation '${activation.activation}' with alpha ${activation.alpha}`);
  }
  const alpha = activation.alpha ?? 0.3;
  if (template?.class_name === className) {
    const json = keep(template);
    json.config.alpha = alpha;
    return json;
  }
  return { class_name: className, config: { alpha, name: unique(`${dense}_${activation.activation}`), trainable: true, dtype: 'float32' } };
}

/** Puts the input shape on the first layer when there is no InputLayer (it may now be an inserted one). */
function placeInputShape(source: TfjsSource, out: LayerJson[]): void {
  const first = out[0]!;
  if (first.class_name === 'InputLayer') return;
  const declared = source.model.layers.map((l) => l.config.batch_input_shape ?? l.config.batch_shape).find(Array.isArray);
  for (const layer of out.slice(1)) {
    for (const key of ['batch_input_shape', 'batch_shape', 'input_dim', 'input_shape']) delete layer.config[key];
  }
  if (!Array.isArray(first.config.batch_input_shape)) first.config.batch_input_shape = declared ? declared.slice() : [null, source.inputs];
}

/** The written model.json around the new layer list, keeping the source's wrapper and extra fields. */
function modelJson(source: TfjsSource, layers: LayerJson[], weightsFile: string, tfjsSpelling: boolean): ModelJson {
  const { generatedBy, modelTopology } = source.json;
  // Everything else at the top level (trainingConfig, userDefinedMetadata, signature...) is kept.
  const rest: JsonObject = {};
  for (const [key, value] of Object.entries(source.json)) {
    if (!['format', 'generatedBy', 'convertedBy', 'modelTopology', 'weightsManifest'].includes(key)) rest[key] = cloneJson(value) as Json;
  }
  const sourceModel: ModelTopology | ModelConfig = modelTopology.model_config ?? modelTopology;
  const layout = source.model.layout;
  let config: SequentialConfig | LayerJson[];
  if (layout.bareList) config = layers;
  else {
    const original = sourceModel.config as SequentialConfig;
    const copy = cloneJson({ ...original, layers: [] }) as SequentialConfig;
    if (tfjsSpelling && isObject(copy.dtype)) copy.dtype = 'float32';
    copy.layers = layers;
    if (source.model.functional) {
      const ends = (name: string): Json => [[name, 0, 0]];
      copy['input_layers'] = ends(layers[0]!.config.name);
      copy['output_layers'] = ends(layers[layers.length - 1]!.config.name);
    }
    config = copy;
  }
  let topology: ModelTopology;
  if (modelTopology.model_config) {
    const wrapper = cloneJson({ ...modelTopology, model_config: undefined }) as ModelTopology;
    const modelConfig = cloneJson({ ...modelTopology.model_config, config: [] }) as ModelConfig;
    modelConfig.config = config;
    topology = { ...wrapper, model_config: modelConfig };
  } else {
    topology = { ...(cloneJson({ ...modelTopology, config: [] }) as ModelTopology), config };
  }
  return {
    format: 'layers-model',
    ...(generatedBy !== undefined ? { generatedBy } : {}),
    convertedBy: PRODUCER,
    modelTopology: topology,
    weightsManifest: [{ paths: [weightsFile], weights: [] }],
    ...rest,
  };
}
