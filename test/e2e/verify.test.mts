/**
 * "MimosaNet: Verify Protected Model" in the real workbench (code-server + Chromium), driven
 * through its menus and the command palette as a user would. The protected copy is made the way
 * a build pipeline makes one, with the CLI in the workspace, after the workbench is up: the
 * Reports view must pick it up on its own.
 *
 *   node --import tsx --test test/e2e/verify.test.mts   (packages the extension itself unless
 *                                                      MIMOSANET_E2E_VSIX names a .vsix)
 *
 * Screenshots go to test-results/e2e/verify/.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchChromium } from './harness/browser.mjs';
import { RESULTS_DIR, ROOT } from './harness/project.mjs';
import { workbenchUrl } from './harness/server.mjs';
import { startWorkbench, stopWorkbench, workbenchSession } from './harness/session.mjs';
import { screenshotOnFailure, until, Workbench } from './workbench.mjs';

const ARTIFACTS = join(RESULTS_DIR, 'verify');
const MODEL = 'mnist-mlp/model.json';
const COPY = 'model.mimosa/model.json';

let browser: Browser | undefined;
let page: Page;
const session = workbenchSession('verify');
let wb: Workbench;
let example: string;

const step = (t: TestContext, body: () => Promise<void>): Promise<void> => screenshotOnFailure(t, wb, body);

/** The one toast whose text matches, once it is there; its text with whitespace collapsed. */
async function toast(text: RegExp, timeoutMs = 120_000): Promise<{ locator: Locator; text: string }> {
  const locator = wb.notifications(text).first();
  await locator.waitFor({ timeout: timeoutMs });
  const message = locator.locator('.notification-list-item-message').first();
  return { locator, text: ((await message.textContent()) ?? '').replace(/\s+/g, ' ') };
}

/** The text of a notification matching `text`: its toast, or else its entry in the notification centre. */
async function notificationText(text: RegExp): Promise<string> {
  const shown = await toast(text, 20_000).catch(() => undefined);
  if (shown) return shown.text;
  await wb.runCommand('Notifications: Show Notifications');
  const entry = page.locator('.notifications-center .notification-list-item', { hasText: text }).first();
  await entry.waitFor({ timeout: 10_000 });
  const message = ((await entry.locator('.notification-list-item-message').first().textContent()) ?? '').replace(/\s+/g, ' ');
  await page.keyboard.press('Escape');
  return message;
}

/** Clicks a button of a notification toast by its label. */
async function clickAction(notification: Locator, label: string): Promise<void> {
  await wb.clickNotificationAction(notification, label);
}

describe('Verify Protected Model in the real VS Code workbench', { timeout: 900_000 }, () => {
  before(async () => {
    rmSync(ARTIFACTS, { recursive: true, force: true });
    const server = await startWorkbench(session);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 }, deviceScaleFactor: 1 });
    wb = new Workbench(page, ARTIFACTS);
    await page.goto(workbenchUrl(server, session.workspace!));
    await wb.ready('MimosaNet');
    example = join(session.workspace!, 'mnist-mlp');
    // A pipeline's protect run: the CLI, from source, a quick sweep and no attack lab.
    const cli = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'src', 'cli', 'cli.ts'), 'protect', join(example, 'model.json'), '--data', join(example, 'eval-x.npy'), '--labels', join(example, 'eval-y.npy'), '--kinds', 'int8', '--repeats', '1', '--max-samples', '300', '--no-attacks', '--quiet'],
      { cwd: ROOT, encoding: 'utf8', timeout: 300_000 },
    );
    assert.equal(cli.status, 0, `mimosanet protect: ${cli.stderr}`);
  }, { timeout: 600_000 });

  after(() => stopWorkbench(session, browser));

  test('the Reports view picks up the CLI’s report; its context menu verifies the copy: intact and equivalent', async (t) => {
    await step(t, async () => {
      await wb.openActivity('MimosaNet');
      const reports = await wb.pane('Reports');
      await until('the CLI’s report in the Reports view', async () => (await wb.rowLabels(reports)).some((l) => l.startsWith(MODEL)), 60_000);
      const items = await wb.contextMenu(reports.locator('.monaco-list-row').first());
      assert.ok(items.includes('Verify Protected Model'), `report menu: ${items.join(', ')}`);
      await wb.screenshot('01-reports-context-menu');
      await wb.clickMenuItem('Verify Protected Model');
      const done = await toast(/intact and equivalent/);
      assert.match(done.text, new RegExp(`${COPY.replace(/[./]/g, '\\$&')} is intact and equivalent: 2 files match the report`));
      assert.match(done.text, /re-run against the original in @tensorflow\/tfjs [\d.]+ \(cpu backend\) on 300 samples: top-1 agreement 100 %/);
      assert.equal(await done.locator.locator('.monaco-button', { hasText: 'Open Report' }).count(), 1, 'an Open Report action');
      await wb.screenshot('02-verified-equivalent');
      // The notification's action opens the report it checked against.
      await clickAction(done.locator, 'Open Report');
      const frame = await wb.webviewFrame('#app .report-header', 60_000);
      // The header renders before the report's data arrives; wait for the title it sets.
      await until('the report’s title', async () => /mnist-mlp\/model\.json/.test((await frame.textContent('#title')) ?? ''), 30_000);
      await wb.clearNotifications();
    });
  });

  test('the Models view offers Verify on the protected model, not on models without a report', async (t) => {
    await step(t, async () => {
      await wb.openActivity('MimosaNet');
      const models = await wb.pane('Models');
      const row = models.locator('.monaco-list-row', { hasText: MODEL }).first();
      // The row's menu follows its state: Verify appears once discovery has paired it with the report.
      await until('Verify in the protected model’s menu', async () => {
        const items = await wb.contextMenu(row);
        if (items.includes('Verify Protected Model')) return true;
        await wb.dismissMenus();
        return false;
      }, 60_000, 1000);
      await wb.clickMenuItem('Verify Protected Model');
      const done = await toast(/intact and equivalent/);
      assert.match(done.text, /model\.mimosa\/model\.json is intact/, 'the Models-view node checks its protected copy');
      await wb.clearNotifications();
    });
  });

  test('Explorer → Verify on the original says it is not the protected model the report describes, and offers the copy', async (t) => {
    await step(t, async () => {
      await wb.openActivity('Explorer');
      await wb.expandExplorerFolder('mnist-mlp');
      const items = await wb.contextMenu(wb.explorerRow('model.json').first());
      assert.ok(items.includes('Verify Protected Model'), `model.json menu: ${items.join(', ')}`);
      await wb.clickMenuItem('Verify Protected Model');
      const wrong = await toast(/not the protected model/);
      assert.match(wrong.text, /mnist-mlp\/model\.json is not the protected model the report describes: this is the original model the report was made from/);
      assert.match(wrong.text, /Nothing was checked/);
      assert.doesNotMatch(wrong.text, /TAMPERED|intact|equivalent:/);
      await wb.screenshot('03-not-the-protected-model');
      await clickAction(wrong.locator, 'Verify the Protected Copy');
      // The follow-up check takes ~0.3 s: its notification can arrive while the chosen toast is
      // still closing, and then VS Code files it in the notification centre without a toast
      // (seen in CI with the centre open: the notification there, correct, no toast). Either is
      // what the user gets; the centre is looked at when no toast came.
      assert.match(await notificationText(/model\.mimosa\/model\.json is intact and equivalent/), /2 files match the report/);
      await wb.clearNotifications();
    });
  });

  test('command palette → pick the report → a changed byte in the weights is reported as tampered, file named, and logged', async (t) => {
    await step(t, async () => {
      const weights = join(example, 'model.mimosa', 'model.weights.bin');
      const bytes = readFileSync(weights);
      bytes[1000] = bytes[1000]! ^ 0x10;
      writeFileSync(weights, bytes);
      await wb.runCommand('MimosaNet: Verify Protected Model');
      // The palette closes and the command's own quick pick opens: wait for its rows.
      const picks = await until('the reports quick pick', async () => {
        const labels = await wb.quickPickLabels().catch(() => []);
        return labels.some((l) => l.includes(COPY)) && labels;
      });
      assert.ok(picks.every((l) => !l.startsWith('MimosaNet:')), `only reports are offered: ${picks.join(' | ')}`);
      await wb.screenshot('04-palette-quick-pick');
      await wb.quickInput().locator('.monaco-list-row', { hasText: COPY }).first().click();
      const bad = await toast(/TAMPERED/);
      assert.match(bad.text, /model\.mimosa\/model\.json was TAMPERED with: model\.weights\.bin differs from the report \(SHA-256\)/);
      assert.doesNotMatch(bad.text, /model\.json differs/, 'only the changed file is named');
      await wb.screenshot('05-tampered');
      await clickAction(bad.locator, 'Show Log');
      const log = page.locator('.part.panel .view-lines');
      // The editor renders spaces as no-break spaces.
      await until('the verify lines in the MimosaNet log', async () => /BAD model\.weights\.bin \(contents differ/.test(((await log.first().textContent()) ?? '').replace(/\u00a0/g, ' ')), 30_000);
      await wb.screenshot('06-log');
    });
  });
});
