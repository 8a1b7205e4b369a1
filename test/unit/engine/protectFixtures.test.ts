import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DEFAULT_OPTIONS } from '../../../src/core/options';
import { protectModel } from '../../../src/engine/protectModel';
import { tfjsLayersFormat } from '../../../src/formats/tfjs/tfjsLayersFormat';
import { nodeFileReader } from '../../../src/engine/nodeFileReader';
import { FIXTURES, LOADABLE_FIXTURES } from '../formats/tfjs/helpers';


/** Every protectable TF.js fixture, end to end: calibrate, write, reload in tfjs, compare. */
const PROTECTABLE = LOADABLE_FIXTURES;

/** Fixtures that must be refused, with the error class protect raises. */
const REFUSED: Record<string, string> = {
  'branching-functional': 'UnsupportedLayerError',
  conv2d: 'UnsupportedLayerError',
  lstm: 'UnsupportedLayerError',
  'activation-after-relu': 'UnsupportedLayerError',
  'graph-model': 'UnsupportedLayerError',
  'quantised-uint8': 'UnsupportedLayerError',
  'truncated-shard': 'ModelFormatError',
  'missing-shard': 'ModelFormatError',
  'corrupt-json': 'ModelFormatError',
  'nan-weights': 'ModelFormatError',
};

describe('protect every TF.js fixture', () => {
  const work = mkdtempSync(join(tmpdir(), 'mimosanet-fixtures-'));
  after(() => rmSync(work, { recursive: true, force: true }));

  it('the tables cover every fixture folder', () => {
    const folders = readdirSync(FIXTURES, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    assert.deepEqual(folders, [...PROTECTABLE, ...Object.keys(REFUSED)].sort());
  });

  for (const name of PROTECTABLE) {
    it(`${name}: equivalence passes in tfjs on the written files`, async () => {
      cpSync(join(FIXTURES, name), join(work, name), { recursive: true });
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

  for (const [name, errorName] of Object.entries(REFUSED)) {
    it(`${name}: refused with ${errorName}, nothing written`, async () => {
      cpSync(join(FIXTURES, name), join(work, name), { recursive: true });
      const before = readdirSync(join(work, name)).sort();
      await assert.rejects(
        protectModel({ modelPath: join(work, name, 'model.json'), force: false, options: { ...DEFAULT_OPTIONS, kinds: [] } }),
        { name: errorName },
      );
      assert.deepEqual(readdirSync(join(work, name)).sort(), before);
    });
  }
});
