import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ModelRuntime, WrittenFile } from '../../../src/formats/format';
import { PredictionCache } from '../../../src/engine/predictionCache';

/** A runtime that takes `ms` per prediction, counts its calls and fails its first `failures` ones. */
function slowRuntime(name: string, ms: number, failures = 0): ModelRuntime & { calls: number } {
  const runtime = {
    name,
    calls: 0,
    predict: async (_files: WrittenFile[], _x: Float32Array, rows: number): Promise<Float32Array> => {
      runtime.calls++;
      await sleep(ms);
      if (runtime.calls <= failures) throw new Error('runtime failed');
      return new Float32Array(rows);
    },
  };
  return runtime;
}

const files: WrittenFile[] = [{ name: 'model.json', bytes: new Uint8Array([1, 2, 3]) }];
const x = new Float32Array(4);

describe('PredictionCache', () => {
  it('runs a prediction once and times only the runs it made, per runtime', async () => {
    const cache = new PredictionCache();
    const cpu = slowRuntime('tfjs cpu', 40);
    const wasm = slowRuntime('tfjs wasm', 10);
    const wrapped = cache.wrap(cpu);
    await wrapped.predict(files, x, 2, { logits: true, batch: 2 });
    const once = cache.runtimeSeconds()['tfjs cpu']!;
    assert.ok(once >= 0.035, `a 40 ms run, got ${once} s`);
    await wrapped.predict(files, x, 2, { logits: true, batch: 2 });
    assert.equal(cpu.calls, 1);
    assert.equal(cache.runtimeSeconds()['tfjs cpu'], once, 'an answer from the cache costs no runtime time');
    await wrapped.predict(files, x, 2, { logits: true, batch: 1 });
    assert.equal(cpu.calls, 2, 'another batch is another prediction');
    assert.ok(cache.runtimeSeconds()['tfjs cpu']! >= once + 0.035);
    await cache.wrap(wasm).predict(files, x, 2, { logits: true, batch: 1 });
    const seconds = cache.runtimeSeconds();
    assert.deepEqual(Object.keys(seconds).sort(), ['tfjs cpu', 'tfjs wasm']);
    assert.ok(seconds['tfjs wasm']! >= 0.005);
  });

  it('counts the time of a failed prediction and runs it again next time', async () => {
    const cache = new PredictionCache();
    const flaky = cache.wrap(slowRuntime('flaky', 20, 1));
    await assert.rejects(flaky.predict(files, x, 2, { logits: true }), /runtime failed/);
    await flaky.predict(files, x, 2, { logits: true });
    const spent = cache.runtimeSeconds().flaky!;
    assert.ok(spent >= 0.035, `two 20 ms runs, got ${spent} s`);
  });
});
