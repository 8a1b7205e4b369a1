/**
 * The client side of the engine worker, for the extension host and the CLI: starts the worker
 * lazily on the first job (so activation never loads tfjs or the engine), correlates replies by
 * id, forwards progress and partial reports, cancels on request, and restarts the worker after a
 * crash. A cancel the worker does not answer within the grace period (a long synchronous step
 * of a large network) terminates the worker and removes the job's staging folder, so a cancel
 * always ends within about a second and leaves nothing. No `vscode` import: tests drive it with
 * a fake worker.
 */
import { rm } from 'node:fs/promises';
import type { SerializedError } from '../core/errors';
import type { ProtectionReport } from '../core/report';
import type { ModelInfo } from '../formats/format';
import type { AttackJob, AttackReport, CompareJob, CompareReport, ProtectJob, ProtectResult, VerifyJob, VerifyResult } from '../protocol/jobs';
import type { JobProgress } from '../protocol/progress';
import type { FromWorkerMessage, ToWorkerMessage } from '../protocol/worker';
import { isFromWorkerMessage } from './workerMessages';

/** The part of worker_threads.Worker the client uses. */
export interface WorkerLike {
  postMessage(message: ToWorkerMessage): void;
  on(event: 'message', listener: (value: unknown) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  /** Ends it now (a job it is running is lost). */
  terminate(): Promise<number>;
  /** Asks it to exit once idle, letting it clean up (a process ends normally); absent for threads. */
  close?(): void;
}

/** Creates the worker; called once, and again only after the previous one died. */
export type WorkerFactory = () => WorkerLike;

/** A failed job: carries the worker's SerializedError (code CANCELLED when cancelled). */
export class JobError extends Error {
  /** The error as the worker sent it; the UI shows `message` and branches on `code`. */
  readonly serialized: SerializedError;
  constructor(serialized: SerializedError) {
    super(serialized.message);
    this.name = serialized.name;
    this.serialized = serialized;
  }
}

/** Callbacks of a running protect job. */
export interface ProtectHandlers {
  /** Progress of the job (phase, one-line message, overall fraction). */
  onProgress?(progress: JobProgress): void;
  /** A partial report; the report panel redraws its charts with it. */
  onPartialReport?(report: Partial<ProtectionReport>): void;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: JobError): void;
  handlers?: ProtectHandlers;
  /** Where the job stages its output (the worker says so as soon as it is chosen). */
  staging?: string;
}

/** How long a cancelled job may take to answer before its worker is terminated. */
export const CANCEL_GRACE_MS = 400;

/** Removes a staging folder after the worker that wrote it was terminated. */
const removeFolder = (path: string): Promise<void> => rm(path, { recursive: true, force: true });

/** Log sink (the LogOutputChannel in the extension, an array in tests). */
export interface WorkerLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Client of the one engine worker. */
export class WorkerClient {
  private worker: WorkerLike | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private disposed = false;

  /**
   * @param factory creates the worker (`new Worker(dist/worker.js)` in the extension).
   * @param log receives lifecycle lines.
   * @param cancelGraceMs how long a cancelled job may take to acknowledge before the worker is terminated.
   */
  constructor(
    private readonly factory: WorkerFactory,
    private readonly log: WorkerLog,
    private readonly cancelGraceMs = CANCEL_GRACE_MS,
    private readonly removeStaging: (path: string) => Promise<void> = removeFolder,
  ) {}

  /** Whether a worker is running (tests check that activation did not start one). */
  get started(): boolean {
    return this.worker !== undefined;
  }

  /** Protects a model; rejects with JobError (code CANCELLED after `signal` aborts). */
  protect(job: ProtectJob, handlers: ProtectHandlers = {}, signal?: AbortSignal): Promise<ProtectResult> {
    const id = this.nextId++;
    return this.cancellable(id, this.request<ProtectResult>({ type: 'protect', id, job }, handlers), signal);
  }

  /**
   * Checks a protected model against its report in the worker; rejects with JobError (code
   * CANCELLED after `signal` aborts). Only `onProgress` of the handlers is called.
   */
  verify(job: VerifyJob, handlers: Pick<ProtectHandlers, 'onProgress'> = {}, signal?: AbortSignal): Promise<VerifyResult> {
    const id = this.nextId++;
    return this.cancellable(id, this.request<VerifyResult>({ type: 'verify', id, job }, handlers), signal);
  }

  /**
   * Judges whether a suspect is derived from an original in the worker; rejects with JobError
   * (code CANCELLED after `signal` aborts). Only `onProgress` of the handlers is called.
   */
  compare(job: CompareJob, handlers: Pick<ProtectHandlers, 'onProgress'> = {}, signal?: AbortSignal): Promise<CompareReport> {
    const id = this.nextId++;
    return this.cancellable(id, this.request<CompareReport>({ type: 'compare', id, job }, handlers), signal);
  }

  /**
   * Runs the attack lab on a protected copy in the worker; rejects with JobError (code CANCELLED
   * after `signal` aborts). Only `onProgress` of the handlers is called.
   */
  attack(job: AttackJob, handlers: Pick<ProtectHandlers, 'onProgress'> = {}, signal?: AbortSignal): Promise<AttackReport> {
    const id = this.nextId++;
    return this.cancellable(id, this.request<AttackReport>({ type: 'attack', id, job }, handlers), signal);
  }

  /** Cancels job `id` when `signal` aborts (at once if it already has). */
  private cancellable<T>(id: number, done: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    if (signal) {
      const onAbort = (): void => this.cancel(id);
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
      void done.catch(() => undefined).finally(() => signal.removeEventListener('abort', onAbort));
    }
    return done;
  }

  /** Describes a model file (architecture, support status) in the worker. */
  inspect(path: string): Promise<ModelInfo> {
    const id = this.nextId++;
    return this.request<ModelInfo>({ type: 'inspect', id, path });
  }

  /** Ends the worker and fails every open job. */
  dispose(): void {
    this.disposed = true;
    const idle = this.pending.size === 0;
    this.failAll({ name: 'Error', code: 'CANCELLED', message: 'MimosaNet was shut down' });
    // An idle engine exits on its own; one still running a job is stopped now.
    if (idle && this.worker?.close) this.worker.close();
    else void this.worker?.terminate();
    this.worker = undefined;
  }

  private request<T>(message: ToWorkerMessage, handlers?: ProtectHandlers): Promise<T> {
    if (this.disposed) return Promise.reject(new JobError({ name: 'Error', code: 'INTERNAL', message: 'MimosaNet has been shut down' }));
    return new Promise<T>((resolve, reject) => {
      this.pending.set(message.id, { resolve: resolve as (value: unknown) => void, reject, handlers });
      try {
        this.ensureWorker().postMessage(message);
      } catch (e) {
        this.pending.delete(message.id);
        reject(new JobError({ name: 'Error', code: 'INTERNAL', message: `Could not start the MimosaNet worker: ${(e as Error).message}` }));
      }
    });
  }

  private cancel(id: number): void {
    if (!this.pending.has(id) || !this.worker) return;
    this.log.info(`job ${id}: cancelling`);
    this.worker.postMessage({ type: 'cancel', id });
    const worker = this.worker;
    // The worker acknowledges between steps; a long synchronous step (or native code) would
    // keep the user waiting, so after a grace period the worker is terminated, the job's
    // staging folder removed, and the worker restarted on the next job.
    const timer = setTimeout(() => {
      const pending = this.pending.get(id);
      if (!pending || this.worker !== worker) return;
      this.log.warn(`job ${id}: no answer ${this.cancelGraceMs} ms after cancelling; terminating the worker`);
      this.pending.delete(id);
      void this.restart(worker)
        .then(() => (pending.staging ? this.removeStaging(pending.staging) : undefined))
        .catch((error: unknown) => this.log.error(`job ${id}: could not remove ${pending.staging}: ${String(error)}`))
        .finally(() => pending.reject(new JobError({ name: 'CancelledError', code: 'CANCELLED', message: 'Cancelled' })));
    }, this.cancelGraceMs);
    // A job that answers in time must not keep the process alive for the rest of the grace period.
    timer.unref();
  }

  private ensureWorker(): WorkerLike {
    if (this.worker) return this.worker;
    this.log.info('starting the engine worker');
    const worker = this.factory();
    worker.on('message', (value) => this.onMessage(value));
    worker.on('error', (error) => {
      this.log.error(`worker error: ${error.stack ?? error.message}`);
      if (this.worker === worker) this.crashed(`The MimosaNet worker failed: ${error.message}`);
    });
    worker.on('exit', (code) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      if (!this.disposed) this.log.warn(`worker exited with code ${code}`);
      this.failAll({ name: 'Error', code: 'INTERNAL', message: `The MimosaNet worker stopped unexpectedly (exit code ${code})` });
    });
    this.worker = worker;
    return worker;
  }

  private onMessage(value: unknown): void {
    if (!isFromWorkerMessage(value)) {
      this.log.warn(`ignored an unknown message from the worker: ${JSON.stringify(value)?.slice(0, 200)}`);
      return;
    }
    const message: FromWorkerMessage = value;
    const pending = this.pending.get(message.id);
    if (!pending) return; // a late reply to a job given up after cancelling
    switch (message.type) {
      case 'progress':
        pending.handlers?.onProgress?.(message.progress);
        break;
      case 'partialReport':
        pending.handlers?.onPartialReport?.(message.report);
        break;
      case 'staging':
        pending.staging = message.path;
        break;
      case 'protectResult':
        this.pending.delete(message.id);
        pending.resolve(message.result);
        break;
      case 'inspectResult':
        this.pending.delete(message.id);
        pending.resolve(message.info);
        break;
      case 'verifyResult':
        this.pending.delete(message.id);
        pending.resolve(message.result);
        break;
      case 'compareResult':
      case 'attackResult':
        this.pending.delete(message.id);
        pending.resolve(message.report);
        break;
      case 'error':
        this.settle(message.id, message.error);
        break;
      default: {
        const never: never = message;
        this.log.warn(`unhandled worker message ${JSON.stringify(never)}`);
      }
    }
  }

  private settle(id: number, error: SerializedError): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    pending.reject(new JobError(error));
  }

  private crashed(message: string): void {
    const worker = this.worker;
    this.failAll({ name: 'Error', code: 'INTERNAL', message });
    if (worker) void this.restart(worker);
  }

  private async restart(worker: WorkerLike): Promise<void> {
    if (this.worker === worker) this.worker = undefined;
    await worker.terminate();
  }

  private failAll(error: SerializedError): void {
    for (const id of [...this.pending.keys()]) this.settle(id, error);
  }
}
