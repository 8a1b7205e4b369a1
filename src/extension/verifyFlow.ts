/**
 * "MimosaNet: Verify Protected Model": works out which file to check against which report.json
 * from what the command was invoked on, runs the same check as `mimosanet verify` in the engine
 * process under a cancellable progress notification, and shows the outcome (equivalent,
 * tampered with the files named, or not the protected model the report describes) in a
 * notification and the log.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { VerifyResult } from '../protocol/jobs';
import { runEngineJob } from './engineJob';
import type { ModelEntry } from './discovery/modelEntry';
import { COMMANDS } from './ids';
import type { ReportSummary } from './reports/reportSummary';
import type { Services } from './services';
import { type VerifyPair, reportForModel, summariseVerification } from './verifySummary';
import { modelLabel } from './views/treeItemData';

/** What the command can be invoked on (tree nodes are matched by shape, as in commands.ts). */
export type VerifyTarget =
  | { kind: 'report'; summary: ReportSummary }
  | { kind: 'model'; entry: ModelEntry }
  | { kind: 'uri'; uri: vscode.Uri }
  | { kind: 'none' };

/** Verifies what `target` names; resolves with the result, or undefined when the user backed out, it failed or was cancelled. */
export async function verifyProtectedModel(services: Services, target: VerifyTarget): Promise<VerifyResult | undefined> {
  const pair = await resolvePair(services, target);
  return pair ? runVerify(services, pair) : undefined;
}

/** The file and report to check. */
async function resolvePair(services: Services, target: VerifyTarget): Promise<VerifyPair | undefined> {
  await services.reports.scan();
  const reports = services.reports.all;
  switch (target.kind) {
    case 'report':
      return { modelPath: target.summary.protectedPath, reportPath: target.summary.reportPath };
    case 'model': {
      // A Models-view node of a protected original stands for the model and its copy: check the copy.
      if (target.entry.report) return { modelPath: target.entry.report.protectedPath, reportPath: target.entry.report.reportPath };
      return fileAgainstReport(target.entry.fsPath, reports);
    }
    case 'uri': {
      const fsPath = target.uri.fsPath;
      const report = services.reports.get(fsPath);
      if (report) return { modelPath: report.protectedPath, reportPath: report.reportPath };
      return fileAgainstReport(fsPath, reports);
    }
    case 'none': {
      const picked = await pickReport(reports, 'Verify Protected Model', 'Pick the report whose protected model to check');
      return picked && { modelPath: picked.protectedPath, reportPath: picked.reportPath };
    }
    default: {
      const never: never = target;
      throw new Error(`unknown verify target ${JSON.stringify(never)}`);
    }
  }
}

/**
 * A model file checked as it is: against the report that lists it as its protected copy, or the
 * report made from it (an original: verify then says so), else a report the user picks.
 */
async function fileAgainstReport(fsPath: string, reports: readonly ReportSummary[]): Promise<VerifyPair | undefined> {
  const found = reportForModel(fsPath, reports);
  if (found) return { modelPath: fsPath, reportPath: found.reportPath };
  const picked = await pickReport(reports, `Verify ${path.basename(fsPath)}`, `Which report describes ${modelLabel({ fsPath })}?`);
  return picked && { modelPath: fsPath, reportPath: picked.reportPath };
}

async function pickReport(reports: readonly ReportSummary[], title: string, placeHolder: string): Promise<ReportSummary | undefined> {
  if (reports.length === 0) {
    void vscode.window.showInformationMessage('No MimosaNet reports in this workspace: verify checks a protected model against the report.json written with it.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    reports.map((summary) => ({
      label: modelLabel({ fsPath: summary.protectedPath }),
      description: `protected copy of ${modelLabel({ fsPath: summary.modelPath })} · ${new Date(summary.createdAt).toLocaleString('en-GB')}`,
      detail: summary.reportPath,
      summary,
    })),
    { title, placeHolder, matchOnDetail: true },
  );
  return picked?.summary;
}

/** Runs the check in the engine process and reports the outcome. */
async function runVerify(services: Services, pair: VerifyPair): Promise<VerifyResult | undefined> {
  const { log, worker } = services;
  const label = modelLabel({ fsPath: pair.modelPath });
  log.info(`verify ${pair.modelPath} against ${pair.reportPath}`);
  const result = await runEngineJob(
    services,
    {
      title: `Verifying ${label}`,
      logTag: 'verify',
      cancelledMessage: `Verifying ${label} was cancelled.`,
      cancelledLog: `verify ${pair.modelPath}: cancelled`,
      failedLog: `verify ${pair.modelPath} failed`,
      failedMessage: `Verifying ${label} failed`,
    },
    (handlers, signal) => worker.verify(pair, handlers, signal),
  );
  if (!result) return undefined;
  void notify(services, result, pair, label);
  return result;
}

async function notify(services: Services, result: VerifyResult, pair: VerifyPair, label: string): Promise<void> {
  const summary = summariseVerification(result, label);
  const logAt = summary.severity === 'info' ? services.log.info : summary.severity === 'warning' ? services.log.warn : services.log.error;
  for (const line of summary.logLines) logAt.call(services.log, line);
  const show =
    summary.severity === 'info' ? vscode.window.showInformationMessage : summary.severity === 'warning' ? vscode.window.showWarningMessage : vscode.window.showErrorMessage;
  const report = services.reports.get(pair.reportPath);
  // Given the wrong file, the useful next step is checking the file the report does describe.
  const actions = [...(result.notTheProtectedModel && report ? ['Verify the Protected Copy'] : []), 'Open Report', 'Show Log'];
  const choice = await show(summary.message, ...actions);
  if (choice === 'Open Report') await vscode.commands.executeCommand(COMMANDS.openReport, vscode.Uri.file(pair.reportPath));
  if (choice === 'Show Log') services.log.show();
  if (choice === 'Verify the Protected Copy' && report) await runVerify(services, { modelPath: report.protectedPath, reportPath: report.reportPath });
}
