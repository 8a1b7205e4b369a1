import { ModelFormatError } from '../core/errors';
import type { ModelFormat } from './format';
import { tfliteFormat } from './tflite/tfliteFormat';
import { kerasFormat } from './keras/kerasFormat';
import { onnxFormat } from './onnx/onnxFormat';
import { tfjsLayersFormat } from './tfjs/tfjsLayersFormat';

/** Every model format, in the order sniffing tries them. */
export const FORMATS: readonly ModelFormat[] = [tfjsLayersFormat, onnxFormat, kerasFormat, tfliteFormat];

/** Last path segment, for either separator (formats stay free of Node built-ins). */
function basename(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

/** Bytes read from the start of a file to recognise it; no format needs more. */
export const SNIFF_BYTES = 64 * 1024;

/** Formats whose name check accepts this file (the cheap pre-filter before reading anything). */
export function formatsForName(fileName: string): ModelFormat[] {
  return FORMATS.filter((format) => format.matchesName(basename(fileName)));
}

/** The format whose name check and content sniff accept the file, or undefined. */
export function sniffFormat(fileName: string, head: Uint8Array): ModelFormat | undefined {
  return formatsForName(fileName).find((format) => format.sniff(head, basename(fileName)));
}

/** Like sniffFormat, but a file nobody recognises is a ModelFormatError naming it. */
export function requireFormat(fileName: string, head: Uint8Array): ModelFormat {
  const format = sniffFormat(fileName, head);
  if (format) return format;
  const names = FORMATS.map((f) => f.displayName).join(', ');
  throw new ModelFormatError(fileName, 'unknown', `not a recognised model file (supported: ${names})`);
}
