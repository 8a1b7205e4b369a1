/**
 * One real workbench for a browser e2e file: the packaged extension installed into a fresh
 * profile, a temporary copy of the examples as the workspace, code-server serving it, and the
 * teardown that keeps the server log and removes everything else.
 */
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { packageExtension, prepareWorkspace, RESULTS_DIR } from './project.mjs';
import { installExtension, makeProfile, type Profile, removeProfile, type RunningServer, startCodeServer } from './server.mjs';
import { ensureTools } from './tools.mjs';

/** A quick protect run: three perturbation kinds, one repeat, 300 samples (the default run takes minutes). */
export const FAST_SETTINGS = {
  'mimosanet.perturbations': ['multiplicative', 'float16', 'prune'],
  'mimosanet.repeats': 1,
  'mimosanet.maxSamples': 300,
};

/** What a session started, so teardown can remove it (fields are absent when setup failed before them). */
export interface WorkbenchSession {
  /** Short name used in temporary folder names and the kept log ("workbench", "marketplace"). */
  name: string;
  vsixDir: string;
  profile?: Profile;
  workspace?: string;
  server?: RunningServer;
}

/** Packages (unless MIMOSANET_E2E_VSIX is set) and installs the extension, then starts code-server on a workspace. */
export async function startWorkbench(session: WorkbenchSession): Promise<RunningServer> {
  const tools = ensureTools();
  const vsix = packageExtension(session.vsixDir);
  session.profile = makeProfile(`mimosanet-e2e-${session.name}-`);
  installExtension(tools, session.profile, vsix);
  session.workspace = prepareWorkspace(FAST_SETTINGS, `mimosanet-ws-${session.name}-`);
  session.server = await startCodeServer(tools, session.profile, { folder: session.workspace, lifetimeSeconds: 900 });
  return session.server;
}

/** A session for one test file; its .vsix goes to a per-process temporary folder. */
export function workbenchSession(name: string): WorkbenchSession {
  return { name, vsixDir: join(process.env.MIMOSANET_E2E_TMP || tmpdir(), `mimosanet-e2e-${name}-vsix-${process.pid}`) };
}

/** Closes the browser, stops the server (keeping its log in test-results/e2e/), removes profile, workspace and .vsix. */
export async function stopWorkbench(session: WorkbenchSession, browser: Browser | undefined): Promise<void> {
  await browser?.close().catch(() => undefined);
  if (session.server) {
    await session.server.stop();
    mkdirSync(RESULTS_DIR, { recursive: true });
    copyFileSync(session.server.profile.log, join(RESULTS_DIR, `${session.name}-code-server.log`));
  }
  if (session.profile) removeProfile(session.profile);
  if (session.workspace) rmSync(session.workspace, { recursive: true, force: true });
  rmSync(session.vsixDir, { recursive: true, force: true });
}
