/**
 * What the numpy reference (bench/reference.py) reads: networks as a folder with network.json
 * and raw little-endian float32 weights ([units × inputs], as MimosaNet stores them), and the
 * sweep's plan shaped like a report's fragility section, built by the same plan functions
 * measureFragility uses, so numpy sweeps what the TypeScript side sweeps.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_FINETUNE_STEPS } from '../src/core/fragility';
import type { DenseNetwork } from '../src/core/network';
import { DEFAULT_OPTIONS } from '../src/core/options';
import { perturbationOf } from '../src/core/perturbations';
import { AT_CHANCE_SHARE } from '../src/core/perturbations/perturbation';
import { MAX_SWEEP_SAMPLES } from '../src/engine/defaults';
import { TRADE_OFF_SAMPLES } from '../src/engine/fieldCheck';
import { nodeFileReader } from '../src/engine/nodeFileReader';
import { tfjsLayersFormat } from '../src/formats/tfjs/tfjsLayersFormat';
import { EXAMPLE, forwardNetwork, protectedExample, type Example, type Workload } from './workloads';

/** Writes `network` into `dir` for reference.py's load_network. */
export function writeNetworkFolder(network: DenseNetwork, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const layers = network.layers.map((layer, l) => {
    writeFileSync(join(dir, `w${l}.f32`), new Uint8Array(layer.weights.buffer, layer.weights.byteOffset, layer.weights.byteLength));
    writeFileSync(join(dir, `b${l}.f32`), new Uint8Array(layer.bias.buffer, layer.bias.byteOffset, layer.bias.byteLength));
    return { inputs: layer.inputs, units: layer.units, activation: layer.activation, inserted: layer.inserted ?? false, weights: `w${l}.f32`, bias: `b${l}.f32` };
  });
  writeFileSync(join(dir, 'network.json'), JSON.stringify({ inputs: network.inputs, layers }));
  return dir;
}

/** The sweep workload's plan as a report-shaped file: { fragility: { samples, kinds: [{ kind, magnitudes, repeats, notes }] } }. */
export function writeSweepPlan(path: string, rows: number): string {
  const planOptions = { repeats: DEFAULT_OPTIONS.repeats, fineTuneSteps: DEFAULT_FINETUNE_STEPS };
  const kinds = DEFAULT_OPTIONS.kinds.map((kind) => ({ kind, ...perturbationOf(kind).plan(planOptions) }));
  writeFileSync(path, JSON.stringify({ fragility: { samples: Math.min(rows, MAX_SWEEP_SAMPLES), kinds } }, null, 1));
  return path;
}

/** Constants the sweep's and the protect job's passes depend on but a report does not record. */
export function protectConstants(): { seed: number; atChanceShare: number; tradeOffSamples: number; tradeOffMagnitudes: number[] } {
  const quick = perturbationOf('multiplicative').plan({ repeats: 1, fineTuneSteps: DEFAULT_FINETUNE_STEPS });
  return { seed: DEFAULT_OPTIONS.seed, atChanceShare: AT_CHANCE_SHARE, tradeOffSamples: TRADE_OFF_SAMPLES, tradeOffMagnitudes: quick.magnitudes };
}

/** The numpy reference's inputs, written once each, on demand. */
export class NumpyFolders {
  private protectedNet: DenseNetwork | undefined;
  private readonly folders = new Map<string, string>();

  constructor(
    private readonly example: Example,
    private readonly work: string,
    private readonly rows: number,
  ) {}

  /** The example's protected network (built once). */
  protectedNetwork(): DenseNetwork {
    this.protectedNet ??= protectedExample(this.example);
    return this.protectedNet;
  }

  /** Layer widths of the protected example, "784-448-224-10". */
  protectedShape(): string {
    const network = this.protectedNetwork();
    return [network.inputs, ...network.layers.map((l) => l.units)].join('-');
  }

  private async folder(name: string, build: () => DenseNetwork | Promise<DenseNetwork>): Promise<string> {
    const known = this.folders.get(name);
    if (known) return known;
    const dir = writeNetworkFolder(await build(), join(this.work, `numpy-${name}`));
    this.folders.set(name, dir);
    return dir;
  }

  /** reference.py's spec of a workload (without runs); null for the protect job when it did not run. */
  async spec(workload: Workload, protectOut: string | null): Promise<Record<string, unknown> | null> {
    const data = { workload, x: EXAMPLE.x, y: EXAMPLE.y };
    if (workload === 'forward-protected') return { ...data, warmup: true, rows: this.rows, network: await this.folder('protected', () => this.protectedNetwork()) };
    if (workload === 'forward-large') return { ...data, warmup: true, rows: this.rows, network: await this.folder('large', () => forwardNetwork(workload, this.example)) };
    const original = await this.folder('original', () => this.example.original);
    const constants = protectConstants();
    if (workload === 'sweep') {
      const plan = writeSweepPlan(join(this.work, 'sweep-plan.json'), this.example.rows);
      return { ...data, warmup: false, original, protected: await this.folder('protected', () => this.protectedNetwork()), report: plan, constants };
    }
    if (!protectOut) return null;
    const written = async () => (await tfjsLayersFormat.load(join(protectOut, 'model.json'), nodeFileReader)).network;
    return { ...data, warmup: false, original, protected: await this.folder('protect-output', written), report: join(protectOut, 'report.json'), constants };
  }
}
