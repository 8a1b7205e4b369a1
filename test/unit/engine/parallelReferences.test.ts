import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { argmaxRows, forward } from '../../../src/core/forward';
import { jsCompute } from '../../../src/core/jsCompute';
import type { DenseNetwork } from '../../../src/core/network';
import { buildBaseline, type OwnershipBaseline } from '../../../src/core/ownership/compare';
import { planReferences, trainReferences, trainSerially, type ReferenceData } from '../../../src/core/ownership/references';
import { Rng } from '../../../src/core/rng';
import { parallelReferenceTrainer, referenceQueue, reviveRng, rngState } from '../../../src/engine/parallelReferences';
import { randomInputs, randomNetwork } from '../helpers/randomNetwork';

describe('ownership references over two threads', () => {
  // Small: the references' cost is their fixed number of training steps, not the network.
  const original = randomNetwork([6, 10, 3], ['relu', 'softmax'], 31);
  const rows = 150;
  const x = randomInputs(rows, 6, 32);
  const answers = argmaxRows(forward(original, x, rows), rows, 3);
  // Labels that differ from the original's answers, so independent references and imitators differ.
  const labels = Int32Array.from(answers, (a, r) => (r % 5 === 0 ? (a + 1) % 3 : a));
  const owner = (labelled: boolean) => ({ x, rows, ...(labelled ? { labels } : {}) });

  it('plans the serial order and hands out the widest first, each once', () => {
    const tasks = planReferences(true);
    assert.deepEqual(
      tasks.map((t) => `${t.role}/${t.slot}×${t.widthScale} ${t.rows} ${t.steps}`),
      ['independent', 'imitator'].flatMap((role) => [`${role}/0×1 first 1500`, `${role}/1×0.5 first 1500`, `${role}/2×1 second 1500`, `${role}/3×1.5 second 1500`, `${role}/4×1 both 1500`, `${role}/5×1.5 both 3000`]),
    );
    assert.deepEqual(planReferences(false), tasks.slice(6));
    const queue = referenceQueue(original, tasks);
    assert.deepEqual(new Set(queue), new Set(tasks));
    assert.equal(queue.length, tasks.length);
    assert.deepEqual(
      queue.map((t) => `${t.role}/${t.slot}`),
      // Cost is parameters × steps: the long widest rung first, then the wide ones, then the rest in plan order.
      ['independent/5', 'imitator/5', 'independent/3', 'imitator/3', 'independent/0', 'independent/2', 'independent/4', 'imitator/0', 'imitator/2', 'imitator/4', 'independent/1', 'imitator/1'],
    );
  });

  it("carries an Rng's stream and forks to the helper exactly", () => {
    const rng = new Rng(99).fork('references');
    const revived = reviveRng(structuredClone(rngState(rng)));
    assert.ok(revived instanceof Rng);
    assert.deepEqual([revived.fork('imitator/3').uniform(), revived.nextUint32(), revived.normal()], [rng.fork('imitator/3').uniform(), rng.nextUint32(), rng.normal()]);
  });

  // Serial baselines, each built once and shared by the tests below.
  const serial = new Map<boolean, Promise<{ baseline: OwnershipBaseline; messages: string[] }>>();
  const serialRun = (labelled: boolean) => {
    if (!serial.has(labelled)) {
      const messages: string[] = [];
      serial.set(labelled, buildBaseline(original, owner(labelled), jsCompute, 5, { onProgress: (_f, m) => messages.push(m) }).then((baseline) => ({ baseline, messages })));
    }
    return serial.get(labelled)!;
  };

  for (const labelled of [true, false]) {
    // The helper trains its references apart from the others: each depends only on its task.
    it(`buildBaseline gives exactly the single-threaded baseline, ${labelled ? 'with' : 'without'} labels`, async () => {
      const { baseline: single, messages: serialMessages } = await serialRun(labelled);
      const messages: string[] = [];
      const fractions: number[] = [];
      const parallel = await buildBaseline(original, owner(labelled), jsCompute, 5, {
        onProgress: (f, m) => {
          fractions.push(f);
          messages.push(m);
        },
        trainReferences: parallelReferenceTrainer({ force: true }),
      });
      assert.equal(parallel.references.length, labelled ? 12 : 6);
      assert.deepEqual(parallel.weightBands, single.weightBands);
      assert.deepEqual(parallel.calibration, single.calibration);
      assert.deepEqual(parallel, single);
      assert.deepEqual(messages, serialMessages, 'the same progress lines: "trained reference network k of n" in order, then the rest');
      assert.ok(fractions.every((f, i) => f > 0 && f <= 1 && (i === 0 || f >= fractions[i - 1]!)), `progress rises: ${fractions.join(', ')}`);
    });
  }

  const logits = forward(original, x, rows, { logits: true });
  const halves = (): [ReferenceData, ReferenceData] => {
    const half = (from: number, to: number): ReferenceData => ({ x: x.slice(from * 6, to * 6), rows: to - from, labels: labels.slice(from, to), logits: Float32Array.from(logits.subarray(from * 3, to * 3)) });
    return [half(0, 75), half(75, 150)];
  };
  const train = (signal: AbortSignal, onTrained?: () => void): Promise<DenseNetwork[]> => {
    const [first, second] = halves();
    return trainReferences(original, first, second, new Rng(1), jsCompute, { signal, ...(onTrained ? { onTrained } : {}), trainAll: parallelReferenceTrainer({ force: true }) }).then((r) => r.map((n) => n.network));
  };

  it('cancels both threads', async () => {
    const controller = new AbortController();
    await assert.rejects(
      train(controller.signal, () => controller.abort()),
      { name: 'CancelledError' },
    );
  });

  it('cancels while the helper is still starting its engine (it answers before it goes)', async () => {
    const controller = new AbortController();
    const run = train(controller.signal);
    controller.abort();
    await assert.rejects(run, { name: 'CancelledError' });
  });

  it('a job cancelled before it starts starts no thread', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(train(controller.signal), { name: 'CancelledError' });
  });

  it('small networks train in-process without force', async () => {
    const [first, second] = halves();
    const tasks = planReferences(true);
    const job = { original, first, second, rng: new Rng(1), compute: jsCompute };
    const narrow = tasks.filter((t) => t.widthScale < 1);
    assert.deepEqual(await parallelReferenceTrainer()(job, narrow), await trainSerially(job, narrow));
  });
});
