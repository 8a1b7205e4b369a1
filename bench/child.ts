/**
 * One bench child process: times one workload on one compute backend and writes a ChildResult
 * (bench/childProtocol.ts). A process of its own per workload and backend, so its peak RSS
 * (`process.resourceUsage().maxRSS`) and CPU time belong to that pair alone.
 * Run by bench/bench.ts as: node --import tsx bench/child.ts '<ChildSpec JSON>'.
 */
import { writeFileSync } from 'node:fs';
import type { ComputeBackend, EngineChoice } from '../src/core/compute';
import { measureFragility } from '../src/core/fragility';
import { DEFAULT_OPTIONS } from '../src/core/options';
import { createCompute } from '../src/engine/compute';
import type { FragilityKind } from '../src/core/report';
import type { ChildResult, ChildSpec, CleanAccuracies } from './childProtocol';
import { forwardFlops, forwardNetwork, loadExample, protectedExample, sweepData, tileRows, type Example } from './workloads';

/** One timed unit of work, prepared outside the timing. */
type Run = () => Promise<unknown>;

async function prepare(spec: ChildSpec, example: Example, compute: ComputeBackend): Promise<{ run: Run; flops: number | null }> {
  if (spec.workload === 'sweep') {
    const protectedNet = protectedExample(example);
    const data = sweepData(example);
    // The protect job's sweep: default kinds, repeats and seed, on original and protected.
    const options = { kinds: DEFAULT_OPTIONS.kinds, repeats: DEFAULT_OPTIONS.repeats, seed: DEFAULT_OPTIONS.seed, compute };
    return { run: () => measureFragility(example.original, protectedNet, data, options), flops: null };
  }
  const network = forwardNetwork(spec.workload, example);
  const x = tileRows(example.x, network.inputs, spec.rows);
  return { run: () => compute.forward(network, x, spec.rows, { logits: true }), flops: forwardFlops(network, spec.rows) };
}

function cleanAccuracies(kinds: FragilityKind[]): CleanAccuracies {
  return Object.fromEntries(kinds.map((k) => [k.kind, [k.original.clean, k.protected.clean]]));
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '') as ChildSpec;
  const write = (result: ChildResult): void => writeFileSync(spec.resultFile, JSON.stringify(result));
  let compute: ComputeBackend;
  try {
    compute = (await createCompute(spec.backend as EngineChoice, { threads: spec.threads })).compute;
  } catch (error) {
    write({ status: 'unavailable', reason: error instanceof Error ? error.message : String(error) });
    return;
  }
  try {
    const { run, flops } = await prepare(spec, await loadExample(), compute);
    if (spec.warmup) await run();
    const seconds: number[] = [];
    const cpuSeconds: number[] = [];
    let output: unknown;
    for (let i = 0; i < spec.runs; i++) {
      const cpu = process.cpuUsage();
      const start = performance.now();
      output = await run();
      seconds.push((performance.now() - start) / 1000);
      const used = process.cpuUsage(cpu);
      cpuSeconds.push((used.user + used.system) / 1e6);
      process.stderr.write(`  ${spec.workload} ${spec.backend} run ${i + 1}/${spec.runs}: ${seconds[i]!.toFixed(3)} s\n`);
    }
    // maxRSS is in kilobytes.
    const checks = spec.workload === 'sweep' ? cleanAccuracies(output as FragilityKind[]) : undefined;
    write({ status: 'ok', description: compute.description, flops, seconds, cpuSeconds, maxRssBytes: process.resourceUsage().maxRSS * 1024, ...(checks ? { checks } : {}) });
  } finally {
    await compute.dispose();
  }
}

// Exit explicitly: a native backend's thread pool must not keep the child alive.
main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
