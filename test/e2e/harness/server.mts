/**
 * Starts code-server (a real VS Code server + workbench) for the tests and the demo: a throw-away
 * profile (config, user data, extensions and XDG folders under one temp folder), bound to a
 * loopback address on a port the OS picks, `--auth none`, a bounded lifetime, and its whole process
 * group killed when it is stopped or when this process exits.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CodeServerTools } from './tools.mjs';

/** User settings of every profile: a quiet workbench (no welcome page, tips, update checks, telemetry, AI panels or gallery). */
export const BASE_USER_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.colorTheme': 'Default Dark Modern',
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'chat.disableAIFeatures': true,
  'chat.commandCenter.enabled': false,
  'git.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
  'window.restoreWindows': 'none',
  'files.hotExit': 'off',
};

/** Everything code-server would otherwise write into the home folder lives under `root`. */
export interface Profile {
  root: string;
  config: string;
  userDataDir: string;
  extensionsDir: string;
  xdgData: string;
  xdgConfig: string;
  log: string;
}

export interface RunningServer {
  /** `http://127.0.0.1:PORT/` */
  url: string;
  port: number;
  host: string;
  pid: number;
  profile: Profile;
  /** Stops the server and everything it started; resolves when it has exited. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves when the server process has exited (stopped, crashed, or shut down after its idle timeout). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The last 20 kB of its output. */
  output(): string;
}

export interface StartOptions {
  /** Folder to open (also passed as `?folder=` by callers). */
  folder?: string;
  /** Loopback only: 127.0.0.1 (default), localhost or ::1. */
  host?: string;
  port?: number;
  /** Hard limit: the server is stopped after this many seconds (default 900). */
  lifetimeSeconds?: number;
  /** code-server shuts itself down after this long without a connected browser (default min(lifetime, 600); at least 61). */
  idleTimeoutSeconds?: number;
  /** `--vscode-option enable-smoke-test-driver`: needed for extension tests run through the `payload` URL parameter. */
  smokeTestDriver?: boolean;
  extraArgs?: string[];
  env?: Record<string, string>;
  /** Copy the server's output to stderr. */
  echo?: boolean;
  startTimeoutMs?: number;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A fresh profile folder under the system temp folder (or $MIMOSANET_E2E_TMP). */
export function makeProfile(prefix = 'mimosanet-cs-'): Profile {
  const root = mkdtempSync(join(process.env.MIMOSANET_E2E_TMP || tmpdir(), prefix));
  const profile: Profile = {
    root,
    config: join(root, 'config.yaml'),
    userDataDir: join(root, 'user-data'),
    extensionsDir: join(root, 'extensions'),
    xdgData: join(root, 'xdg-data'),
    xdgConfig: join(root, 'xdg-config'),
    log: join(root, 'code-server.log'),
  };
  for (const dir of [profile.userDataDir, profile.extensionsDir, profile.xdgData, profile.xdgConfig]) mkdirSync(dir, { recursive: true });
  // No password and no certificate: the server only ever listens on loopback (startCodeServer refuses anything else).
  writeFileSync(profile.config, 'auth: none\ncert: false\n');
  writeUserSettings(profile, {});
  return profile;
}

/** Writes the profile's User/settings.json (base settings plus `extra`); a running workbench picks the change up. */
export function writeUserSettings(profile: Profile, extra: Record<string, unknown>): void {
  const dir = join(profile.userDataDir, 'User');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'settings.json'), JSON.stringify({ ...BASE_USER_SETTINGS, ...extra }, null, 2));
}

/** Removes a profile folder (once its server has stopped). */
export function removeProfile(profile: Profile): void {
  rmSync(profile.root, { recursive: true, force: true, maxRetries: 3 });
}

function profileArgs(profile: Profile): string[] {
  return ['--config', profile.config, '--user-data-dir', profile.userDataDir, '--extensions-dir', profile.extensionsDir];
}

function profileEnv(profile: Profile, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    XDG_DATA_HOME: profile.xdgData,
    XDG_CONFIG_HOME: profile.xdgConfig,
    // No extension gallery: this machine reaches no marketplace, and a test must not try.
    EXTENSIONS_GALLERY: '{"serviceUrl":""}',
    ...extra,
  };
  // Never inherit a password, port or proxy setting, nor npm's or Electron's variables.
  for (const key of ['PASSWORD', 'HASHED_PASSWORD', 'PORT', 'VSCODE_PROXY_URI', 'CODE_SERVER_CONFIG', 'ELECTRON_RUN_AS_NODE']) delete env[key];
  for (const key of Object.keys(env)) if (key.startsWith('npm_')) delete env[key];
  return env;
}

/** `code-server --install-extension <vsix>` into the profile's extensions folder. */
export function installExtension(tools: CodeServerTools, profile: Profile, vsix: string): string {
  const r = spawnSync(tools.node, [tools.entry, ...profileArgs(profile), '--force', '--install-extension', vsix], {
    env: profileEnv(profile),
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`code-server --install-extension ${vsix} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout.trim();
}

/** Starts code-server and resolves once it answers /healthz. */
export async function startCodeServer(tools: CodeServerTools, profile: Profile, options: StartOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  // --auth none on anything but loopback would hand a shell to the network.
  if (!LOOPBACK.has(host)) throw new Error(`refusing to serve with --auth none on ${host}: only loopback addresses are allowed`);
  const lifetime = options.lifetimeSeconds ?? 900;
  const startTimeout = options.startTimeoutMs ?? 60_000;
  const args = [
    tools.entry,
    ...profileArgs(profile),
    '--bind-addr',
    `${host === '::1' ? '[::1]' : host}:${options.port ?? 0}`,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    // Should this process die without stopping the server, it shuts itself down once no browser is connected.
    '--idle-timeout-seconds',
    // (code-server accepts only values above 60.)
    String(Math.max(61, Math.round(options.idleTimeoutSeconds ?? Math.min(lifetime, 600)))),
    ...(options.smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
    ...(options.extraArgs ?? []),
  ];
  if (options.folder) args.push(options.folder);

  const logStream = createWriteStream(profile.log, { flags: 'a' });
  const child = spawn(tools.node, args, {
    cwd: profile.root,
    env: profileEnv(profile, options.env),
    detached: true, // its own process group: stop() ends code-server with every extension host and worker it started
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${tools.node} ${tools.entry}`);
  let output = '';
  const onData = (chunk: Buffer): void => {
    const text = chunk.toString();
    output = (output + text).slice(-20_000);
    logStream.write(text);
    if (options.echo) process.stderr.write(text);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const killGroup = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-pid, signal);
    } catch {
      /* already gone */
    }
  };
  const onProcessExit = (): void => killGroup('SIGKILL');
  process.on('exit', onProcessExit);
  const lifetimeTimer = setTimeout(() => {
    process.stderr.write(`[code-server] lifetime of ${lifetime} s reached: stopping it\n`);
    void stop();
  }, lifetime * 1000);
  lifetimeTimer.unref();

  let stopping: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | undefined;
  function stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    stopping ??= (async () => {
      clearTimeout(lifetimeTimer);
      killGroup('SIGTERM');
      const force = setTimeout(() => killGroup('SIGKILL'), 5000);
      const result = await exited;
      clearTimeout(force);
      killGroup('SIGKILL'); // anything of the group that outlived its parent
      process.off('exit', onProcessExit);
      logStream.end();
      return result;
    })();
    return stopping;
  }

  // "HTTP server listening on http://127.0.0.1:41234/" names the port the OS picked.
  const deadline = Date.now() + startTimeout;
  let port: number | undefined;
  while (port === undefined) {
    const match = /HTTP server listening on https?:\/\/\S*?:(\d+)\//.exec(output);
    if (match) port = Number(match[1]);
    else if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`code-server exited before listening:\n${output}`);
    } else if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not start within ${startTimeout / 1000} s:\n${output}`);
    } else await sleep(100);
  }
  const url = `http://${host === '::1' ? '[::1]' : host}:${port}/`;
  for (;;) {
    try {
      if ((await fetch(`${url}healthz`)).ok) break;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server at ${url} did not answer /healthz:\n${output}`);
    }
    await sleep(100);
  }
  return { url, port, host, pid, profile, stop, exited, output: () => output };
}

/** The workbench URL for a folder, with optional extra query parameters (e.g. `payload`). */
export function workbenchUrl(server: RunningServer, folder: string, query: Record<string, string> = {}): string {
  // Slashes stay readable in the printed URL; everything else is encoded.
  const encode = (value: string): string => encodeURIComponent(value).replace(/%2F/g, '/');
  return `${server.url}?${Object.entries({ folder, ...query })
    .map(([key, value]) => `${key}=${encode(value)}`)
    .join('&')}`;
}
