import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { AttackReport } from '../../../src/core/attacks/lab';
import { fineTuningOutcome, formatFineTuningOutcome, isFineTuningKind } from '../../../src/core/fineTuningOutcome';
import type { ProtectionReport } from '../../../src/core/report';
import { formatProtectSummary } from '../../../src/cli/format';
import { summariseReport } from '../../../src/extension/reports/reportSummary';
import { describeReport } from '../../../src/extension/views/treeItemData';
import { verdictSentence } from '../../../src/core/verdict';

const report = JSON.parse(readFileSync(new URL('../webview/fixtures/report.json', import.meta.url), 'utf8')) as ProtectionReport;
const lab = JSON.parse(readFileSync(new URL('../webview/fixtures/attacks.json', import.meta.url), 'utf8')) as AttackReport;
const kind = (name: string) => report.fragility.kinds.find((k) => k.kind === name)!;

describe('fine-tuning outcome (what the fragility entries of fine-tuning report instead of an s50 factor)', () => {
  it('only for the fine-tuning kinds', () => {
    assert.deepEqual(report.fragility.kinds.filter((k) => isFineTuningKind(k.kind)).map((k) => k.kind), ['finetune-adam', 'finetune-sgd']);
    assert.equal(fineTuningOutcome(kind('multiplicative'), lab), undefined);
  });

  it('without a lab: the last point of the attacker’s curve, no head start', () => {
    const o = fineTuningOutcome(kind('finetune-adam'))!;
    assert.deepEqual(o, { source: 'sweep', original: 0.936, protected: 0.82, steps: 300, headStart: null, scratch: null });
    assert.equal(formatFineTuningOutcome('finetune-adam', o), 'attacker ends at 93.6 % → 82.0 % (after 300 Adam steps); head start not measured (no attack lab)');
  });

  it('with a lab: its result for the same attack, the head start over from scratch and the verdict', () => {
    const o = fineTuningOutcome(kind('finetune-adam'), lab)!;
    assert.equal(o.source, 'lab');
    assert.deepEqual([o.original, o.protected, o.scratch, o.verdict], [0.96, 0.871, 0.904, 'stops it']);
    assert.ok(Math.abs(o.headStart! - -0.033) < 1e-12);
    assert.equal(formatFineTuningOutcome('finetune-adam', o), 'attacker ends at 96.0 % → 87.1 % (attack lab, the attacker’s best); −3.3 pt head start over from scratch (90.4 %): stops it');
  });

  it('the CLI summary, the sidebar tooltip and the verdict claim no s50 factor for fine-tuning', () => {
    const withLab: ProtectionReport = { ...report, attacks: lab };
    for (const r of [report, withLab]) {
      const cli = formatProtectSummary({ report: r, reportPath: '/w/m.mimosa/report.json', protectedPath: '/w/m.mimosa/model.json' });
      const fragility = cli.slice(cli.indexOf('Fragility ('), cli.indexOf('Attack lab') >= 0 ? cli.indexOf('Attack lab') : undefined);
      const rows = fragility.split('\n').filter((l) => /^ {2}finetune-/.test(l));
      assert.equal(rows.length, 2, cli);
      for (const row of rows) {
        assert.doesNotMatch(row, /×|steps? +≤|> 300 steps/, row);
        assert.match(row, /attacker ends at/);
      }
      const tooltip = describeReport(summariseReport(r, '/w/m.mimosa/report.json')).tooltip;
      const tipRows = tooltip.split('\n').filter((l) => l.startsWith('| Fine-tuning'));
      assert.equal(tipRows.length, 2, tooltip);
      for (const row of tipRows) assert.doesNotMatch(row, /×/, row);
      assert.doesNotMatch(verdictSentence(r), /more fragile to (fine-tuning|Adam|SGD)/i);
    }
    const cli = formatProtectSummary({ report: withLab, reportPath: '/r', protectedPath: '/p' });
    assert.match(cli, /finetune-adam +— +— +-3\.3 pt +attacker ends at 96\.0 % → 87\.1 % \(attack lab, the attacker’s best\); −3\.3 pt head start/);
  });
});
