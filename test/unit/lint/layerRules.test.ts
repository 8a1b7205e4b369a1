import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';

/**
 * The layer boundaries of eslint.config.mjs, checked on in-memory snippets placed at paths in
 * each layer (the files need not exist: the config is matched on the path).
 */
const eslint = new ESLint({ cwd: process.cwd() });

/** Messages of the import-boundary rules for `code` linted as if it were `filePath`. */
async function boundaryProblems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  assert.ok(result, 'ESLint linted nothing');
  assert.deepEqual(result.messages.filter((m) => m.fatal).map((m) => m.message), [], 'the snippet parses');
  return result.messages.filter((m) => m.ruleId?.endsWith('no-restricted-imports')).map((m) => m.message);
}

async function assertRejected(filePath: string, code: string, fragment: string): Promise<void> {
  const problems = await boundaryProblems(filePath, code);
  assert.equal(problems.length, 1, `expected one boundary error in ${filePath} for:\n${code}\ngot ${JSON.stringify(problems)}`);
  assert.match(problems[0]!, new RegExp(fragment));
}

async function assertAccepted(filePath: string, code: string): Promise<void> {
  assert.deepEqual(await boundaryProblems(filePath, code), [], `expected ${filePath} to accept:\n${code}`);
}

describe('layer boundaries (eslint.config.mjs)', () => {
  const extension = 'src/extension/lintProbe.ts';
  const webview = 'webview/report/lintProbe.ts';

  it('src/extension may not value-import the engine', async () => {
    await assertRejected(extension, "import { protectModel } from '../engine/protectModel';\nvoid protectModel;\n", 'extension host');
    await assertRejected('src/extension/views/lintProbe.ts', "import { protectModel } from '../../engine/protectModel';\nvoid protectModel;\n", 'extension host');
    await assertRejected(extension, "import { DEFAULT_OPTIONS } from '../engine/defaults';\nvoid DEFAULT_OPTIONS;\n", 'extension host');
  });

  it('src/extension may not value-import the formats, except the registry', async () => {
    await assertRejected(extension, "import { readDataset } from '../formats/data/dataset';\nvoid readDataset;\n", 'extension host');
    await assertRejected(extension, "import { tfjsLayersFormat } from '../formats/tfjs/tfjsLayersFormat';\nvoid tfjsLayersFormat;\n", 'extension host');
    await assertAccepted(extension, "import { sniffFormat } from '../formats/registry';\nvoid sniffFormat;\n");
  });

  it('src/extension may import engine, format and protocol types', async () => {
    await assertAccepted(extension, "import type { ProtectJob } from '../protocol/jobs';\nexport type Job = ProtectJob;\n");
    await assertAccepted(extension, "import { type ProtectJob } from '../protocol/jobs';\nexport type Job = ProtectJob;\n");
    await assertAccepted(extension, "import type { ModelInfo } from '../formats/format';\nexport type Info = ModelInfo;\n");
    await assertAccepted(extension, "import type { DEFAULT_OPTIONS } from '../engine/defaults';\nexport type Options = typeof DEFAULT_OPTIONS;\n");
  });

  it('webview/ may not value-import the engine or the formats', async () => {
    await assertRejected(webview, "import { protectModel } from '../../src/engine/protectModel';\nvoid protectModel;\n", 'webview is browser code');
    await assertRejected(webview, "import { sniffFormat } from '../../src/formats/registry';\nvoid sniffFormat;\n", 'webview is browser code');
    await assertRejected(webview, "import { readFile } from 'node:fs/promises';\nvoid readFile;\n", 'webview is browser code');
  });

  it('webview/ may import protocol and schema types', async () => {
    await assertAccepted(webview, "import type { ProtectJob } from '../../src/protocol/jobs';\nexport type Job = ProtectJob;\n");
    await assertAccepted(webview, "import type { ToWebviewMessage } from '../../src/protocol/webview';\nexport type M = ToWebviewMessage;\n");
    await assertAccepted(webview, "import type { ModelInfo } from '../../src/formats/format';\nexport type Info = ModelInfo;\n");
  });

  it('src/protocol is imported as types only, everywhere', async () => {
    const value = "import { ProtectJob } from '../protocol/jobs';\nexport type Job = ProtectJob;\n";
    for (const path of [extension, 'src/engine/lintProbe.ts', 'src/cli/lintProbe.ts']) await assertRejected(path, value, 'types only');
    await assertRejected(webview, "import { ProtectJob } from '../../src/protocol/jobs';\nexport type Job = ProtectJob;\n", 'types only');
    await assertRejected('test/unit/lintProbe.test.ts', "import { ProtectJob } from '../../src/protocol/jobs';\nexport type Job = ProtectJob;\n", 'types only');
    await assertAccepted('src/engine/lintProbe.ts', "import type { ProtectJob } from '../protocol/jobs';\nexport type Job = ProtectJob;\n");
  });

  it('the engine may value-import the engine and the formats', async () => {
    await assertAccepted('src/engine/lintProbe.ts', "import { readDataset } from '../formats/data/dataset';\nimport { protectModel } from './protectModel';\nvoid readDataset;\nvoid protectModel;\n");
  });
});
