/**
 * `npm run bench:ownership`: the ownership cases of the issue (ownership evidence) on a model and
 * its protected copy: suspects derived from the original in every way the attack lab knows, and
 * networks trained independently. The owner's data (references, fingerprints) and the attacker's
 * data (every suspect) are disjoint halves of the labelled data.
 *
 *   npm run bench:ownership [-- <original model> <protected model> <x.npy> <y.npy>] [--json]
 *                           [--training-digits N]
 *
 * `--training-digits N` (MNIST models) adds suspects that trained longer (6,000 steps) on N of
 * the example's own training digits, a stronger attacker than the references: a student
 * distilled from the original's answers and networks trained from scratch.
 *
 * Defaults: the bundled example and the copy `npm run demo` writes to out/demo/.
 */
import { DISTILLATION_TEMPERATURE, distillAttack } from '../../src/core/attacks/distill';
import { finetuneAdamAttack } from '../../src/core/attacks/fineTuneAttacks';
import { headRetrainAttack } from '../../src/core/attacks/headRetrain';
import { mergeAttack } from '../../src/core/attacks/merge';
import type { AttackContext } from '../../src/core/attacks/attack';
import { argmaxRows } from '../../src/core/forward';
import { outputWidth, type DenseNetwork } from '../../src/core/network';
import { buildBaseline, judgeSuspect } from '../../src/core/ownership/compare';
import { scaledArchitecture, trainFresh } from '../../src/core/ownership/references';
import { int8Quantise } from '../../src/core/perturbations/int8';
import { magnitudePrune } from '../../src/core/perturbations/prune';
import { Rng } from '../../src/core/rng';
import { fineTune, softTargets, type SoftTargets } from '../../src/core/fineTune';
import { freshNetwork } from '../../src/core/attacks/train';
import { trainingDigits } from '../../crosscheck/trainModel';
import { createCompute } from '../../src/engine/compute';
import { nodeFileReader } from '../../src/engine/nodeFileReader';
import { readModel } from '../../src/engine/protect/originalModel';
import { readDataset } from '../../src/formats/data/dataset';

async function main(): Promise<void> {
  const given = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--training-digits');
  const [originalPath, protectedPath, xPath, yPath] = given.length
    ? given
    : ['examples/mnist-mlp/model.json', 'out/demo/model.json', 'examples/mnist-mlp/eval-x.npy', 'examples/mnist-mlp/eval-y.npy'];
  const json = process.argv.includes('--json');
  const digitsFlag = process.argv.indexOf('--training-digits');
  const trainingDigitCount = digitsFlag > 0 ? Number(process.argv[digitsFlag + 1]) : 0;
  const original = (await readModel(originalPath!)).model.network;
  const protectedNet = (await readModel(protectedPath!)).model.network;
  const data = await readDataset(xPath!, yPath, nodeFileReader, original.inputs);
  const { compute } = await createCompute('auto', { threads: 1 });
  const half = Math.floor(data.rows / 2);
  const part = (from: number, to: number) => ({ x: data.x.subarray(from * original.inputs, to * original.inputs), rows: to - from, labels: data.labels!.subarray(from, to) });
  const owner = part(0, half);
  const attacker = part(half, 2 * half);
  const accuracy = async (network: DenseNetwork): Promise<number> => {
    const p = argmaxRows(await compute.forward(network, owner.x, owner.rows), owner.rows, outputWidth(network));
    let hits = 0;
    for (let r = 0; r < owner.rows; r++) if (p[r] === owner.labels[r]) hits++;
    return hits / owner.rows;
  };
  const rng = new Rng(2026);
  // The attacker picks snapshots on their own data (they have no other).
  const context = (label: string): AttackContext => ({ compute, ...attacker, original, score: accuracy, rng: rng.fork(label) });
  let started = performance.now();
  const baseline = await buildBaseline(original, owner, compute, 1, { onProgress: (f, m) => process.stderr.write(`  ${(100 * f).toFixed(0)} % ${m}\n`) });
  const baselineSeconds = (performance.now() - started) / 1000;
  const merged = mergeAttack(protectedNet);
  const originalOnAttacker = await compute.forward(original, attacker.x, attacker.rows, { logits: true });
  // A student trained only on the original's probabilities (the lab's distill keeps whichever of
  // its hard and soft students scores better, so this one is measured on its own too).
  const softStudent = async (temperature: number): Promise<DenseNetwork> => {
    const logits = await compute.forward(original, attacker.x, attacker.rows, { logits: true });
    let trained: DenseNetwork | undefined;
    await fineTune(freshNetwork(original, rng.fork('soft/init')), attacker.x, softTargets(logits, attacker.rows, outputWidth(original), temperature), attacker.rows, {
      optimizer: 'adam', learningRate: 1e-3, batchSize: 32, checkpoints: [3000], rng: rng.fork('soft/batches'), onCheckpoint: (_s, n) => (trained = n), compute,
    });
    return trained!;
  };
  const cases: { name: string; expected: 'derived' | 'independent'; network: () => Promise<DenseNetwork> }[] = [
    { name: 'protected copy', expected: 'derived', network: async () => protectedNet },
    { name: 'protected copy, head retrained', expected: 'derived', network: () => headRetrainAttack.run(protectedNet, context('head')) },
    { name: "student distilled from the original (attacker's best of hard and soft)", expected: 'derived', network: () => distillAttack.run(original, context('distill')) },
    { name: `student distilled on soft targets (T = ${DISTILLATION_TEMPERATURE})`, expected: 'derived', network: () => softStudent(DISTILLATION_TEMPERATURE) },
    { name: "student distilled on the original's answers alone", expected: 'derived', network: () => trainFresh(original, { ...attacker, labels: argmaxRows(originalOnAttacker, attacker.rows, outputWidth(original)) }, rng.fork('hard student'), compute, undefined, 3000) },
    { name: 'original pruned 50 %', expected: 'derived', network: async () => magnitudePrune(original, 50) },
    { name: 'original int8-quantised', expected: 'derived', network: async () => int8Quantise(original) },
    { name: 'protected copy merged, then fine-tuned', expected: 'derived', network: () => finetuneAdamAttack.run(merged, context('repair')) },
    { name: 'original fine-tuned (Adam)', expected: 'derived', network: () => finetuneAdamAttack.run(original, context('finetune')) },
    ...[1, 2, 3].map((seed) => ({
      name: `trained from scratch, seed ${seed}`,
      expected: 'independent' as const,
      network: () => trainFresh(scaledArchitecture(original, 1), attacker, rng.fork(`scratch/${seed}`), compute),
    })),
    {
      name: 'trained from scratch, other architecture (2 × width)',
      expected: 'independent',
      network: () => trainFresh(scaledArchitecture(original, 2), attacker, rng.fork('scratch/wide'), compute),
    },
  ];
  if (trainingDigitCount > 0) {
    const digits = trainingDigits(trainingDigitCount);
    const more = { x: digits.x, rows: digits.y.length, labels: digits.y };
    const answers = argmaxRows(await compute.forward(original, more.x, more.rows), more.rows, outputWidth(original));
    const probabilities = softTargets(await compute.forward(original, more.x, more.rows, { logits: true }), more.rows, outputWidth(original), DISTILLATION_TEMPERATURE);
    const longer = (labels: Int32Array | SoftTargets, label: string, scale = 1) => async (): Promise<DenseNetwork> => {
      let trained: DenseNetwork | undefined;
      await fineTune(freshNetwork(scaledArchitecture(original, scale), rng.fork(`${label}/init`)), more.x, labels, more.rows, {
        optimizer: 'adam', learningRate: 1e-3, batchSize: 32, checkpoints: [6000], rng: rng.fork(`${label}/batches`), onCheckpoint: (_s, n) => (trained = n), compute,
      });
      return trained!;
    };
    const n = more.rows.toLocaleString('en');
    cases.push(
      { name: `student distilled on ${n} training digits (answers)`, expected: 'derived', network: longer(answers, 'more/student') },
      { name: `student distilled on ${n} training digits (probabilities)`, expected: 'derived', network: longer(probabilities, 'more/soft') },
      { name: `from scratch on ${n} training digits, seed 1`, expected: 'independent', network: longer(more.labels, 'more/scratch1') },
      { name: `from scratch on ${n} training digits, seed 2`, expected: 'independent', network: longer(more.labels, 'more/scratch2') },
      { name: `from scratch on ${n} training digits, 2 × width`, expected: 'independent', network: longer(more.labels, 'more/wide', 2) },
    );
  }
  const rows = [];
  for (const c of cases) {
    const suspect = await c.network();
    started = performance.now();
    const result = await judgeSuspect(baseline, suspect, compute, owner);
    rows.push({ name: c.name, expected: c.expected, verdict: result.verdict, decidedBy: result.decidedBy, accuracy: await accuracy(suspect), seconds: (performance.now() - started) / 1000, result });
    const fn = result.evidence.function;
    if (!json) console.log(`${c.name.padEnd(42)} ${result.verdict.padEnd(12)} ${result.decidedBy.padEnd(9)} acc ${(await accuracy(suspect)).toFixed(3)}  s ${fn.strength.toFixed(3)} r ${fn.correlation.toFixed(3)} (ind ${fn.expectedIndependent?.toFixed(3) ?? '-'} imi ${fn.expectedImitator?.toFixed(3) ?? '-'} bound ${fn.independentBound?.toFixed(3) ?? '-'})  w-p ${result.evidence.weights?.pValue.toExponential(1) ?? '-'}  L1 ${result.evidence.weights?.layers[0]?.meanSimilarity.toFixed(3) ?? '-'}`);
  }
  await compute.dispose();
  const { points, ...fits } = baseline.calibration;
  const summary = { baselineSeconds, calibration: fits, points: points.map((p) => `${p.role} ${p.strength.toFixed(3)} ${p.correlation.toFixed(3)}`), weightFalsePositives: baseline.weightFalsePositives, references: baseline.references.length };
  if (json) console.log(JSON.stringify({ summary, rows: rows.map(({ result, ...r }) => ({ ...r, reason: result.reason })) }, null, 2));
  else console.log(JSON.stringify(summary));
}

void main();
