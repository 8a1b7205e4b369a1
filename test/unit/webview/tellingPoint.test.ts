import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { FragilityKind, PerturbationKind, ProtectionReport } from '../../../src/core/report';
import { formatMagnitude, formatMagnitudePhrase, formatS50 } from '../../../src/core/reportFormat';
import { formatFactorOrVerdict, formatTellingPoint, tellingPoint, type TellingKind } from '../../../src/core/tellingPoint';
import { placeLabels, xRange } from '../../../webview/report/chartLayout';

/** The demo's report (out/demo/report.json of 2026-12-02), as the panel and the CLI read it. */
const report = JSON.parse(readFileSync(new URL('./fixtures/report.json', import.meta.url), 'utf8')) as ProtectionReport;
const chance = report.fragility.chance;
const of = (kind: PerturbationKind): FragilityKind => report.fragility.kinds.find((k) => k.kind === kind)!;

/** A kind from curves: clean 0.9 for both, chance 0.1 (halfway 0.5, original intact from 0.81). */
function kind(magnitudes: number[], original: number[], protectedMean: number[], name: PerturbationKind = 'multiplicative'): TellingKind {
  return { kind: name, magnitudes, original: { mean: original, clean: 0.9 }, protected: { mean: protectedMean, clean: 0.9 } };
}

describe('telling point rule (core/tellingPoint)', () => {
  it('the first magnitude where the protected model has fallen halfway and the original keeps 90 % of clean', () => {
    const k = kind([0.001, 0.01, 0.1, 1], [0.9, 0.9, 0.85, 0.2], [0.9, 0.52, 0.12, 0.1]);
    // 0.52 is not yet halfway (0.5); at 0.1 the original still has 0.85 ≥ 0.81.
    assert.deepEqual(tellingPoint(k, 0.1), { verdict: 'breaks', index: 2, magnitude: 0.1, original: 0.85, protected: 0.12 });
    assert.equal(tellingPoint(kind([1, 10], [0.9, 0.9], [0.5, 0.1]), 0.1)!.index, 0, 'exactly halfway has fallen');
  });

  it('skips points where the original has fallen too, and says so when no point is left', () => {
    const k = kind([1, 10, 100], [0.9, 0.8, 0.2], [0.9, 0.3, 0.1]);
    assert.deepEqual(tellingPoint(k, 0.1), { verdict: 'both-fall', index: 1, magnitude: 10, original: 0.8, protected: 0.3 });
    assert.equal(formatTellingPoint(k, tellingPoint(k, 0.1)!), 'both fall: 80.0 % → 30.0 % at 1,000 % noise');
  });

  it('a protected curve that never falls is quoted at the largest magnitude as "holds"', () => {
    const k = kind([1e-4, 1e-2, 1], [0.9, 0.9, 0.9], [0.9, 0.9, 0.88], 'single-edit');
    assert.deepEqual(tellingPoint(k, 0.1), { verdict: 'holds', index: 2, magnitude: 1, original: 0.9, protected: 0.88 });
    assert.equal(formatTellingPoint(k, tellingPoint(k, 0.1)!), 'holds: 90.0 % → 88.0 % at +100 % to one weight');
  });

  it('a climb back above halfway (fine-tuning repairing the copy) is kept with the point', () => {
    const point = tellingPoint(of('finetune-adam'), chance)!;
    assert.deepEqual([point.magnitude, point.recovers?.magnitude], [1, 30]);
    assert.equal(formatTellingPoint(of('finetune-adam'), point), '93.2 % → 10.8 % at 1 Adam step (back to 70.8 % at 30 Adam steps)');
  });

  it('on the demo report: never the largest magnitude, where both models are broken', () => {
    const line = (name: PerturbationKind) => formatTellingPoint(of(name), tellingPoint(of(name), chance)!);
    assert.equal(line('multiplicative'), '94.1 % → 37.9 % at 1 % noise');
    assert.equal(line('additive'), '94.2 % → 33.1 % at 1e-9 σ noise');
    assert.equal(line('finetune-sgd'), '92.8 % → 12.0 % at 1 SGD step');
    assert.equal(line('prune'), '94.2 % → 4.4 % at 1 % pruned');
    assert.equal(line('single-edit'), 'holds: 94.2 % → 94.2 % at +100 % to one weight');
  });

  it('float16 and int8 (one point) get a verdict, also where a factor is expected', () => {
    assert.deepEqual(tellingPoint(of('float16'), chance), { verdict: 'breaks', index: 0, magnitude: null, original: 0.942, protected: 0.086 });
    assert.equal(formatTellingPoint(of('float16'), tellingPoint(of('float16'), chance)!), 'breaks: 94.2 % → 8.6 %');
    assert.equal(formatFactorOrVerdict(of('int8'), chance), 'breaks: 94.2 % → 11.2 %');
    assert.equal(formatFactorOrVerdict(of('multiplicative'), chance), '161×', 'a factor when there is one');
    assert.equal(formatFactorOrVerdict(of('single-edit'), chance), '—', 'a grid without a factor keeps "—"');
    const int8 = of('int8');
    const holds = { ...int8, protected: { ...int8.protected, mean: [0.9] } };
    assert.equal(formatFactorOrVerdict(holds, chance), 'holds: 94.2 % → 90.0 %');
  });

  it('nothing measured: no point', () => {
    assert.equal(tellingPoint(kind([], [], []), 0.1), undefined);
    assert.equal(tellingPoint(kind([1, 10], [0.9], [0.1]), 0.1)!.index, 0, 'a curve still streaming is read as far as it goes');
  });
});

describe('magnitudes with units (core/reportFormat)', () => {
  it('each kind in its own unit', () => {
    const cases: [PerturbationKind, number, string, string][] = [
      ['multiplicative', 0.001, '0.1 %', '0.1 % noise'],
      ['multiplicative', 3.16228e-6, '3.16e-4 %', '3.16e-4 % noise'],
      ['additive', 1e-10, '1e-10 σ', '1e-10 σ noise'],
      ['finetune-adam', 300, '300 steps', '300 Adam steps'],
      ['finetune-adam', 1, '1 step', '1 Adam step'],
      ['finetune-sgd', 30, '30 steps', '30 SGD steps'],
      ['prune', 50, '50 %', '50 % pruned'],
      ['single-edit', 0.01, '1 %', '+1 % to one weight'],
      ['float16', 16, '16', '16'],
    ];
    for (const [name, value, short, phrase] of cases) {
      assert.equal(formatMagnitude(name, value), short, `${name} ${value}`);
      assert.equal(formatMagnitudePhrase(name, value), phrase, `${name} ${value}`);
    }
  });

  it('s50 with units keeps its bounds', () => {
    const withUnit = (k: FragilityKind, series: FragilityKind['original']) => formatS50(k, series, chance, (v) => formatMagnitude(k.kind, v));
    assert.equal(withUnit(of('finetune-adam'), of('finetune-adam').original), '> 300 steps');
    assert.equal(withUnit(of('finetune-adam'), of('finetune-adam').protected), '≤ 1 step');
    assert.equal(withUnit(of('prune'), of('prune').protected), '0.419 %');
    assert.equal(withUnit(of('float16'), of('float16').original), '—');
    assert.equal(formatS50(of('finetune-adam'), of('finetune-adam').original, chance), '> 300', 'bare without a unit, as before');
  });
});

describe('chart layout', () => {
  it('marker labels sit over their lines, apart when the lines are close, within the plot and the canvas', () => {
    const bounds = { left: 50, right: 598 };
    assert.deepEqual(placeLabels([100, 400], [60, 60], bounds), [70, 370], 'centred when far apart');
    const [a, b] = placeLabels([300, 305], [60, 60], bounds);
    assert.ok(a! + 60 + 6 <= b!, 'pushed apart, with a gap');
    assert.deepEqual(placeLabels([596], [60], bounds), [538], 'kept inside the right edge');
    assert.deepEqual(placeLabels([55], [60], bounds), [50], 'not over the y axis’s tick labels');
    const [c, d] = placeLabels([590, 596], [60, 60], bounds);
    assert.ok(c! + 60 + 6 <= d! && d! + 60 <= 598, 'two at the right edge both fit');
  });

  it('an axis reaches a little past both ends of the grid, so end points are drawn whole', () => {
    const { min, max } = xRange([0.01, 90], true);
    assert.ok(min < 0.01 && min > 0.007);
    assert.ok(max > 90 && max < 120, 'pruning at 90 % is not clipped at the right edge');
    assert.deepEqual(xRange([0, 10], false), { min: -0.3, max: 10.3 });
  });
});
