import type * as Ort from 'onnxruntime-node';
import type { ComputeBackend, ComputeForwardOptions } from '../../../core/compute';
import { EngineUnavailableError } from '../../../core/errors';
import type { DenseNetwork } from '../../../core/network';
import { forwardGraph, layerInputsGraph, layerShapes, shapeKey } from './graphs';
import { createOrtTrainer } from './trainer';

/**
 * The fast engine on onnxruntime-node (native CPU kernels shipped in its npm package; the
 * built extension carries them in dist/node_modules, see scripts/onnxruntimeFiles.mjs).
 * Graphs are built per network shape with the weights as inputs (graphs.ts), so sessions are
 * created lazily, once per shape, and reused for every perturbed copy of a network.
 */

export type OrtModule = typeof Ort;

/** Options of `createOnnxRuntimeCompute`. */
export interface OnnxRuntimeComputeOptions {
  /** Intra-op threads of every session (inter-op is 1: the graphs are chains). */
  threads: number;
}

/** The engine; `sessionCount` (sessions created so far, one per graph shape) lets tests check reuse. */
export interface OnnxRuntimeCompute extends ComputeBackend {
  readonly sessionCount: number;
}

/** Loads onnxruntime-node; a missing or broken native binding is an EngineUnavailableError. */
async function loadOrt(): Promise<OrtModule> {
  try {
    return await import('onnxruntime-node');
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new EngineUnavailableError('onnxruntime', `onnxruntime-node did not load for ${process.platform}-${process.arch} (${reason})`);
  }
}

/** Sessions by graph key, created on first use (concurrent callers share the pending one). */
export class SessionCache {
  private readonly sessions = new Map<string, Promise<Ort.InferenceSession>>();
  private disposed = false;

  constructor(
    readonly ort: OrtModule,
    private readonly options: Ort.InferenceSession.SessionOptions,
  ) {}

  /** The session of graph `key`, built by `graph` the first time. */
  get(key: string, graph: () => Uint8Array): Promise<Ort.InferenceSession> {
    if (this.disposed) throw new Error('the onnxruntime engine was disposed');
    let session = this.sessions.get(key);
    if (!session) {
      session = this.ort.InferenceSession.create(graph(), this.options);
      this.sessions.set(key, session);
      // A failed creation is not cached: the next call tries again (and reports again).
      session.catch(() => this.sessions.delete(key));
    }
    return session;
  }

  /** Number of sessions created so far (tests check reuse). */
  get size(): number {
    return this.sessions.size;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const pending = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(pending.map(async (session) => (await session.catch(() => undefined))?.release()));
  }
}

/** A float32 tensor over `data` (no copy when it already is float32). */
export function floatTensor(ort: OrtModule, data: Float32Array | Float64Array, dims: readonly number[]): Ort.Tensor {
  const size = dims.reduce((a, b) => a * b, 1);
  const values = data instanceof Float32Array ? data : Float32Array.from(data.subarray(0, size));
  return new ort.Tensor('float32', values.length === size ? values : values.subarray(0, size), dims);
}

/** Feeds w<l>, b<l> of layers `from`…`to`−1 as they are (our [units × inputs] layout is Gemm's transB). */
export function weightFeeds(ort: OrtModule, network: DenseNetwork, from: number, to = network.layers.length): Record<string, Ort.Tensor> {
  const feeds: Record<string, Ort.Tensor> = {};
  for (let l = from; l < to; l++) {
    const layer = network.layers[l]!;
    feeds[`w${l}`] = floatTensor(ort, layer.weights, [layer.units, layer.inputs]);
    feeds[`b${l}`] = floatTensor(ort, layer.bias, [layer.units]);
  }
  return feeds;
}

function floatOutput(result: Ort.InferenceSession.OnnxValueMapType, name: string): Float32Array {
  const value = result[name];
  if (!value || !(value.data instanceof Float32Array)) throw new Error(`onnxruntime returned no float32 '${name}'`);
  return value.data;
}

/** Starts the onnxruntime engine with `threads` intra-op threads; EngineUnavailableError if it cannot run here. */
export async function createOnnxRuntimeCompute(options: OnnxRuntimeComputeOptions): Promise<OnnxRuntimeCompute> {
  const ort = await loadOrt();
  const threads = options.threads >= 1 ? Math.floor(options.threads) : 1;
  ort.env.logLevel = 'error';
  const sessions = new SessionCache(ort, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
  });

  const forward = async (network: DenseNetwork, input: Float32Array | Float64Array, rows: number, forwardOptions: ComputeForwardOptions = {}) => {
    const from = forwardOptions.from ?? 0;
    const logits = forwardOptions.logits === true;
    const layers = layerShapes(network);
    const first = layers[from];
    if (!first) throw new RangeError(`forward from layer ${from} of a ${layers.length}-layer network`);
    if (rows === 0) return new Float32Array(0);
    const key = `forward:${from}:${logits ? 'logits' : 'outputs'}:${shapeKey(layers)}`;
    const session = await sessions.get(key, () => forwardGraph(layers, from, logits));
    const result = await session.run({ x: floatTensor(ort, input, [rows, first.inputs]), ...weightFeeds(ort, network, from) });
    return floatOutput(result, 'y');
  };

  const layerInputs = async (network: DenseNetwork, x: Float32Array, rows: number) => {
    const layers = layerShapes(network);
    if (layers.length === 1 || rows === 0) return [x, ...layers.slice(0, -1).map((l) => new Float32Array(rows * l.units))];
    const session = await sessions.get(`inputs:${shapeKey(layers.slice(0, -1))}`, () => layerInputsGraph(layers));
    const result = await session.run({ x: floatTensor(ort, x, [rows, layers[0]!.inputs]), ...weightFeeds(ort, network, 0, layers.length - 1) });
    return [x, ...layers.slice(1).map((_, l) => floatOutput(result, `h${l + 1}`))];
  };

  const compute: OnnxRuntimeCompute = {
    name: 'onnxruntime',
    description: `onnxruntime-node ${ort.env.versions.node ?? ort.env.versions.common} (CPU), ${threads} thread${threads === 1 ? '' : 's'}`,
    forward,
    layerInputs,
    trainer: async (network, trainerOptions) => createOrtTrainer(sessions, network, trainerOptions),
    dispose: () => sessions.dispose(),
    get sessionCount() {
      return sessions.size;
    },
  };
  await smokeTest(compute);
  return compute;
}

/** One tiny run, so a library that loads but cannot create sessions fails here, not mid-run. */
async function smokeTest(compute: ComputeBackend): Promise<void> {
  const network: DenseNetwork = {
    inputs: 1,
    layers: [{ name: 'probe', inputs: 1, units: 1, weights: Float32Array.of(2), bias: Float32Array.of(1), activation: 'linear', hasBias: true }],
  };
  try {
    const y = await compute.forward(network, Float32Array.of(3), 1);
    if (y[0] !== 7) throw new Error(`a probe computed ${y[0]} instead of 7`);
  } catch (error) {
    await compute.dispose();
    throw new EngineUnavailableError('onnxruntime', `onnxruntime-node loaded but does not run (${error instanceof Error ? error.message : String(error)})`);
  }
}
