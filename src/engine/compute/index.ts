import type { ComputeBackend, EngineChoice } from '../../core/compute';
import { jsCompute } from '../../core/jsCompute';

/**
 * Picks the compute engine of a run (issue: fast engine). 'auto' takes the fastest that starts
 * here: onnxruntime-node (native CPU kernels shipped in its npm package), else the portable
 * tfjs-wasm backend, else the JavaScript reference. A named engine that cannot start is an
 * error only when asked for by name; 'auto' falls back and says why in `notes`.
 */

/** A started engine and why faster ones were passed over. */
export interface ComputeSelection {
  compute: ComputeBackend;
  notes: string[];
}

/** Options of `createCompute`. */
export interface CreateComputeOptions {
  /** Intra-op threads of native engines (1 when sweeps already run one thread per core). */
  threads: number;
}

/** The fast engines, fastest first, each loaded lazily (their modules pull in native or wasm code). */
const FACTORIES: Record<Exclude<EngineChoice, 'auto' | 'js'>, (options: CreateComputeOptions) => Promise<ComputeBackend>> = {
  onnxruntime: async (options) => (await import('./onnxruntime/backend')).createOnnxRuntimeCompute(options),
  'tfjs-wasm': async () => (await import('./tfjsWasm')).createTfjsWasmCompute(),
};

/** Starts the engine `choice` names (see module comment). */
export async function createCompute(choice: EngineChoice, options: CreateComputeOptions): Promise<ComputeSelection> {
  if (choice === 'js') return { compute: jsCompute, notes: [] };
  if (choice !== 'auto') return { compute: await FACTORIES[choice](options), notes: [] };
  const notes: string[] = [];
  for (const [name, factory] of Object.entries(FACTORIES)) {
    try {
      return { compute: await factory(options), notes };
    } catch (error) {
      notes.push(`${name} did not start (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  return { compute: jsCompute, notes };
}
