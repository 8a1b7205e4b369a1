/**
 * `npm run demo:vscode`: MimosaNet in a real VS Code in your browser. Installs what is missing
 * (first run only), builds and packages the extension, installs it into a fresh profile, serves a
 * copy of examples/ with code-server on 127.0.0.1 and prints the URL. Stops on Ctrl+C or after the
 * time limit; the profile and the copy are removed then.
 *
 *   node --import tsx test/e2e/harness/demo.mts [--minutes 60] [--port 0] [--host 127.0.0.1] [--workspace <dir>] [--check]
 *     --workspace  serve this folder instead of a copy of examples/ (protected copies are written into it)
 *     --check      open the workbench once in headless Chromium, save a screenshot, and stop
 *
 * It never listens on anything but a loopback address: code-server runs with --auth none.
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { launchChromium } from './browser.mjs';
import { packageExtension, prepareWorkspace, RESULTS_DIR } from './project.mjs';
import { installExtension, makeProfile, removeProfile, startCodeServer, workbenchUrl } from './server.mjs';
import { ensureTools, SetupError } from './tools.mjs';

function option(name: string, fallback?: string): string | undefined {
  const argv = process.argv.slice(2);
  const i = argv.indexOf(name);
  if (i < 0) return fallback;
  const value = argv[i + 1];
  if (value === undefined || value.startsWith('--')) throw new SetupError(`${name} needs a value`);
  return value;
}

async function main(): Promise<number> {
  const minutes = Number(option('--minutes', process.env.MIMOSANET_DEMO_MINUTES ?? '60'));
  const port = Number(option('--port', '0'));
  const host = option('--host', '127.0.0.1')!;
  const check = process.argv.includes('--check');
  if (!(minutes > 0)) throw new SetupError('--minutes must be a positive number');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new SetupError('--port must be 0 (any free port) or a port number');
  if (!['127.0.0.1', 'localhost', '::1'].includes(host)) {
    throw new SetupError(`--host ${host}: the demo serves VS Code without a password, so it only listens on 127.0.0.1, localhost or ::1 (use an SSH tunnel to reach it from elsewhere)`);
  }

  const started = Date.now();
  const tools = ensureTools();
  const vsixDir = join(process.env.MIMOSANET_E2E_TMP || tmpdir(), `mimosanet-demo-vsix-${process.pid}`);
  const vsix = packageExtension(vsixDir);
  const profile = makeProfile('mimosanet-demo-');
  installExtension(tools, profile, vsix);
  rmSync(vsixDir, { recursive: true, force: true });
  const given = option('--workspace');
  const workspace = given ? resolve(given) : prepareWorkspace(undefined, 'mimosanet-examples-');

  let server;
  try {
    server = await startCodeServer(tools, profile, { folder: workspace, host, port, lifetimeSeconds: minutes * 60, idleTimeoutSeconds: minutes * 60 });
  } catch (e) {
    removeProfile(profile);
    if (!given) rmSync(workspace, { recursive: true, force: true });
    throw e;
  }
  const url = workbenchUrl(server, workspace);
  let cleaned = false;
  const cleanup = async (): Promise<void> => {
    if (cleaned) return;
    cleaned = true;
    await server.stop();
    removeProfile(profile);
    if (!given) rmSync(workspace, { recursive: true, force: true });
  };

  console.log(`
MimosaNet in VS Code (code-server ${tools.version}) is ready after ${((Date.now() - started) / 1000).toFixed(0)} s:

    ${url}

  workspace  ${workspace}${given ? '' : '  (a copy of examples/, removed when the demo stops)'}
  extension  installed from a freshly packaged .vsix into a throw-away profile (${profile.root})
  stops      on Ctrl+C, or by itself after ${minutes} min
  try        the MimosaNet icon in the activity bar; or right-click mnist-mlp/model.json → Protect with MimosaNet
`);

  if (check) {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      await page.goto(url);
      await page.locator('.activitybar a.action-label[aria-label^="MimosaNet"]').waitFor({ timeout: 60_000 });
      const shot = join(RESULTS_DIR, 'demo-check.png');
      await page.screenshot({ path: shot });
      console.log(`check: the workbench loaded with the MimosaNet view container; screenshot ${shot}`);
    } finally {
      await browser.close();
      await cleanup();
    }
    return 0;
  }

  await new Promise<void>((done) => {
    let stopped = false;
    const stop = (why: string): void => {
      if (stopped) return;
      stopped = true;
      console.log(`\n${why}: stopping code-server`);
      done();
    };
    process.on('SIGINT', () => stop('Ctrl+C'));
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGHUP', () => stop('SIGHUP'));
    const limit = setTimeout(() => stop(`time limit of ${minutes} min reached`), minutes * 60_000);
    void server.exited.then(({ code, signal }) => {
      clearTimeout(limit);
      if (!cleaned) stop(`code-server exited (${code ?? signal})`);
    });
  });
  await cleanup();
  return 0;
}

try {
  process.exitCode = await main();
} catch (e) {
  console.error(e instanceof SetupError ? `demo:vscode: ${e.message}` : (e as Error).stack);
  process.exitCode = 2;
}
