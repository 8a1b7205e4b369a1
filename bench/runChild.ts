/** Starts bench/child.ts for one workload and backend and reads back its result. */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ENGINE_V8_FLAGS } from '../src/client/engineProcess';
import type { ChildResult, ChildSpec } from './childProtocol';

const ROOT = join(__dirname, '..');
const CHILD = join(__dirname, 'child.ts');

/** Runs one child (its stdout and stderr go to this process's stderr: progress, never the JSON). */
export async function runChild(spec: Omit<ChildSpec, 'resultFile'>, work: string): Promise<ChildResult> {
  const resultFile = join(work, `child-${spec.workload}-${spec.backend}.json`);
  rmSync(resultFile, { force: true });
  const full: ChildSpec = { ...spec, resultFile };
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [...ENGINE_V8_FLAGS, '--import', 'tsx', CHILD, JSON.stringify(full)], { cwd: ROOT, stdio: ['ignore', 2, 2] });
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0 || !existsSync(resultFile)) throw new Error(`bench child for ${spec.workload} on ${spec.backend} exited with code ${code}`);
  return JSON.parse(readFileSync(resultFile, 'utf8')) as ChildResult;
}
