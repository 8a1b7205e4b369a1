import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { COMMANDS, CONTEXT_KEYS, REPORT_VIEW_TYPE, VIEWS } from '../../../src/extension/ids';

const root = new URL('../../../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
const contributes = pkg.contributes;
type Menu = { command: string; when?: string; group?: string };

describe('package.json contributions', () => {
  it('declares every command with the MimosaNet category, and nothing else', () => {
    const declared = contributes.commands.map((c: { command: string }) => c.command).sort();
    assert.deepEqual(declared, Object.values(COMMANDS).sort());
    for (const c of contributes.commands) assert.equal(c.category, 'MimosaNet', c.command);
    for (const id of declared) assert.match(id, /^mimosanet\.[a-z]+[A-Z][A-Za-z]+$/, 'ids are mimosanet.<verb><Object>');
  });

  it('has the activity-bar container with its own icon, and the two views', () => {
    const container = contributes.viewsContainers.activitybar.find((c: { id: string }) => c.id === VIEWS.container);
    assert.ok(container);
    assert.ok(existsSync(new URL(container.icon, root)), container.icon);
    assert.deepEqual(contributes.views[VIEWS.container].map((v: { id: string }) => v.id), [VIEWS.models, VIEWS.reports]);
    assert.ok(contributes.viewsWelcome.some((w: { view: string; contents: string }) => w.view === VIEWS.models && w.contents.includes('command:mimosanet.refreshModels')));
  });

  it('shows Protect on the Explorer and editor only for recognised model files', () => {
    const when = `resourcePath in ${CONTEXT_KEYS.modelFiles}`;
    for (const menu of ['explorer/context', 'editor/title', 'editor/context']) {
      const items: Menu[] = contributes.menus[menu];
      assert.ok(items.some((m) => m.command === COMMANDS.protectModel), menu);
      for (const m of items) assert.equal(m.when, when, `${menu} ${m.command}`);
    }
  });

  it('has an inline Protect action on protectable models and Delete on reports', () => {
    const items: Menu[] = contributes.menus['view/item/context'];
    const inline = items.find((m) => m.command === COMMANDS.protectModel && m.group?.startsWith('inline'));
    assert.ok(inline?.when?.includes('protectable'));
    assert.ok(items.some((m) => m.command === COMMANDS.deleteReport && m.when?.includes('viewItem == report')));
    assert.ok(items.some((m) => m.command === COMMANDS.openProtectedModel));
    assert.ok(items.some((m) => m.command === COMMANDS.revealModel));
  });

  it('offers Verify on reports, on protected models in the Models view, in the Explorer and in the palette', () => {
    const items: Menu[] = contributes.menus['view/item/context'];
    const verify = items.filter((m) => m.command === COMMANDS.verifyModel).map((m) => m.when ?? '');
    assert.ok(verify.some((w) => w.includes('mimosanet.reportsView') && w.includes('viewItem == report')), verify.join(' | '));
    const onModels = verify.find((w) => w.includes('mimosanet.modelsView'));
    assert.ok(onModels, 'a Models-view entry');
    const pattern = new RegExp(/viewItem =~ \/(.*)\/$/.exec(onModels)![1]!);
    for (const state of ['model.protected', 'model.protectedCopy']) assert.match(state, pattern);
    for (const state of ['model.protectable', 'model.pending', 'model.unsupported']) assert.doesNotMatch(state, pattern);
    assert.ok(contributes.menus['explorer/context'].some((m: Menu) => m.command === COMMANDS.verifyModel));
    const palette: Menu | undefined = contributes.menus.commandPalette.find((m: Menu) => m.command === COMMANDS.verifyModel);
    assert.notEqual(palette?.when, 'false', 'shown in the command palette');
  });

  it('offers Compare with Original on every model in the Models view, the Explorer, the editor title and the palette; Save Comparison in the palette', () => {
    const onModels = contributes.menus['view/item/context'].find((m: Menu) => m.command === COMMANDS.compareModel);
    assert.ok(onModels?.when?.includes('view == mimosanet.modelsView'), 'a Models-view entry');
    const pattern = new RegExp(/viewItem =~ \/(.*)\/$/.exec(onModels.when)![1]!);
    for (const state of ['model.protectable', 'model.protected', 'model.protectedCopy', 'model.pending', 'model.unsupported']) assert.match(state, pattern);
    for (const menu of ['explorer/context', 'editor/title']) {
      const item: Menu | undefined = contributes.menus[menu].find((m: Menu) => m.command === COMMANDS.compareModel);
      assert.equal(item?.when, `resourcePath in ${CONTEXT_KEYS.modelFiles}`, menu);
    }
    for (const command of [COMMANDS.compareModel, COMMANDS.saveComparison]) {
      const palette: Menu | undefined = contributes.menus.commandPalette.find((m: Menu) => m.command === command);
      assert.ok(palette && palette.when !== 'false', `${command} in the command palette`);
    }
    const title = contributes.commands.find((c: { command: string }) => c.command === COMMANDS.compareModel)?.title;
    assert.equal(title, 'Compare with Original…', 'the ellipsis says it asks for more');
  });

  it('activates for the serializer and for workspaces with models', () => {
    assert.ok(pkg.activationEvents.includes(`onWebviewPanel:${REPORT_VIEW_TYPE}`));
    assert.ok(pkg.activationEvents.some((e: string) => e.startsWith('workspaceContains:')));
  });

  it('declares every setting the issue asks for', () => {
    const keys = Object.keys(contributes.configuration.properties).sort();
    assert.deepEqual(keys, ['amplitude', 'attacks', 'copies', 'engine', 'maxSamples', 'outputFolder', 'ownership', 'perturbations', 'repeats', 'seed', 'tolerance'].map((k) => `mimosanet.${k}`).sort());
  });
});

describe('package contents (.vscodeignore)', () => {
  const ignore = readFileSync(new URL('.vscodeignore', root), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  it('leaves out sources, tests, screenshots and dependencies', () => {
    for (const p of ['src/**', 'test/**', 'node_modules/**', 'media/screenshots/**', 'out/**', 'webview/**']) assert.ok(ignore.includes(p), p);
  });
  it('keeps the extension, worker and webview bundles: only source maps and the CLI are left out of dist/', () => {
    for (const line of ignore.filter((l) => l.startsWith('dist'))) assert.match(line, /(\.map|^dist\/cli\.js)$/, line);
  });
});
