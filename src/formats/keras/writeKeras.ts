import type { DenseNetwork } from '../../core/network';
import type { WrittenFile } from '../format';
import { isObject } from '../tfjs/modelJson';
import type { JsonObject, LayerJson } from '../tfjs/topology';
import type { NamedTensor } from '../tfjs/weights';
import { composeModel, PRODUCER } from '../tfjs/writeModel';
import { isSequential, v3GroupNames } from './analyseKeras';
import { writeHdf5, type H5Writer } from './hdf5';
import { PRODUCER_KEY } from './readStructure';
import type { KerasSource } from './source';
import { writeZip } from './zip';

/** A Keras config ready to write, its layers, the tensors of each layer, and notes on what changed. */
export interface ComposedKeras {
  /** The model config `{class_name, config, ...}` in the file's own spelling. */
  config: JsonObject;
  /** Its layers in order. */
  layers: LayerJson[];
  /** Tensors named `<layer>/kernel` and `<layer>/bias`, in layer order. */
  tensors: NamedTensor[];
  /** What the written copy changes relative to the source file. */
  notes: string[];
}

/**
 * Builds the written config and tensors with the TF.js writer's composition (inserted layers,
 * widened layers, folded activations and BatchNormalization), keeping the file's own spelling:
 * Keras 3 configs stay Keras 3 configs.
 */
export function composeKeras(source: KerasSource, network: DenseNetwork): ComposedKeras {
  const composed = composeModel(source.tfjs, network, '', { spelling: 'keras' });
  const config = composed.json.modelTopology.model_config as unknown as JsonObject;
  const holder = config['config'];
  const layers = (Array.isArray(holder) ? holder : isObject(holder) && Array.isArray(holder['layers']) ? holder['layers'] : []) as unknown as LayerJson[];
  if (source.tfjs.keras3) {
    // Keras 3 spells the LeakyReLU slope negative_slope (the TF.js writer sets alpha).
    for (const layer of layers) {
      if (layer.class_name === 'LeakyReLU' && typeof layer.config.alpha === 'number') {
        layer.config.negative_slope = layer.config.alpha;
        delete layer.config.alpha;
      }
    }
  }
  const notes = composed.notes.map((n) => n.replace('the Keras 2 form tfjs reads', 'the Keras 2 form (Keras 3 reads it too)'));
  return { config, layers, tensors: composed.tensors, notes };
}

/**
 * Writes `network` in the source's own container and layout: a `.keras` archive, a legacy `.h5`
 * with `model_config`, or a weights-only `.h5` with its JSON config beside it. Weights are float32;
 * optimizer state is left out; the files are marked as written by MimosaNet (an HDF5 root
 * attribute `producer`, and `producer` in a `.keras` archive's metadata.json), which makes
 * protect refuse them as protected copies. `mark: false` leaves the mark out: for originals
 * MimosaNet writes in another format (examples/keras-mlp), never for a protected copy.
 */
export async function writeKerasModel(source: KerasSource, network: DenseNetwork, baseName: string, options: { mark?: boolean } = {}): Promise<WrittenFile[]> {
  const mark = options.mark ?? true;
  const { config, layers, tensors } = composeKeras(source, network);
  const extension = /\.[^.]+$/.exec(source.fileName)?.[0] ?? '.h5';
  const safeBase = /^[\w.-]+$/.test(baseName) && !baseName.startsWith('.') ? baseName : 'model';
  // Keras 3's load_weights picks its reader by name: only `*.weights.h5` is read as the v3 layout.
  const v3Weights = source.container === 'h5-weights' && source.layout === 'v3' && !/\.weights$/i.test(safeBase);
  const mainName = `${safeBase}${v3Weights ? '.weights' : ''}${extension}`;
  const sequential = isSequential(config);
  const weights = await writeHdf5((w) => {
    if (mark) w.attrString('/', PRODUCER_KEY, PRODUCER);
    if (source.layout === 'v3') writeV3(w, source, config, layers, tensors, sequential);
    else writeLegacy(w, source, config, layers, tensors, sequential);
  });
  const text = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
  switch (source.container) {
    case 'keras-zip': {
      const metadata = { ...(source.archive?.metadata ?? {}), ...(mark ? { [PRODUCER_KEY]: PRODUCER } : {}) };
      const others = (source.archive?.entries ?? []).filter((e) => e.name !== 'metadata.json');
      const zip = await writeZip([{ name: 'metadata.json', bytes: text(metadata) }, { name: 'config.json', bytes: text(config) }, { name: 'model.weights.h5', bytes: weights }, ...others]);
      return [{ name: mainName, bytes: zip }];
    }
    case 'h5-model':
      return [{ name: mainName, bytes: weights }];
    case 'h5-weights':
      return [
        { name: mainName, bytes: weights },
        { name: `${mainName.replace(/(\.weights)?\.(h5|hdf5|keras)$/i, '')}.json`, bytes: text(config) },
      ];
    default: {
      const never: never = source.container;
      throw new Error(`unknown Keras container ${String(never)}`);
    }
  }
}

/** Tensors per layer name, in order. */
function byLayer(tensors: NamedTensor[]): Map<string, NamedTensor[]> {
  const out = new Map<string, NamedTensor[]>();
  for (const t of tensors) {
    const layer = t.name.slice(0, t.name.lastIndexOf('/'));
    out.set(layer, [...(out.get(layer) ?? []), t]);
  }
  return out;
}

/** Keras 2 / Keras 3 `.h5`: `[model_weights/]<layer>/<weight name>` listed by layer_names and weight_names. */
function writeLegacy(w: H5Writer, source: KerasSource, config: JsonObject, layers: LayerJson[], tensors: NamedTensor[], sequential: boolean): void {
  for (const [name, value] of Object.entries(source.rootAttrs)) if (name !== PRODUCER_KEY) w.attrString('/', name, value);
  if (source.container === 'h5-model') w.attrString('/', 'model_config', JSON.stringify(config));
  const base = source.weightsRoot ? `/${source.weightsRoot}` : '';
  if (base) {
    w.group(base);
    for (const [name, value] of Object.entries(source.weightsGroupAttrs)) w.attrString(base, name, value);
  }
  const saved = layers.filter((l) => !(sequential && l.class_name === 'InputLayer')).map((l) => l.config.name);
  w.attrStrings(base || '/', 'layer_names', saved);
  const perLayer = byLayer(tensors);
  const { prefix, suffix } = source.weightStyle;
  const made = new Set<string>();
  const ensure = (path: string) => {
    const parts = path.split('/').filter((p) => p !== '');
    for (let i = 1; i <= parts.length; i++) {
      const p = `/${parts.slice(0, i).join('/')}`;
      if (!made.has(p) && p !== base) w.group(p);
      made.add(p);
    }
  };
  for (const layer of saved) {
    const group = `${base}/${layer}`;
    ensure(group);
    const own = perLayer.get(layer) ?? [];
    const names = own.map((t) => `${prefix}${layer}/${t.name.slice(t.name.lastIndexOf('/') + 1)}${suffix}`);
    w.attrStrings(group, 'weight_names', names);
    own.forEach((t, i) => {
      const path = `${group}/${names[i]}`;
      ensure(path.slice(0, path.lastIndexOf('/')));
      w.float32(path, t.shape, t.values);
    });
  }
  for (const extra of source.extraGroups) {
    ensure(`${base}/${extra}`);
    w.attrStrings(`${base}/${extra}`, 'weight_names', []);
  }
}

/** Keras 3 `model.weights.h5` / `.weights.h5`: `layers/<group>/vars/<i>`, groups named by class and order. */
function writeV3(w: H5Writer, source: KerasSource, config: JsonObject, layers: LayerJson[], tensors: NamedTensor[], sequential: boolean): void {
  w.group('/layers');
  const perLayer = byLayer(tensors);
  for (const { layer, group } of v3GroupNames(layers, sequential)) {
    w.group(`/layers/${group}`);
    w.group(`/layers/${group}/vars`);
    w.attrString(`/layers/${group}/vars`, 'name', layer);
    (perLayer.get(layer) ?? []).forEach((t, i) => w.float32(`/layers/${group}/vars/${i}`, t.shape, t.values));
  }
  w.group('/vars');
  const inner = config['config'];
  const modelName = isObject(inner) && typeof inner['name'] === 'string' ? inner['name'] : 'model';
  w.attrString('/vars', 'name', source.rootVarsName ?? modelName);
}
