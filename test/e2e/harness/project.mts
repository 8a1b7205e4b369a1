/**
 * The project side of the e2e setup: the packaged extension (.vsix), the compiled extension-host
 * suite, and throw-away copies of the examples workspace (runs never write into the repository).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const RESULTS_DIR = join(ROOT, 'test-results', 'e2e');

function npm(args: string[], what: string): void {
  const started = Date.now();
  const r = spawnSync('npm', args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, npm_config_update_notifier: 'false' } });
  if (r.status !== 0) throw new Error(`${what} failed: npm ${args.join(' ')} exited with ${r.status ?? r.signal}`);
  process.stderr.write(`[e2e] ${what} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

function node(args: string[], what: string): void {
  const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`${what} failed: node ${args.join(' ')} exited with ${r.status ?? r.signal}`);
}

function packageScripts(): Record<string, string> {
  return (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {};
}

/**
 * Builds and packages the extension (`npm run package`, i.e. vsce with the prepublish build) into
 * `dir`; returns the .vsix path. MIMOSANET_E2E_VSIX skips this and uses the given file.
 */
export function packageExtension(dir: string): string {
  const given = process.env.MIMOSANET_E2E_VSIX;
  if (given) {
    if (!existsSync(given)) throw new Error(`MIMOSANET_E2E_VSIX=${given} does not exist`);
    return resolve(given);
  }
  mkdirSync(dir, { recursive: true });
  const vsix = join(dir, 'mimosanet.vsix');
  rmSync(vsix, { force: true });
  if (packageScripts().package) npm(['run', '--silent', 'package', '--', '--out', vsix], 'npm run package');
  else {
    npm(['run', '--silent', 'build'], 'npm run build');
    npm(['exec', '--', 'vsce', 'package', '--no-dependencies', '--out', vsix], 'vsce package');
  }
  if (!existsSync(vsix)) throw new Error(`packaging wrote no ${vsix}`);
  return vsix;
}

/** Copies examples/ (without earlier protected outputs) into a fresh temp folder, with optional workspace settings. */
export function prepareWorkspace(settings?: Record<string, unknown>, prefix = 'mimosanet-ws-'): string {
  const dir = mkdtempSync(join(process.env.MIMOSANET_E2E_TMP || tmpdir(), prefix));
  cpSync(join(ROOT, 'examples'), dir, {
    recursive: true,
    filter: (src) => !/\.mimosa($|[\\/])/.test(relative(ROOT, src)) && !src.includes(`${sep}node_modules`),
  });
  if (settings) {
    mkdirSync(join(dir, '.vscode'), { recursive: true });
    writeFileSync(join(dir, '.vscode', 'settings.json'), JSON.stringify(settings, null, 2));
  }
  return dir;
}

/** The extension-host suite, compiled: test files, Mocha options and the `run()` index VS Code calls. */
export interface HostSuite {
  index: string;
  files: string[];
}

interface TestCliConfig {
  files?: string | string[];
  mocha?: { ui?: string; timeout?: number; grep?: string };
}

/** `*`, `?` and `**` of a glob (relative, `/`-separated) as a RegExp. */
function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      i++;
      if (glob[i + 1] === '/') {
        i++;
        re += '(?:.*/)?';
      } else re += '.*';
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^$()|\\{}[\]]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** The files an absolute glob such as `/repo/out/test/vscode/*.test.js` matches (enough glob for a test-cli `files` entry). */
function globFiles(pattern: string): string[] {
  const parts = pattern.split(/[\\/]/);
  const firstWild = parts.findIndex((p) => /[*?]/.test(p));
  if (firstWild < 0) return existsSync(pattern) ? [pattern] : [];
  const base = parts.slice(0, firstWild).join('/') || '/';
  const regex = globToRegExp(parts.slice(firstWild).join('/'));
  const out: string[] = [];
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (regex.test(relative(base, path).split(sep).join('/'))) out.push(path);
    }
  };
  walk(base);
  return out;
}

/**
 * Compiles the extension-host suite the way its owners do (`node scripts/build.mjs --vscode-tests`,
 * bundles in out/test/vscode/), reads the Mocha options of test/vscode/.vscode-test.mjs, and writes an
 * index (out/e2e/host/index.js) exporting the `run()` that VS Code's extension host calls for
 * `extensionTestsPath`. The index prints markers around the run and a JSON result line.
 */
export async function compileHostSuite(): Promise<HostSuite> {
  const configPath = join(ROOT, 'test', 'vscode', '.vscode-test.mjs');
  let config: TestCliConfig = {};
  if (existsSync(configPath)) {
    const loaded = (await import(configPath)) as { default?: TestCliConfig | TestCliConfig[] };
    config = (Array.isArray(loaded.default) ? loaded.default[0] : loaded.default) ?? {};
  }
  const patterns = [config.files ?? '../../out/test/vscode/*.test.js'].flat().map((p) => resolve(dirname(configPath), p));

  const started = Date.now();
  node([join(ROOT, 'scripts', 'build.mjs'), '--vscode-tests'], 'building the extension and its extension-host suite');
  process.stderr.write(`[e2e] built the extension and the extension-host suite in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  const files = patterns.flatMap(globFiles);
  if (!files.length) throw new Error(`no compiled extension-host tests match ${patterns.join(', ')} (is test/vscode/suite empty?)`);

  const mocha = { ui: config.mocha?.ui ?? 'bdd', timeout: config.mocha?.timeout ?? 180_000, grep: process.env.MIMOSANET_HOST_GREP ?? config.mocha?.grep };
  const dir = join(ROOT, 'out', 'e2e', 'host');
  mkdirSync(dir, { recursive: true });
  const index = join(dir, 'index.js');
  writeFileSync(
    index,
    `// Generated by test/e2e/harness/project.mts: the extension-host test entry (extensionTestsPath) for code-server.
'use strict';
const Mocha = require(${JSON.stringify(createRequire(join(ROOT, 'package.json')).resolve('mocha'))});
exports.run = function run() {
  const mocha = new Mocha(Object.assign(${JSON.stringify(mocha)}, { color: false, reporter: 'spec' }));
  for (const file of ${JSON.stringify(files, null, 2)}) mocha.addFile(file);
  console.log('MIMOSANET_HOST_BEGIN');
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const s = runner.stats || {};
      console.log('MIMOSANET_HOST_RESULT ' + JSON.stringify({ passes: s.passes || 0, failures: s.failures || 0, pending: s.pending || 0, tests: s.tests || 0 }));
      if (failures) reject(new Error(failures + ' extension-host test(s) failed'));
      else if (!s.tests) reject(new Error('no extension-host test ran'));
      else resolve();
    });
  });
};
`,
  );
  return { index, files };
}
