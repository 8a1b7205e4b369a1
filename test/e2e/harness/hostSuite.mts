/**
 * Runs the extension-host Mocha suite (test/vscode) inside a real VS Code: code-server started with
 * the smoke-test driver, the workbench opened in headless Chromium with a `payload` URL parameter
 * naming the extension under development (this repository) and the compiled test index. The
 * extension host runs the tests with the real `vscode` API and reports through
 * `window.codeAutomationLog` (its console) and `window.codeAutomationExit` (its exit code).
 *
 *   node --import tsx test/e2e/harness/hostSuite.mts      (after the tools are installed; npm run test:e2e does both)
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import { launchChromium } from './browser.mjs';
import { compileHostSuite, prepareWorkspace, RESULTS_DIR, ROOT } from './project.mjs';
import { makeProfile, removeProfile, startCodeServer, workbenchUrl } from './server.mjs';
import { type CodeServerTools, ensureTools } from './tools.mjs';

/** Workbench chatter that reaches the same log channel while the suite runs. */
const NOISE = /^(Ignoring fetching additional builtin extensions|Updating additional builtin extensions cache|\[AccountPolicyGate\]|\[AgentHost|\[Service Worker\]|Creating a socket|Resolving connection token|Resolved connection token|\[reconnection-grace-time\])/;

export interface SuiteResult {
  passed: number;
  failed: number;
  skipped: number;
  /** The extension host's exit code (0: every test passed), or null when it never reported one. */
  exitCode: number | null;
  seconds: number;
}

export interface HostSuiteOptions {
  /** Whole-run limit, server start to exit code (default 20 min). */
  timeoutSeconds?: number;
  /** Print every workbench log line, not only the suite's own output. */
  verbose?: boolean;
}

export async function runHostSuite(tools: CodeServerTools, options: HostSuiteOptions = {}): Promise<SuiteResult> {
  const started = Date.now();
  const timeoutSeconds = options.timeoutSeconds ?? 1200;
  const suite = await compileHostSuite();
  const workspace = prepareWorkspace();
  const profile = makeProfile('mimosanet-host-');
  mkdirSync(RESULTS_DIR, { recursive: true });
  const logLines: string[] = [];
  const result: SuiteResult = { passed: 0, failed: 0, skipped: 0, exitCode: null, seconds: 0 };

  const server = await startCodeServer(tools, profile, { folder: workspace, smokeTestDriver: true, lifetimeSeconds: timeoutSeconds + 60 });
  const browser = await launchChromium();
  let timer: NodeJS.Timeout | undefined;
  try {
    const page = await browser.newPage();
    let inSuite = false;
    const exited = new Promise<number>((resolve) => {
      void page.exposeFunction('codeAutomationExit', (code: number) => resolve(code));
      timer = setTimeout(() => resolve(-1), timeoutSeconds * 1000);
    });
    await page.exposeFunction('codeAutomationLog', (level: string, args: unknown[]) => {
      const text = format(...(Array.isArray(args) ? args : [args]));
      logLines.push(`[${level}] ${text}`);
      if (text.startsWith('MIMOSANET_HOST_BEGIN')) {
        inSuite = true;
        return;
      }
      const done = /^MIMOSANET_HOST_RESULT (.*)$/.exec(text);
      if (done) {
        const stats = JSON.parse(done[1]!) as { passes: number; failures: number; pending: number };
        Object.assign(result, { passed: stats.passes, failed: stats.failures, skipped: stats.pending });
        inSuite = false;
        return;
      }
      if ((inSuite && !NOISE.test(text)) || options.verbose || ((level === 'error' || level === 'warn') && /mimosanet/i.test(text))) process.stdout.write(`${text}\n`);
    });
    page.on('pageerror', (e) => logLines.push(`[pageerror] ${e.message}`));

    const authority = `vscode-remote://${server.host}:${server.port}`;
    const payload = [
      ['extensionDevelopmentPath', `${authority}${ROOT}`],
      ['extensionTestsPath', `${authority}${suite.index}`],
    ];
    console.log(`[e2e] extension-host suite: ${suite.files.length} file(s) in code-server ${tools.version} at ${server.url}`);
    await page.goto(workbenchUrl(server, workspace, { payload: JSON.stringify(payload) }));
    const code = await exited;
    result.exitCode = code === -1 ? null : code;
    if (result.exitCode === null) {
      console.log(`[e2e] extension-host suite: no exit code after ${timeoutSeconds} s`);
      result.failed = Math.max(result.failed, 1);
    } else if (result.exitCode !== 0 && result.failed === 0) {
      // The host exited non-zero without a failing test: it crashed, or the suite could not load.
      console.log(`[e2e] extension-host suite: the extension host exited with ${result.exitCode} (no Mocha result); see ${join(RESULTS_DIR, 'vscode-host.log')}`);
      result.failed = 1;
    }
  } finally {
    clearTimeout(timer);
    await browser.close().catch(() => undefined);
    await server.stop();
    writeFileSync(join(RESULTS_DIR, 'vscode-host.log'), `${logLines.join('\n')}\n\n--- code-server ---\n${server.output()}`);
    removeProfile(profile);
    rmSync(workspace, { recursive: true, force: true });
  }
  result.seconds = (Date.now() - started) / 1000;
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await runHostSuite(ensureTools(), { verbose: process.argv.includes('--verbose') });
  console.log(`extension-host: ${result.passed} passed, ${result.failed} failed, ${result.skipped} skipped`);
  process.exit(result.failed || result.exitCode !== 0 ? 1 : 0);
}
