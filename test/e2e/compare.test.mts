/**
 * "MimosaNet: Compare with Original…" in the real workbench (code-server + Chromium), driven
 * through its menus, quick picks and the command palette as a user would. The protected copy is
 * made with the CLI after the workbench is up (as in verify.test.mts); compare then judges it
 * against the original on the example's own data (8 reference networks: about a minute).
 *
 *   node --import tsx --test test/e2e/compare.test.mts   (packages the extension itself unless
 *                                                       MIMOSANET_E2E_VSIX names a .vsix)
 *
 * Screenshots go to test-results/e2e/compare/.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import type { Browser, Frame, Locator, Page } from 'playwright-core';
import { launchChromium } from './harness/browser.mjs';
import { RESULTS_DIR, ROOT } from './harness/project.mjs';
import { workbenchUrl } from './harness/server.mjs';
import { startWorkbench, stopWorkbench, workbenchSession } from './harness/session.mjs';
import { screenshotOnFailure, until, Workbench } from './workbench.mjs';

const ARTIFACTS = join(RESULTS_DIR, 'compare');
const MODEL = 'mnist-mlp/model.json';
const COPY = 'model.mimosa/model.json';

let browser: Browser | undefined;
let page: Page;
const session = workbenchSession('compare');
let wb: Workbench;
let example: string;

const step = (t: TestContext, body: () => Promise<void>): Promise<void> => screenshotOnFailure(t, wb, body);

/** The one toast whose text matches, once it is there; its text with whitespace collapsed. */
async function toast(text: RegExp, timeoutMs = 240_000): Promise<{ locator: Locator; text: string }> {
  const locator = wb.notifications(text).first();
  await locator.waitFor({ timeout: timeoutMs });
  return { locator, text: ((await locator.textContent()) ?? '').replace(/\s+/g, ' ') };
}

/** Clicks the quick-pick row whose label contains `text`. */
async function pick(text: string): Promise<void> {
  await wb.quickInput().locator('.monaco-list-row', { hasText: text }).first().click();
}

/**
 * Runs Compare from the palette and picks the suspect. The palette closes and the command's own
 * quick pick opens; a focus change while it opens (the preview re-rendering) can close it again,
 * so the whole step is retried.
 */
async function compareFromPalette(suspect: string): Promise<void> {
  await until(`the suspect ${suspect} picked from the palette`, async () => {
    await wb.runCommand('MimosaNet: Compare with Original…');
    const row = wb.quickInput().locator('.monaco-list-row', { hasText: suspect }).first();
    try {
      await row.waitFor({ state: 'visible', timeout: 10_000 });
      await row.click({ timeout: 5000 });
    } catch {
      return false;
    }
    return true;
  }, 90_000, 500);
}

/** The Markdown preview's frame once it shows the comparison (its headline names the verdict). */
async function previewFrame(): Promise<Frame> {
  return until('the comparison in the Markdown preview', async () => {
    const frame = await wb.webviewFrame('h1', 10_000).catch(() => undefined);
    const text = frame ? ((await frame.textContent('body').catch(() => '')) ?? '') : '';
    return /Weight evidence/.test(text) ? frame : undefined;
  }, 60_000, 500);
}

describe('Compare with Original in the real VS Code workbench', { timeout: 900_000 }, () => {
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

  test('the Explorer offers Compare with Original… on model files', async (t) => {
    await step(t, async () => {
      await wb.openActivity('Explorer');
      await wb.expandExplorerFolder('mnist-mlp');
      const items = await wb.contextMenu(wb.explorerRow('model.json').first());
      assert.ok(items.includes('Compare with Original…'), `model.json menu: ${items.join(', ')}`);
      await wb.dismissMenus();
    });
  });

  test('Models view → the protected copy → Compare with Original… → the original and its labelled data → derived, decided by identity or the weights', async (t) => {
    await step(t, async () => {
      await wb.openActivity('MimosaNet');
      const models = await wb.pane('Models');
      const row = models.locator('.monaco-list-row', { hasText: COPY }).first();
      await until('the protected copy in the Models view', async () => {
        if (!(await row.count())) return false;
        const items = await wb.contextMenu(row);
        if (items.includes('Compare with Original…')) return true;
        await wb.dismissMenus();
        return false;
      }, 90_000, 1000);
      await wb.screenshot('01-models-context-menu');
      await wb.clickMenuItem('Compare with Original…');

      const originals = await wb.quickPickLabels();
      assert.ok(!originals.some((l) => l.includes(COPY)), `the suspect is not offered as its own original: ${originals.join(' | ')}`);
      assert.match(originals[0] ?? '', new RegExp(`${MODEL.replace(/[./]/g, '\\$&')}.*the original this copy was protected from`), `the copy's original comes first: ${originals.join(' | ')}`);
      assert.ok(originals.some((l) => l.includes('Browse…')), 'Browse… is offered');
      await wb.screenshot('02-original-quick-pick');
      await pick(MODEL);

      await until('the data quick pick', async () => (await wb.quickPickLabels()).some((l) => l.includes('No data (generated probes)')), 30_000);
      const data = await wb.quickPickLabels();
      const pair = data.find((l) => l.includes('eval-x.npy + eval-y.npy'));
      assert.ok(pair, `the example's data is offered: ${data.join(' | ')}`);
      assert.match(pair, /trains independent references/, 'the picker says what labels are for');
      await wb.screenshot('03-data-quick-pick');
      await pick('eval-x.npy + eval-y.npy');

      await toast(/Comparing model\.mimosa\/model\.json with mnist-mlp\/model\.json/, 60_000);
      const done = await toast(/is derived from|is independent of|Inconclusive/);
      assert.match(done.text, /model\.mimosa\/model\.json is derived from mnist-mlp\/model\.json \(decided by (identity|weights);/, done.text);
      assert.match(done.text, /Save Comparison…/);

      const frame = await previewFrame();
      const body = ((await frame.textContent('body')) ?? '').replace(/\s+/g, ' ');
      assert.match((await frame.textContent('h1')) ?? '', /model\.mimosa\/model\.json is derived from mnist-mlp\/model\.json/);
      assert.match(body, /Verdict: derived · decided by (identical|weights)/);
      for (const heading of ['Weight evidence', 'Function evidence: dark knowledge', 'Data agreement', 'Reference networks']) assert.ok(body.includes(heading), `the preview has ${heading}`);
      assert.match(body, /Units closer than any reference/);
      assert.match(body, /Independent references of that strength reach/);
      assert.match(body, /independent ones on the labels, imitators on the original’s softened probabilities/);
      await wb.screenshot('04-comparison-preview');
      await frame.locator('h2', { hasText: 'Reference networks' }).scrollIntoViewIfNeeded();
      await wb.screenshot('04b-comparison-references');

      // Save Comparison… from the notification: the simple save dialog proposes a path beside the original.
      await done.locator.locator('.monaco-button', { hasText: 'Save Comparison…' }).first().click();
      const input = wb.quickInput().locator('input');
      await input.waitFor({ state: 'visible' });
      // The simple dialog shows the folder first and fills in the proposed name once it has listed it.
      await until('the proposed file name in the save dialog', async () => /model\.mimosa-vs-mnist-mlp\.compare\.json$/.test(await input.inputValue()), 15_000);
      await wb.screenshot('05-save-dialog');
      await input.press('Enter');
      const saved = join(example, 'model.mimosa-vs-mnist-mlp.compare.json');
      await until('the saved comparison', () => existsSync(saved), 30_000);
      const json = JSON.parse(readFileSync(saved, 'utf8')) as { verdict: string; decidedBy: string; schemaVersion: number };
      assert.equal(json.schemaVersion, 2);
      assert.equal(json.verdict, 'derived');
      assert.match(json.decidedBy, /^(identical|weights)$/);
      await wb.clearNotifications();
      // The preview follows the colour theme: the same document in Light Modern.
      await wb.setColorTheme('Light Modern');
      await wb.screenshot('04c-comparison-references-light');
    });
  });

  test('palette → the protected copy → the evidence its protect run recorded → derived, with no data asked and no references trained', async (t) => {
    await step(t, async () => {
      await compareFromPalette(COPY);
      await until('the original quick pick', async () => (await wb.quickPickLabels()).some((l) => l.includes('recorded evidence')), 30_000);
      const originals = await wb.quickPickLabels();
      const recorded = originals.find((l) => l.includes('recorded evidence'));
      assert.match(recorded ?? '', /mnist-mlp\/model\.json.*recorded evidence: no references to train.*model\.mimosa\/report\.json/, originals.join(' | '));
      await wb.screenshot('07-recorded-evidence-quick-pick');
      await pick('recorded evidence');
      const done = await toast(/is derived from|is independent of|Inconclusive/, 120_000);
      assert.match(done.text, /model\.mimosa\/model\.json is derived from mnist-mlp\/model\.json \(decided by (identity|weights);/, done.text);
      const body = await until('the recorded baseline in the preview', async () => {
        const frame = await previewFrame();
        const text = ((await frame.textContent('body')) ?? '').replace(/\s+/g, ' ');
        return /recorded in/.test(text) ? text : undefined;
      }, 60_000, 500);
      assert.match(body, /Reference networks \d+ recorded in .*model\.mimosa\/report\.json/);
      assert.match(body, /Owner’s data none/);
      await wb.screenshot('08-recorded-evidence-preview');
      await wb.clearNotifications();
    });
  });

  test('palette → the original as suspect, the copy as original, no data → the job cancels within a few seconds', async (t) => {
    await step(t, async () => {
      await compareFromPalette(MODEL);
      await until('the original quick pick', async () => (await wb.quickPickLabels()).some((l) => l.includes('Browse…')), 30_000);
      await pick(COPY);
      await until('the data quick pick', async () => (await wb.quickPickLabels()).some((l) => l.includes('No data (generated probes)')), 30_000);
      await pick('No data (generated probes)');
      const running = await toast(/Comparing mnist-mlp\/model\.json with model\.mimosa\/model\.json/, 60_000);
      // Let the job start training before cancelling it.
      await until('a progress message', async () => /reference network/.test((await running.locator.textContent()) ?? ''), 120_000, 250);
      await running.locator.locator('.monaco-button', { hasText: 'Cancel' }).first().click();
      const clicked = Date.now();
      await toast(/was cancelled/, 10_000);
      const seconds = (Date.now() - clicked) / 1000;
      assert.ok(seconds < 3, `cancelled after ${seconds.toFixed(1)} s`);
      await wb.screenshot('06-cancelled');
      await wb.clearNotifications();
    });
  });
});
