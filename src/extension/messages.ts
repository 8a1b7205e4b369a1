/**
 * Type guards for messages arriving from the report webview and from the worker. Both come over
 * `postMessage` as `unknown`; the host checks them before acting (a webview is untrusted content,
 * and a worker built from another version could speak an older protocol). Pure, no `vscode`.
 */
import { isId, isRecord } from '../client/workerMessages';
import type { FromWebviewMessage } from '../protocol/webview';

/** Whether a value posted by the report webview is a message the host understands. */
export function isFromWebviewMessage(value: unknown): value is FromWebviewMessage {
  if (!isRecord(value)) return false;
  switch (value.type) {
    case 'ready':
    case 'showLog':
    case 'compareSuspect':
      return true;
    case 'saveHtml':
      return isId(value.messageId) && isFileName(value.suggestedName) && typeof value.html === 'string';
    case 'savePng':
      return (
        isId(value.messageId) &&
        isFileName(value.suggestedName) &&
        typeof value.dataUrl === 'string' &&
        value.dataUrl.startsWith('data:image/png;base64,')
      );
    case 'openPath':
      return typeof value.path === 'string' && value.path.length > 0 && typeof value.reveal === 'boolean';
    default:
      return false;
  }
}

/** Decodes a `data:image/png;base64,...` URL into bytes; throws on anything else. */
export function decodePngDataUrl(dataUrl: string): Uint8Array {
  const prefix = 'data:image/png;base64,';
  if (!dataUrl.startsWith(prefix)) throw new Error('not a PNG data URL');
  const bytes = Buffer.from(dataUrl.slice(prefix.length), 'base64');
  // The PNG signature: refuse to write anything that is not an image into the user's folder.
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length < 8 || signature.some((b, i) => bytes[i] !== b)) throw new Error('data URL does not hold a PNG image');
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}


/** A bare file name: suggestions must not steer the save dialog into another folder. */
function isFileName(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length < 256 && !/[\\/]/.test(value) && value !== '.' && value !== '..';
}
