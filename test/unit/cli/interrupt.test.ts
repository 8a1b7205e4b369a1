import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { labelledModel } from './labelledModel';
import { runCli } from './runCli';

/**
 * Ctrl-C on `attack` and `compare` as a user sends it: the CLI runs as its own process (from
 * source), the job in its engine process; SIGINT reaches the CLI once the job reports progress.
 * It must exit 130 saying so (the engine answers the cancel, or is killed after a grace period).
 */
const CLI = join(__dirname, '..', '..', '..', 'src', 'cli', 'cli.ts');

function interrupted(args: string[]): Promise<{ code: number | null; stderr: string; afterSigint: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let sentAt = 0;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += String(chunk);
      if (!sentAt && /\d+% (attacks|references):/.test(stderr)) {
        sentAt = performance.now();
        child.kill('SIGINT');
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stderr, afterSigint: sentAt ? performance.now() - sentAt : NaN }));
  });
}

describe('Ctrl-C on attack and compare', () => {
  let work: string;
  let data: string[];
  let copy: string;
  let model: string;
  before(async () => {
    ({ work, model } = await labelledModel('mimosanet-interrupt-', 600));
    data = ['--data', join(work, 'x.npy'), '--labels', join(work, 'y.npy')];
    copy = join(work, 'copy', 'model.json');
    const protect = await runCli(['protect', model, ...data, '--out', join(work, 'copy'), '--kinds', 'int8', '--no-attacks', '--no-ownership', '--quiet']);
    assert.equal(protect.code, 0, protect.stderr);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  for (const command of ['attack', 'compare'] as const) {
    it(`${command}: exit 130 and "cancelled" once the job is under way`, async (t) => {
      const { code, stderr, afterSigint } = await interrupted([command, copy, '--original', model, ...data]);
      assert.equal(code, 130, stderr);
      assert.match(stderr, /cancel/i);
      // How fast is for benchmarks, not tests (shared machines); the figure is logged.
      t.diagnostic(`exited ${Math.round(afterSigint)} ms after SIGINT`);
    });
  }
});
