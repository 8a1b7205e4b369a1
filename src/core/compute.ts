import type { DenseNetwork } from './network';

/**
 * The compute engine the sweeps, the amplitude search and the fine-tuning recipes run on
 * (issue: fast engine). The core defines the interface and a pure JavaScript reference
 * (`jsCompute`, float64 loops); `src/engine/compute` adds fast backends (onnxruntime-node,
 * tfjs-wasm) that run in the worker. Every method is async because fast backends are.
 *
 * Numbers: backends compute in float32 or better; a test holds every backend to the reference
 * within float32 tolerance. Outputs of the last layer are its activation unless `logits`.
 */
export interface ComputeBackend {
  /** Shown in reports and progress: 'onnxruntime', 'tfjs-wasm', 'js'. */
  readonly name: string;
  /** Version and threads, for the report ("onnxruntime-node 1.30.0, 1 thread"). */
  readonly description: string;
  /**
   * Outputs of `network` on `rows` inputs [rows × network.inputs], from layer `from` on (default
   * 0) when `input` is that layer's input: a caller that perturbs one layer reuses the rest.
   */
  forward(network: DenseNetwork, input: Float32Array | Float64Array, rows: number, options?: ComputeForwardOptions): Promise<Float32Array | Float64Array>;
  /** Inputs of every layer (entry 0 is x, entry l the output of layer l−1), for `forward` with `from`. */
  layerInputs(network: DenseNetwork, x: Float32Array, rows: number): Promise<(Float32Array | Float64Array)[]>;
  /** A trainer that fine-tunes a copy of `network` (the caller's network is never changed). */
  trainer(network: DenseNetwork, options: TrainerOptions): Promise<Trainer>;
  /** Frees native sessions and memory; the backend is unusable afterwards. */
  dispose(): Promise<void>;
}

/** Options of `ComputeBackend.forward`. */
export interface ComputeForwardOptions {
  /** First layer computed; `input` is then that layer's input. */
  from?: number;
  /** Pre-activation outputs of the last layer. */
  logits?: boolean;
}

/** Optimiser of a fine-tuning attack. */
export type OptimizerName = 'adam' | 'sgd';

/** Options of a trainer. */
export interface TrainerOptions {
  /** 'adam' (β1 0.9, β2 0.999, ε 1e-7 and bias correction, as Keras) or plain 'sgd'. */
  optimizer: OptimizerName;
  learningRate: number;
}

/**
 * Minibatch training of a copy of a network with mean cross-entropy on the logits (softmax for
 * several outputs, sigmoid for one); weights are float32 between steps.
 */
export interface Trainer {
  /**
   * `count` (default 1) optimiser steps, step k on batch k: rows k·rows… of x [count·rows ×
   * inputs] and of the integer labels. Several steps in one call let a backend keep its state
   * native between them.
   */
  step(x: Float32Array, labels: Int32Array, rows: number, count?: number): Promise<void>;
  /** A copy of the current network. */
  snapshot(): Promise<DenseNetwork>;
  /** Frees what the trainer holds. */
  dispose(): void;
}

/** Which engine a run asks for: the fastest available, or one by name (setting `mimosanet.engine`, flag `--engine`). */
export const ENGINE_CHOICES = ['auto', 'onnxruntime', 'tfjs-wasm', 'js'] as const;
export type EngineChoice = (typeof ENGINE_CHOICES)[number];
