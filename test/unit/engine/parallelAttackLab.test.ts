import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planLab, runAttackLab, type AttackLabInput, type AttackReport } from '../../../src/core/attacks/lab';
import { protectNetwork } from '../../../src/core/constructions';
import { argmaxRows, forward } from '../../../src/core/forward';
import { jsCompute } from '../../../src/core/jsCompute';
import { labQueue, runAttackLabParallel } from '../../../src/engine/parallelAttackLab';
import { randomInputs, randomNetwork } from '../helpers/randomNetwork';

/** The report without its timings (the only field that differs between runs). */
const withoutTimings = (report: AttackReport): AttackReport => ({ ...report, attacks: report.attacks.map((a) => ({ ...a, seconds: 0 })) });

describe('attack lab over two threads', () => {
  // Small: the lab's cost here is its fixed numbers of training steps, not the network.
  const original = randomNetwork([6, 10, 3], ['relu', 'softmax'], 31);
  const { network } = protectNetwork(original, { seed: 2, amplitude: 64, copies: 3, rescaleExponent: 6, twins: 0, permute: true });
  const rows = 64;
  const x = randomInputs(2 * rows, 6, 32);
  const labels = argmaxRows(forward(original, x, 2 * rows), 2 * rows, 3);
  const half = (from: number, labelled: boolean) => ({
    x: x.subarray(from * 6, (from + rows) * 6),
    rows,
    ...(labelled ? { labels: labels.subarray(from, from + rows) } : {}),
  });
  const input = (labelled: boolean): AttackLabInput => ({ original, protectedNet: network, attacker: half(0, labelled), evaluation: half(rows, labelled), compute: jsCompute, seed: 7 });

  it('hands the units out longest first, each once', () => {
    const units = planLab(true);
    assert.equal(units.length, 13);
    const queue = labQueue(units);
    assert.deepEqual([...queue].sort(), [...units].sort());
    assert.equal(queue[0], 'finetune-adam/protected');
    assert.deepEqual(planLab(false), ['merge/protected', 'merge/original', 'least-squares/protected', 'least-squares/original', 'distill/protected', 'distill/original']);
  });

  // Serial reports, each made once and shared by the tests below.
  const serial = new Map<boolean, Promise<{ report: AttackReport; messages: string[] }>>();
  const serialRun = (labelled: boolean) => {
    if (!serial.has(labelled)) {
      const messages: string[] = [];
      serial.set(labelled, runAttackLab({ ...input(labelled), onProgress: (_f, m) => messages.push(m) }).then((report) => ({ report, messages })));
    }
    return serial.get(labelled)!;
  };

  for (const labelled of [true, false]) {
    // The helper runs its units apart from the others, so this also shows each unit's numbers do not depend on what ran before it.
    it(`gives exactly the single-threaded report (timings aside), ${labelled ? 'with' : 'without'} labels`, async () => {
      const { report: single, messages: serialMessages } = await serialRun(labelled);
      const messages: string[] = [];
      const fractions: number[] = [];
      const parallel = await runAttackLabParallel(
        {
          ...input(labelled),
          onProgress: (f, m) => {
            fractions.push(f);
            messages.push(m);
          },
        },
        { force: true },
      );
      assert.deepEqual(withoutTimings(parallel), withoutTimings(single));
      assert.deepEqual(Object.keys(parallel), Object.keys(single));
      assert.deepEqual([...messages].sort(), [...serialMessages].sort(), 'one progress line per unit, the same lines');
      assert.ok(fractions.every((f, i) => f > 0 && f <= 1 && (i === 0 || f >= fractions[i - 1]!)), `progress rises: ${fractions.join(', ')}`);
      assert.equal(fractions.at(-1), 1);
    });
  }

  it('cancels both threads', async () => {
    const controller = new AbortController();
    const run = runAttackLabParallel({ ...input(true), signal: controller.signal, onProgress: () => controller.abort() }, { force: true });
    await assert.rejects(run, { name: 'CancelledError' });
  });

  it('cancels while the helper is still starting its engine (it answers before it goes)', async () => {
    const controller = new AbortController();
    const run = runAttackLabParallel({ ...input(true), signal: controller.signal }, { force: true });
    controller.abort();
    await assert.rejects(run, { name: 'CancelledError' });
  });

  it('a job cancelled before it starts starts no thread', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(runAttackLabParallel({ ...input(true), signal: controller.signal }, { force: true }), { name: 'CancelledError' });
  });

  it('small networks run in-process without force', async () => {
    const { report: single } = await serialRun(false);
    assert.deepEqual(withoutTimings(await runAttackLabParallel(input(false))), withoutTimings(single));
  });
});
