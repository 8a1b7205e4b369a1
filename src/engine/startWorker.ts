import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread from `dir`: the bundle (dist/worker.js, dist/fragilityWorker.js) when
 * running from dist/, or, when running from source (tests, under tsx), the TypeScript entry
 * through tsx's hooks: the CommonJS one for require, the ESM one for the engines' lazy import().
 * Undefined when neither exists.
 */
export function startWorker(dir: string, bundle: string, source: string): Worker | undefined {
  const bundled = join(dir, bundle);
  if (existsSync(bundled)) return new Worker(bundled);
  const entry = join(dir, source);
  if (!existsSync(entry)) return undefined;
  return new Worker(`require('tsx/cjs'); import('tsx/esm/api').then((api) => { api.register(); require(${JSON.stringify(entry)}); });`, { eval: true });
}
