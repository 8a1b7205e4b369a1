import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CancelledError } from '../../../src/core/errors';
import { DEFAULT_OPTIONS } from '../../../src/core/options';
import { protectModel } from '../../../src/engine/protectModel';
import { verifyModel } from '../../../src/engine/verifyModel';
import type { JobProgress } from '../../../src/protocol/progress';
import { fixtureDir } from '../../fixtures/tfjsManifest';

// The engine side of "MimosaNet: Verify Protected Model": progress and cancellation (the CLI's
// verify tests cover the outcomes).
describe('verifyModel (the engine job behind the Verify command)', () => {
  const work = mkdtempSync(join(tmpdir(), 'mimosanet-verify-'));
  const out = join(work, 'model.mimosa');
  after(() => rmSync(work, { recursive: true, force: true }));
  before(async () => {
    cpSync(fixtureDir('tfjs-save'), join(work, 'model'), { recursive: true });
    await protectModel({ modelPath: join(work, 'model', 'model.json'), outDir: out, force: false, options: { ...DEFAULT_OPTIONS, kinds: ['int8'], repeats: 1, attacks: false } });
  });

  it('reports its phases in order, ending with the equivalence re-run', async () => {
    const seen: JobProgress[] = [];
    const result = await verifyModel(join(out, 'model.json'), join(out, 'report.json'), { onProgress: (p) => seen.push(p) });
    assert.equal(result.ok, true);
    assert.deepEqual([...new Set(seen.map((p) => p.phase))], ['hashes', 'load', 'equivalence']);
    const fractions = seen.map((p) => p.fraction);
    assert.deepEqual(fractions, [...fractions].sort((a, b) => a - b), 'the bar never goes back');
    assert.equal(fractions.at(-1), 1);
  });

  it('stops with CancelledError when cancelled mid-run, and changes nothing', async () => {
    const weights = join(out, 'model.weights.bin');
    const bytes = readFileSync(weights);
    const controller = new AbortController();
    const run = verifyModel(join(out, 'model.json'), join(out, 'report.json'), {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.phase === 'load') controller.abort();
      },
    });
    await assert.rejects(run, (e: unknown) => e instanceof CancelledError);
    assert.deepEqual(readFileSync(weights), bytes);
  });

  it('a tampered shard is a result (ok false, the file named), not an error', async () => {
    const weights = join(out, 'model.weights.bin');
    const bytes = readFileSync(weights);
    bytes[9] = bytes[9]! ^ 4;
    writeFileSync(weights, bytes);
    const result = await verifyModel(join(out, 'model.json'), join(out, 'report.json'));
    assert.equal(result.ok, false);
    assert.deepEqual(result.files.filter((f) => !f.ok).map((f) => f.name), ['model.weights.bin']);
  });
});
