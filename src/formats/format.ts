import type { DenseNetwork } from '../core/network';
import type { Hdf5Host } from './keras/hdf5';

/**
 * The contract every model format implements (one module per format, netron-style): a cheap
 * content sniff, an inspection that describes any model of the format (supported or not), a
 * loader into the dense-network representation, and a writer of a protected copy in the same
 * format. Formats never touch the file system: they read through `FileReader` and return the
 * bytes to write, so the engine owns atomic writes and the extension can read via workspace.fs.
 */

/** Reads files next to the model (shards, weights). Paths are resolved by the implementation. */
export interface FileReader {
  /** Whole contents of `path`; throws if it does not exist. */
  read(path: string): Promise<Uint8Array>;
  /** Resolves `relative` against the folder of `from` (both as the reader understands them). */
  resolve(from: string, relative: string): string;
  /**
   * Where HDF5 files found by this reader are parsed. The engine's host runs HDF5 in a disposable
   * thread (a hostile file that crashes or hangs it costs that thread only); without one, HDF5
   * runs in the calling thread and refuses further files there after a crash.
   */
  hdf5?: Hdf5Host;
}

/** One file of a written model. */
export interface WrittenFile {
  /** File name relative to the output folder (no folders, no '..'). */
  name: string;
  /** Contents. */
  bytes: Uint8Array;
}

/** One layer as the file describes it, for the inspector and the sidebar. */
export interface LayerInfo {
  /** Layer name as in the file. */
  name: string;
  /** Class or op name ("Dense", "Dropout", "Conv2D", "Gemm", ...). */
  className: string;
  /** Output width, for dense layers. */
  units?: number;
  /** Activation, where the layer has one. */
  activation?: string;
  /** Stored parameters of the layer. */
  parameters: number;
}

/** Why a recognised model cannot be protected. */
export interface Blocker {
  /** The blocking layer's name (or the feature, e.g. "weightsManifest"). */
  layer: string;
  /** Its class name. */
  className: string;
  /** One-line reason, e.g. "is a convolution; only dense chains are supported". */
  reason: string;
}

/** Description of any model file of a known format. */
export interface ModelInfo {
  /** Format id (see ModelFormat.id). */
  format: string;
  /** Path of the main file. */
  path: string;
  /** Layers in order. */
  layers: LayerInfo[];
  /** Input width when known. */
  inputs?: number;
  /** Total stored parameters. */
  parameters: number;
  /** Set when the model cannot be protected. */
  blocker?: Blocker;
  /** Present when the file looks like a MimosaNet-protected copy (a report.json sits beside it). */
  producer?: string;
}

/** A model read into the dense representation, plus what its writer needs. */
export interface LoadedModel<Source = unknown> {
  /** Inspection of the file. */
  info: ModelInfo;
  /** The dense chain. */
  network: DenseNetwork;
  /** Format-specific parse result the writer uses to write back faithfully. */
  source: Source;
  /** Human-readable notes on what was normalised while reading (Keras 3 names, batch_shape, ...). */
  normalised: string[];
}

/** Options of one `ModelRuntime.predict` call. */
export interface PredictOptions {
  /** Leave out the last layer's softmax/sigmoid (equivalence is measured on logits). */
  logits: boolean;
  /**
   * Rows per call into the runtime. Kernels pick different paths by batch size (batch 1 runs a
   * matrix-vector kernel, larger batches tiled GEMMs), so the field check runs both.
   */
  batch?: number;
  /** Checked between batches: aborting rejects with CancelledError within one batch. */
  signal?: AbortSignal;
}

/** Runs models of a format in one of that format's real runtimes (tfjs cpu, tfjs wasm, ...). */
export interface ModelRuntime {
  /** Library, version and backend, e.g. "@tensorflow/tfjs 4.22.0 (cpu backend)". */
  readonly name: string;
  /**
   * Predicts [rows × outputs] for inputs x ([rows × inputs]) with the model whose files are
   * given (main file first). With `logits`, the last layer's softmax/sigmoid is left out.
   */
  predict(files: WrittenFile[], x: Float32Array, rows: number, options: PredictOptions): Promise<Float32Array>;
}

/** A model format module. */
export interface ModelFormat<Source = unknown> {
  /** Stable id used in reports ("tfjs-layers"). */
  readonly id: string;
  /** Name for people ("TensorFlow.js Layers"). */
  readonly displayName: string;
  /** File-name check done before any read ("model.json", ".onnx", ...). */
  matchesName(fileName: string): boolean;
  /**
   * True when `inspect` needs a library the extension host bundle leaves out (Keras: h5wasm), so
   * the host sends this format's files to the worker's inspect instead of inspecting them itself.
   */
  readonly inspectInWorker?: boolean;
  /** Cheap content check on the first bytes of the file (at most 64 KiB); rejects look-alikes. */
  sniff(head: Uint8Array, fileName: string): boolean;
  /** Describes the model; throws ModelFormatError on corrupt files, never for unsupported layers. */
  inspect(path: string, files: FileReader): Promise<ModelInfo>;
  /** Reads the dense chain; throws UnsupportedLayerError naming the blocking layer. */
  load(path: string, files: FileReader): Promise<LoadedModel<Source>>;
  /** Serialises `network` (a protected copy of `model.network`) in this format; main file first. */
  write(model: LoadedModel<Source>, network: DenseNetwork, baseName: string): Promise<WrittenFile[]>;
  /** The model's own files as the runtime loads them (main file first), to run the original unchanged. */
  readFiles(path: string, files: FileReader): Promise<WrittenFile[]>;
  /** The reference runtime of this format: amplitude search and the headline equivalence run in it. */
  createRuntime(): Promise<ModelRuntime>;
  /**
   * Every float32 runtime the format deploys to that installs from npm (reference first), for
   * the field equivalence matrix; a runtime that cannot start here is left out with a note.
   */
  createFieldRuntimes(): Promise<{ runtimes: ModelRuntime[]; notes: string[] }>;
}
