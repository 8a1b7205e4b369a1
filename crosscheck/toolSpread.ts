/**
 * The tool's own seed-to-seed spread of the two cross-checked attacks: runs the lab's
 * head-retrain and merge attacks (src/core/attacks) on the same files, data split, engine and
 * context as `mimosanet attack --seed <n>` does, for several seeds, without the other attacks.
 *
 *   npx tsx crosscheck/toolSpread.ts <protected model.json> <original model.json> <x.npy> <y.npy> [seeds, e.g. 1,2,3]
 *
 * Prints one JSON document. Used to set the head-retraining band of
 * test/unit/crosscheck/attacks.test.ts (README "Independent cross-check").
 */
import { resolve } from 'node:path';
import { headRetrainAttack } from '../src/core/attacks/headRetrain';
import { ATTACK_NOISE } from '../src/core/attacks/lab';
import { mergeAttack } from '../src/core/attacks/merge';
import type { AttackContext } from '../src/core/attacks/attack';
import type { ComputeBackend } from '../src/core/compute';
import { argmaxRows } from '../src/core/forward';
import { outputWidth, type DenseNetwork } from '../src/core/network';
import { drawNoise } from '../src/core/perturbations/noise';
import { multiplicativeNoise } from '../src/core/perturbations/multiplicative';
import { Rng } from '../src/core/rng';
import { createCompute } from '../src/engine/compute';
import { nodeFileReader } from '../src/engine/nodeFileReader';
import { readModel } from '../src/engine/protect/originalModel';
import { readDataset } from '../src/formats/data/dataset';

/** Accuracy on the evaluation half, as the lab measures it. */
async function accuracyOn(compute: ComputeBackend, network: DenseNetwork, e: { x: Float32Array; rows: number; labels: Int32Array }): Promise<number> {
  const predicted = argmaxRows(await compute.forward(network, e.x, e.rows), e.rows, outputWidth(network));
  let hits = 0;
  for (let r = 0; r < e.rows; r++) if (predicted[r] === e.labels[r]) hits++;
  return hits / e.rows;
}

export async function toolSpread(protectedPath: string, originalPath: string, dataPath: string, labelsPath: string, seeds: readonly number[]) {
  const p = (await readModel(protectedPath)).model.network;
  const o = (await readModel(originalPath)).model.network;
  const data = await readDataset(resolve(dataPath), resolve(labelsPath), nodeFileReader, o.inputs);
  const labels = data.labels!;
  // The split of src/engine/protect/attackLab.ts: first half the attacker's, second half evaluation.
  const half = Math.floor(data.rows / 2);
  const part = (from: number, to: number) => ({ x: data.x.subarray(from * o.inputs, to * o.inputs), rows: to - from, labels: labels.subarray(from, to) });
  const attacker = part(0, half);
  const evaluation = part(half, 2 * half);
  const { compute } = await createCompute('auto', { threads: 1 });
  try {
    const accuracy = (n: DenseNetwork) => accuracyOn(compute, n, evaluation);
    const merged = mergeAttack(p);
    const noise: number[] = [];
    for (let r = 0; r < 10; r++) noise.push(await accuracy(multiplicativeNoise(merged, ATTACK_NOISE, drawNoise(merged, new Rng(r).fork('noise')))));
    const head: Record<'protected' | 'original', number[]> = { protected: [], original: [] };
    for (const seed of seeds) {
      // The context runAttackLab gives the attack (src/core/attacks/lab.ts).
      const rng = new Rng(seed).fork('attacks');
      for (const [which, network] of [['protected', p], ['original', o]] as const) {
        const context: AttackContext = { compute, ...attacker, original: o, score: accuracy, rng: rng.fork(`head-retrain/${which}`) };
        head[which].push(await accuracy(await headRetrainAttack.run(network, context)));
      }
    }
    const stats = (v: number[]) => {
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      const std = v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)) : 0;
      return { values: v, mean, std, min: Math.min(...v), max: Math.max(...v) };
    };
    return {
      engine: compute.description,
      merge: { widths: merged.layers.map((l) => l.units), accuracy: await accuracy(merged), noiseAccuracy: stats(noise) },
      headRetrain: { protected: stats(head.protected), original: stats(head.original) },
    };
  } finally {
    await compute.dispose();
  }
}

if (require.main === module) {
  const [protectedPath, originalPath, dataPath, labelsPath, seedList = '1,2,3,4,5'] = process.argv.slice(2);
  if (!labelsPath) {
    console.error('usage: npx tsx crosscheck/toolSpread.ts <protected model.json> <original model.json> <x.npy> <y.npy> [seeds]');
    process.exit(2);
  }
  toolSpread(protectedPath!, originalPath!, dataPath!, labelsPath, seedList.split(',').map(Number))
    .then((result) => console.log(JSON.stringify(result, null, 1)))
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
