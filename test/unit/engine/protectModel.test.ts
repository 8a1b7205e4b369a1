import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DEFAULT_OPTIONS } from '../../../src/engine/defaults';
import { protectModel } from '../../../src/engine/protectModel';
import type { JobProgress } from '../../../src/protocol';

const FIXTURES = join(__dirname, '../../fixtures/tfjs');

describe('protectModel', () => {
  const work = mkdtempSync(join(tmpdir(), 'mimosanet-engine-'));
  after(() => rmSync(work, { recursive: true, force: true }));

  it('a cancelled run stops promptly and leaves no partial files', async () => {
    cpSync(join(FIXTURES, 'keras2-converter'), join(work, 'm'), { recursive: true });
    const before = readdirSync(join(work, 'm')).sort();
    const controller = new AbortController();
    const phases: string[] = [];
    const run = protectModel(
      { modelPath: join(work, 'm', 'model.json'), force: false, options: { ...DEFAULT_OPTIONS, repeats: 1 } },
      {
        signal: controller.signal,
        onProgress: (p: JobProgress) => {
          phases.push(p.phase);
          if (p.phase === 'fragility') controller.abort();
        },
      },
    );
    await assert.rejects(run, { name: 'CancelledError' });
    assert.ok(phases.includes('write'), 'cancelled after files were staged');
    assert.deepEqual(readdirSync(join(work, 'm')).sort(), before);
  });

  it('reports progress through every phase and live partial reports', async () => {
    cpSync(join(FIXTURES, 'tanh-head'), join(work, 't'), { recursive: true });
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
    assert.deepEqual([...phases], ['read', 'data', 'calibrate', 'write', 'equivalence', 'fragility', 'report']);
    assert.equal(lastFraction, 1);
    assert.ok(partials >= 3);
    assert.ok(existsSync(result.reportPath));
    assert.ok(result.report.equivalence.passed);
    assert.ok(result.report.equivalence.float64MaxAbsDiff < 1e-9, String(result.report.equivalence.float64MaxAbsDiff));
  });

  it('refuses to write into the model’s own folder', async () => {
    cpSync(join(FIXTURES, 'tfjs-save'), join(work, 's'), { recursive: true });
    await assert.rejects(
      protectModel({ modelPath: join(work, 's', 'model.json'), outDir: join(work, 's'), force: true, options: DEFAULT_OPTIONS }),
      { name: 'UsageError' },
    );
  });
});
