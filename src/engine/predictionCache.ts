import { createHash } from 'node:crypto';
import type { ModelRuntime, PredictOptions, WrittenFile } from '../formats/format';

/**
 * Remembers what a real runtime predicted, so one protect job never runs the same files on the
 * same rows twice: the original's reference logits are also the runtime matrix's large-batch
 * row, and the written-back copy's headline check is that row again when its bytes match.
 * Predictions are keyed by runtime, batch, rows, logits and the SHA-256 of the files' names and
 * bytes; one cache serves one evaluation set (the first `rows` rows of the same x).
 */
export class PredictionCache {
  private readonly memo = new Map<string, Promise<Float32Array>>();
  private readonly seconds = new Map<string, number>();

  /** `runtime`, answering repeated predictions from this cache. */
  wrap(runtime: ModelRuntime): ModelRuntime {
    return {
      name: runtime.name,
      predict: (files, x, rows, options) => this.predict(runtime, files, x, rows, options),
    };
  }

  private predict(runtime: ModelRuntime, files: WrittenFile[], x: Float32Array, rows: number, options: PredictOptions): Promise<Float32Array> {
    const key = [runtime.name, options.batch ?? 0, rows, options.logits ? 'logits' : 'outputs', digest(files)].join('|');
    const known = this.memo.get(key);
    if (known) return known;
    const started = performance.now();
    const running = runtime.predict(files, x, rows, options);
    this.memo.set(key, running);
    const settle = (): void => this.add(runtime.name, (performance.now() - started) / 1000);
    // A cancelled or failed prediction is not an answer: the next caller runs it again.
    running.then(settle, () => {
      settle();
      this.memo.delete(key);
    });
    return running;
  }

  private add(runtime: string, seconds: number): void {
    this.seconds.set(runtime, (this.seconds.get(runtime) ?? 0) + seconds);
  }

  /**
   * Wall seconds each runtime spent on the predictions it ran (answers from the cache cost
   * none). The job's phases wait on each prediction, so this is also that runtime's share of
   * their time; for single-threaded runtimes (tfjs cpu and wasm) it is CPU time too.
   */
  runtimeSeconds(): Record<string, number> {
    return Object.fromEntries(this.seconds);
  }
}

function digest(files: WrittenFile[]): string {
  const hash = createHash('sha256');
  for (const file of files) hash.update(file.name).update('\0').update(file.bytes).update('\0');
  return hash.digest('hex');
}
