/**
 * What a new user meets before and around the first run, in a real VS Code (code-server +
 * Chromium): the extension's page (user README with its images, icon, changelog), the
 * "Protect your first model" walkthrough clicked through to a report, and `npm run demo:vscode`
 * started at a real terminal (a pseudo-terminal: vsce asks questions only on a TTY).
 *
 *   npm run test:e2e                                       (everything)
 *   node --import tsx --test test/e2e/marketplace.test.mts (this file; packages the extension
 *                                                          unless MIMOSANET_E2E_VSIX names a .vsix)
 *
 * The README's images are absolute URLs into the repository (vsce rewrites README.vsix.md's
 * relative links against package.json's `repository`), because the extension page shows https
 * images only. This machine has no network, so the browser context answers those URLs with the
 * same files from the working tree: the test sees the exact URLs the page asks for and that each
 * resolves to a committed file. Screenshots go to test-results/e2e/marketplace/;
 * MIMOSANET_E2E_SCREENSHOTS=1 also copies the details page to media/screenshots/ and the
 * walkthrough's step images to media/walkthrough/.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { launchChromium } from './harness/browser.mjs';
import { RESULTS_DIR, ROOT } from './harness/project.mjs';
import { workbenchUrl } from './harness/server.mjs';
import { startWorkbench, stopWorkbench, workbenchSession } from './harness/session.mjs';
import { type ElementLike, screenshotOnFailure, until, type WindowLike, Workbench } from './workbench.mjs';

const ARTIFACTS = join(RESULTS_DIR, 'marketplace');
const SCREENSHOTS = process.env.MIMOSANET_E2E_SCREENSHOTS === '1';
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  displayName: string;
  repository: { url: string };
  contributes: { walkthroughs: { title: string; steps: { id: string; title: string; media: { image: string } }[] }[] };
};
const WALKTHROUGH = pkg.contributes.walkthroughs[0]!;
/** Where vsce points the README's relative image links: the repository's files at HEAD. */
const IMAGES_BASE = `${pkg.repository.url.replace(/\.git$/, '')}/raw/HEAD/`;

let browser: Browser | undefined;
let context: BrowserContext;
let page: Page;
let wb: Workbench;
const session = workbenchSession('marketplace');
/** Repository-relative paths the extension page asked for under IMAGES_BASE. */
const imageRequests: string[] = [];

/** Runs a test step, with a screenshot if it fails. */
const step = (t: TestContext, body: () => Promise<void>): Promise<void> => screenshotOnFailure(t, wb, body);

/** Images of a frame: source, natural size and alt text. */
function images(frame: Frame | Page): Promise<{ src: string; width: number; alt: string }[]> {
  return frame.evaluate(() =>
    Array.from((globalThis as unknown as WindowLike).document.querySelectorAll('img')).map((img) => {
      const el = img as unknown as ElementLike & { naturalWidth: number; complete: boolean };
      return { src: el.getAttribute('src') ?? '', width: el.complete ? el.naturalWidth : 0, alt: el.getAttribute('alt') ?? '' };
    }),
  );
}

function copyScreenshot(from: string, to: string): void {
  if (!SCREENSHOTS) return;
  mkdirSync(join(to, '..'), { recursive: true });
  copyFileSync(from, to);
}

describe('the extension page and the first-run walkthrough in the real workbench', { timeout: 900_000 }, () => {
  before(async () => {
    rmSync(ARTIFACTS, { recursive: true, force: true });
    const server = await startWorkbench(session);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 860 }, deviceScaleFactor: 1 });
    await context.route(`${IMAGES_BASE}**`, async (route) => {
      const rel = decodeURIComponent(route.request().url().slice(IMAGES_BASE.length));
      imageRequests.push(rel);
      const file = join(ROOT, rel);
      if (!rel.split('/').includes('..') && existsSync(file)) await route.fulfill({ status: 200, contentType: 'image/png', body: readFileSync(file) });
      else await route.fulfill({ status: 404, body: 'not in the repository' });
    });
    page = await context.newPage();
    wb = new Workbench(page, ARTIFACTS);
    await page.goto(workbenchUrl(server, session.workspace!));
    await wb.ready('MimosaNet');
  }, { timeout: 600_000 });

  after(() => stopWorkbench(session, browser));

  test('the extension page shows the user README with its images, the icon and the changelog', async (t) => {
    await step(t, async () => {
      await wb.runCommand('Extensions: Show Installed Extensions');
      const row = page.locator('.extensions-viewlet .monaco-list-row', { hasText: pkg.displayName }).first();
      await row.waitFor({ timeout: 30_000 });
      await row.click();
      const editor = page.locator('.extension-editor');
      await editor.locator('.header .name', { hasText: pkg.displayName }).waitFor();

      const icon = await until('the extension icon', async () => {
        const found = (await images(page)).find((i) => i.src.includes('media%2Ficon.png') && i.width > 0);
        return found;
      });
      assert.equal(icon.width, 128, 'the 128×128 icon, not the placeholder');

      const readme = await wb.webviewFrame('h2#install, h2', 30_000);
      const text = (await readme.textContent('body')) ?? '';
      assert.match(text, /What it does and does not stop/, 'the user README');
      assert.doesNotMatch(text, /On a fresh clone|npm run test:e2e/, 'not the developer README');
      const shown = await until('every README image loaded', async () => {
        const imgs = await images(readme);
        return imgs.length >= 3 && imgs.every((i) => i.width > 0) && imgs;
      });
      for (const img of shown) assert.ok(img.src.startsWith(IMAGES_BASE), `${img.src} is a repository URL`);
      assert.ok(imageRequests.length >= shown.length, `the page fetched ${imageRequests.join(', ')}`);
      await page.waitForTimeout(500);
      copyScreenshot(await wb.screenshot('details-page'), join(ROOT, 'media', 'screenshots', 'details-page.png'));

      await editor.locator('.navbar .action-label', { hasText: /^Changelog$/i }).click();
      const changelog = await wb.webviewFrame('h2', 30_000);
      await until('the changelog', async () => /Unreleased/.test((await changelog.textContent('body').catch(() => '')) ?? ''));
      await wb.screenshot('changelog');
    });
  });

  test('the walkthrough protects the example in three steps', async (t) => {
    await step(t, async () => {
      await wb.runCommand('Welcome: Open Walkthrough...');
      await wb.quickInput().locator('.monaco-list-row', { hasText: WALKTHROUGH.title }).first().click();
      const container = page.locator('.gettingStartedContainer');
      const steps = container.locator('.getting-started-step');
      await until('the three steps', async () => (await steps.count()) === WALKTHROUGH.steps.length);
      assert.deepEqual((await steps.locator('.step-title').allTextContents()).map((s) => s.trim()), WALKTHROUGH.steps.map((s) => s.title));
      const done = async (): Promise<boolean[]> => steps.evaluateAll((els) => els.map((e) => (e as unknown as ElementLike).getAttribute('aria-checked') === 'true'));
      assert.deepEqual(await done(), [false, false, false]);

      /** Opens the walkthrough (it may have gone back to the Welcome overview), expands step i, checks its image, clicks its button. */
      const open = async (i: number, button: string): Promise<void> => {
        await wb.runCommand('Welcome: Open Walkthrough...');
        await wb.quickInput().locator('.monaco-list-row', { hasText: WALKTHROUGH.title }).first().click();
        const s = steps.nth(i);
        await s.waitFor({ state: 'visible' });
        if ((await s.getAttribute('aria-expanded')) !== 'true') await s.locator('.step-title').click();
        // The step expands with an animation and takes the focus: a click during it would close the quick pick the command opens.
        await page.waitForTimeout(1000);
        const media = container.locator('.getting-started-media img');
        await until(`step ${i + 1}'s image`, async () => media.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth > 0).catch(() => false));
        await s.locator('.button-container a, .button-container button, .monaco-button', { hasText: button }).first().click();
      };

      // 1. Show the models.
      await open(0, 'Show the Models');
      const models = await wb.pane('Models');
      await until('the example model, inspected', async () => (await wb.rowLabels(models)).find((l) => l.startsWith('mnist-mlp/model.json') && /params/.test(l)));
      await page.keyboard.press('Control+P');
      await wb.quickInput().locator('input').fill('mnist-mlp/model.json');
      await wb.quickInput().locator('.monaco-list-row', { hasText: 'model.json' }).first().click();
      await until('model.json in the editor', async () => (await wb.editorTabs()).some((tab) => tab.startsWith('model.json')));
      await models.locator('.monaco-list-row', { hasText: 'mnist-mlp/model.json' }).first().click();
      await page.keyboard.press('ArrowRight');
      await page.waitForTimeout(800);
      await wb.screenshot('walkthrough-1-open-model');
      await page.screenshot({ path: join(ARTIFACTS, 'open-model.png'), clip: { x: 0, y: 36, width: 720, height: 300 } });

      // 2. Protect with the example's data.
      await open(1, 'Protect with MimosaNet');
      const picks = await wb.quickPickLabels();
      const model = picks.find((l) => l.startsWith('mnist-mlp/model.json'));
      if (model) {
        await wb.quickInput().locator('.monaco-list-row', { hasText: 'mnist-mlp/model.json' }).first().click();
        await until('the data quick pick', async () => (await wb.quickPickLabels()).some((l) => l.includes('eval-x.npy')));
      }
      const dataPicks = await wb.quickPickLabels();
      assert.ok(dataPicks.some((l) => l.includes('eval-x.npy') && l.includes('eval-y.npy')), dataPicks.join(' | '));
      await page.waitForTimeout(300);
      const box = await wb.quickInput().boundingBox();
      assert.ok(box);
      await page.screenshot({ path: join(ARTIFACTS, 'protect-model.png'), clip: { x: Math.max(0, box.x - 12), y: 0, width: Math.min(1280, box.width + 24), height: Math.min(860, box.y + box.height + 4) } });
      await wb.quickInput().locator('.monaco-list-row', { hasText: 'eval-x.npy' }).first().click();
      await wb.notifications(/equivalence passed/i).first().waitFor({ timeout: 300_000 });
      const report = await wb.webviewFrame('#app .report-header', 60_000);
      await until('the report to finish', async () => report.$('.badge-pass'), 60_000);
      await wb.clearNotifications();
      await page.waitForTimeout(800);
      await page.screenshot({ path: join(ARTIFACTS, 'report.png'), clip: { x: 350, y: 36, width: 930, height: 620 } });

      // 3. Open the report from the walkthrough.
      await open(2, 'Open Report');
      const reportPicks = await wb.quickPickLabels();
      assert.equal(reportPicks.length, 1, reportPicks.join(' | '));
      await wb.quickInput().locator('.monaco-list-row').first().click();
      await wb.webviewFrame('#app .report-header .badge-pass', 30_000);

      await wb.runCommand('Welcome: Open Walkthrough...');
      await wb.quickInput().locator('.monaco-list-row', { hasText: WALKTHROUGH.title }).first().click();
      await until('every step checked', async () => (await done()).every(Boolean), 15_000);
      // Wide enough for the walkthrough to show the step's image beside the steps.
      await page.setViewportSize({ width: 1600, height: 900 });
      await page.waitForTimeout(800);
      await wb.screenshot('walkthrough-done');
      await page.setViewportSize({ width: 1280, height: 860 });
      for (const s of WALKTHROUGH.steps) copyScreenshot(join(ARTIFACTS, s.media.image.split('/').pop()!), join(ROOT, s.media.image));
    });
  });
});

describe('npm run demo:vscode at a real terminal', { timeout: 600_000 }, () => {
  const script = spawnSync('script', ['--version'], { encoding: 'utf8' });
  const skip = script.status === 0 ? false : 'util-linux `script` is not installed: nothing here can make a pseudo-terminal';

  test('packages, serves the workbench and stops, with no prompt', { skip }, async () => {
    const log: string[] = [];
    // `script` gives the command a pseudo-terminal; its own stdin is empty, so a prompt would wait forever.
    const child = spawn('script', ['-qec', 'npm run demo:vscode -- --check --minutes 5', '/dev/null'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      env: { ...process.env, MIMOSANET_E2E_VSIX: '', npm_config_update_notifier: 'false' },
    });
    child.stdout.on('data', (d: Buffer) => log.push(d.toString()));
    child.stderr.on('data', (d: Buffer) => log.push(d.toString()));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        log.push('\n[test] timed out after 300 s: killing the demo\n');
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* gone */
        }
      }, 300_000);
      child.on('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    const text = log.join('');
    mkdirSync(RESULTS_DIR, { recursive: true });
    const logFile = join(RESULTS_DIR, 'demo-vscode-pty.log');
    writeFileSync(logFile, text);
    assert.doesNotMatch(text, /Do you want to continue/, `vsce prompted (log: ${logFile})`);
    assert.equal(code, 0, `demo:vscode exited with ${code} (log: ${logFile})`);
    assert.match(text, /check: the workbench loaded/);
  });
});
