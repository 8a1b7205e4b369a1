/**
 * Renders the report webview outside VS Code and screenshots it with headless Chromium.
 *
 *   node scripts/build.mjs && node --import tsx test/webview-harness/screenshot.mts [--report out/demo/report.json] [--width 1280] [--out out/harness] [--final]
 *
 * The page is the panel's real HTML (src/extension/reportHtml.ts, same CSP) served from 127.0.0.1,
 * with fakeVscode.js standing in for acquireVsCodeApi and the theme variables. It fails on any
 * console error or CSP violation. Screenshots go to out/harness/ (or --out); --final also writes
 * media/screenshots/report-light.png and report-dark.png, and for a report with an attack lab
 * report-attacks-light.png and report-attacks-dark.png, and for a report with ownership evidence
 * report-ownership-light.png and report-ownership-dark.png. An old report (0.1: sequential-float32
 * check, no field check) is rendered too, as legacy-equivalence-light.png.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import type { ProtectionReport } from '../../src/core/report';
import { reportHtml } from '../../src/extension/reportHtml';
import type { ToWebviewMessage } from '../../src/protocol/webview';

const root = resolve(import.meta.dirname, '../..');
const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const reportPath = option('--report') ?? (existsSync(join(root, 'out/demo/report.json')) ? join(root, 'out/demo/report.json') : join(import.meta.dirname, 'sample-report.json'));
const outDir = resolve(root, option('--out') ?? 'out/harness');
const final = args.includes('--final');
const width = Number(option('--width') ?? 1280);
mkdirSync(outDir, { recursive: true });

const report = JSON.parse(readFileSync(reportPath, 'utf8')) as ProtectionReport;
console.log(`report: ${reportPath}`);

/** Harness theme names → variables captured from a real workbench (see fakeVscode.js). */
const THEME_FILES: Record<string, string> = { light: 'light-modern.json', dark: 'dark-modern.json', 'high-contrast': 'high-contrast.json' };

const types: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.map': 'application/json', '.png': 'image/png' };
const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (url.pathname === '/panel.html') {
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const nonce = randomBytes(16).toString('base64');
    const html = reportHtml({ cspSource: origin, nonce, scriptUri: `${origin}/dist/webview/report.js`, styleUri: `${origin}/dist/webview/report.css` }).replace(
      `<script nonce="${nonce}"`,
      `<script nonce="${nonce}" src="${origin}/test/webview-harness/fakeVscode.js"></script>\n<script nonce="${nonce}"`,
    );
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
    return;
  }
  if (url.pathname === '/test/webview-harness/fakeVscode.js') {
    const themes = Object.fromEntries(
      Object.entries(THEME_FILES).map(([name, file]) => [name, JSON.parse(readFileSync(join(import.meta.dirname, 'themes', file), 'utf8'))]),
    );
    const script = `window.__themes = ${JSON.stringify(themes)};\n${readFileSync(join(import.meta.dirname, 'fakeVscode.js'), 'utf8')}`;
    res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    return;
  }
  if (url.pathname === '/favicon.ico') {
    res.writeHead(204).end(); // the browser asks for one; a webview never does
    return;
  }
  const file = resolve(root, `.${decodeURIComponent(url.pathname)}`);
  const allowed = [join(root, 'dist/webview'), join(root, 'test/webview-harness'), join(root, 'media')];
  if (!allowed.some((dir) => file.startsWith(dir + '/')) || !existsSync(file)) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
});
await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

// playwright's launch() always uses a fresh temporary profile (it refuses --user-data-dir).
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const problems: string[] = [];

/** The page's globals as the harness uses them (this file is type-checked without the DOM library; evaluate() callbacks run in the page, so they cast globalThis inline). */
interface HarnessWindow {
  __posted: Record<string, unknown>[];
  __violations: string[];
  __setTheme(name: string): void;
  postMessage(message: unknown, target: string): void;
}

/** Opens the panel in a theme and waits for its `ready`. */
async function openPanel(theme: string, height = 900): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height }, deviceScaleFactor: 1 });
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`[${theme}] console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`[${theme}] page error: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`[${theme}] HTTP ${r.status()} ${r.url()}`);
  });
  await page.goto(`${base}/panel.html?theme=${theme}`);
  await page.waitForFunction(() => (globalThis as unknown as HarnessWindow).__posted.some((m) => m.type === 'ready'));
  return page;
}

async function post(page: Page, message: ToWebviewMessage): Promise<void> {
  await page.evaluate((m) => (globalThis as unknown as HarnessWindow).postMessage(m, '*'), message);
  await page.waitForTimeout(300);
}

async function checkViolations(page: Page, label: string): Promise<void> {
  const violations = await page.evaluate(() => (globalThis as unknown as HarnessWindow).__violations);
  for (const v of violations) problems.push(`[${label}] CSP violation: ${v}`);
}

/** Clicks a tab's header, as a user does (the Attacks tab is there only for reports with an attack lab). */
async function selectTab(page: Page, name: string): Promise<void> {
  await page.locator('vscode-tab-header', { hasText: new RegExp(`^\\s*${name}\\s*$`) }).click();
  await page.waitForTimeout(400);
}

const shots: string[] = [];
async function shot(page: Page, name: string): Promise<void> {
  const path = join(outDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  shots.push(path);
}

const done: ToWebviewMessage = { type: 'showReport', report, reportPath, status: 'done' };

for (const theme of ['light', 'dark', 'high-contrast']) {
  const page = await openPanel(theme);
  await post(page, done);
  await shot(page, `report-${theme}`);
  await selectTab(page, 'Equivalence');
  await shot(page, `equivalence-${theme}`);
  if (report.attacks) {
    await selectTab(page, 'Attacks');
    await shot(page, `attacks-${theme}`);
  }
  await selectTab(page, 'Ownership');
  await shot(page, report.ownership ? `ownership-${theme}` : `ownership-absent-${theme}`);
  await selectTab(page, 'Details');
  await shot(page, `details-${theme}`);
  await checkViolations(page, theme);
  await page.close();
}

// A run as the extension streams it (src/extension/protectFlow.ts): first only what inspection
// knew (no size, no sample count yet), then the report after the equivalence check (protected
// files still staged), then kinds as they finish. Nothing may read "0", "—" or link a file that
// does not exist yet.
{
  const page = await openPanel('light');
  const initial: Partial<ProtectionReport> = {
    model: { ...report.model, bytes: 0, normalised: [] },
    data: { source: 'file', path: report.data.path, labelsPath: report.data.labelsPath, samples: 0, labelled: true },
  };
  await post(page, { type: 'showReport', report: initial, status: 'running' });
  await post(page, { type: 'runProgress', progress: { phase: 'calibrate', message: 'amplitude 2^4.5: emulated kernel orders', fraction: 0.2 } });
  await shot(page, 'running-start-light');
  const equivalent: Partial<ProtectionReport> = { ...report, verdict: '', fragility: { ...report.fragility, kinds: [] } };
  await post(page, { type: 'showReport', report: equivalent, status: 'running' });
  await post(page, { type: 'runProgress', progress: { phase: 'fragility', message: 'multiplicative original s=0.001', fraction: 0.45 } });
  await shot(page, 'running-equivalence-light');
  await selectTab(page, 'Details');
  await shot(page, 'running-details-light');
  await checkViolations(page, 'running-start');
  await page.close();
}

// A run in progress: three kinds measured so far, progress line, no verdict yet.
{
  const page = await openPanel('dark');
  const partial: Partial<ProtectionReport> = { ...report, verdict: '', fragility: { ...report.fragility, kinds: report.fragility.kinds.slice(0, 3) } };
  await post(page, { type: 'showReport', report: partial, status: 'running' });
  await post(page, { type: 'runProgress', progress: { phase: 'fragility', message: 'finetune-sgd protected: step 30', fraction: 0.56 } });
  await shot(page, 'running-dark');
  // Cancelled afterwards: banner, charts kept.
  await post(page, { type: 'showReport', report: partial, status: 'cancelled', error: { name: 'CancelledError', code: 'CANCELLED', message: 'Cancelled' } });
  await shot(page, 'cancelled-dark');
  await checkViolations(page, 'running');
  await page.close();
}

// Probe inputs and a tripwire caveat: the header must say so plainly.
{
  const page = await openPanel('light');
  const probes: ProtectionReport = {
    ...report,
    data: { source: 'probes', samples: 1000, labelled: false, probeDescription: 'uniform in the per-feature range of the first layer’s calibration, seed 1' },
    construction: { ...report.construction, caveat: 'Tripwire neurons were added: equivalence holds on the calibration data, not on every possible input.' },
    fragility: { ...report.fragility, metric: 'agreement' },
    equivalence: { ...report.equivalence, accuracyOriginal: null, accuracyProtected: null },
  };
  await post(page, { type: 'showReport', report: probes, status: 'done' });
  await page.setViewportSize({ width, height: 520 });
  await page.screenshot({ path: join(outDir, 'probes-light.png') });
  await page.close();
}

// A report of 0.1 (sequential-float32 check, no field check, no trade-off) still renders.
{
  const legacy = JSON.parse(readFileSync(join(root, 'test/unit/webview/fixtures/report-0.1.json'), 'utf8')) as ProtectionReport;
  const page = await openPanel('light');
  await post(page, { type: 'showReport', report: legacy, status: 'done' });
  await selectTab(page, 'Equivalence');
  await shot(page, 'legacy-equivalence-light');
  await selectTab(page, 'Details');
  await shot(page, 'legacy-details-light');
  await checkViolations(page, 'legacy');
  await page.close();
}

// A field check that failed: a runtime row over the tolerance, a runtime left out, the emulated
// worst case within the tolerance but above the search limit. Badges and banner must say so.
if (report.equivalence.field) {
  const field = report.equivalence.field;
  const worst = { ...field.emulated.worst, relDiff: 7.2e-5 };
  const failed: ProtectionReport = {
    ...report,
    equivalence: {
      ...report.equivalence,
      passed: false,
      field: {
        ...field,
        passed: false,
        // The wasm runtime left out (see the note), the cpu runtime failing at the large batch.
        runtimes: field.runtimes.filter((r) => !r.runtime.includes('wasm')).map((r) => (r.batch > 1 ? { ...r, relDiff: 3.1e-4, top1Agreement: 0.9995, passed: false } : r)),
        notes: ['@tensorflow/tfjs-backend-wasm was left out: its .wasm binaries were not found (dist/wasm)'],
        emulated: { ...field.emulated, passed: false, worst, results: field.emulated.results.map((r) => (r.label === worst.label ? worst : r)) },
      },
    },
  };
  for (const theme of ['light', 'dark']) {
    const page = await openPanel(theme);
    await post(page, { type: 'showReport', report: failed, status: 'done' });
    await selectTab(page, 'Equivalence');
    await shot(page, `field-failed-${theme}`);
    await checkViolations(page, `field-failed-${theme}`);
    await page.close();
  }
}

// A panel re-shown (or reloaded) paints from its saved state before the host answers: the
// selected tab, Attacks included, must come back rendered.
{
  const page = await openPanel('light');
  await post(page, done);
  await selectTab(page, report.attacks ? 'Attacks' : 'Details');
  await page.reload();
  await page.waitForFunction(() => (globalThis as unknown as HarnessWindow).__posted.some((m) => m.type === 'ready'));
  await page.waitForTimeout(400);
  const selected = (await page.locator('vscode-tab-header[active]').textContent())?.trim();
  if (selected !== (report.attacks ? 'Attacks' : 'Details')) problems.push(`[restored] the ${selected} tab is selected after a reload`);
  await shot(page, 'restored-light');
  await checkViolations(page, 'restored');
  await page.close();
}

// The Attacks tab comes and goes with the report's attack lab; the selected tab stays put, and
// each row's tooltip is the attack's description.
if (report.attacks) {
  const page = await openPanel('light');
  const active = async (): Promise<string | undefined> => (await page.locator('vscode-tab-header[active]').textContent())?.trim();
  const { attacks, ...withoutLab } = report;
  await post(page, { type: 'showReport', report: withoutLab, status: 'done' });
  if ((await page.locator('vscode-tab-header').count()) !== 4) problems.push('[attacks tab] shown for a report without an attack lab');
  await selectTab(page, 'Details');
  await post(page, done);
  if ((await active()) !== 'Details') problems.push(`[attacks tab] ${await active()} selected after the Attacks tab appeared, not Details`);
  const tooltip = await page.locator('#attacks vscode-table-row').first().getAttribute('title');
  if (tooltip !== attacks.attacks[0]!.description) problems.push(`[attacks tab] row tooltip ${tooltip}`);
  await selectTab(page, 'Attacks');
  await post(page, { type: 'showReport', report: withoutLab, status: 'done' });
  if ((await active()) !== 'Fragility') problems.push(`[attacks tab] ${await active()} selected after the Attacks tab went away`);
  await checkViolations(page, 'attacks-tab');
  await page.close();
}

// The Ownership tab's button asks the host to compare a suspect with this report (the host
// knows which report; the message names none), and is disabled while the run goes on.
if (report.ownership) {
  const page = await openPanel('light');
  await post(page, { type: 'showReport', report, status: 'running' });
  await selectTab(page, 'Ownership');
  if ((await page.locator('#compare-suspect').getAttribute('disabled')) === null) problems.push('[ownership] Compare a Suspect… enabled while running');
  await post(page, done);
  await page.locator('#compare-suspect').click();
  await page.waitForTimeout(200);
  const posted = await page.evaluate(() => (globalThis as unknown as HarnessWindow).__posted);
  const asked = posted.filter((m) => m.type === 'compareSuspect');
  if (asked.length !== 1 || Object.keys(asked[0]!).length !== 1) problems.push(`[ownership] Compare a Suspect… posted ${JSON.stringify(asked)}`);
  await checkViolations(page, 'ownership');
  await page.close();
}

// Theme switch while open: charts must re-colour (compare with report-dark.png).
{
  const page = await openPanel('light');
  await post(page, done);
  await page.evaluate(() => (globalThis as unknown as HarnessWindow).__setTheme('dark'));
  await page.waitForTimeout(400);
  await shot(page, 'switched-to-dark');
  await page.close();
}

// Exports: the HTML the webview builds must render on its own, and the PNG must decode.
{
  const page = await openPanel('light');
  await post(page, done);
  await page.click('#save-html');
  await page.click('#save-png');
  await page.waitForFunction(() => (globalThis as unknown as HarnessWindow).__posted.filter((m) => m.type === 'saveHtml' || m.type === 'savePng').length === 2, null, { timeout: 20_000 });
  const posted = await page.evaluate(() => (globalThis as unknown as HarnessWindow).__posted);
  const html = posted.find((m) => m.type === 'saveHtml') as { html: string; suggestedName: string };
  const png = posted.find((m) => m.type === 'savePng') as { dataUrl: string; suggestedName: string };
  writeFileSync(join(outDir, html.suggestedName), html.html);
  writeFileSync(join(outDir, png.suggestedName), Buffer.from(png.dataUrl.split(',')[1]!, 'base64'));
  console.log(`export: ${html.suggestedName} (${(html.html.length / 1024).toFixed(0)} KiB), ${png.suggestedName}`);
  shots.push(join(outDir, png.suggestedName));
  const exported = await browser.newPage({ viewport: { width, height: 900 } });
  exported.on('console', (m) => problems.push(`[export] console ${m.type()}: ${m.text()}`));
  await exported.setContent(html.html);
  await exported.waitForTimeout(300);
  await exported.screenshot({ path: join(outDir, 'export-html.png'), fullPage: true });
  shots.push(join(outDir, 'export-html.png'));
  await exported.close();
  await page.close();
}

await browser.close();
server.close();

if (final) {
  mkdirSync(join(root, 'media/screenshots'), { recursive: true });
  for (const theme of ['light', 'dark']) copyFileSync(join(outDir, `report-${theme}.png`), join(root, `media/screenshots/report-${theme}.png`));
  console.log('wrote media/screenshots/report-light.png and report-dark.png');
  if (report.attacks) {
    for (const theme of ['light', 'dark']) copyFileSync(join(outDir, `attacks-${theme}.png`), join(root, `media/screenshots/report-attacks-${theme}.png`));
    console.log('wrote media/screenshots/report-attacks-light.png and report-attacks-dark.png');
  }
  if (report.ownership) {
    for (const theme of ['light', 'dark']) copyFileSync(join(outDir, `ownership-${theme}.png`), join(root, `media/screenshots/report-ownership-${theme}.png`));
    console.log('wrote media/screenshots/report-ownership-light.png and report-ownership-dark.png');
  }
}
console.log(shots.map((s) => `screenshot ${s}`).join('\n'));
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log('no console errors, no CSP violations');
