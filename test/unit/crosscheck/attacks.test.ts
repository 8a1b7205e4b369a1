import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AttackReport, AttackResult } from '../../../src/core/attacks/lab';
import { mergeAttack } from '../../../src/core/attacks/merge';
import { readModel } from '../../../src/engine/protect/originalModel';
import { trainMnistMlp } from '../../../crosscheck/trainModel';
import { runCli } from '../cli/runCli';

/**
 * Issue 8: "the numbers the tool reports for merge and head retraining agree with an
 * independent run on the same file". `mimosanet attack` and crosscheck/attacks.py (numpy only,
 * none of the project's code) run on the same protected file, original file and data split.
 *
 * The model is a small MNIST MLP (784-32-16-10) trained here in a few seconds by
 * crosscheck/trainModel.ts on 2,000 of the example's training digits (seed 7, 3 epochs); the
 * example's held-out eval-x.npy/eval-y.npy are the data (attacker 1,000, evaluation 1,000).
 */
const ROOT = join(__dirname, '../../..');
const EXAMPLE = join(ROOT, 'examples/mnist-mlp');
const SCRIPT = join(ROOT, 'crosscheck/attacks.py');
const PY_SEEDS = [0, 1, 2, 3, 4];

/**
 * Seed-to-seed standard deviation of head-retraining accuracy on this test's model, measured
 * over 40 seeds of each implementation (tool: `npx tsx crosscheck/toolSpread.ts … 1,…,40`,
 * means 0.7759 / 0.8522; numpy: `python3 crosscheck/attacks.py … --seeds 0,…,39`, means
 * 0.7797 / 0.8549), see README "Independent cross-check".
 */
const HEAD_STD = {
  protected: { tool: 0.0208, numpy: 0.0214 },
  original: { tool: 0.0041, numpy: 0.0043 },
};

/**
 * The tool reports one run (its seed) and the numpy side the mean of PY_SEEDS runs: two draws
 * of different seeds agree within 3 standard deviations of their difference,
 * sqrt(σ_tool² + σ_numpy²/n), unless the implementations differ.
 */
function headBand(which: keyof typeof HEAD_STD): number {
  const { tool, numpy } = HEAD_STD[which];
  return 3 * Math.sqrt(tool ** 2 + numpy ** 2 / PY_SEEDS.length);
}

function numpyMissing(): string | false {
  const probe = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
  if (probe.error) return `python3 is not installed (${probe.error.message}): apt-get install python3 python3-numpy`;
  if (probe.status !== 0) return 'numpy is not installed for python3: apt-get install python3-numpy (or pip install numpy)';
  return false;
}

interface Independent {
  evaluationSamples: number;
  widths: { original: number[] };
  merge: {
    widths: number[];
    accuracy: number;
    float32: { samplesThatCouldFlip: number; accuracyTolerance: number };
    noiseAccuracy: { mean: number; std: number; draws: number };
    alignment: { maxAbsDiff: number; layers: { matched: number; maxWeightFromExtraUnits: number }[] };
    original: { widths: number[]; accuracy: number };
  };
  headRetrain: Record<'protected' | 'original', { mean: number; std: number; runs: { accuracy: number }[] }>;
}

describe('independent cross-check of merge and head retraining (numpy)', { skip: numpyMissing(), timeout: 600_000 }, () => {
  let work: string;
  let tool: AttackReport;
  let independent: Independent;
  let toolMergeWidths: number[];
  const data = ['--data', join(EXAMPLE, 'eval-x.npy'), '--labels', join(EXAMPLE, 'eval-y.npy')];

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'mimosanet-crosscheck-'));
    const original = join(work, 'model', 'model.json');
    await trainMnistMlp({ outDir: join(work, 'model'), hidden: [32, 16], seed: 7, epochs: 3, trainDigits: 2000 });
    const protect = await runCli(['protect', original, ...data, '--out', join(work, 'copy'), '--kinds', 'int8', '--no-attacks', '--quiet']);
    assert.equal(protect.code, 0, protect.stderr);
    const copy = join(work, 'copy', 'model.json');
    const attack = await runCli(['attack', copy, '--original', original, ...data, '--json']);
    assert.equal(attack.code, 0, attack.stderr);
    tool = JSON.parse(attack.stdout) as AttackReport;
    toolMergeWidths = mergeAttack((await readModel(copy)).model.network).layers.map((l) => l.units);
    const py = spawnSync('python3', [SCRIPT, '--protected', copy, '--original', original, ...data, '--seeds', PY_SEEDS.join(','), '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
    assert.equal(py.status, 0, py.stderr);
    independent = JSON.parse(py.stdout) as Independent;
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  const attack = (kind: AttackResult['kind']) => tool.attacks.find((a) => a.kind === kind)!;

  it('both sides split the data the same way', () => {
    assert.equal(independent.evaluationSamples, tool.evaluationSamples);
  });

  it('merge: the same layer widths, and the original recovered weight for weight', () => {
    assert.deepEqual(independent.merge.widths, toolMergeWidths);
    assert.deepEqual(independent.merge.original.widths, independent.widths.original);
    // Every original hidden unit has a merged counterpart, equal to float32 precision: the
    // stored copy's weights carry a few float32 roundings (2^-24 relative) of canonical
    // weights of magnitude ≤ 1 (incoming vectors have unit norm); the last layer's are compared
    // as they are.
    const hidden = independent.merge.alignment.layers.slice(0, -1);
    hidden.forEach((layer, l) => {
      assert.equal(layer.matched, independent.widths.original[l]);
      assert.equal(layer.maxWeightFromExtraUnits, 0, `layer ${l}: extra units feed original units`);
    });
    assert.ok(independent.merge.alignment.maxAbsDiff < 2 ** -20, String(independent.merge.alignment.maxAbsDiff));
  });

  it('merge: the same accuracy, within what float32 rounding can change', () => {
    // The tool evaluates its merged network in float32, the numpy side in float64: they may
    // differ only on samples whose top-1 margin is within the worst-case float32 error bound
    // (crosscheck/attacks.py float32_flips), counted per sample.
    const m = attack('merge');
    const tolerance = independent.merge.float32.accuracyTolerance;
    assert.ok(Math.abs(m.accuracyAfter - independent.merge.accuracy) <= tolerance + 1e-12, `tool ${m.accuracyAfter}, numpy ${independent.merge.accuracy}, ± ${tolerance}`);
    assert.ok(Math.abs(m.original.accuracyAfter - independent.merge.original.accuracy) <= tolerance + 1e-12);
    assert.equal(m.accuracyAfter, tool.cleanAccuracy);
  });

  it('merge: the same accuracy under 1e-3 weight noise, within the noise draws’ spread', () => {
    // Different noise draws on each side: the tool's mean of 3, numpy's of `draws`; 3 standard
    // deviations of the difference of the means (σ measured by numpy's draws), plus one sample
    // (the resolution of an accuracy).
    const { mean, std, draws } = independent.merge.noiseAccuracy;
    const band = 3 * std * Math.sqrt(1 / 3 + 1 / draws) + 1 / tool.evaluationSamples;
    const m = attack('merge');
    assert.ok(Math.abs(m.noiseAccuracyAfter - mean) <= band, `tool ${m.noiseAccuracyAfter}, numpy ${mean} ± ${band}`);
  });

  it('head retraining: within the band the two implementations’ seed-to-seed spreads give', () => {
    const h = attack('head-retrain');
    for (const [which, toolAccuracy] of [
      ['protected', h.accuracyAfter],
      ['original', h.original.accuracyAfter],
    ] as const) {
      const band = headBand(which);
      const numpy = independent.headRetrain[which].mean;
      assert.ok(Math.abs(toolAccuracy - numpy) <= band, `${which}: tool ${toolAccuracy}, numpy ${numpy} (mean of ${PY_SEEDS.length}) ± ${band.toFixed(4)}`);
    }
  });
});
