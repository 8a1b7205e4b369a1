import * as vscode from 'vscode';
import { JobError, type ProtectHandlers } from '../client/workerClient';
import { showError } from './protectFlow';
import type { Services } from './services';

/** How one engine job (verify, compare) is shown: its notification title and its words for the log and the user. */
export interface EngineJobView {
  /** Notification title, e.g. "Verifying model.json". */
  title: string;
  /** Tag of its progress lines in the log ("verify" → "[verify hashes] …"). */
  logTag: string;
  /** Told to the user when cancelled. */
  cancelledMessage: string;
  /** Logged when cancelled. */
  cancelledLog: string;
  /** Logged and shown (with the error's message appended) when it failed. */
  failedLog: string;
  failedMessage: string;
}

/**
 * Runs a job in the engine process under a cancellable progress notification, with its progress
 * in the log; undefined when it failed or was cancelled (both said to the user and logged).
 */
export async function runEngineJob<T>(
  services: Services,
  view: EngineJobView,
  run: (handlers: Pick<ProtectHandlers, 'onProgress'>, signal: AbortSignal) => Promise<T>,
): Promise<T | undefined> {
  const { log } = services;
  try {
    return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: view.title, cancellable: true }, async (progress, token) => {
      const abort = new AbortController();
      const sub = token.onCancellationRequested(() => abort.abort());
      let reported = 0;
      try {
        return await run(
          {
            onProgress: (p) => {
              progress.report({ message: p.message, increment: Math.max(0, p.fraction - reported) * 100 });
              reported = Math.max(reported, p.fraction);
              log.info(`[${view.logTag} ${p.phase}] ${p.message}`);
            },
          },
          abort.signal,
        );
      } finally {
        sub.dispose();
      }
    });
  } catch (e) {
    const error = e instanceof JobError ? e.serialized : { code: 'INTERNAL', message: (e as Error).message };
    if (error.code === 'CANCELLED') {
      log.info(view.cancelledLog);
      void vscode.window.showInformationMessage(view.cancelledMessage);
    } else {
      log.error(`${view.failedLog}: ${error.message}`);
      void showError(services, `${view.failedMessage}: ${error.message}`);
    }
    return undefined;
  }
}
