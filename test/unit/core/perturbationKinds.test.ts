import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { PERTURBATION_KINDS, PERTURBATION_TITLES, PERTURBATIONS, perturbationOf } from '../../../src/core/perturbations';
import { splitKinds } from '../../../src/engine/parallelFragility';

describe('perturbation kind registry', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
  const setting = pkg.contributes.configuration.properties['mimosanet.perturbations'];

  it('package.json offers exactly the registered kinds, in order, with their descriptions', () => {
    assert.deepEqual(setting.items.enum, [...PERTURBATION_KINDS]);
    assert.deepEqual(setting.items.enumDescriptions, PERTURBATIONS.map((p) => p.description));
    assert.deepEqual(setting.default, [...PERTURBATION_KINDS]);
  });

  it('implements the kinds of kinds.ts (the plain list the extension host loads), one module each, in order', () => {
    assert.deepEqual(PERTURBATIONS.map((p) => p.kind), [...PERTURBATION_KINDS]);
  });

  it('gives every kind a unique identifier, a title, a magnitude label and a positive cost', () => {
    assert.equal(new Set(PERTURBATION_KINDS).size, PERTURBATIONS.length);
    for (const p of PERTURBATIONS) {
      assert.equal(perturbationOf(p.kind), p);
      assert.equal(PERTURBATION_TITLES[p.kind], p.title);
      assert.ok(p.title && p.description && p.magnitudeLabel, p.kind);
      assert.ok(p.cost > 0, p.kind);
    }
  });

  it('plans a nonempty grid for every kind', () => {
    for (const p of PERTURBATIONS) {
      const plan = p.plan({ repeats: 3, fineTuneSteps: [1, 10] });
      assert.ok(plan.magnitudes.length > 0 && plan.repeats > 0, p.kind);
    }
  });

  it('balances the costs over two threads', () => {
    const [a, b] = splitKinds(PERTURBATION_KINDS);
    const cost = (kinds: readonly string[]) => kinds.reduce((n, k) => n + perturbationOf(k as (typeof PERTURBATION_KINDS)[number]).cost, 0);
    assert.deepEqual([...a, ...b].sort(), [...PERTURBATION_KINDS].sort());
    assert.ok(Math.abs(cost(a) - cost(b)) <= Math.max(...PERTURBATIONS.map((p) => p.cost)));
  });
});
