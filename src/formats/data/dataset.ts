/**
 * Evaluation data for `--data`/`--labels` (DESIGN §7): reads .npy, .npz, .csv or .json into
 * a float32 [rows × inputs] matrix and optional integer class ids, and rejects anything that
 * does not fit the model with a DataError naming the file and the problem.
 */

import { DataError, FileAccessError } from '../../core/errors';
import type { FileReader } from '../format';
import { type ArrayBundle, pickEmbeddedLabelsName, pickInputsName, pickLabelsFileName } from './bundle';
import { type CsvTable, findLabelColumn, parseCsv, tableColumn, tableWithout } from './csv';
import { readJson } from './json';
import { type NdArray, formatShape } from './ndarray';
import { parseNpy } from './npy';
import { readNpz } from './npz';
import { ACCEPTED_DATA_EXTENSIONS, sniffDataFile } from './sniff';

/** Evaluation inputs (and labels) ready for the forward pass. */
export interface Dataset {
  /** rows × cols inputs, row-major. */
  x: Float32Array;
  /** Number of samples. */
  rows: number;
  /** Inputs per sample (equals the model's input width). */
  cols: number;
  /** Integer class id per row, or null when unlabelled (agreement then replaces accuracy). */
  labels: Int32Array | null;
  /** Where the inputs came from (the data path as given, or "probes"). */
  source: string;
  /** Where the labels came from, e.g. "y.npy" or "eval.npz[y]"; absent without labels. */
  labelsSource?: string;
  /** What was inferred or converted on the way (flattening, one-hot arg-max, ...), for the report. */
  notes?: string[];
}

/** Choices a caller can make explicitly instead of relying on member/column names. */
export interface ReadDatasetOptions {
  /** Name of the inputs array in an .npz/.json file (default: x, X, inputs, data, ..., first member). */
  inputsName?: string;
  /** Name of the labels array in an .npz/.json file (default: y, labels, targets, ...). */
  labelsName?: string;
}

export { detectDataKind, sniffDataFile, type DataKind } from './sniff';

/** The error a FileReader threw when nothing is at `path` or it is a folder (Node and VS Code spellings), else undefined. */
function fileAccessError(path: string, error: unknown): FileAccessError | undefined {
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT' || code === 'FileNotFound') return new FileAccessError(path, 'missing', `give an evaluation data file (${ACCEPTED_DATA_EXTENSIONS})`);
  if (code === 'EISDIR' || code === 'FileIsADirectory') return new FileAccessError(path, 'folder', `give an evaluation data file inside it (${ACCEPTED_DATA_EXTENSIONS})`);
  return undefined;
}

async function readBytes(path: string, files: FileReader): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await files.read(path);
  } catch (error) {
    throw fileAccessError(path, error) ?? new DataError(path, `cannot be read (${(error as Error).message})`);
  }
  if (bytes.length === 0) throw new DataError(path, 'is empty');
  return bytes;
}

/** One array read from a data file, and the name it goes by in messages. */
interface Found {
  array: NdArray;
  source: string;
}

/** What a data file holds: its inputs and, if it carries them, its labels. */
interface DataContents {
  inputs: Found;
  labels: Found | null;
  notes: string[];
  /** Added to a column-count error: a headerless CSV may carry its labels in a column. */
  columnHint?: string;
}

function bundleOf(kind: 'npz' | 'json', bytes: Uint8Array, path: string): ArrayBundle {
  return kind === 'npz' ? readNpz(bytes, path) : readJson(new TextDecoder().decode(bytes), path);
}

function memberSource(path: string, name: string): string {
  return name === '' ? path : `${path}[${name}]`;
}

function readDataContents(path: string, bytes: Uint8Array, options: ReadDatasetOptions): DataContents {
  const kind = sniffDataFile(path, bytes);
  switch (kind) {
    case 'npy':
      return { inputs: { array: parseNpy(bytes, path), source: path }, labels: null, notes: [] };
    case 'csv': {
      const table = parseCsv(new TextDecoder().decode(bytes), path);
      const c = findLabelColumn(table);
      const labels = c >= 0 ? { array: tableColumn(table, c), source: `${path} column '${table.header![c]}'` } : null;
      const columnHint = c < 0 ? "if one column holds the labels, add a header row naming it 'label'" : undefined;
      return { inputs: { array: tableWithout(table, c), source: path }, labels, notes: [...table.notes], columnHint };
    }
    case 'npz':
    case 'json': {
      const bundle = bundleOf(kind, bytes, path);
      const inputsName = pickInputsName(bundle.names, path, options.inputsName);
      const labelsName = pickEmbeddedLabelsName(bundle.names.filter((n) => n !== inputsName), path, options.labelsName);
      const notes = bundle.names.length > 1 || inputsName !== '' ? [`inputs from array '${inputsName}'`] : [];
      return {
        inputs: { array: bundle.get(inputsName), source: memberSource(path, inputsName) },
        labels: labelsName === undefined ? null : { array: bundle.get(labelsName), source: memberSource(path, labelsName) },
        notes,
      };
    }
    default: {
      const unreachable: never = kind;
      throw new Error(`unknown data kind ${String(unreachable)}`);
    }
  }
}

function labelsFromTable(table: CsvTable, path: string): Found {
  const c = findLabelColumn(table);
  if (c >= 0) return { array: tableColumn(table, c), source: `${path} column '${table.header![c]}'` };
  const all = tableWithout(table, -1);
  return { array: table.cols === 1 ? { ...all, shape: [table.rows] } : all, source: path };
}

function readLabelsFile(path: string, bytes: Uint8Array, options: ReadDatasetOptions): Found {
  const kind = sniffDataFile(path, bytes);
  switch (kind) {
    case 'npy':
      return { array: parseNpy(bytes, path), source: path };
    case 'csv':
      return labelsFromTable(parseCsv(new TextDecoder().decode(bytes), path), path);
    case 'npz':
    case 'json': {
      const bundle = bundleOf(kind, bytes, path);
      const name = pickLabelsFileName(bundle.names, path, options.labelsName);
      return { array: bundle.get(name), source: memberSource(path, name) };
    }
    default: {
      const unreachable: never = kind;
      throw new Error(`unknown data kind ${String(unreachable)}`);
    }
  }
}

/**
 * Turns an inputs array into a float32 [rows × expectedInputs] matrix: [N, inputs] as is,
 * [N] when the model has one input, and [N, ...] images (e.g. [N, 28, 28] or [N, 28, 28, 1])
 * flattened in C order, like `x.reshape(len(x), -1)`.
 */
export function toInputMatrix(array: NdArray, expectedInputs: number, file: string, notes: string[] = []): { x: Float32Array; rows: number } {
  const { shape } = array;
  if (shape.length === 0) throw new DataError(file, 'holds a single number, not rows of inputs');
  const rows = shape[0]!;
  const perRow = shape.length === 1 ? 1 : shape.slice(1).reduce((a, b) => a * b, 1);
  if (shape.length === 1 && expectedInputs !== 1) {
    throw new DataError(file, `is 1-D with shape ${formatShape(shape)}; expected rows of ${expectedInputs} inputs, shape (N, ${expectedInputs})`);
  }
  if (perRow !== expectedInputs) {
    const has = shape.length === 2 ? `has ${perRow} columns` : `has shape ${formatShape(shape)} (${perRow} values per sample)`;
    throw new DataError(file, `${has}, the model expects ${expectedInputs} inputs`);
  }
  if (rows === 0) throw new DataError(file, 'has no rows');
  if (shape.length > 2) notes.push(`flattened ${formatShape(shape)} to (${rows}, ${perRow})`);

  const x = array.values instanceof Float32Array ? array.values : Float32Array.from(array.values);
  let max = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (!Number.isFinite(v)) {
      const original = array.values[i]!;
      const what = Number.isFinite(original) ? `value ${original} (too large for float32)` : `non-finite value ${original}`;
      throw new DataError(file, `has a ${what} at row ${Math.floor(i / perRow)}, column ${i % perRow}`);
    }
    if (v > max) max = v;
  }
  // Raw 8-bit pixels are a common slip when the model was trained on [0, 1]: worth a visible note.
  if ((array.dtype === '|u1' || array.dtype === 'u1') && max > 1) notes.push('inputs are uint8 values up to 255, used as is (not rescaled to [0, 1])');
  return { x, rows };
}

/** Largest |label| accepted: class ids must fit an Int32Array. */
const MAX_LABEL = 2 ** 31 - 1;

/**
 * Turns a labels array into class ids: [N] (or [N, 1]) whole numbers as they are, [N, C]
 * one-hot or probability rows by arg-max. Ranges are checked by `checkLabels`.
 */
export function toLabels(array: NdArray, file: string, notes: string[] = []): Int32Array {
  const { shape, values } = array;
  const badShape = `has shape ${formatShape(shape)}; labels must be class ids of shape (N,) or one-hot rows (N, classes)`;
  if (shape.length === 0 || shape.length > 2) throw new DataError(file, badShape);
  const rows = shape[0]!;
  const cols = shape.length === 2 ? shape[1]! : 1;
  if (cols === 0) throw new DataError(file, badShape);
  const labels = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 0; c < cols; c++) {
      const v = values[r * cols + c]!;
      if (!Number.isFinite(v)) throw new DataError(file, `has a non-finite label value ${v} at row ${r}`);
      if (c > 0 && v > values[r * cols + best]!) best = c;
    }
    if (cols > 1) {
      labels[r] = best;
      continue;
    }
    const v = values[r]!;
    if (!Number.isInteger(v) || Math.abs(v) > MAX_LABEL) {
      throw new DataError(file, `label ${v} at row ${r} is not an integer class id`);
    }
    labels[r] = v;
  }
  if (cols > 1) notes.push(`labels converted from (${rows}, ${cols}) one-hot/probability rows by arg-max`);
  return labels;
}

/** Throws a DataError if a label is outside 0..classes-1 (the caller knows the model's class count). */
export function checkLabels(labels: Int32Array, classes: number, file: string | undefined): void {
  for (let r = 0; r < labels.length; r++) {
    const v = labels[r]!;
    if (v < 0 || v >= classes) {
      throw new DataError(file, `label ${v} at row ${r} is out of range: the model has ${classes} classes (0..${classes - 1})`);
    }
  }
}

/**
 * Reads evaluation inputs from `dataPath` and labels from `labelsPath`, or from the data file
 * itself (an .npz/.json `y` array, a CSV `label` column) when no labels file is given.
 */
export async function readDataset(
  dataPath: string,
  labelsPath: string | undefined,
  files: FileReader,
  expectedInputs: number,
  options: ReadDatasetOptions = {},
): Promise<Dataset> {
  const contents = readDataContents(dataPath, await readBytes(dataPath, files), options);
  const notes = contents.notes;
  const { shape } = contents.inputs.array;
  if (contents.columnHint && shape.length === 2 && shape[1] === expectedInputs + 1) {
    throw new DataError(dataPath, `has ${shape[1]} columns, the model expects ${expectedInputs} inputs (${contents.columnHint})`);
  }
  const { x, rows } = toInputMatrix(contents.inputs.array, expectedInputs, contents.inputs.source, notes);

  let found = contents.labels;
  if (labelsPath !== undefined) {
    if (found) notes.push(`labels from ${labelsPath}; ${found.source} ignored`);
    found = readLabelsFile(labelsPath, await readBytes(labelsPath, files), options);
  }
  if (!found) return { x, rows, cols: expectedInputs, labels: null, source: dataPath, notes };

  const labels = toLabels(found.array, found.source, notes);
  if (labels.length !== rows) {
    throw new DataError(found.source, `has ${labels.length} labels, but ${contents.inputs.source} has ${rows} rows`);
  }
  return { x, rows, cols: expectedInputs, labels, source: dataPath, labelsSource: found.source, notes };
}
