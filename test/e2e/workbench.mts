/**
 * Page helpers for the real VS Code workbench served by code-server: activity bar, views, the
 * Explorer, context menus, quick picks, notifications, the command palette and webview frames.
 * Selectors are the workbench's own classes and ARIA labels (VS Code 1.139).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Locator, Page } from 'playwright-core';

/** The bits of the DOM the in-page checks use (the root tsconfig has no DOM lib: tests run in Node). */
export interface CanvasLike {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null;
}
export interface ElementLike {
  textContent: string | null;
  className: string;
  getAttribute(name: string): string | null;
  querySelector(selector: string): ElementLike | null;
  querySelectorAll(selector: string): ArrayLike<ElementLike>;
}
export interface DocumentLike {
  body: ElementLike;
  querySelector(selector: string): ElementLike | null;
  querySelectorAll(selector: string): ArrayLike<ElementLike>;
}
export interface WindowLike {
  document: DocumentLike;
  getComputedStyle(element: ElementLike): { backgroundColor: string; color: string };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Retries `probe` until it returns something truthy; throws with `what` after `timeoutMs`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 30_000, intervalMs = 250): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await sleep(intervalMs);
  }
}

export class Workbench {
  constructor(
    readonly page: Page,
    readonly artifacts: string,
  ) {
    mkdirSync(artifacts, { recursive: true });
  }

  /** Waits for the workbench and for an activity-bar entry contributed by an extension (it appears once extensions are registered). */
  async ready(activityLabel: string, timeoutMs = 60_000): Promise<void> {
    await this.page.locator('.monaco-workbench').waitFor({ timeout: timeoutMs });
    await this.activityTab(activityLabel).waitFor({ timeout: timeoutMs });
  }

  activityTab(label: string): Locator {
    return this.page.locator(`.activitybar li[role="tab"]:has(a.action-label[aria-label^="${label}"])`);
  }

  /** Shows a view container from the activity bar (clicking an active one would hide the side bar). */
  async openActivity(label: string): Promise<void> {
    const tab = this.activityTab(label);
    if ((await tab.getAttribute('aria-selected')) !== 'true') await tab.click();
    await until(`the ${label} view container`, async () => (await tab.getAttribute('aria-selected')) === 'true');
  }

  sideBar(): Locator {
    return this.page.locator('[id="workbench.parts.sidebar"]');
  }

  /** A view (pane) of the side bar by its title, expanded. */
  async pane(title: string): Promise<Locator> {
    const pane = this.sideBar().locator('.pane').filter({ has: this.page.locator(`.pane-header h3.title`, { hasText: new RegExp(`^${title}$`, 'i') }) });
    await pane.first().waitFor();
    const header = pane.first().locator('.pane-header');
    if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
    return pane.first();
  }

  /** Tree rows of a pane, by their ARIA labels. */
  async rowLabels(pane: Locator): Promise<string[]> {
    return pane.locator('.monaco-list-row').evaluateAll((rows) => rows.map((r) => (r as unknown as ElementLike).getAttribute('aria-label') ?? ''));
  }

  explorerRow(name: string): Locator {
    return this.page.locator(`.explorer-folders-view .monaco-list-row[aria-label="${name}"]`);
  }

  /** Expands an Explorer folder (top level) if it is collapsed. */
  async expandExplorerFolder(name: string): Promise<void> {
    const row = this.explorerRow(name);
    await row.waitFor();
    if ((await row.getAttribute('aria-expanded')) === 'false') await row.click();
    await until(`${name} to expand`, async () => (await row.getAttribute('aria-expanded')) === 'true');
  }

  /** Right-clicks a row and returns the labels of the context menu that opens. */
  async contextMenu(target: Locator): Promise<string[]> {
    await target.click({ button: 'right' });
    const menu = this.page.locator('.context-view .monaco-menu');
    await menu.waitFor();
    await until('the context menu to fill', async () => (await menu.locator('.action-item').count()) > 0);
    return (await menu.locator('.action-label').allTextContents()).map((t) => t.trim()).filter(Boolean);
  }

  async clickMenuItem(label: string): Promise<void> {
    const item = this.page.locator('.context-view .monaco-menu .action-item').filter({ has: this.page.locator('.action-label', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }) });
    const menu = this.page.locator('.context-view .monaco-menu');
    await item.click();
    const closed = async (timeout: number) => menu.waitFor({ state: 'detached', timeout }).then(() => true, () => false);
    if (await closed(3000)) return;
    // A click can land while the workbench re-renders the menu (views refresh as discovery and
    // worker inspections finish): the item is highlighted and the menu stays open. Choose the
    // highlighted item from the keyboard, as a user would.
    await item.hover();
    await this.page.keyboard.press('Enter');
    if (!(await closed(5000))) throw new Error(`the context menu stayed open after choosing '${label}'`);
  }

  /**
   * Clicks an action button of a notification toast. Choosing an action closes the toast; a click
   * that lands while the toast area re-renders is lost, so when the toast stays, the button is
   * chosen again from the keyboard, and the toast must then close.
   */
  async clickNotificationAction(notification: Locator, label: string): Promise<void> {
    const button = notification.locator('.monaco-button', { hasText: label }).first();
    await button.click();
    // A closed toast may stay in the DOM, hidden, while it animates out or moves to the centre.
    const closed = async (timeout: number) => notification.waitFor({ state: 'hidden', timeout }).then(() => true, () => false);
    if (await closed(3000)) return;
    await button.focus();
    await this.page.keyboard.press('Enter');
    if (!(await closed(5000))) throw new Error(`the notification stayed open after choosing '${label}'`);
  }

  async dismissMenus(): Promise<void> {
    await this.page.keyboard.press('Escape');
    await this.page.locator('.context-view .monaco-menu').waitFor({ state: 'detached', timeout: 5000 }).catch(() => undefined);
  }

  quickInput(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  /** Labels of the visible quick-pick rows (separators excluded). */
  async quickPickLabels(): Promise<string[]> {
    await this.quickInput().waitFor({ state: 'visible' });
    await until('quick-pick rows', async () => (await this.quickInput().locator('.monaco-list-row').count()) > 0);
    return this.quickInput()
      .locator('.monaco-list-row')
      .evaluateAll((rows) => rows.map((r) => (r as unknown as ElementLike).getAttribute('aria-label') ?? (r as unknown as ElementLike).textContent ?? ''));
  }

  /** Runs a command through the palette (F1); commands appear a few seconds after the workbench loads, so this retries. */
  async runCommand(title: string): Promise<void> {
    await until(`the command '${title}' in the palette`, async () => {
      await this.page.keyboard.press('Escape');
      await this.page.keyboard.press('F1');
      const input = this.quickInput().locator('input');
      await input.waitFor({ state: 'visible', timeout: 5000 });
      await input.fill(`>${title}`);
      const row = this.quickInput().locator('.monaco-list-row', { hasText: title }).first();
      try {
        await row.waitFor({ state: 'visible', timeout: 3000 });
      } catch {
        return false;
      }
      await row.click();
      return true;
    });
  }

  /** Picks a colour theme by its label in "Preferences: Color Theme" ("Light Modern"), as a user would. */
  async setColorTheme(label: string): Promise<void> {
    await this.runCommand('Preferences: Color Theme');
    const row = this.quickInput().locator(`.monaco-list-row[aria-label^="${label}"]`).first();
    await this.quickInput().locator('input').fill(label);
    await row.waitFor({ state: 'visible' });
    await row.click();
    await this.quickInput().waitFor({ state: 'hidden' });
  }

  notifications(text: string | RegExp): Locator {
    return this.page.locator('.notifications-toasts .notification-toast', { hasText: text });
  }

  async clearNotifications(): Promise<void> {
    for (const close of await this.page.locator('.notifications-toasts .notification-toast .codicon-notifications-clear').all()) await close.click().catch(() => undefined);
    await this.page.locator('.notifications-toasts .notification-toast').first().waitFor({ state: 'detached', timeout: 5000 }).catch(() => undefined);
  }

  /** Editor tab titles of the active group. */
  async editorTabs(): Promise<string[]> {
    return this.page.locator('.tabs-container .tab').evaluateAll((tabs) => tabs.map((t) => (t as unknown as ElementLike).getAttribute('aria-label') ?? ''));
  }

  /**
   * The frame holding a webview's content: webviews are nested iframes (iframe.webview → #active-frame),
   * and re-rendering a panel replaces its frame, so this looks it up afresh on every call.
   */
  async webviewFrame(selector: string, timeoutMs = 30_000): Promise<Frame> {
    return until(
      `a webview frame containing ${selector}`,
      async () => {
        for (const frame of this.page.frames()) {
          if (frame === this.page.mainFrame() || frame.isDetached()) continue;
          try {
            if (await frame.$(selector)) return frame;
          } catch {
            /* detached while we looked */
          }
        }
        return undefined;
      },
      timeoutMs,
    );
  }

  async screenshot(name: string): Promise<string> {
    const path = join(this.artifacts, `${name}.png`);
    await this.page.screenshot({ path });
    return path;
  }
}

/** Runs a test step; on failure saves a screenshot named after the test, then rethrows. */
export async function screenshotOnFailure(t: { name: string }, wb: Workbench | undefined, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (e) {
    await wb?.screenshot(`FAILED-${t.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`).catch(() => undefined);
    throw e;
  }
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
