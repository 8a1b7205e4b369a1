import { ModelFormatError } from '../../core/errors';
import type { FileReader } from '../format';
import { isObject } from '../tfjs/modelJson';
import type { JsonObject } from '../tfjs/topology';
import { H5ContentError, hdf5SignatureOffset, readHdf5, type H5Reader, type Hdf5Host } from './hdf5';
import { KERAS_FORMAT_ID, type KerasContainer, type WeightLayout } from './source';
import { isZip, listZip, readZipEntry } from './zip';

/**
 * Reads what a Keras file is made of, without any weight values: the container, the config
 * (from the archive, the `model_config` attribute, or the JSON beside a weights-only file), and
 * every stored tensor's location, shape and type, exactly as the file lists them.
 */

/** A stored tensor before it is matched to a config layer. */
export interface RawWeight {
  /** Legacy: the layer group name; v3: the `layers/` group name ("dense_1"). */
  group: string;
  /** Legacy: the weight name as listed ("mlp/dense/kernel"); v3: the variable index ("0"). */
  key: string;
  /** Dataset path. */
  path: string;
  shape: number[];
  dtype: string;
}

/** The structure of a Keras file. */
export interface KerasStructure {
  container: KerasContainer;
  layout: WeightLayout;
  /** The Keras model config `{class_name, config, ...}` as stored. */
  config: JsonObject;
  /** Keras version from the file ("2.0.5", "3.15.1"), when it says. */
  kerasVersion?: string;
  /** Backend attribute ("tensorflow", "jax"), when present. */
  backend?: string;
  /** The HDF5 bytes holding the weights (the file itself, or the archive's model.weights.h5). */
  weightsBytes: Uint8Array;
  /** How errors name the HDF5 part ("model.keras (model.weights.h5)" or the file). */
  weightsLabel: string;
  /** Stored tensors in file order (legacy: layer_names then weight_names order; v3: by group, then index). */
  weights: RawWeight[];
  /** Legacy: the layer groups in `layer_names` order; v3: the `layers/` group names. */
  groups: string[];
  /** True when the file says it was written by MimosaNet. */
  producedByMimosaNet: boolean;
  /** Legacy: group holding the layers ("model_weights" or "" for the root). */
  weightsRoot: string;
  /** String attributes of the root (and of model_weights), for writing back. */
  rootAttrs: Record<string, string>;
  weightsGroupAttrs: Record<string, string>;
  /** Root groups the reader does not use (optimizer state and others), for the writer's note. */
  otherGroups: string[];
  /** Tensors of the optimizer's state, counted for the note. */
  optimizerTensors: number;
  /** v3: `name` of the root `vars` group. */
  rootVarsName?: string;
  /** `.keras`: the archive's other entries and metadata.json. */
  archive?: { entries: { name: string; bytes: Uint8Array }[]; metadata: JsonObject };
  /** Weights-only: the name of the JSON config found beside it. */
  configFile?: string;
}

/** Producer mark on written files (an HDF5 root attribute and a metadata.json field). */
export const PRODUCER_KEY = 'producer';

/** Largest config.json read from an archive; real ones are kilobytes. */
const MAX_CONFIG_BYTES = 64 * 1024 * 1024;

/** Reads the structure of the Keras file at `path`; throws ModelFormatError naming it when it is not one. */
export async function readStructure(path: string, files: FileReader): Promise<KerasStructure> {
  const bytes = await readFile(path, files, path);
  if (isZip(bytes)) return readArchive(path, bytes, files.hdf5);
  if (hdf5SignatureOffset(bytes) === undefined) throw fail(path, 'is neither a Keras .keras archive (zip) nor an HDF5 file');
  const scan = await readHdf5(bytes, path, KERAS_FORMAT_ID, (h5) => scanHdf5(h5, path), files.hdf5);
  if (scan.modelConfig !== undefined) {
    const config = parseConfig(scan.modelConfig, path, "the 'model_config' attribute");
    return { ...scan.structure, container: 'h5-model', config, weightsBytes: bytes, weightsLabel: path };
  }
  const beside = await findConfigBeside(path, files);
  return { ...scan.structure, container: 'h5-weights', config: beside.config, configFile: beside.name, weightsBytes: bytes, weightsLabel: path, ...versionOf(beside.config, scan.structure) };
}

async function readArchive(path: string, bytes: Uint8Array, hdf5: Hdf5Host | undefined): Promise<KerasStructure> {
  const entries = listZip(bytes, path, KERAS_FORMAT_ID);
  const configEntry = entries.find((e) => e.name === 'config.json');
  const weightsEntry = entries.find((e) => e.name === 'model.weights.h5');
  if (!configEntry || !weightsEntry) {
    throw fail(path, `is a zip archive without ${!configEntry ? 'config.json' : 'model.weights.h5'}, so it is not a Keras 3 .keras file`);
  }
  if (configEntry.size > MAX_CONFIG_BYTES) throw fail(path, `has a config.json of ${configEntry.size} bytes; refusing to read more than ${MAX_CONFIG_BYTES}`);
  const config = parseConfig(new TextDecoder().decode(await readZipEntry(bytes, configEntry, path, KERAS_FORMAT_ID)), path, 'config.json');
  const others = entries.filter((e) => e !== configEntry && e !== weightsEntry);
  const otherEntries: { name: string; bytes: Uint8Array }[] = [];
  for (const e of others) otherEntries.push({ name: e.name, bytes: await readZipEntry(bytes, e, path, KERAS_FORMAT_ID) });
  const metadataBytes = otherEntries.find((e) => e.name === 'metadata.json')?.bytes;
  const metadata = metadataBytes ? parseConfig(new TextDecoder().decode(metadataBytes), path, 'metadata.json', false) : {};
  const weightsBytes = await readZipEntry(bytes, weightsEntry, path, KERAS_FORMAT_ID);
  const weightsLabel = `${path} (model.weights.h5)`;
  const scan = await readHdf5(weightsBytes, weightsLabel, KERAS_FORMAT_ID, (h5) => scanHdf5(h5, weightsLabel), hdf5);
  if (scan.structure.layout !== 'v3') throw fail(path, 'holds a model.weights.h5 without the layers/ group Keras 3 writes');
  const kerasVersion = typeof metadata['keras_version'] === 'string' ? metadata['keras_version'] : undefined;
  return {
    ...scan.structure,
    container: 'keras-zip',
    config,
    ...(kerasVersion !== undefined ? { kerasVersion } : {}),
    weightsBytes,
    weightsLabel,
    producedByMimosaNet: scan.structure.producedByMimosaNet || metadata[PRODUCER_KEY] === 'MimosaNet',
    archive: { entries: otherEntries, metadata },
  };
}

type Scanned = Omit<KerasStructure, 'container' | 'config' | 'weightsBytes' | 'weightsLabel' | 'configFile' | 'archive'>;

/** Lists the HDF5 file's layout inside one session; the model_config attribute is returned as text. */
function scanHdf5(h5: H5Reader, path: string): { structure: Scanned; modelConfig?: string } {
  const rootAttrs = stringAttrs(h5, '/');
  const modelConfig = h5.attr('/', 'model_config');
  if (modelConfig !== undefined && typeof modelConfig !== 'string') throw fail(path, "has a 'model_config' attribute that is not a string");
  const rootKeys = h5.keys('/');
  const producedByMimosaNet = rootAttrs[PRODUCER_KEY] === 'MimosaNet';
  const common = { rootAttrs, producedByMimosaNet, ...(rootAttrs['keras_version'] ? { kerasVersion: rootAttrs['keras_version'] } : {}), ...(rootAttrs['backend'] ? { backend: rootAttrs['backend'] } : {}) };
  if (modelConfig !== undefined || stringList(h5, '/', 'layer_names') !== undefined) {
    const weightsRoot = modelConfig !== undefined && h5.kind('/model_weights') === 'group' ? 'model_weights' : '';
    if (modelConfig !== undefined && weightsRoot === '' && stringList(h5, '/', 'layer_names') === undefined) throw fail(path, "has a 'model_config' attribute but no 'model_weights' group: the model was saved without weights");
    const legacy = scanLegacy(h5, weightsRoot, path);
    const optimizer = h5.kind('/optimizer_weights') === 'group' ? (stringList(h5, '/optimizer_weights', 'weight_names') ?? []).length : 0;
    const used = new Set([weightsRoot === '' ? legacy.groups : [], 'model_weights', 'optimizer_weights'].flat());
    const otherGroups = rootKeys.filter((k) => !used.has(k));
    const weightsGroupAttrs = weightsRoot ? stringAttrs(h5, `/${weightsRoot}`) : {};
    const structure: Scanned = { ...common, layout: 'legacy', weightsRoot, weightsGroupAttrs, otherGroups, optimizerTensors: optimizer, ...legacy };
    return modelConfig !== undefined ? { structure, modelConfig } : { structure };
  }
  if (h5.kind('/layers') === 'group') {
    const v3 = scanV3(h5);
    const optimizer = h5.kind('/optimizer/vars') === 'group' ? h5.keys('/optimizer/vars').length : 0;
    const otherGroups = rootKeys.filter((k) => !['layers', 'vars', 'optimizer'].includes(k));
    const name = h5.kind('/vars') === 'group' ? h5.attr('/vars', 'name') : undefined;
    return { structure: { ...common, layout: 'v3', weightsRoot: '', weightsGroupAttrs: {}, otherGroups, optimizerTensors: optimizer, ...v3, ...(typeof name === 'string' ? { rootVarsName: name } : {}) } };
  }
  throw fail(path, "is an HDF5 file without a Keras model (no 'model_config' attribute, no 'layer_names', no 'layers' group)");
}

function scanLegacy(h5: H5Reader, root: string, path: string): { groups: string[]; weights: RawWeight[] } {
  const base = root ? `/${root}` : '';
  const groups = stringList(h5, base || '/', 'layer_names');
  if (groups === undefined) throw fail(path, `has no 'layer_names' attribute on ${root ? `'${root}'` : 'its root'}, so its weights cannot be matched to layers`);
  const weights: RawWeight[] = [];
  for (const group of groups) {
    const groupPath = `${base}/${group}`;
    if (h5.kind(groupPath) !== 'group') throw fail(path, `lists layer '${group}' in layer_names but has no group '${groupPath}'`);
    for (const key of stringList(h5, groupPath, 'weight_names') ?? []) {
      const datasetPath = `${groupPath}/${key}`;
      if (h5.kind(datasetPath) !== 'dataset') throw fail(path, `lists weight '${key}' of layer '${group}' but has no dataset '${datasetPath}'`);
      const info = h5.datasetInfo(datasetPath);
      weights.push({ group, key, path: datasetPath, shape: info.shape, dtype: info.dtype });
    }
  }
  return { groups, weights };
}

function scanV3(h5: H5Reader): { groups: string[]; weights: RawWeight[] } {
  const groups = h5.keys('/layers');
  const weights: RawWeight[] = [];
  for (const group of groups) {
    const vars = `/layers/${group}/vars`;
    if (h5.kind(vars) !== 'group') continue;
    const keys = h5.keys(vars).filter((k) => /^\d+$/.test(k)).sort((a, b) => Number(a) - Number(b));
    for (const key of keys) {
      const info = h5.datasetInfo(`${vars}/${key}`);
      weights.push({ group, key, path: `${vars}/${key}`, shape: info.shape, dtype: info.dtype });
    }
  }
  return { groups, weights };
}

/**
 * A string-list attribute, also in the split form Keras uses past HDF5's 64 KiB header limit
 * (`name0`, `name1`, ...); undefined when absent. Keras writes an empty list as an empty float array.
 */
export function stringList(h5: H5Reader, path: string, name: string): string[] | undefined {
  const whole = h5.attr(path, name);
  const parts: (string | number | (string | number)[])[] = [];
  if (whole !== undefined) parts.push(whole);
  else for (let k = 0; ; k++) {
    const part = h5.attr(path, `${name}${k}`);
    if (part === undefined) break;
    parts.push(part);
  }
  if (parts.length === 0) return undefined;
  const values = parts.flatMap((p) => (Array.isArray(p) ? p : [p]));
  if (values.some((v) => typeof v !== 'string')) throw new H5ContentError(`attribute '${name}' of '${path}' holds numbers where names belong`);
  return values as string[];
}

function stringAttrs(h5: H5Reader, path: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of h5.attrNames(path)) {
    if (name === 'model_config' || /^(layer_names|weight_names)\d*$/.test(name)) continue;
    const value = h5.attr(path, name);
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}

/** The JSON config of a weights-only file: `<stem>.json`, else model.json or config.json beside it. */
async function findConfigBeside(path: string, files: FileReader): Promise<{ name: string; config: JsonObject }> {
  const base = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  const stem = base.replace(/(\.weights)?\.(h5|hdf5|keras)$/i, '');
  const candidates = [...new Set([`${stem}.json`, 'model.json', 'config.json'])];
  for (const name of candidates) {
    let bytes: Uint8Array;
    try {
      bytes = await files.read(files.resolve(path, name));
    } catch {
      continue;
    }
    if (bytes.length > MAX_CONFIG_BYTES) continue;
    try {
      const config = parseConfig(new TextDecoder().decode(bytes), name, name);
      return { name, config };
    } catch {
      // Some other JSON (a TF.js model.json, a dataset): keep looking.
    }
  }
  throw fail(path, `holds Keras weights only; its architecture (model.to_json()) must sit beside it as ${candidates.join(', ')}`);
}

/** Parses a Keras config `{class_name, config}` (`requireModel` false: any JSON object, for metadata.json). */
function parseConfig(text: string, file: string, what: string, requireModel = true): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw fail(file, `${what} is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!isObject(value)) throw fail(file, `${what} is not a JSON object`);
  if (!requireModel) return value;
  if ('modelTopology' in value) throw fail(file, `${what} is a TF.js model.json, not a Keras config`);
  if (typeof value['class_name'] !== 'string' || (!isObject(value['config']) && !Array.isArray(value['config']))) throw fail(file, `${what} is not a Keras model config (no class_name and config)`);
  return value;
}

function versionOf(config: JsonObject, scanned: Scanned): { kerasVersion?: string; backend?: string } {
  const version = scanned.kerasVersion ?? (typeof config['keras_version'] === 'string' ? config['keras_version'] : undefined);
  const backend = scanned.backend ?? (typeof config['backend'] === 'string' ? config['backend'] : undefined);
  return { ...(version !== undefined ? { kerasVersion: version } : {}), ...(backend !== undefined ? { backend } : {}) };
}

async function readFile(path: string, files: FileReader, label: string): Promise<Uint8Array> {
  try {
    return await files.read(path);
  } catch (error) {
    throw fail(label, `cannot be read (${error instanceof Error ? error.message : String(error)})`);
  }
}

function fail(file: string, problem: string): ModelFormatError {
  return new ModelFormatError(file, KERAS_FORMAT_ID, problem);
}
