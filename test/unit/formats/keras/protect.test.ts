import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { UsageError } from '../../../../src/core/errors';
import { DEFAULT_OPTIONS } from '../../../../src/core/options';
import { readOriginal } from '../../../../src/engine/protect/originalModel';
import { protectModel } from '../../../../src/engine/protectModel';
import { kerasFormat as format } from '../../../../src/formats/keras/kerasFormat';
import { diskFiles, KERAS_FIXTURES_DIR, probeInputs } from './helpers';

/** Fast: one int8 sweep, no attack lab, no ownership evidence, 200 samples, the JS engine. */
const FAST = { ...DEFAULT_OPTIONS, kinds: ['int8' as const], repeats: 1, maxSamples: 200, attacks: false, ownership: false, engine: 'js' as const };

describe('protect on Keras files, end to end', () => {
  const work = mkdtempSync(join(tmpdir(), 'mimosanet-keras-protect-'));
  after(() => rmSync(work, { recursive: true, force: true }));

  for (const fixture of ['keras3-sequential-mlp/mlp.keras', 'keras3-sequential-mlp-h5/mlp.h5']) {
    const name = fixture.split('/')[1]!;
    it(`${name}: the protected copy is written atomically, passes, reads back as a MimosaNet copy, and predicts like the original`, async () => {
      const modelPath = join(work, name);
      copyFileSync(join(KERAS_FIXTURES_DIR, fixture), modelPath);
      const outDir = join(work, `${name}.mimosa`);
      const { report, protectedPath } = await protectModel({ modelPath, outDir, force: false, options: FAST });
      assert.equal(report.model.format, 'keras');
      assert.equal(report.equivalence.passed, true);
      assert.equal(report.equivalence.top1Agreement, 1);
      assert.ok(report.equivalence.relDiff <= FAST.tolerance, `relDiff ${report.equivalence.relDiff}`);
      assert.equal(protectedPath, join(outDir, name));
      // Atomic: the staging folder was renamed into place; nothing partial is left beside it.
      assert.deepEqual(readdirSync(work).filter((f) => f.includes('.partial-')), []);
      assert.ok(readdirSync(outDir).includes(name) && readdirSync(outDir).includes('report.json'));

      const original = await format.load(modelPath, diskFiles);
      const copy = await format.load(protectedPath, diskFiles);
      assert.equal(copy.info.producer, 'MimosaNet');
      assert.ok(copy.network.layers[0]!.units > original.network.layers[0]!.units, 'hidden neurons were split');
      // Independently of the report: both files in the format's runtime, on fresh inputs.
      const runtime = await format.createRuntime();
      const rows = 64;
      const x = probeInputs(rows, original.network.inputs, 7);
      const before = await runtime.predict(await format.readFiles(modelPath, diskFiles), x, rows, { logits: true });
      const afterwards = await runtime.predict(await format.readFiles(protectedPath, diskFiles), x, rows, { logits: true });
      const outputs = before.length / rows;
      let maxAbs = 0;
      let maxDiff = 0;
      for (let i = 0; i < before.length; i++) {
        maxAbs = Math.max(maxAbs, Math.abs(before[i]!));
        maxDiff = Math.max(maxDiff, Math.abs(before[i]! - afterwards[i]!));
      }
      assert.ok(maxDiff / maxAbs <= FAST.tolerance, `relDiff on probes ${maxDiff / maxAbs}`);
      const argmax = (v: Float32Array, r: number) => v.subarray(r * outputs, (r + 1) * outputs).reduce((best, value, i, row) => (value > row[best]! ? i : best), 0);
      for (let r = 0; r < rows; r++) assert.equal(argmax(afterwards, r), argmax(before, r), `row ${r}`);
      await assert.rejects(readOriginal(protectedPath), UsageError);
    });
  }
});
