import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DEFAULT_OPTIONS } from '../../../src/core/options';
import { protectModel } from '../../../src/engine/protectModel';
import { tfjsLayersFormat } from '../../../src/formats/tfjs/tfjsLayersFormat';
import { nodeFileReader } from '../../../src/engine/nodeFileReader';
import { fixtureDir, LOADABLE_FIXTURES, REFUSED_FIXTURES } from '../../fixtures/tfjsManifest';

/** Every TF.js fixture of the manifest, end to end: loadable ones are calibrated, written, reloaded in tfjs and compared; refused ones write nothing. */
describe('protect every TF.js fixture', () => {
  const work = mkdtempSync(join(tmpdir(), 'mimosanet-fixtures-'));
  after(() => rmSync(work, { recursive: true, force: true }));

  for (const { name } of LOADABLE_FIXTURES) {
    it(`${name}: equivalence passes in tfjs on the written files`, async () => {
      cpSync(fixtureDir(name), join(work, name), { recursive: true });
      const result = await protectModel({
        modelPath: join(work, name, 'model.json'),
        force: false,
        options: { ...DEFAULT_OPTIONS, kinds: [], maxSamples: 300 },
      });
      const eq = result.report.equivalence;
      assert.equal(eq.passed, true, JSON.stringify(eq));
      assert.equal(eq.top1Agreement, 1);
      assert.ok(eq.relDiff <= 1e-4);
      // The field check: every real runtime at batch 1 and a large batch, every emulated order.
      const field = eq.field!;
      assert.equal(field.passed, true, JSON.stringify(field));
      assert.ok(field.runtimes.some((r) => r.batch === 1) && field.runtimes.some((r) => r.batch > 1));
      assert.ok(field.emulated.worst.relDiff <= 1e-4 / field.emulated.margin);
      // Bounds hold for every order, so they are never below a measured error on the same samples.
      const measured = Math.max(field.emulated.worst.relDiff, ...field.runtimes.map((r) => r.relDiff));
      assert.ok(field.bound.deterministic >= measured, `deterministic bound ${field.bound.deterministic} < measured ${measured}`);
      assert.ok(field.bound.probabilistic >= measured, `probabilistic bound ${field.bound.probabilistic} < measured ${measured}`);
      // The written copy reads back as a dense chain of the same depth (plus an inserted layer for single-Dense models).
      const reread = await tfjsLayersFormat.load(result.protectedPath, nodeFileReader);
      const expectedDepth = result.report.model.layers.length + (result.report.construction.methods.includes('relu-pair-hidden-layer') ? 1 : 0);
      assert.equal(reread.network.layers.length, expectedDepth);
    });
  }

  for (const { name, error, message } of REFUSED_FIXTURES) {
    it(`${name}: refused with ${error}, nothing written`, async () => {
      cpSync(fixtureDir(name), join(work, name), { recursive: true });
      const before = readdirSync(join(work, name)).sort();
      await assert.rejects(
        protectModel({ modelPath: join(work, name, 'model.json'), force: false, options: { ...DEFAULT_OPTIONS, kinds: [] } }),
        (e: unknown) => {
          assert.ok(e instanceof Error && e.name === error, String(e));
          assert.ok(e.message.includes(message), e.message);
          return true;
        },
      );
      assert.deepEqual(readdirSync(join(work, name)).sort(), before);
    });
  }
});
