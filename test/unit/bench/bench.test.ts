import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = join(__dirname, '../../..');
// Tests keep the machine's OpenBLAS settings (some machines need them for old OpenBLAS builds).
const SMALL = ['--json', '--workloads', 'forward-protected', '--runs', '1', '--backends', 'js', '--rows', '64', '--inherit-openblas-env'];

/** Runs `npm run bench`'s entry with the given flags, as npm would (tsx), and returns its streams. */
function bench(flags: string[], env: NodeJS.ProcessEnv = process.env): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/bench.ts'), ...flags], { cwd: ROOT, env, encoding: 'utf8', timeout: 180_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('npm run bench', () => {
  it('--json prints only an array of rows of the documented shape', () => {
    const { status, stdout, stderr } = bench(SMALL);
    assert.equal(status, 0, stderr);
    const rows = JSON.parse(stdout) as Record<string, unknown>[];
    assert.ok(Array.isArray(rows));
    const js = rows.find((r) => r.backend === 'js');
    assert.ok(js, `no js row in ${stdout}`);
    for (const row of rows) {
      assert.equal(row.workload, 'forward-protected');
      assert.equal(typeof row.backend, 'string');
      assert.ok(typeof row.seconds === 'number' && row.seconds > 0, `seconds ${String(row.seconds)}`);
      assert.ok(typeof row.gflops === 'number' && row.gflops > 0, `gflops ${String(row.gflops)}`);
      assert.ok(row.ratioToNumpy === null || (typeof row.ratioToNumpy === 'number' && row.ratioToNumpy > 0));
      assert.ok(row.cpuRatioToNumpy === null || (typeof row.cpuRatioToNumpy === 'number' && row.cpuRatioToNumpy > 0));
      assert.equal(row.cpuRatioToNumpy === null, row.ratioToNumpy === null, 'a row has both ratios or neither');
      assert.ok(typeof row.peakMemoryBytes === 'number' && row.peakMemoryBytes > 0);
    }
    // Rows other than js are the numpy reference (present only where python3 has numpy): then every row has a ratio.
    const numpy = rows.find((r) => r.backend === 'numpy');
    if (numpy) {
      assert.equal(numpy.ratioToNumpy, 1);
      assert.equal(numpy.cpuRatioToNumpy, 1);
      assert.equal(typeof js.ratioToNumpy, 'number');
      assert.equal(js.cpuRatioToNumpy, (js.cpuSeconds as number) / (numpy.cpuSeconds as number));
    } else assert.equal(js.ratioToNumpy, null);
  });

  it('runs without numpy: says so and leaves ratios out', () => {
    // A numpy package that fails to import, first on python's path.
    const fake = mkdtempSync(join(tmpdir(), 'mimosanet-no-numpy-'));
    try {
      mkdirSync(join(fake, 'numpy'));
      writeFileSync(join(fake, 'numpy', '__init__.py'), 'raise ImportError("no numpy here")\n');
      const { status, stdout, stderr } = bench(SMALL, { ...process.env, PYTHONPATH: fake });
      assert.equal(status, 0, stderr);
      assert.match(stderr, /numpy not available/);
      const rows = JSON.parse(stdout) as Record<string, unknown>[];
      assert.deepEqual(rows.map((r) => [r.backend, r.ratioToNumpy, r.cpuRatioToNumpy]), [['js', null, null]]);
    } finally {
      rmSync(fake, { recursive: true, force: true });
    }
  });

  it('names a bad flag', () => {
    const { status, stderr } = bench(['--workloads', 'forward-nothing']);
    assert.notEqual(status, 0);
    assert.match(stderr, /--workloads: unknown forward-nothing/);
  });
});
