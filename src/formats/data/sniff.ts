/**
 * Is this file evaluation data at all? Decided from its first bytes (SNIFF_BYTES are enough)
 * before any parser runs, so a text note, a pickle or a model file handed to `--data` is
 * refused with what the file is and which formats are accepted, not with a CSV parser's
 * complaint about its first line.
 */

import { DataError } from '../../core/errors';
import { isNumberRow } from './csv';
import { looksLikeNpy } from './npy';
import { looksLikeZip } from './npz';

/** File kinds the reader understands. */
export type DataKind = 'npy' | 'npz' | 'csv' | 'json';

/** The accepted file types, for short hints. */
export const ACCEPTED_DATA_EXTENSIONS = '.npy, .npz, .csv or .json';

/** The accepted formats, for messages. */
export const ACCEPTED_DATA_FORMATS = '.npy, .npz, .csv (rows of numbers, optional header row) or .json (arrays of numbers)';

/** Lowercase extension of a path, without the dot ('' when there is none). */
function extensionOf(path: string): string {
  return /\.([^./\\]+)$/.exec(path)?.[1]?.toLowerCase() ?? '';
}

/**
 * The kind of a data file: binary formats by their magic (so a renamed .npz still reads), text
 * formats by extension, else by the first character ('[' or '{' means JSON). No judgement on
 * whether the content is data: that is `sniffDataFile`.
 */
export function detectDataKind(path: string, bytes: Uint8Array): DataKind {
  if (looksLikeNpy(bytes)) return 'npy';
  if (looksLikeZip(bytes)) return 'npz';
  const ext = extensionOf(path);
  if (ext === 'npy' || ext === 'npz' || ext === 'json') return ext;
  if (ext === 'csv' || ext === 'tsv' || ext === 'txt') return 'csv';
  const head = new TextDecoder().decode(bytes.subarray(0, 64)).replace(/^\uFEFF/, '').trimStart();
  return head.startsWith('[') || head.startsWith('{') ? 'json' : 'csv';
}

/** What a binary file with this extension probably is, and how to turn it into accepted data. */
const BINARY_HINTS: Record<string, string> = {
  pkl: 'a Python pickle; save the array with numpy.save("x.npy", x)',
  pickle: 'a Python pickle; save the array with numpy.save("x.npy", x)',
  joblib: 'a joblib dump; save the array with numpy.save("x.npy", x)',
  pt: 'a PyTorch file; save the tensor with numpy.save("x.npy", t.numpy())',
  pth: 'a PyTorch file; save the tensor with numpy.save("x.npy", t.numpy())',
  h5: 'an HDF5 file; save the array with numpy.save("x.npy", x)',
  hdf5: 'an HDF5 file; save the array with numpy.save("x.npy", x)',
  keras: 'a Keras model, not evaluation data',
  bin: 'a raw binary file (e.g. model weights), not evaluation data',
  parquet: 'a Parquet table; export it with DataFrame.to_csv("x.csv", index=False)',
  feather: 'a Feather table; export it with DataFrame.to_csv("x.csv", index=False)',
  xlsx: 'a spreadsheet; export it as CSV',
  xls: 'a spreadsheet; export it as CSV',
  gz: 'a compressed file; decompress it first',
  zip: 'a zip archive without .npy members; an .npz holds one .npy per array',
};

/** Lines of text looked at to decide whether a text file holds rows of numbers. */
const SNIFF_LINES = 20;

/** True when the bytes look binary: a NUL byte, or many control characters other than tab, CR, LF, FF. */
function looksBinary(bytes: Uint8Array): boolean {
  let control = 0;
  for (const b of bytes) {
    if (b === 0) return true;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c) control++;
  }
  return control > bytes.length / 10;
}

/** `text` cut to `n` characters for a message. */
function excerpt(text: string, n = 40): string {
  const line = text.trim();
  return line.length > n ? `${line.slice(0, n)}…` : line;
}

/**
 * The kind of a data file from its first bytes, or a DataError naming the file, what it is
 * instead and the formats that are accepted. Text read as CSV must hold at least one row of
 * numbers within its first SNIFF_LINES lines (a header row alone is left to the CSV parser
 * when the file is called .csv/.tsv, whose message for that is more precise).
 */
export function sniffDataFile(path: string, head: Uint8Array): DataKind {
  const refuse = (what: string): never => {
    throw new DataError(path, `is not a data file: ${what}. Accepted data formats: ${ACCEPTED_DATA_FORMATS}`);
  };
  if (head.length === 0) throw new DataError(path, 'is empty');
  if (looksLikeNpy(head)) return 'npy';
  if (looksLikeZip(head)) return 'npz';
  const ext = extensionOf(path);
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) return refuse('it is UTF-16 text; save it as UTF-8');
  if (looksBinary(head)) {
    if (ext === 'npy') return refuse('it is binary but has no NumPy .npy header (it does not start with \\x93NUMPY)');
    if (ext === 'npz') return refuse('it is binary but not a zip archive, which an .npz is');
    return refuse(`it is binary, neither .npy nor .npz${BINARY_HINTS[ext] ? ` (looks like ${BINARY_HINTS[ext]})` : ''}`);
  }
  const kind = detectDataKind(path, head);
  const text = new TextDecoder().decode(head).replace(/^\uFEFF/, '');
  if (kind === 'npy') return refuse('it is text, not a NumPy .npy file (numpy.save writes those)');
  if (kind === 'npz') return refuse('it is text, not an .npz archive (numpy.savez writes those)');
  if (kind === 'json') {
    if (/"modelTopology"\s*:/.test(text)) return refuse('it is a TF.js model file (it has a modelTopology), not evaluation data');
    return 'json';
  }
  const lines = text.split(/\r\n|\n|\r/).filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
  const looked = lines.slice(0, SNIFF_LINES);
  if (looked.some(isNumberRow)) return 'csv';
  if ((ext === 'csv' || ext === 'tsv') && looked.length <= 1) return 'csv';
  if (looked.length === 0) return 'csv';
  const shown = looked.length === 1 ? 'its only line' : `none of its first ${looked.length} lines`;
  return refuse(`it is text, but ${shown} ${looked.length === 1 ? 'is not' : 'is'} a row of numbers (it begins '${excerpt(looked[0]!)}')`);
}
