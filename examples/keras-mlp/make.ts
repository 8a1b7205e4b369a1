/**
 * Writes the Keras example: the trained network of examples/mnist-mlp (read with MimosaNet's own
 * TF.js reader) as a Keras 3 `.keras` archive written by MimosaNet's Keras writer, with the
 * config spelled as Keras 3.x saves a Sequential model (InputLayer with batch_shape, Dense layers
 * with module and registered_name). The evaluation data is the TF.js example's (see README.md).
 *
 *   npx tsx examples/keras-mlp/make.ts      (or: npm run example:keras)
 *
 * No Python: the archive is made from the repository alone. No randomness and a fixed
 * date_saved: two runs write the same config and weights (only HDF5's object times and the zip's
 * entry times differ). The file is written without MimosaNet's producer mark (it is an
 * original, not a protected copy).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DenseNetwork } from '../../src/core/network';
import { nodeFileReader } from '../../src/engine/nodeFileReader';
import type { FileReader } from '../../src/formats/format';
import { kerasFormat, type KerasSource } from '../../src/formats/keras/kerasFormat';
import { writeKerasModel } from '../../src/formats/keras/writeKeras';
import type { JsonObject } from '../../src/formats/tfjs/topology';
import { tfjsLayersFormat } from '../../src/formats/tfjs/tfjsLayersFormat';

const SOURCE = join(__dirname, '..', 'mnist-mlp');
const OUT = __dirname;
/** The Keras release whose spelling the config follows (test/fixtures/keras was saved by it). */
const KERAS_VERSION = '3.15.1';

const dtype = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };
const initializer = (class_name: string, config: JsonObject = {}) => ({ module: 'keras.initializers', class_name, config, registered_name: null });

/** The network's Sequential config as Keras 3 saves it. */
export function keras3Config(network: DenseNetwork, names: string[]): JsonObject {
  const dense = network.layers.map((layer, k) => ({
    module: 'keras.layers',
    class_name: 'Dense',
    config: {
      name: names[k]!,
      trainable: true,
      dtype,
      units: layer.units,
      activation: layer.activation,
      use_bias: true,
      kernel_initializer: initializer('GlorotUniform', { seed: null }),
      bias_initializer: initializer('Zeros'),
      kernel_regularizer: null,
      bias_regularizer: null,
      kernel_constraint: null,
      bias_constraint: null,
    },
    registered_name: null,
    build_config: { input_shape: [null, layer.inputs] },
  }));
  const input = { module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: [null, network.inputs], dtype: 'float32', sparse: false, name: 'input_layer' }, registered_name: null };
  return {
    module: 'keras',
    class_name: 'Sequential',
    config: { name: 'mnist_mlp', trainable: true, dtype, layers: [input, ...dense], build_input_shape: [null, network.inputs] },
    registered_name: null,
    build_config: { input_shape: [null, network.inputs] },
  } as unknown as JsonObject;
}

async function main(): Promise<void> {
  const tfjs = await tfjsLayersFormat.load(join(SOURCE, 'model.json'), nodeFileReader);
  const names = tfjs.source.steps.flatMap((s) => (s.kind === 'dense' ? [s.layer.config.name] : []));
  const config = keras3Config(tfjs.network, names);
  // The TF.js example's weights under the Keras 3 config: the chain reader matches them by layer name.
  const manifest = JSON.parse(readFileSync(join(SOURCE, 'model.json'), 'utf8')).weightsManifest;
  const model = { format: 'layers-model', modelTopology: { keras_version: KERAS_VERSION, backend: 'tensorflow', model_config: config }, weightsManifest: manifest };
  const files: FileReader = {
    read: async (path) => (path === 'model.json' ? new TextEncoder().encode(JSON.stringify(model)) : nodeFileReader.read(join(SOURCE, path))),
    resolve: (_from, relative) => relative,
  };
  const loaded = await tfjsLayersFormat.load('model.json', files);
  const source: KerasSource = {
    container: 'keras-zip',
    layout: 'v3',
    fileName: 'model.keras',
    tfjs: { ...loaded.source, keras3: true },
    weightStyle: { prefix: '', suffix: '' },
    weightsRoot: '',
    rootAttrs: {},
    weightsGroupAttrs: {},
    extraGroups: [],
    archive: { entries: [], metadata: { keras_version: KERAS_VERSION, date_saved: '2026-01-01@00:00:00' } },
    dropped: [],
  };
  const [file] = await writeKerasModel(source, loaded.network, 'model', { mark: false });
  const out = join(OUT, file!.name);
  writeFileSync(out, file!.bytes);
  // Read back with the Keras reader: the same network, bit for bit.
  const back = await kerasFormat.load(out, nodeFileReader);
  tfjs.network.layers.forEach((layer, k) => {
    const other = back.network.layers[k]!;
    if (other.activation !== layer.activation || other.weights.some((w, i) => w !== layer.weights[i]) || other.bias.some((b, i) => b !== layer.bias[i])) {
      throw new Error(`layer ${k} of ${out} differs from the TF.js example`);
    }
  });
  console.log(`wrote ${out} (${file!.bytes.length} bytes): ${back.info.layers.map((l) => `${l.className}${l.units ? ` ${l.units}` : ''}`).join(' › ')}, ${back.info.parameters} parameters`);
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
