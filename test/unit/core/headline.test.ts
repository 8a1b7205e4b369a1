import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { headline } from '../../../src/core/headline';
import type { FragilityKind, ProtectionReport } from '../../../src/core/report';
import { formatFactor } from '../../../src/core/reportFormat';
import { verdictSentence } from '../../../src/core/verdict';
import { summariseReport } from '../../../src/extension/reports/reportSummary';
import { describeReport } from '../../../src/extension/views/treeItemData';

const report = JSON.parse(readFileSync(new URL('../webview/fixtures/report.json', import.meta.url), 'utf8')) as ProtectionReport;
const kind = (k: FragilityKind['kind'], factor: number | null, bound: 'exact' | 'lower' = 'exact') =>
  ({ kind: k, fragilityFactor: factor, fragilityFactorBound: bound }) as FragilityKind;
const of = (...kinds: FragilityKind[]) => headline({ fragility: { kinds } });

describe('headline', () => {
  it('quotes multiplicative noise when it has a factor', () => {
    assert.deepEqual(of(kind('prune', 1e6), kind('multiplicative', 3100)), { kind: 'multiplicative', factor: 3100, bound: 'exact' });
  });
  it('otherwise the largest exact factor before any lower bound', () => {
    assert.equal(of(kind('finetune-adam', 1e4, 'lower'), kind('prune', 80), kind('additive', 120), kind('multiplicative', null))?.kind, 'additive');
  });
  it('never a fine-tuning kind: its s50 comes from the first steps while the attacker’s curve climbs back', () => {
    assert.equal(of(kind('finetune-sgd', 50, 'lower'), kind('finetune-adam', 300, 'lower')), undefined);
    assert.equal(of(kind('finetune-adam', 1e6), kind('prune', 80))?.kind, 'prune');
  });
  it('none without factors, nor for a run that has no sweeps yet', () => {
    assert.equal(of(kind('float16', null)), undefined);
    assert.equal(headline({}), undefined);
  });

  it('the sidebar, the panel badge and the verdict quote the same factor', () => {
    const top = headline(report)!;
    const quoted = formatFactor(top.factor, top.bound);
    assert.equal(quoted, '161×');
    // Sidebar: the summary the Reports view and the Models view show.
    const summary = summariseReport(report, '/x/report.json');
    assert.deepEqual(summary.headline, top);
    assert.ok(describeReport(summary).description.startsWith(`${quoted} · `));
    // Panel: the badge reads headline() of the (possibly partial) report it shows.
    assert.deepEqual(headline({ fragility: report.fragility }), top);
    // Verdict.
    assert.ok(verdictSentence(report).includes(`${quoted} more fragile to multiplicative weight noise`));
  });

  it('when multiplicative noise has no factor, all three quote the same other kind', () => {
    const kinds = report.fragility.kinds.map((k) => (k.kind === 'multiplicative' ? { ...k, fragilityFactor: null } : k));
    const changed = { ...report, fragility: { ...report.fragility, kinds } };
    const top = headline(changed)!;
    assert.equal(top.kind, 'additive');
    assert.deepEqual(summariseReport(changed, '/x/report.json').headline, top);
    assert.ok(verdictSentence(changed).includes(`${formatFactor(top.factor, top.bound)} more fragile to additive weight noise`));
  });
});
