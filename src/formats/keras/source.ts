import type { TfjsSource } from '../tfjs/source';
import type { JsonObject } from '../tfjs/topology';

/** Format id of Keras files in reports and errors. */
export const KERAS_FORMAT_ID = 'keras';

/**
 * The three shapes a Keras model comes in:
 * - `keras-zip`: a Keras 3 `.keras` archive (config.json, metadata.json, model.weights.h5);
 * - `h5-model`: a legacy `.h5` with the architecture in its `model_config` attribute;
 * - `h5-weights`: a weights-only `.h5` (`save_weights`) whose architecture is a `model.to_json()`
 *   file beside it.
 */
export type KerasContainer = 'keras-zip' | 'h5-model' | 'h5-weights';

/**
 * How the weights sit in the HDF5 file:
 * - `legacy`: `<layer>/<weight name>` datasets listed by `layer_names` and each group's
 *   `weight_names` (Keras 2, and Keras 3's `.h5`), under `model_weights/` or at the root;
 * - `v3`: `layers/<snake_case class>[_k]/vars/<i>` (Keras 3 `.keras` and `.weights.h5`).
 */
export type WeightLayout = 'legacy' | 'v3';

/** One stored tensor of a layer, located in the HDF5 file. */
export interface StoredWeight {
  /** `<layer>/<param>` as the chain reader matches it ("dense_1/kernel", or "dense_1/0" by position). */
  name: string;
  /** Path of the dataset in the HDF5 file. */
  path: string;
  /** Shape as stored (Dense kernels are [inputs, units]). */
  shape: number[];
  /** Element type ("float32", "float64", ...). */
  dtype: string;
}

/** Everything about a Keras file the writer needs to write a protected copy in the same layout. */
export interface KerasSource {
  /** Which of the three shapes. */
  container: KerasContainer;
  /** Weight layout inside the HDF5 file. */
  layout: WeightLayout;
  /** The main file's name ("model.keras", "model.h5"): written copies keep its extension. */
  fileName: string;
  /** The config seen as a TF.js model (the chain reader, the writer and the tfjs runtime work on it). */
  tfjs: TfjsSource;
  /** Legacy weight names: the text before `<layer>/` ("mlp/" in Keras 3, "" in Keras 2) and after the parameter (":0" in Keras 2). */
  weightStyle: { prefix: string; suffix: string };
  /** Legacy layout: the group holding the layer groups ("model_weights" or "" for the root). */
  weightsRoot: string;
  /** String attributes of the HDF5 root and of the weights group, written back unchanged (model_config excepted). */
  rootAttrs: Record<string, string>;
  /** String attributes of the legacy `model_weights` group. */
  weightsGroupAttrs: Record<string, string>;
  /** Legacy groups Keras writes without listing them in layer_names ("top_level_model_weights"). */
  extraGroups: string[];
  /** v3 layout: the `name` attribute of the root `vars` group (the model's name). */
  rootVarsName?: string;
  /** `.keras`: the archive's entries other than config.json and model.weights.h5, in order, and the parsed metadata.json. */
  archive?: { entries: { name: string; bytes: Uint8Array }[]; metadata: JsonObject };
  /** Weights-only files: the name of the JSON config beside the weights, as found. */
  configFile?: string;
  /** Notes on what a written copy leaves out (optimizer state, unknown groups). */
  dropped: string[];
}
