import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { protectNetwork } from '../../../src/core/constructions';
import { argmaxRows, forward } from '../../../src/core/forward';
import { measureFragility } from '../../../src/core/fragility';
import type { PerturbationKind } from '../../../src/core/report';
import { measureFragilityParallel, splitKinds } from '../../../src/engine/parallelFragility';
import { randomInputs, randomNetwork } from '../helpers/randomNetwork';

describe('fragility sweeps over two threads', () => {
  const original = randomNetwork([12, 16, 8, 4], ['relu', 'relu', 'softmax'], 31);
  const { network } = protectNetwork(original, { seed: 2, amplitude: 64, copies: 3, rescaleExponent: 6, twins: 0, permute: true });
  const x = randomInputs(120, 12, 32);
  const data = { x, rows: 120, labels: argmaxRows(forward(original, x, 120), 120, 4) };
  const kinds: PerturbationKind[] = ['multiplicative', 'finetune-sgd', 'int8', 'prune', 'single-edit'];

  it('splits kinds into two groups of similar cost', () => {
    const [a, b] = splitKinds(['multiplicative', 'additive', 'finetune-adam', 'finetune-sgd', 'float16', 'int8', 'prune', 'single-edit']);
    assert.equal(a.length + b.length, 8);
    assert.ok(a.length > 0 && b.length > 0);
  });

  it('gives exactly the single-threaded numbers, in the requested order', async () => {
    const options = { kinds, repeats: 2, seed: 9, fineTuneSteps: [1, 5] };
    const single = await measureFragility(original, network, data, options);
    const seen: string[] = [];
    let last = 0;
    const parallel = await measureFragilityParallel(
      original,
      network,
      data,
      { ...options, onKind: (k) => seen.push(k.kind), onProgress: (f) => (last = f) },
      { force: true },
    );
    assert.deepEqual(parallel, single);
    assert.deepEqual([...seen].sort(), [...kinds].sort());
    assert.ok(Math.abs(last - 1) < 1e-9, `progress ends at ${last}`);
  });

  it('cancels both threads', async () => {
    const controller = new AbortController();
    const run = measureFragilityParallel(original, network, data, { kinds, repeats: 2, seed: 9, signal: controller.signal, onProgress: () => controller.abort() }, { force: true });
    await assert.rejects(run, { name: 'CancelledError' });
  });
});
