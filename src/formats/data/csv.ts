/**
 * Numeric delimited text: `,`, `;`, tab or whitespace separated (the last is what
 * `numpy.savetxt` writes by default), with an optional header row. A header row is recognised
 * when a field of the first row is not a number, or when it is exactly 0..n-1 (pandas' default
 * column names, at least 3 of them); a `# a,b,c` comment line just before the data (numpy's
 * header) counts too. A leading pandas index column (empty or "Unnamed: 0" header) is dropped.
 */

import { DataError } from '../../core/errors';
import type { NdArray } from './ndarray';

/** A parsed table of numbers. */
export interface CsvTable {
  /** Column names, or null when the file has no header row. */
  header: string[] | null;
  /** Data rows. */
  rows: number;
  /** Columns per row. */
  cols: number;
  /** rows × cols values, row-major. */
  values: Float64Array;
  /** What the parser inferred (separator, dropped index column), for the report. */
  notes: string[];
}

/** Header names (case-insensitive) that mark the label column of a single data file. */
export const LABEL_COLUMN_NAMES = ['label', 'labels', 'y', 'target', 'class'];

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const DECIMAL_COMMA = /^[+-]?\d*,\d+$/;
const SPECIAL: Record<string, number> = {
  nan: NaN,
  '+nan': NaN,
  '-nan': NaN,
  inf: Infinity,
  '+inf': Infinity,
  '-inf': -Infinity,
  infinity: Infinity,
  '+infinity': Infinity,
  '-infinity': -Infinity,
};

/** The field as a number, or undefined if it is not one. NaN/inf parse, so validation can point at them. */
function toNumber(field: string, decimalComma: boolean): number | undefined {
  const f = field.trim();
  if (NUMBER.test(f)) return Number(f);
  // With ';' or tab separators, spreadsheets in many locales write 0,5 for 0.5.
  if (decimalComma && DECIMAL_COMMA.test(f)) return Number(f.replace(',', '.'));
  return SPECIAL[f.toLowerCase()];
}

type Separator = ',' | ';' | '\t' | 'whitespace';

function detectSeparator(line: string): Separator {
  if (line.includes('\t')) return '\t';
  if (line.includes(';')) return ';';
  if (line.includes(',')) return ',';
  return 'whitespace';
}

function splitLine(line: string, sep: Separator): string[] {
  if (sep === 'whitespace') return line.trim().split(/\s+/);
  if (!line.includes('"')) return line.split(sep);
  // Quoted fields only occur in header names in practice; "" is an escaped quote.
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === sep) {
      fields.push(field);
      field = '';
    } else field += ch;
  }
  fields.push(field);
  return fields;
}

/** True when `line` (on its own) reads as a row of numbers under the parser's separator rules. */
export function isNumberRow(line: string): boolean {
  if (line.trim() === '') return false;
  const sep = detectSeparator(line);
  return splitLine(line, sep).every((field) => toNumber(field, sep !== ',') !== undefined);
}

const SEPARATOR_NAMES: Record<Separator, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab', whitespace: 'whitespace' };

function isIndexHeader(fields: readonly string[], decimalComma: boolean): boolean {
  if (fields.length < 3) return false;
  const numbers = fields.map((f) => toNumber(f, decimalComma));
  return numbers.every((v, i) => v === i);
}

/** Parses numeric delimited text; DataError (naming `file`, line and column) on ragged rows or non-numbers. */
export function parseCsv(text: string, file: string): CsvTable {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const isComment = (line: string): boolean => line.trimStart().startsWith('#');
  const firstIndex = lines.findIndex((l) => l.trim() !== '' && !isComment(l));
  if (firstIndex < 0) throw new DataError(file, lines.some(isComment) ? 'has no data rows' : 'is empty');

  const first = lines[firstIndex]!;
  const sep = detectSeparator(first);
  const decimalComma = sep !== ',';
  const notes: string[] = [];
  if (sep !== ',') notes.push(`${SEPARATOR_NAMES[sep]}-separated`);

  const firstFields = splitLine(first, sep).map((f) => f.trim());
  const cols = firstFields.length;
  let header: string[] | null = null;
  if (firstFields.some((f) => toNumber(f, decimalComma) === undefined)) {
    header = firstFields;
  } else if (isIndexHeader(firstFields, decimalComma)) {
    header = firstFields;
    notes.push(`first row 0, 1, ..., ${cols - 1} taken as column names (pandas' default)`);
  } else {
    // numpy.savetxt(header=...) writes the column names as a '# ' comment line.
    const comment = lines.slice(0, firstIndex).reverse().find(isComment);
    const names = comment && splitLine(comment.trimStart().replace(/^#\s*/, ''), sep).map((f) => f.trim());
    if (names && names.length === cols && cols > 1) header = names;
  }

  const values: number[] = [];
  let rows = 0;
  const dataStart = firstIndex + (header === firstFields ? 1 : 0);
  for (let n = dataStart; n < lines.length; n++) {
    const line = lines[n]!;
    if (line.trim() === '' || isComment(line)) continue;
    const fields = splitLine(line, sep);
    if (fields.length !== cols) {
      throw new DataError(file, `line ${n + 1} has ${fields.length} fields, expected ${cols} (as on line ${firstIndex + 1})`);
    }
    for (let c = 0; c < cols; c++) {
      const v = toNumber(fields[c]!, decimalComma);
      if (v === undefined) {
        const shown = fields[c]!.trim();
        throw new DataError(file, `line ${n + 1}, column ${c + 1}: ${shown === '' ? 'empty field' : `'${shown.slice(0, 40)}' is not a number`}`);
      }
      values.push(v);
    }
    rows++;
  }
  if (rows === 0) throw new DataError(file, 'has a header row but no data rows');
  return dropPandasIndex({ header, rows, cols, values: Float64Array.from(values), notes });
}

/** Drops a first column that is pandas' unnamed row index 0..n-1 (`DataFrame.to_csv` writes it by default). */
function dropPandasIndex(table: CsvTable): CsvTable {
  const name = table.header?.[0];
  if (name === undefined || (name !== '' && name !== 'Unnamed: 0') || table.cols < 2) return table;
  for (let r = 0; r < table.rows; r++) if (table.values[r * table.cols] !== r) return table;
  const cols = table.cols - 1;
  const values = new Float64Array(table.rows * cols);
  for (let r = 0; r < table.rows; r++) values.set(table.values.subarray(r * table.cols + 1, (r + 1) * table.cols), r * cols);
  return { ...table, header: table.header!.slice(1), cols, values, notes: [...table.notes, 'dropped the unnamed row-index column'] };
}

/** Index of the label column (by header name, see LABEL_COLUMN_NAMES), or -1. */
export function findLabelColumn(table: CsvTable): number {
  if (!table.header) return -1;
  const lower = table.header.map((h) => h.trim().toLowerCase());
  for (const name of LABEL_COLUMN_NAMES) {
    const i = lower.indexOf(name);
    if (i >= 0) return i;
  }
  return -1;
}

/** Column `c` of the table as an [rows] array. */
export function tableColumn(table: CsvTable, c: number): NdArray {
  const values = new Float64Array(table.rows);
  for (let r = 0; r < table.rows; r++) values[r] = table.values[r * table.cols + c]!;
  return { shape: [table.rows], dtype: 'csv', values };
}

/** The table without column `c` (or whole, when `c` is -1) as a [rows, cols] array. */
export function tableWithout(table: CsvTable, c: number): NdArray {
  if (c < 0) return { shape: [table.rows, table.cols], dtype: 'csv', values: table.values };
  const cols = table.cols - 1;
  const values = new Float64Array(table.rows * cols);
  for (let r = 0; r < table.rows; r++) {
    const row = table.values.subarray(r * table.cols, (r + 1) * table.cols);
    values.set(row.subarray(0, c), r * cols);
    values.set(row.subarray(c + 1), r * cols + c);
  }
  return { shape: [table.rows, cols], dtype: 'csv', values };
}
