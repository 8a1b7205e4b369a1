/**
 * On-disk types of a TF.js Layers `model.json`, keeping the file's own field names (camelCase at
 * the top level, snake_case inside `modelTopology`, as Keras writes them). Plain data: no runtime
 * code here, so readers, the writer and tests share one description of the format.
 */

/** A JSON value, for fields we carry through without interpreting them. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A JSON object. */
export type JsonObject = { [key: string]: Json };

/** The whole `model.json`. */
export interface ModelJson {
  /** "layers-model" for Layers models, "graph-model" for converted TensorFlow graphs; older files omit it. */
  format?: string;
  /** Producer of the topology, e.g. "keras v2.15.0" or "TensorFlow.js tfjs-layers v4.22.0". */
  generatedBy?: string;
  /** Converter, e.g. "TensorFlow.js Converter v4.22.0"; null for tfjs's own `model.save`. */
  convertedBy?: string | null;
  /** The architecture: Keras model config, wrapped in `model_config` by the converter. */
  modelTopology: ModelTopology;
  /** Where the weights are: groups of shard files and the tensors laid out in them. */
  weightsManifest?: WeightsGroup[];
  /** Any other top-level field (trainingConfig, userDefinedMetadata, signature...), kept as is. */
  [key: string]: Json | ModelTopology | WeightsGroup[] | undefined;
}

/**
 * `modelTopology`: either the converter's wrapper `{keras_version, backend, model_config}` or tfjs's
 * own `{class_name, config, keras_version, backend}`; graph models put a `node` list here instead.
 */
export interface ModelTopology {
  /** Converter wrapper around the Keras model config, e.g. `{class_name: "Sequential", config}`. */
  model_config?: ModelConfig;
  /** Model class when there is no wrapper: "Sequential", "Model" or "Functional". */
  class_name?: string;
  /** Model config when there is no wrapper. */
  config?: SequentialConfig | FunctionalConfig | LayerJson[];
  /** Version of the producer, e.g. "2.15.0", "3.6.0" or "tfjs-layers 4.22.0". */
  keras_version?: string;
  /** "tensorflow" for Keras, "tensor_flow.js" for tfjs. */
  backend?: string;
  /** Graph models: the TensorFlow graph's nodes (their presence marks a graph model). */
  node?: Json[];
  /** Anything else (training_config, ...), kept as is. */
  [key: string]: Json | ModelConfig | SequentialConfig | FunctionalConfig | LayerJson[] | undefined;
}

/** A Keras model config: `{class_name: "Sequential", config: {name, layers}}`. */
export interface ModelConfig {
  /** "Sequential", "Model" (Keras 2 / tfjs functional) or "Functional" (TF ≥ 2.4 and Keras 3). */
  class_name: string;
  /** The model's layers; Keras 2.0 wrote a Sequential config as a bare list of layers. */
  config: SequentialConfig | FunctionalConfig | LayerJson[];
  /** Keras 3: "keras". */
  module?: string;
  /** Keras 3: null for built-in classes. */
  registered_name?: string | null;
  /** Anything else, kept as is. */
  [key: string]: Json | SequentialConfig | FunctionalConfig | LayerJson[] | undefined;
}

/** Config of a Sequential model. */
export interface SequentialConfig {
  /** Model name, e.g. "sequential_1"; Keras 3 prefixes weight names with it. */
  name?: string;
  /** Layers in order. */
  layers: LayerJson[];
  /** Keras 3: the model-level dtype policy object. */
  dtype?: Json;
  /** Keras 3: input shape the model was built with, e.g. [null, 784]. */
  build_input_shape?: Json;
  /** Anything else, kept as is. */
  [key: string]: Json | LayerJson[] | undefined;
}

/** Config of a functional model (`Model` / `Functional`). */
export interface FunctionalConfig extends SequentialConfig {
  /** Model inputs as `[layer_name, node_index, tensor_index]`; Keras 3 writes a single one unnested. */
  input_layers: Json;
  /** Model outputs, same form as input_layers. */
  output_layers: Json;
}

/** One layer: `{class_name: "Dense", config: {...}}`, plus `name`/`inbound_nodes` in functional models. */
export interface LayerJson {
  /** Layer class, e.g. "Dense", "Dropout", "InputLayer", "Conv2D". */
  class_name: string;
  /** Layer arguments (see LayerConfig). */
  config: LayerConfig;
  /** Functional models: the layer name again. */
  name?: string;
  /**
   * Functional models: the layer's calls. Keras 2 / tfjs: `[[["dense_1", 0, 0, {}]]]` (nodes of
   * `[layer, node, tensor, kwargs]` inputs); Keras 3: `[{"args": [{"class_name": "__keras_tensor__",
   * "config": {"keras_history": ["dense_1", 0, 0]}}], "kwargs": {}}]`.
   */
  inbound_nodes?: Json[];
  /** Keras 3: "keras.layers". */
  module?: string;
  /** Keras 3: null for built-in classes. */
  registered_name?: string | null;
  /** Keras 3: `{input_shape: [...]}`. */
  build_config?: Json;
  /** Anything else, kept as is. */
  [key: string]: Json | LayerConfig | undefined;
}

/** Layer arguments; only the fields this module reads are typed, everything else is carried through. */
export interface LayerConfig {
  /** Layer name, unique in the model, e.g. "dense_1" or "dense_Dense1". */
  name: string;
  /** Dense: number of neurons. */
  units?: number;
  /** Dense / Activation: activation name, e.g. "relu", "softmax", "linear". */
  activation?: Json;
  /** Dense: false when the layer has no bias weight. */
  use_bias?: boolean;
  /** Keras 2 / tfjs: input shape with batch dimension on the first layer or InputLayer, e.g. [null, 784]. */
  batch_input_shape?: (number | null)[];
  /** Keras 3 InputLayer: same as batch_input_shape (tfjs 4.22 does not read it). */
  batch_shape?: (number | null)[];
  /** "float32", or a Keras 3 DTypePolicy object `{class_name: "DTypePolicy", config: {name: "float32"}}`. */
  dtype?: Json;
  /** Dropout family: drop rate. */
  rate?: number;
  /** LeakyReLU (Keras 2 / tfjs) slope for negative inputs; ELU alpha. */
  alpha?: number;
  /** LeakyReLU (Keras 3) / ReLU: slope for negative inputs. */
  negative_slope?: number;
  /** ReLU: upper clip, null for none. */
  max_value?: number | null;
  /** ReLU: activation threshold. */
  threshold?: number;
  /** Softmax / BatchNormalization: the axis, -1 for the last. */
  axis?: number | number[];
  /** BatchNormalization: variance epsilon, e.g. 0.001. */
  epsilon?: number;
  /** BatchNormalization: whether beta is stored. */
  center?: boolean;
  /** BatchNormalization: whether gamma is stored. */
  scale?: boolean;
  /** Reshape: output shape without the batch dimension. */
  target_shape?: (number | null)[];
  /** Flatten: "channels_last" (default) or "channels_first". */
  data_format?: string | null;
  /** Anything else (initializers, regularizers, trainable...), kept as is. */
  [key: string]: Json | undefined;
}

/** One manifest group: shard files that are concatenated, and the tensors in that byte stream. */
export interface WeightsGroup {
  /** Shard file names relative to model.json, in order, e.g. ["group1-shard1of2.bin", "group1-shard2of2.bin"]. */
  paths: string[];
  /** Tensors laid out back to back in the concatenated shards. */
  weights: WeightEntry[];
}

/** One tensor of a manifest group. */
export interface WeightEntry {
  /** "dense_3/kernel" (Keras 2), "sequential_1/dense_3/kernel" (Keras 3), "dense_Dense1/kernel" (tfjs). */
  name: string;
  /** Tensor shape; Dense kernels are [inputs, units]. */
  shape: number[];
  /** Element type after dequantisation: "float32", "int32", "bool", "string", "complex64". */
  dtype: string;
  /** Present when the stored bytes are quantised, e.g. `{dtype: "uint8", scale, min}`. */
  quantization?: WeightQuantization;
  /** Keras saved-model weights: "model" or "optimizer". */
  group?: string;
}

/** Quantisation of a stored tensor. */
export interface WeightQuantization {
  /** Stored type: "uint8", "uint16" or "float16". */
  dtype: string;
  /** Affine quantisation step. */
  scale?: number;
  /** Affine quantisation offset. */
  min?: number;
  /** Type before quantisation, usually "float32". */
  original_dtype?: string;
}
