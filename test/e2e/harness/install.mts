/**
 * Installs (or checks) the e2e tools without running anything: Debian packages when root, Node 24
 * and code-server into the tools cache. `npm run test:e2e` and `npm run demo:vscode` do this themselves.
 *
 *   node --import tsx test/e2e/harness/install.mts
 */
import { ensureTools, SetupError, toolsDir } from './tools.mjs';

const started = Date.now();
try {
  const tools = ensureTools();
  console.log(`code-server ${tools.version} with ${tools.node} in ${toolsDir()} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
} catch (e) {
  console.error(e instanceof SetupError ? e.message : (e as Error).stack);
  process.exitCode = 2;
}
