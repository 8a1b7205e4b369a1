/**
 * What discovery knows about one recognised model file, and the state the sidebar shows for it.
 * Pure data and functions (no `vscode`), so the state rules are unit-tested.
 */
import type { SerializedError } from '../../core/errors';
import type { ModelInfo } from '../../formats/format';
import type { ReportSummary } from '../reports/reportSummary';

/** One recognised model file. */
export interface ModelEntry {
  /** Absolute file-system path of the model's main file (also the context-key value). */
  fsPath: string;
  /** URI string, for files outside the local file system. */
  uri: string;
  /** Name of the workspace folder it was found in (multi-root grouping). */
  workspaceFolder: string;
  /** Path relative to that folder, with '/' separators. */
  relativePath: string;
  /** Format that recognised it by content. */
  format: { id: string; displayName: string };
  /** The file itself says it was written by MimosaNet (e.g. tfjs `convertedBy`). */
  producedByMimosa: boolean;
  /** Inspection result, once the worker has described the file. */
  info?: ModelInfo;
  /** Why inspection failed (corrupt or unreadable file). */
  inspectError?: SerializedError;
  /** The report of an earlier protect run, when one sits in the model's output folder. */
  report?: ReportSummary;
}

/** Sidebar state of a model; also the suffix of its tree item's contextValue (`model.<state>`). */
export type ModelState = 'pending' | 'protectable' | 'protected' | 'protectedCopy' | 'unsupported' | 'error';

/** The state rules: a MimosaNet output is a protected copy; a blocker makes it unsupported; a report beside it makes it protected. */
export function modelState(entry: ModelEntry): ModelState {
  if (entry.producedByMimosa || isMimosaProducer(entry.info?.producer)) return 'protectedCopy';
  if (entry.inspectError) return 'error';
  if (!entry.info) return 'pending';
  if (entry.info.blocker) return 'unsupported';
  if (entry.report) return 'protected';
  return 'protectable';
}

/** Whether a producer string (tfjs `convertedBy`, ONNX `producer_name`, ...) names MimosaNet. */
export function isMimosaProducer(producer: string | undefined): boolean {
  return !!producer && /mimosa/i.test(producer);
}

/** Cheap check on the first bytes of a TF.js model.json: `"convertedBy": "MimosaNet…"`. */
export function headSaysMimosa(head: Uint8Array): boolean {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head);
  return /"(convertedBy|generatedBy|producer(_name)?)"\s*:\s*"[^"]*mimosa/i.test(text);
}

/** States from which protecting makes sense (the inline "Protect" action shows for these). */
export const PROTECTABLE_STATES: readonly ModelState[] = ['protectable', 'protected', 'pending'];
