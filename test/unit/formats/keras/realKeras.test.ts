import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DEFAULT_OPTIONS } from '../../../../src/core/options';
import { protectModel } from '../../../../src/engine/protectModel';
import { KERAS_FIXTURES_DIR } from './helpers';

/**
 * The written files in real Keras 3 (numpy backend, no TensorFlow), from the virtual environment
 * scripts/kerasVenv.sh makes (.ci/run runs it; MIMOSANET_KERAS_VENV names another folder).
 */
const ROOT = join(__dirname, '..', '..', '..', '..');
const VENV = process.env['MIMOSANET_KERAS_VENV'] ?? join(ROOT, '.venv-keras');
const PYTHON = join(VENV, 'bin', 'python');
const SCRIPT = join(__dirname, 'realKeras.py');
const skip = existsSync(PYTHON) ? false : `no Keras venv at ${VENV}: run scripts/kerasVenv.sh to load the written files in real Keras 3`;

/** Fast protect: no sweeps beyond int8, no attack lab, no ownership evidence. */
const FAST = { ...DEFAULT_OPTIONS, kinds: ['int8' as const], repeats: 1, maxSamples: 200, attacks: false, ownership: false, engine: 'js' as const };

interface KerasComparison {
  rows: number;
  maxAbsDiff: number;
  maxAbsOriginal: number;
  top1Agreement: number;
  originalParameters: number;
  protectedParameters: number;
  keras: string;
}

const CASES = [
  ['keras3-sequential-mlp/mlp.keras', 'Keras 3 Sequential .keras'],
  ['keras3-sequential-mlp-h5/mlp.h5', 'Keras 3 Sequential .h5'],
  ['keras3-functional-bn/scorer.keras', 'Keras 3 functional with BatchNormalization, .keras'],
  ['keras3-functional-bn-h5/scorer.h5', 'Keras 3 functional with BatchNormalization, .h5'],
  // keras2-style-h5/model.h5 is left out: Keras 3.15 cannot run that original itself (its legacy
  // batch_input_shape loads as an input of shape (None, None, 5)).
  ['../../../examples/keras-mlp/model.keras', 'examples/keras-mlp (written by make.ts)'],
] as const;

describe('protected Keras files in real Keras 3', { skip }, () => {
  const work = mkdtempSync(join(tmpdir(), 'mimosanet-real-keras-'));
  after(() => rmSync(work, { recursive: true, force: true }));

  for (const [fixture, what] of CASES) {
    it(`${what}: original and protected copy load in Keras and agree (top-1 on every row, max |Δ| within the tolerance)`, async () => {
      const name = fixture.split('/').pop()!;
      const modelPath = join(work, `${fixture.split('/').at(-2)}-${name}`);
      copyFileSync(join(KERAS_FIXTURES_DIR, fixture), modelPath);
      const { report, protectedPath } = await protectModel({ modelPath, outDir: `${modelPath}.mimosa`, force: false, options: FAST });
      assert.equal(report.equivalence.passed, true);
      const output = execFileSync(PYTHON, [SCRIPT, modelPath, protectedPath, '64', '1'], { env: { ...process.env, KERAS_BACKEND: 'numpy' }, encoding: 'utf8', timeout: 120_000 });
      const result = JSON.parse(output.trim().split('\n').pop()!) as KerasComparison;
      console.log(`  real Keras ${result.keras}, ${what}: ${result.originalParameters} → ${result.protectedParameters} parameters, max |Δ| ${result.maxAbsDiff.toExponential(2)} (max |output| ${result.maxAbsOriginal.toPrecision(3)}), top-1 ${result.top1Agreement}`);
      // The copy Keras loaded is the protected network (BatchNormalization folded, neurons split).
      assert.equal(result.protectedParameters, report.protected.parameters);
      assert.equal(result.top1Agreement, 1);
      assert.ok(result.maxAbsDiff <= FAST.tolerance * result.maxAbsOriginal, `max |Δ| ${result.maxAbsDiff} over ${FAST.tolerance} × ${result.maxAbsOriginal}`);
    });
  }
});
