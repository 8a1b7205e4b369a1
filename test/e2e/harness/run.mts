/**
 * `npm run test:e2e`: the extension in a real VS Code (code-server) driven by headless Chromium.
 *
 *   1. setup      Debian packages (as root), Node 24 and code-server into the tools cache (first run only)
 *   2. host       the extension-host Mocha suite of test/vscode, run inside code-server's extension host
 *   3. browser    the packaged .vsix installed into a fresh profile, test/e2e/*.test.mts through the UI
 *
 * Ends with one line `e2e: N passed, N failed` over both stages and exits non-zero when anything
 * failed or could not run.
 *
 *   node --import tsx test/e2e/harness/run.mts [--host-only | --browser-only] [--screenshots] [--verbose]
 *     --screenshots  copy the final light/dark workbench screenshots to media/screenshots/
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runHostSuite, type SuiteResult } from './hostSuite.mjs';
import { packageExtension, RESULTS_DIR, ROOT } from './project.mjs';
import { ensureTools, SetupError, toolsDir } from './tools.mjs';

const args = new Set(process.argv.slice(2));
const runHost = !args.has('--browser-only');
const runBrowser = !args.has('--host-only');
const seconds = (since: number): number => (Date.now() - since) / 1000;

/** Runs test/e2e/*.test.mts with Node's test runner (spec to the console, TAP to a file for the counts). */
function runBrowserTests(vsix: string): SuiteResult {
  const started = Date.now();
  const dir = join(ROOT, 'test', 'e2e');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.test.mts'))
    .sort()
    .map((f) => join('test', 'e2e', f));
  if (!files.length) throw new Error('no browser e2e tests in test/e2e');
  const tap = join(RESULTS_DIR, 'browser.tap');
  rmSync(tap, { force: true });
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...files],
    {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, MIMOSANET_E2E_VSIX: vsix, ...(args.has('--screenshots') ? { MIMOSANET_E2E_SCREENSHOTS: '1' } : {}) },
      timeout: 30 * 60_000,
    },
  );
  const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
  const count = (name: string): number => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  const result: SuiteResult = {
    passed: count('pass'),
    failed: count('fail') + count('cancelled'),
    skipped: count('skipped') + count('todo'),
    exitCode: r.status,
    seconds: seconds(started),
  };
  if (r.status !== 0 && result.failed === 0) {
    console.log(`[e2e] the browser tests exited with ${r.status ?? r.signal} without a failing test: counted as one failure`);
    result.failed = 1;
  }
  return result;
}

function line(name: string, r: SuiteResult): string {
  return `${name}: ${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} skipped` : ''} (${r.seconds.toFixed(0)} s)`;
}

async function main(): Promise<number> {
  const started = Date.now();
  mkdirSync(RESULTS_DIR, { recursive: true });
  const results: [string, SuiteResult][] = [];

  let tools;
  try {
    const setupStarted = Date.now();
    tools = ensureTools();
    console.log(`[e2e] tools ready in ${seconds(setupStarted).toFixed(1)} s (code-server ${tools.version}, cache ${toolsDir()})`);
  } catch (e) {
    console.error(`[e2e] setup failed: ${(e as Error).message}`);
    if (!(e instanceof SetupError)) console.error((e as Error).stack);
    console.log('e2e: 0 passed, 1 failed');
    return 2;
  }

  if (runHost) {
    console.log('\n[e2e] ── extension-host suite (test/vscode) in code-server ──');
    try {
      results.push(['extension-host suite', await runHostSuite(tools, { verbose: args.has('--verbose') })]);
    } catch (e) {
      console.error(`[e2e] extension-host suite could not run: ${(e as Error).stack}`);
      results.push(['extension-host suite', { passed: 0, failed: 1, skipped: 0, exitCode: null, seconds: 0 }]);
    }
  }

  if (runBrowser) {
    console.log('\n[e2e] ── browser e2e (test/e2e) in code-server + Chromium ──');
    try {
      const vsixDir = join(process.env.MIMOSANET_E2E_TMP || tmpdir(), `mimosanet-e2e-vsix-${process.pid}`);
      try {
        results.push(['browser e2e', runBrowserTests(packageExtension(vsixDir))]);
      } finally {
        rmSync(vsixDir, { recursive: true, force: true });
      }
    } catch (e) {
      console.error(`[e2e] browser e2e could not run: ${(e as Error).stack}`);
      results.push(['browser e2e', { passed: 0, failed: 1, skipped: 0, exitCode: null, seconds: 0 }]);
    }
  }

  console.log('');
  for (const [name, r] of results) console.log(`[e2e] ${line(name, r)}`);
  console.log(`[e2e] artifacts (logs, screenshots): ${RESULTS_DIR}; total ${seconds(started).toFixed(0)} s`);
  const total = results.reduce((sum, [, r]) => ({ passed: sum.passed + r.passed, failed: sum.failed + r.failed, skipped: sum.skipped + r.skipped }), { passed: 0, failed: 0, skipped: 0 });
  const bad = total.failed > 0 || results.some(([, r]) => r.exitCode !== 0);
  if (bad && total.failed === 0) total.failed = 1;
  if (!bad && total.passed === 0) {
    console.log('[e2e] no test ran');
    total.failed = 1;
  }
  console.log(`e2e: ${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ''}`);
  return total.failed ? 1 : 0;
}

process.exitCode = await main();
