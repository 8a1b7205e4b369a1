// Flat ESLint config. Layer boundaries (STYLE.md) are `no-restricted-imports` rules per folder.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'crypto', 'child_process', 'worker_threads', 'util', 'stream'];
const restrict = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: patterns.map((group) => ({ group: [group], message })) }],
});

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'scratch/**', '.vscode-test/**', 'test-results/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: restrict(['vscode', ...nodeBuiltins, '../formats/*', '../engine/*', '../extension/*', '../cli/*', '../protocol'], 'src/core is pure: no vscode, no Node built-ins, nothing outside core.'),
  },
  {
    files: ['src/formats/**/*.ts'],
    rules: restrict(['vscode', ...nodeBuiltins, '**/engine/*', '**/extension/*', '**/cli/*'], 'src/formats may import core only (no I/O: read through FileReader).'),
  },
  {
    files: ['src/engine/**/*.ts', 'src/cli/**/*.ts'],
    rules: restrict(['vscode', '**/extension/*'], 'engine and cli run without VS Code.'),
  },
  {
    files: ['webview/**/*.ts'],
    rules: restrict(['vscode', ...nodeBuiltins, '**/src/engine/*', '**/src/formats/*', '**/src/extension/*'], 'webview is browser code: only `import type` from the protocol and report schema.'),
  },
  {
    files: ['scripts/**/*.mjs', 'test/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', fetch: 'readonly', Buffer: 'readonly', AbortController: 'readonly' } },
  },
);
