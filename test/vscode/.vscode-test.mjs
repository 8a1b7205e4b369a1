// @vscode/test-cli configuration of the extension-host suite (npm run test:vscode). Paths are
// relative to this file. It downloads VS Code on first run, so it runs where that is possible.
import { defineConfig } from '@vscode/test-cli';

export default defineConfig({
  label: 'extension-host',
  files: '../../out/test/vscode/*.test.js',
  extensionDevelopmentPath: '../..',
  // A fresh copy of examples/ (prepareWorkspace.mjs), so the protect run never writes into the repo.
  workspaceFolder: '../../out/test/workspace',
  version: process.env.VSCODE_TEST_VERSION ?? 'stable',
  launchArgs: ['--disable-extensions', '--disable-workspace-trust'],
  mocha: { ui: 'bdd', timeout: 180_000, color: true },
});
