// Flat ESLint config. Layer boundaries are import rules per folder: `no-restricted-imports` for
// what a layer may not import at all, `@typescript-eslint/no-restricted-imports` for what it may
// import as types only (test/unit/lint/layerRules.test.ts checks both).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'crypto', 'child_process', 'worker_threads', 'util', 'stream'];
const restrict = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: patterns.map((group) => ({ group: [group], message })) }],
});

/** src/protocol/ holds types only: everyone imports it with `import type`. */
const protocolTypesOnly = { group: ['**/protocol/*'], allowTypeImports: true, message: 'src/protocol is types only: import it with `import type`.' };
/** Type-only import rules; a later block for the same files replaces the list, so each block repeats protocolTypesOnly. */
const typesOnly = (...patterns) => ({ '@typescript-eslint/no-restricted-imports': ['error', { patterns: [protocolTypesOnly, ...patterns] }] });

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'scratch/**', '.vscode-test/**', 'test-results/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      ...typesOnly(),
    },
  },
  {
    // Small functions: a reader should see a whole function at once (issue 7: none over 100 lines).
    files: ['src/**/*.ts', 'webview/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 100, skipBlankLines: false, skipComments: false, IIFEs: true }] },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: restrict(['vscode', ...nodeBuiltins, '../formats/*', '../engine/*', '../extension/*', '../cli/*', '../protocol/*'], 'src/core is pure: no vscode, no Node built-ins, nothing outside core.'),
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
    // The worker client runs in the extension host and in the CLI: it speaks the worker protocol
    // and may touch the file system (a terminated job's staging folder), nothing else.
    files: ['src/client/**/*.ts'],
    rules: {
      ...restrict(['vscode', '**/extension/*', '**/cli/*'], 'src/client is shared by the extension host and the CLI: no vscode, no front-end code.'),
      ...typesOnly({ group: ['**/engine/**', '**/formats/**'], allowTypeImports: true, message: 'src/client runs beside the worker, not the engine: import type only.' }),
    },
  },
  {
    // The extension host loads no engine and no tfjs (they run in dist/worker.js): engine and
    // format modules are imported as types only. The one exception is the format registry, the
    // host's content sniff and small-file inspection (no tfjs: runtimes are lazy imports, and
    // test/unit/extension/bundle.test.ts keeps tfjs and the engine out of dist/extension.js).
    files: ['src/extension/**/*.ts'],
    rules: typesOnly({
      group: ['**/engine/**', '**/formats/**', '!**/formats/registry'],
      allowTypeImports: true,
      message: 'src/extension runs in the extension host: engine and format code run in the worker (import type only).',
    }),
  },
  {
    files: ['webview/**/*.ts'],
    rules: {
      ...restrict(['vscode', ...nodeBuiltins, '**/src/extension/*'], 'webview is browser code: no vscode, no Node built-ins, no extension code.'),
      ...typesOnly({
        group: ['**/src/engine/**', '**/src/formats/**'],
        allowTypeImports: true,
        message: 'webview is browser code: only `import type` from the engine and formats.',
      }),
    },
  },
  {
    files: ['scripts/**/*.mjs', 'test/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', fetch: 'readonly', Buffer: 'readonly', AbortController: 'readonly' } },
  },
);
