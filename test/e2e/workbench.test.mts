/**
 * End-to-end tests of the packaged extension in a real VS Code workbench: code-server (VS Code
 * 1.139 from npm) with the .vsix installed into a fresh profile, driven through its UI by headless
 * Chromium with playwright-core. Nothing here calls the extension's API: every step is a click, a
 * key press or a look at the screen, as a user would do it.
 *
 *   npm run test:e2e                                   (installs the tools, builds, packages, runs everything)
 *   node --import tsx --test test/e2e/workbench.test.mts   (this file alone; packages the extension itself
 *                                                        unless MIMOSANET_E2E_VSIX names a .vsix)
 *
 * Screenshots go to test-results/e2e/workbench/; MIMOSANET_E2E_SCREENSHOTS=1 also copies the final
 * light and dark ones to media/screenshots/.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import type { Browser, Frame, Page } from 'playwright-core';
import { launchChromium } from './harness/browser.mjs';
import { RESULTS_DIR, ROOT } from './harness/project.mjs';
import { workbenchUrl } from './harness/server.mjs';
import { startWorkbench, stopWorkbench, workbenchSession } from './harness/session.mjs';
import { type CanvasLike, type ElementLike, screenshotOnFailure, until, type WindowLike, Workbench } from './workbench.mjs';

const ARTIFACTS = join(RESULTS_DIR, 'workbench');
const MODEL = 'mnist-mlp/model.json';
/** Theme picker labels (the workbench starts in Dark Modern, see harness/server.mts). */
const THEMES = { dark: 'Dark Modern', light: 'Light Modern' } as const;

let browser: Browser | undefined;
let page: Page;
const session = workbenchSession('workbench');
let wb: Workbench;
/** The repository's own examples/…/model.mimosa/report.json (normally absent): the tests must leave it as it was. */
const examplesReport = (): string | undefined => {
  try {
    return readFileSync(join(ROOT, 'examples', 'mnist-mlp', 'model.mimosa', 'report.json'), 'utf8');
  } catch {
    return undefined;
  }
};
const examplesReportBefore = examplesReport();
/** Problems the report webview reported (console errors, CSP violations, page errors). */
const webviewProblems: string[] = [];

/** Runs a test step, with a screenshot if it fails. */
const step = (t: TestContext, body: () => Promise<void>): Promise<void> => screenshotOnFailure(t, wb, body);

/** The report panel's content frame (looked up afresh: a re-rendered webview gets a new frame). */
function reportFrame(timeoutMs?: number): Promise<Frame> {
  return wb.webviewFrame('#app .report-header', timeoutMs);
}

/** Pixel statistics of every chart canvas in the report: drawn (non-transparent) pixels and distinct colours. */
async function chartPixels(): Promise<{ kind: string; width: number; height: number; drawn: number; colours: number }[]> {
  const frame = await reportFrame();
  return frame.evaluate(() =>
    Array.from((globalThis as unknown as WindowLike).document.querySelectorAll('#charts figure[data-kind]')).map((figure) => {
      const canvas = figure.querySelector('canvas') as unknown as CanvasLike | null;
      const result = { kind: figure.getAttribute('data-kind') ?? '?', width: canvas?.width ?? 0, height: canvas?.height ?? 0, drawn: 0, colours: 0 };
      const ctx = canvas?.getContext('2d');
      if (!canvas || !ctx || !canvas.width || !canvas.height) return result;
      const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      const colours = new Set<number>();
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3]! < 16) continue;
        result.drawn++;
        // Quantised so anti-aliasing does not count every shade.
        colours.add(((data[i]! >> 4) << 8) | ((data[i + 1]! >> 4) << 4) | (data[i + 2]! >> 4));
      }
      result.colours = colours.size;
      return result;
    }),
  );
}

/** Switches the colour theme with the theme picker and waits for workbench and report to follow. */
async function switchTheme(kind: keyof typeof THEMES): Promise<void> {
  await wb.setColorTheme(THEMES[kind]);
  const workbenchClass = kind === 'light' ? 'vs' : 'vs-dark';
  await until(`the workbench in the ${kind} theme`, () =>
    page.evaluate((cls) => (globalThis as unknown as WindowLike).document.querySelector('.monaco-workbench')?.className.split(/\s+/).includes(cls) ?? false, workbenchClass),
  );
  await until(`the report in the ${kind} theme`, async () => {
    const frame = await reportFrame();
    return frame.evaluate((cls) => (globalThis as unknown as WindowLike).document.body.className.split(/\s+/).includes(cls), `vscode-${kind}`);
  });
  await page.waitForTimeout(800); // charts re-colour on the theme change
}

/** Relative luminance (0–1) of a CSS rgb()/rgba() colour. */
function luminance(css: string): number {
  const [r, g, b] = (css.match(/[\d.]+/g) ?? ['0', '0', '0']).slice(0, 3).map(Number);
  return (0.2126 * r! + 0.7152 * g! + 0.0722 * b!) / 255;
}

describe('MimosaNet in the real VS Code workbench (code-server + Chromium)', { timeout: 900_000 }, () => {
  before(async () => {
    rmSync(ARTIFACTS, { recursive: true, force: true });
    const server = await startWorkbench(session);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 }, deviceScaleFactor: 1 });
    page.on('console', (m) => {
      const url = m.location().url;
      if ((m.type() === 'error' || /Content Security Policy/i.test(m.text())) && /vscode-cdn|webview|vscode-resource/.test(url)) webviewProblems.push(`console ${m.type()}: ${m.text()} (${url})`);
    });
    page.on('pageerror', (e) => {
      if (/mimosanet|report\.js/i.test(`${e.message}\n${e.stack ?? ''}`)) webviewProblems.push(`page error: ${e.message}`);
    });
    wb = new Workbench(page, ARTIFACTS);
    await page.goto(workbenchUrl(server, session.workspace!));
    await wb.ready('MimosaNet');
  }, { timeout: 600_000 });

  after(() => stopWorkbench(session, browser));

  test('the MimosaNet activity-bar view lists the example model', async (t) => {
    await step(t, async () => {
      await wb.openActivity('MimosaNet');
      const models = await wb.pane('Models');
      // The row appears at once; its parameter count once the model has been inspected.
      const row = await until('the example model, inspected, in the Models view', async () => (await wb.rowLabels(models)).find((l) => l.startsWith(MODEL) && /params/.test(l)));
      assert.match(row, /TensorFlow\.js Layers/);
      assert.match(row, /109,386 params/);
      // The other formats' examples, inspected too: ONNX by the host's own reader, Keras in the HDF5 worker.
      for (const [file, format] of [['onnx-mlp/model.onnx', /ONNX/], ['keras-mlp/model.keras', /Keras/]] as const) {
        const other = await until(`${file}, inspected, in the Models view`, async () => (await wb.rowLabels(models)).find((l) => l.startsWith(file) && /params/.test(l)));
        assert.match(other, format);
        assert.match(other, /109,386 params/);
      }
      const reports = await wb.pane('Reports');
      assert.deepEqual(await wb.rowLabels(reports), [], 'no report before the first protect run');
      await wb.screenshot('01-models-view');
    });
  });

  test('the Explorer context menu has no "Protect with MimosaNet" on a file that is not a model', async (t) => {
    await step(t, async () => {
      await wb.openActivity('Explorer');
      await wb.expandExplorerFolder('mnist-mlp');
      for (const name of ['eval-y.npy', 'README.md']) {
        const items = await wb.contextMenu(wb.explorerRow(name));
        assert.ok(items.includes('Copy Path'), `the context menu of ${name} opened: ${items.join(', ')}`);
        assert.ok(!items.includes('Protect with MimosaNet'), `${name} offers Protect: ${items.join(', ')}`);
        assert.ok(!items.includes('Inspect Model'), `${name} offers Inspect Model`);
        await wb.dismissMenus();
      }
    });
  });

  test('Explorer → Protect with MimosaNet → example data → progress → report panel', async (t) => {
    await step(t, async () => {
      const items = await wb.contextMenu(wb.explorerRow('model.json'));
      assert.ok(items.includes('Protect with MimosaNet'), `model.json menu: ${items.join(', ')}`);
      await wb.screenshot('02-explorer-context-menu');
      await wb.clickMenuItem('Protect with MimosaNet');

      const picks = await wb.quickPickLabels();
      const data = picks.find((l) => l.includes('eval-x.npy') && l.includes('eval-y.npy'));
      assert.ok(data, `the data quick pick offers the example's inputs + labels: ${picks.join(' | ')}`);
      assert.ok(picks.some((l) => /probe inputs/i.test(l)), 'and generated probe inputs');
      await wb.screenshot('03-data-quick-pick');
      const progress = wb.notifications(/Protecting/).first().waitFor({ timeout: 60_000 });
      await wb.quickInput().locator('.monaco-list-row', { hasText: 'eval-x.npy' }).first().click();
      await progress;
      await wb.screenshot('04-progress-notification');

      // The panel opens at once and fills as the run streams partial reports; done when the badge says so.
      const frame = await reportFrame(60_000);
      assert.ok(frame);
      await wb.notifications(/equivalence passed/i).first().waitFor({ timeout: 300_000 });
      await until('the report to finish', async () => (await reportFrame()).$('.badge-pass'), 60_000);
      assert.ok((await wb.editorTabs()).some((tab) => tab.includes('model.json')), 'the report panel is an editor tab named after the model');
    });
  });

  test('the report panel shows the equivalence card with 100 % top-1 agreement', async (t) => {
    await step(t, async () => {
      const frame = await reportFrame();
      assert.equal((await frame.textContent('.badge-pass'))?.trim(), 'equivalent');
      const tiles = await frame.$$eval('#equivalence .tile', (els) =>
        Object.fromEntries(els.map((e) => [(e as unknown as ElementLike).querySelector('.tile-label')?.textContent ?? '', (e as unknown as ElementLike).querySelector('.tile-value')?.textContent ?? ''])),
      );
      assert.equal(tiles['Top-1 agreement'], '100 %', JSON.stringify(tiles));
      assert.match(await frame.textContent('#equivalence .banner.pass') ?? '', /^Equivalent/);
      assert.match((await frame.textContent('#verdict')) ?? '', /\w/, 'a verdict');
      // The Equivalence tab, as a user would open it.
      await frame.locator('vscode-tab-header', { hasText: 'Equivalence' }).click();
      await frame.locator('#equivalence .tile').first().waitFor({ state: 'visible' });
      await wb.clearNotifications();
      await wb.screenshot('05-report-equivalence');
      await frame.locator('vscode-tab-header', { hasText: 'Fragility' }).click();
      await frame.locator('#charts canvas').first().waitFor({ state: 'visible' });
    });
  });

  test('the fragility charts are drawn on their canvases', async (t) => {
    await step(t, async () => {
      const stats = await until('drawn charts', async () => {
        const s = await chartPixels();
        return s.length === 3 && s.every((c) => c.drawn > 0) && s;
      });
      assert.deepEqual(
        stats.map((c) => c.kind),
        ['multiplicative', 'float16', 'prune'],
      );
      for (const c of stats) {
        assert.ok(c.width >= 200 && c.height >= 100, `${c.kind}: canvas ${c.width}×${c.height}`);
        // Axes, labels, two curves and their bands: a good share of the canvas, in several colours.
        assert.ok(c.drawn / (c.width * c.height) > 0.01, `${c.kind}: only ${c.drawn} drawn pixels`);
        assert.ok(c.colours >= 3, `${c.kind}: only ${c.colours} colours`);
      }
      const rows = await (await reportFrame()).$$eval('#summary vscode-table-row', (els) => els.map((el) => (el.textContent ?? '').replace(/\s+/g, ' ').trim()));
      assert.equal(rows.length, 3, 'one summary row per perturbation kind');
      // The table shows the telling point with its unit, and float16 gets a verdict, not "—".
      const [multiplicative, float16, prune] = rows;
      assert.match(multiplicative!, /%.*→.*% at .*% noise/, multiplicative);
      assert.match(float16!, /breaks/, float16);
      assert.match(prune!, /% pruned/, prune);
    });
  });

  test('the Reports view lists the new report', async (t) => {
    await step(t, async () => {
      await wb.openActivity('MimosaNet');
      const reports = await wb.pane('Reports');
      const labels = await until('the report in the Reports view', async () => {
        const l = await wb.rowLabels(reports);
        return l.length > 0 && l;
      });
      assert.equal(labels.length, 1, labels.join(' | '));
      assert.match(labels[0]!, /mnist-mlp|model/);
      const models = await wb.pane('Models');
      assert.ok((await wb.rowLabels(models)).some((l) => l.startsWith(MODEL)), 'the model is still listed');
    });
  });

  test('light and dark themes both render the workbench and the report', async (t) => {
    await step(t, async () => {
      const backgrounds: Record<string, number> = {};
      for (const kind of ['light', 'dark'] as const) {
        await switchTheme(kind);
        const frame = await reportFrame();
        const colours = await frame.evaluate(() => {
          const w = globalThis as unknown as WindowLike;
          const style = w.getComputedStyle(w.document.body);
          return { background: style.backgroundColor, foreground: style.color };
        });
        backgrounds[kind] = luminance(colours.background);
        assert.ok(Math.abs(luminance(colours.background) - luminance(colours.foreground)) > 0.4, `${kind}: text contrast ${JSON.stringify(colours)}`);
        const stats = await until(`charts redrawn in the ${kind} theme`, async () => {
          const s = await chartPixels();
          return s.length === 3 && s.every((c) => c.drawn > 0 && c.colours >= 3) && s;
        });
        assert.equal(stats.length, 3);
        await wb.clearNotifications();
        await wb.screenshot(`workbench-report-${kind}`);
      }
      assert.ok(backgrounds.light! > 0.8 && backgrounds.dark! < 0.25, `report background luminance: ${JSON.stringify(backgrounds)}`);
      if (process.env.MIMOSANET_E2E_SCREENSHOTS === '1') {
        const target = join(ROOT, 'media', 'screenshots');
        mkdirSync(target, { recursive: true });
        for (const kind of ['light', 'dark']) copyFileSync(join(ARTIFACTS, `workbench-report-${kind}.png`), join(target, `workbench-report-${kind}.png`));
      }
    });
  });

  test('the report webview logged no errors and no CSP violations', () => {
    assert.deepEqual(webviewProblems, []);
    // The protect run wrote into the temporary copy, never into the repository's examples.
    assert.equal(examplesReport(), examplesReportBefore);
  });
});
