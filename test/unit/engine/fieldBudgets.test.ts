import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emulationSamples, runtimePlan, screenSamples } from '../../../src/engine/fieldCheck';

/** Weights of the example's protected copy and of the scaling table's largest (784-2048-2048-2048-10, 3 copies). */
const EXAMPLE = 784 * 416 + 416 * 208 + 208 * 10;
const LARGEST = 784 * 6144 + 2 * 6144 * 6144 + 6144 * 10;

describe('field check budgets', () => {
  it('check the example on every sample at batch 256, as before', () => {
    assert.deepEqual(runtimePlan(2000, EXAMPLE), { samples: 2000, batchOneSamples: 200, largeBatch: 256 });
    assert.equal(emulationSamples(2000, EXAMPLE), 500);
    assert.equal(screenSamples(500), 100);
  });
  it('bound a large network: fewer samples, calls small enough to cancel, never empty', () => {
    const plan = runtimePlan(500, LARGEST);
    assert.equal(plan.samples, 100);
    assert.ok(plan.batchOneSamples >= 16 && plan.batchOneSamples <= plan.samples);
    assert.equal(plan.largeBatch, 2);
    assert.equal(emulationSamples(500, LARGEST), 4);
    assert.equal(screenSamples(4), 2);
  });
  it('never asks for more samples than there are', () => {
    assert.deepEqual(runtimePlan(10, EXAMPLE), { samples: 10, batchOneSamples: 10, largeBatch: 256 });
    assert.equal(emulationSamples(10, EXAMPLE), 10);
    assert.equal(emulationSamples(2, LARGEST), 2);
  });
});
