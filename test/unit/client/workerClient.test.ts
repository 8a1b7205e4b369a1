import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProtectJob } from '../../../src/protocol/jobs';
import type { FromWorkerMessage, ToWorkerMessage } from '../../../src/protocol/worker';
import { DEFAULT_OPTIONS } from '../../../src/extension/settings';
import { JobError, WorkerClient, type WorkerLike } from '../../../src/client/workerClient';

/** A worker that records what it is sent and replies when the test says so. */
class FakeWorker implements WorkerLike {
  readonly sent: ToWorkerMessage[] = [];
  terminated = false;
  closed = false;
  private readonly listeners: Record<string, ((value: never) => void)[]> = {};
  postMessage(message: ToWorkerMessage): void {
    this.sent.push(message);
  }
  on(event: string, listener: (value: never) => void): this {
    (this.listeners[event] ??= []).push(listener);
    return this;
  }
  async terminate(): Promise<number> {
    this.terminated = true;
    return 0;
  }
  close(): void {
    this.closed = true;
  }
  emit(event: 'message' | 'error' | 'exit', value: unknown): void {
    for (const l of this.listeners[event] ?? []) l(value as never);
  }
  reply(message: FromWorkerMessage): void {
    this.emit('message', message);
  }
}

function setup(graceMs = 50) {
  const workers: FakeWorker[] = [];
  const lines: string[] = [];
  const removed: string[] = [];
  const log = { info: (m: string) => lines.push(`info ${m}`), warn: (m: string) => lines.push(`warn ${m}`), error: (m: string) => lines.push(`error ${m}`) };
  const client = new WorkerClient(() => {
    const w = new FakeWorker();
    workers.push(w);
    return w;
  }, log, graceMs, async (path) => {
    removed.push(path);
  });
  return { client, workers, lines, removed };
}

const job: ProtectJob = { modelPath: '/w/model.json', force: false, options: DEFAULT_OPTIONS };
const tick = () => new Promise((r) => setImmediate(r));

describe('worker client', () => {
  it('starts the worker only on the first request, and only once', async () => {
    const { client, workers } = setup();
    assert.equal(client.started, false);
    const a = client.inspect('/w/a.json');
    const b = client.inspect('/w/b.json');
    assert.equal(workers.length, 1);
    const [ra, rb] = workers[0]!.sent as { id: number }[];
    workers[0]!.reply({ type: 'inspectResult', id: rb!.id, info: { format: 'x', path: '/w/b.json', layers: [], parameters: 2 } });
    workers[0]!.reply({ type: 'inspectResult', id: ra!.id, info: { format: 'x', path: '/w/a.json', layers: [], parameters: 1 } });
    assert.equal((await a).parameters, 1, 'replies are matched by id, not by order');
    assert.equal((await b).parameters, 2);
  });

  it('forwards progress and partial reports, then resolves with the result', async () => {
    const { client, workers } = setup();
    const progress: number[] = [];
    const partials: unknown[] = [];
    const done = client.protect(job, { onProgress: (p) => progress.push(p.fraction), onPartialReport: (r) => partials.push(r) });
    const w = workers[0]!;
    const id = (w.sent[0] as { id: number }).id;
    assert.equal(w.sent[0]!.type, 'protect');
    w.reply({ type: 'progress', id, progress: { phase: 'read', message: 'reading', fraction: 0.1 } });
    w.reply({ type: 'partialReport', id, report: { verdict: 'so far' } });
    w.reply({ type: 'progress', id: id + 99, progress: { phase: 'read', message: 'someone else', fraction: 0.9 } });
    w.reply({ type: 'protectResult', id, result: { report: {} as never, reportPath: '/w/model.mimosa/report.json', protectedPath: '/w/model.mimosa/model.json' } });
    const result = await done;
    assert.equal(result.reportPath, '/w/model.mimosa/report.json');
    assert.deepEqual(progress, [0.1]);
    assert.deepEqual(partials, [{ verdict: 'so far' }]);
  });

  it('cancels through the signal and rejects with the worker’s CANCELLED error', async () => {
    const { client, workers } = setup();
    const abort = new AbortController();
    const done = client.protect(job, {}, abort.signal);
    abort.abort();
    const w = workers[0]!;
    const id = (w.sent[0] as { id: number }).id;
    assert.deepEqual(w.sent[1], { type: 'cancel', id });
    w.reply({ type: 'error', id, error: { name: 'CancelledError', code: 'CANCELLED', message: 'Cancelled' } });
    await assert.rejects(done, (e: unknown) => e instanceof JobError && e.serialized.code === 'CANCELLED');
    assert.equal(w.terminated, false, 'a worker that answers is kept');
  });

  it('verify: sends a typed verify job, forwards progress, resolves with the result and cancels through the signal', async () => {
    const { client, workers } = setup();
    const pair = { modelPath: '/w/model.mimosa/model.json', reportPath: '/w/model.mimosa/report.json' };
    const phases: string[] = [];
    const done = client.verify(pair, { onProgress: (p) => phases.push(p.phase) });
    const w = workers[0]!;
    const sent = w.sent[0] as { type: string; id: number; job: unknown };
    assert.deepEqual({ type: sent.type, job: sent.job }, { type: 'verify', job: pair });
    w.reply({ type: 'progress', id: sent.id, progress: { phase: 'hashes', message: 'Hashing model.json', fraction: 0.05 } });
    const result = { ok: false, modelPath: pair.modelPath, reportPath: pair.reportPath, originalPath: '/w/model.json', files: [{ name: 'model.json', ok: false, problem: 'missing' }] };
    w.reply({ type: 'verifyResult', id: sent.id, result });
    assert.deepEqual(await done, result, 'a tampered file is a result, not an error');
    assert.deepEqual(phases, ['hashes']);

    const abort = new AbortController();
    const cancelled = client.verify(pair, {}, abort.signal);
    const id = (w.sent[1] as { id: number }).id;
    abort.abort();
    assert.deepEqual(w.sent[2], { type: 'cancel', id });
    w.reply({ type: 'error', id, error: { name: 'CancelledError', code: 'CANCELLED', message: 'Cancelled' } });
    await assert.rejects(cancelled, (e: unknown) => e instanceof JobError && e.serialized.code === 'CANCELLED');
  });

  it('compare: sends a typed compare job, forwards progress, resolves with the report and cancels through the signal', async () => {
    const { client, workers } = setup();
    const job = { suspectPath: '/w/model.mimosa/model.json', originalPath: '/w/model.json', dataPath: '/w/x.npy', labelsPath: '/w/y.npy', seed: 1, engine: 'auto' as const };
    const phases: string[] = [];
    const done = client.compare(job, { onProgress: (p) => phases.push(p.phase) });
    const w = workers[0]!;
    const sent = w.sent[0] as { type: string; id: number; job: unknown };
    assert.deepEqual({ type: sent.type, job: sent.job }, { type: 'compare', job });
    w.reply({ type: 'progress', id: sent.id, progress: { phase: 'references', message: 'trained reference network 1 of 8', fraction: 0.07 } });
    const report = { verdict: 'inconclusive', decidedBy: 'none', reason: 'r', evidence: {}, baselines: {} } as unknown as Extract<FromWorkerMessage, { type: 'compareResult' }>['report'];
    w.reply({ type: 'compareResult', id: sent.id, report });
    assert.deepEqual(await done, report, 'an inconclusive verdict is a result, not an error');
    assert.deepEqual(phases, ['references']);

    const abort = new AbortController();
    const cancelled = client.compare(job, {}, abort.signal);
    const id = (w.sent[1] as { id: number }).id;
    abort.abort();
    assert.deepEqual(w.sent[2], { type: 'cancel', id });
    w.reply({ type: 'error', id, error: { name: 'CancelledError', code: 'CANCELLED', message: 'Cancelled' } });
    await assert.rejects(cancelled, (e: unknown) => e instanceof JobError && e.serialized.code === 'CANCELLED');
  });

  it('terminates a worker that does not acknowledge a cancel in time and removes the job’s staging folder', async () => {
    const { client, workers, lines, removed } = setup(20);
    const abort = new AbortController();
    const done = client.protect(job, {}, abort.signal);
    const id = (workers[0]!.sent[0] as { id: number }).id;
    workers[0]!.reply({ type: 'staging', id, path: '/w/.model.mimosa.partial-00ff' });
    const started = performance.now();
    // The grace timer is unref'd (the worker's own handle keeps a real process alive): hold the loop.
    const keepAlive = setTimeout(() => undefined, 2000);
    abort.abort();
    await assert.rejects(done, (e: unknown) => e instanceof JobError && e.serialized.code === 'CANCELLED');
    clearTimeout(keepAlive);
    assert.ok(performance.now() - started < 500, 'the grace period, not more');
    assert.equal(workers[0]!.terminated, true);
    assert.deepEqual(removed, ['/w/.model.mimosa.partial-00ff'], 'removed before the job settles');
    assert.ok(lines.some((l) => l.startsWith('warn') && l.includes('terminating')));
    void client.inspect('/w/a.json');
    assert.equal(workers.length, 2, 'the next request starts a fresh worker');
  });

  it('fails open jobs when the worker exits and restarts on the next request', async () => {
    const { client, workers } = setup();
    const done = client.protect(job);
    workers[0]!.emit('exit', 1);
    await assert.rejects(done, /stopped unexpectedly \(exit code 1\)/);
    void client.inspect('/w/a.json');
    assert.equal(workers.length, 2);
  });

  it('fails open jobs on a worker error and terminates it', async () => {
    const { client, workers } = setup();
    const done = client.inspect('/w/a.json');
    workers[0]!.emit('error', new Error('out of memory'));
    await assert.rejects(done, /out of memory/);
    assert.equal(workers[0]!.terminated, true);
  });

  it('ignores messages that are not of the protocol', async () => {
    const { client, workers, lines } = setup();
    void client.inspect('/w/a.json').catch(() => undefined);
    workers[0]!.emit('message', { hello: 'world' });
    await tick();
    assert.ok(lines.some((l) => l.includes('ignored an unknown message')));
  });

  it('dispose terminates the worker and rejects what is open', async () => {
    const { client, workers } = setup();
    const done = client.inspect('/w/a.json');
    client.dispose();
    await assert.rejects(done, /shut down/);
    assert.equal(workers[0]!.terminated, true);
    await assert.rejects(client.inspect('/w/b.json'), /shut down/);
  });

  it('dispose lets an idle worker exit on its own (a process then ends normally)', async () => {
    const { client, workers } = setup();
    const done = client.inspect('/w/a.json');
    const id = (workers[0]!.sent[0] as { id: number }).id;
    workers[0]!.reply({ type: 'inspectResult', id, info: { format: 'x', path: '/w/a.json', layers: [], parameters: 1 } });
    await done;
    client.dispose();
    assert.deepEqual([workers[0]!.closed, workers[0]!.terminated], [true, false]);
  });
});
