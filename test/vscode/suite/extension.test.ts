/// <reference types="mocha" />
/**
 * Extension-host suite (npm run test:vscode): activation, command registration, discovery of the
 * examples workspace (a copy in out/test/workspace), a protect run through the real worker, and the
 * report panel. Mocha globals come from @vscode/test-cli's runner.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS, REPORT_VIEW_TYPE } from '../../../src/extension/ids';
import type { MimosaNetApi } from '../../../src/extension/services';
import type { ProtectResult } from '../../../src/protocol/jobs';

const EXTENSION_ID = 'mimosanet.mimosanet';

function workspaceFile(...parts: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the suite runs with the examples workspace open');
  return vscode.Uri.joinPath(folder.uri, ...parts);
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('MimosaNet extension', () => {
  let api: MimosaNetApi;
  const model = () => workspaceFile('mnist-mlp', 'model.json');

  before(async () => {
    const extension = vscode.extensions.getExtension<MimosaNetApi>(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is installed in the test instance`);
    api = await extension.activate();
  });

  after(async () => {
    const config = vscode.workspace.getConfiguration('mimosanet');
    for (const key of ['perturbations', 'repeats', 'maxSamples']) await config.update(key, undefined, vscode.ConfigurationTarget.Workspace);
  });

  it('activates without loading tfjs or starting the engine worker', () => {
    assert.equal(api.worker.started, false);
    const loaded = Object.keys(require.cache).filter((k) => k.includes('@tensorflow'));
    assert.deepEqual(loaded, []);
  });

  it('registers every command', async () => {
    const all = new Set(await vscode.commands.getCommands(true));
    for (const id of Object.values(COMMANDS)) assert.ok(all.has(id), id);
  });

  it('discovers the example model by content and describes it without the worker', async () => {
    await api.discovery.whenReady();
    const entry = api.discovery.get(model().fsPath);
    assert.ok(entry, `found ${model().fsPath}; found: ${api.discovery.models.map((m) => m.relativePath).join(', ')}`);
    assert.equal(entry.format.id, 'tfjs-layers');
    const described = await api.discovery.inspect(model().fsPath);
    assert.equal(described?.info?.parameters, 109386);
    assert.equal(described?.info?.blocker, undefined);
    // Evaluation data and weight files are not models.
    assert.equal(api.discovery.models.some((m) => m.relativePath.endsWith('.npy') || m.relativePath.endsWith('.bin')), false);
    assert.equal(api.worker.started, false, 'inspection of a small model.json runs in the extension host');
  });

  it('picks up a new model file through the watcher and drops it when deleted', async () => {
    const copy = workspaceFile('mnist-mlp', 'copy-model.json');
    await vscode.workspace.fs.copy(model(), copy, { overwrite: true });
    await until('the watcher to add the copy', () => api.discovery.get(copy.fsPath));
    await vscode.workspace.fs.delete(copy);
    await until('the watcher to drop the copy', () => !api.discovery.get(copy.fsPath));
  });

  let result: ProtectResult | undefined;

  it('protects the example model in the worker and writes the protected copy and report.json', async () => {
    const config = vscode.workspace.getConfiguration('mimosanet');
    // A quick run: two perturbation kinds, one repeat, 200 samples.
    await config.update('perturbations', ['multiplicative', 'float16'], vscode.ConfigurationTarget.Workspace);
    await config.update('repeats', 1, vscode.ConfigurationTarget.Workspace);
    await config.update('maxSamples', 200, vscode.ConfigurationTarget.Workspace);
    result = await vscode.commands.executeCommand<ProtectResult | undefined>(COMMANDS.protectModel, model(), {
      data: { kind: 'files', dataPath: workspaceFile('mnist-mlp', 'eval-x.npy').fsPath, labelsPath: workspaceFile('mnist-mlp', 'eval-y.npy').fsPath },
      force: true,
    });
    assert.ok(result, 'the command returns the result');
    assert.equal(api.worker.started, true);
    assert.equal(result.report.equivalence.passed, true);
    assert.equal(path.dirname(result.reportPath), workspaceFile('mnist-mlp', 'model.mimosa').fsPath);
    assert.ok(existsSync(result.reportPath));
    assert.ok(existsSync(result.protectedPath));
    assert.deepEqual(result.report.fragility.kinds.map((k) => k.kind), ['multiplicative', 'float16']);
  });

  it('lists the new report and marks the model as protected', async () => {
    assert.ok(result);
    const summary = await until('the report in the Reports view', () => api.reports.get(result!.reportPath));
    assert.equal(summary.passed, true);
    await until('the model to be marked protected', () => api.discovery.get(model().fsPath)?.report);
    // The protected copy inside model.mimosa/ is recognised as a MimosaNet output, not as a model to protect.
    const copy = await until('the protected copy to be discovered', () => api.discovery.get(result!.protectedPath));
    assert.equal(copy.producedByMimosa, true);
  });

  it('opens the report panel', async () => {
    assert.ok(result);
    await vscode.commands.executeCommand(COMMANDS.openReport, vscode.Uri.file(result.reportPath));
    const tab = await until('a report webview tab', () =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(REPORT_VIEW_TYPE)),
    );
    assert.match(tab.label, /mnist-mlp\/model\.json/);
  });

  it('refuses a file that is not a model', async () => {
    const data = workspaceFile('mnist-mlp', 'eval-y.npy');
    const outcome = await vscode.commands.executeCommand(COMMANDS.protectModel, data, { data: { kind: 'probes' }, force: true });
    assert.equal(outcome, undefined);
  });
});
