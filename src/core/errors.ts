/**
 * Typed errors, one class per failure family. Every message quotes the offending value so a
 * user can act on it without reading a stack trace; `code` lets the CLI, the worker protocol
 * and the webview tell families apart after the instance has been serialised.
 */

/** Error codes carried across worker and webview boundaries, where class identity is lost. */
export type MimosaErrorCode =
  | 'MODEL_FORMAT'
  | 'UNSUPPORTED_LAYER'
  | 'INVALID_NETWORK'
  | 'DATA'
  | 'FILE_ACCESS'
  | 'REPORT_FORMAT'
  | 'EQUIVALENCE'
  | 'OUTPUT_EXISTS'
  | 'ENGINE'
  | 'USAGE'
  | 'CANCELLED';

/** Base class of every error the product raises on purpose. */
export class MimosaError extends Error {
  /** Stable family code; the CLI maps it to an exit code, the UI to a message style. */
  readonly code: MimosaErrorCode;
  constructor(code: MimosaErrorCode, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A model file is unreadable, corrupt, truncated or not in the format it claims to be. */
export class ModelFormatError extends MimosaError {
  /** The file that failed to parse, as given by the caller. */
  readonly file: string;
  /** The format being parsed ("tfjs-layers", ...). */
  readonly format: string;
  constructor(file: string, format: string, problem: string) {
    super('MODEL_FORMAT', `${file}: ${problem}`);
    this.file = file;
    this.format = format;
  }
}

/** The model parses but contains something that is not a plain dense chain. */
export class UnsupportedLayerError extends MimosaError {
  /** Name of the blocking layer (or feature) as the file spells it. */
  readonly layer: string;
  /** Its class or op name ("Conv2D", "graph-model", ...). */
  readonly className: string;
  constructor(file: string, layer: string, className: string, reason: string) {
    super('UNSUPPORTED_LAYER', `${file}: layer '${layer}' (${className}) ${reason}`);
    this.layer = layer;
    this.className = className;
  }
}

/** The in-memory network is inconsistent (shapes disagree, non-finite values, unknown activation). */
export class InvalidNetworkError extends MimosaError {
  constructor(message: string) {
    super('INVALID_NETWORK', message);
  }
}

/** Evaluation data (inputs or labels) is unreadable or does not fit the model. */
export class DataError extends MimosaError {
  /** The data file at fault, when there is one. */
  readonly file: string | undefined;
  constructor(file: string | undefined, problem: string) {
    super('DATA', file ? `${file}: ${problem}` : problem);
    this.file = file;
  }
}

/** What is wrong with a path the caller gave: nothing there, a folder where a file belongs, or no permission. */
export type FileAccessProblem = 'missing' | 'folder' | 'unreadable';

/**
 * A path the caller gave (model, data, labels, report) cannot be opened as a file. The message
 * names the path and what to give instead (`hint`, e.g. "give the model's main file, e.g. model.json").
 */
export class FileAccessError extends MimosaError {
  /** The path as resolved by the caller. */
  readonly path: string;
  readonly problem: FileAccessProblem;
  constructor(path: string, problem: FileAccessProblem, hint: string, detail?: string) {
    const what = problem === 'missing' ? `no such file: ${path}` : problem === 'folder' ? `${path} is a folder` : `cannot read ${path}${detail ? ` (${detail})` : ''}`;
    super('FILE_ACCESS', `${what}; ${hint}`);
    this.path = path;
    this.problem = problem;
  }
}

/** A report.json is unreadable, not a MimosaNet report, of a schema version this tool does not read, or lacks a field. */
export class ReportFormatError extends MimosaError {
  /** The report file (or other source) that failed to parse, as given by the caller. */
  readonly file: string;
  /** What is wrong with it, without the file name. */
  readonly problem: string;
  constructor(file: string, problem: string) {
    super('REPORT_FORMAT', `${file}: ${problem}`);
    this.file = file;
    this.problem = problem;
  }
}

/** The protected model could not be made equivalent to the original within the tolerance. */
export class EquivalenceError extends MimosaError {
  constructor(message: string) {
    super('EQUIVALENCE', message);
  }
}

/** An output already exists and the caller did not ask to overwrite it. */
export class OutputExistsError extends MimosaError {
  /** The path that would have been overwritten. */
  readonly path: string;
  constructor(path: string) {
    super('OUTPUT_EXISTS', `${path} already exists (use --force to overwrite)`);
    this.path = path;
  }
}

/** A compute engine asked for by name cannot start here (its native library or wasm binary is missing or failed to load). */
export class EngineUnavailableError extends MimosaError {
  /** The engine ('onnxruntime', 'tfjs-wasm'). */
  readonly engine: string;
  constructor(engine: string, reason: string) {
    super('ENGINE', `the ${engine} engine cannot start here: ${reason}`);
    this.engine = engine;
  }
}

/** The caller asked for something that does not make sense (bad flag, bad option value). */
export class UsageError extends MimosaError {
  constructor(message: string) {
    super('USAGE', message);
  }
}

/** The user cancelled a long job; nothing was written. */
export class CancelledError extends MimosaError {
  constructor(message = 'Cancelled') {
    super('CANCELLED', message);
  }
}

/** Plain-data form of an error, for postMessage (class instances do not survive it). */
export interface SerializedError {
  /** Class name, for display. */
  name: string;
  /** Family code, or 'INTERNAL' for bugs. */
  code: MimosaErrorCode | 'INTERNAL';
  /** Human-readable message. */
  message: string;
}

/** Turns any thrown value into plain data. */
export function serializeError(error: unknown): SerializedError {
  if (error instanceof MimosaError) return { name: error.name, code: error.code, message: error.message };
  if (error instanceof Error) return { name: error.name, code: 'INTERNAL', message: error.message };
  return { name: 'Error', code: 'INTERNAL', message: String(error) };
}

/**
 * Re-creates an error that crossed a thread boundary: class identity does not survive it, the
 * family code does (CANCELLED becomes a CancelledError, any other code a MimosaError with it).
 */
export function deserializeError(error: SerializedError): Error {
  if (error.code === 'CANCELLED') return new CancelledError(error.message);
  if (error.code === 'INTERNAL') return Object.assign(new Error(error.message), { name: error.name });
  return new MimosaError(error.code, error.message);
}

/** Throws if the signal is aborted; long loops call this between steps. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}

/** Yields to the event loop, so a worker can receive a cancel message, then checks the signal. */
export async function checkpoint(signal: AbortSignal | undefined): Promise<void> {
  await yieldToEventLoop();
  throwIfCancelled(signal);
}

/**
 * Lets pending messages and I/O run, then resumes. In Node `setImmediate` resumes right after
 * them, where `setTimeout(…, 0)` waits at least a millisecond: hundreds of yields a job (one per
 * fine-tuning call) were ~0.4 s of idle wall time. Browsers have only `setTimeout`.
 */
export function yieldToEventLoop(): Promise<void> {
  // Looked up on globalThis: the core is also compiled for the webview, which has no Node types.
  const immediate = (globalThis as { setImmediate?: (callback: () => void) => unknown }).setImmediate;
  return new Promise((resolve) => (immediate ? immediate(() => resolve()) : setTimeout(resolve, 0)));
}
