import type { FromWorkerMessage } from '../protocol/worker';

/** Messages arrive as plain data from another thread or a webview: checked before they are trusted. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/** Whether a value posted by the worker is a message of the worker protocol. */
export function isFromWorkerMessage(value: unknown): value is FromWorkerMessage {
  if (!isRecord(value) || !isId(value.id)) return false;
  switch (value.type) {
    case 'progress':
      return isRecord(value.progress) && typeof value.progress.fraction === 'number';
    case 'partialReport':
      return isRecord(value.report);
    case 'protectResult':
      return isRecord(value.result) && isRecord(value.result.report) && typeof value.result.reportPath === 'string';
    case 'inspectResult':
      return isRecord(value.info) && typeof value.info.format === 'string';
    case 'verifyResult':
      return isRecord(value.result) && typeof value.result.ok === 'boolean' && Array.isArray(value.result.files) && typeof value.result.modelPath === 'string';
    case 'compareResult':
      return isRecord(value.report) && typeof value.report.verdict === 'string' && typeof value.report.reason === 'string' && isRecord(value.report.evidence) && isRecord(value.report.baselines);
    case 'attackResult':
      return isRecord(value.report) && value.report.schemaVersion === 1 && Array.isArray(value.report.attacks);
    case 'staging':
      return typeof value.path === 'string';
    case 'error':
      return isRecord(value.error) && typeof value.error.message === 'string';
    default:
      return false;
  }
}

