import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DEFAULT_OPTIONS } from '../../../src/core/options';
import { protectModel } from '../../../src/engine/protectModel';
import type { JobProgress } from '../../../src/protocol/progress';
import { fixtureDir } from '../../fixtures/tfjsManifest';

describe('protectModel', () => {
  const work = mkdtempSync(join(tmpdir(), 'mimosanet-engine-'));
  after(() => rmSync(work, { recursive: true, force: true }));

  // Cancel must stop within a second in every phase and leave no staging folder (issue 11).
  for (const phase of ['calibrate', 'equivalence', 'fragility'] as const) {
    it(`a run cancelled during '${phase}' stops within a second and leaves no partial files`, async () => {
      const folder = join(work, `cancel-${phase}`);
      cpSync(fixtureDir('keras2-converter'), folder, { recursive: true });
      const before = readdirSync(work).sort();
      const inFolder = readdirSync(folder).sort();
      const controller = new AbortController();
      let abortedAt = 0;
      let seen = 0;
      const run = protectModel(
        { modelPath: join(folder, 'model.json'), outDir: join(work, `out-${phase}`), force: false, options: { ...DEFAULT_OPTIONS, repeats: 1 } },
        {
          signal: controller.signal,
          onProgress: (p: JobProgress) => {
            // The second message of the phase: mid-work, not at its boundary.
            if (p.phase === phase && ++seen === 2 && !abortedAt) {
              abortedAt = performance.now();
              controller.abort();
            }
          },
        },
      );
      await assert.rejects(run, { name: 'CancelledError' });
      const latency = performance.now() - abortedAt;
      assert.ok(abortedAt > 0, `never reached ${phase}`);
      assert.ok(latency < 1000, `cancel took ${latency.toFixed(0)} ms in ${phase}`);
      assert.deepEqual(readdirSync(work).sort(), before, 'no staging or output folder left');
      assert.deepEqual(readdirSync(folder).sort(), inFolder);
    });
  }

  it('reports progress through every phase and live partial reports', async () => {
    cpSync(fixtureDir('tanh-head'), join(work, 't'), { recursive: true });
    const phases = new Set<string>();
    let partials = 0;
    let lastFraction = 0;
    const result = await protectModel(
      { modelPath: join(work, 't', 'model.json'), force: false, options: { ...DEFAULT_OPTIONS, repeats: 1, kinds: ['multiplicative', 'float16'] } },
      {
        onProgress: (p) => {
          phases.add(p.phase);
          assert.ok(p.fraction >= lastFraction - 1e-9, `progress went back: ${lastFraction} → ${p.fraction}`);
          lastFraction = p.fraction;
        },
        onPartialReport: () => partials++,
      },
    );
    // Probes have no labels: the attack lab still runs the attacks that need none.
    assert.deepEqual([...phases], ['read', 'data', 'calibrate', 'write', 'equivalence', 'fragility', 'attacks', 'report']);
    assert.equal(result.report.attacks?.metric, 'agreement');
    assert.equal(lastFraction, 1);
    assert.ok(partials >= 3);
    assert.ok(existsSync(result.reportPath));
    assert.ok(result.report.equivalence.passed);
    assert.ok(result.report.equivalence.float64MaxAbsDiff < 1e-9, String(result.report.equivalence.float64MaxAbsDiff));
  });

  it('refuses to write into the model’s own folder', async () => {
    cpSync(fixtureDir('tfjs-save'), join(work, 's'), { recursive: true });
    await assert.rejects(
      protectModel({ modelPath: join(work, 's', 'model.json'), outDir: join(work, 's'), force: true, options: DEFAULT_OPTIONS }),
      { name: 'UsageError' },
    );
  });
});
