import assert from 'node:assert/strict';
import { ATTACKS } from '../../../src/core/attacks/lab';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { AttackReport } from '../../../src/core/attacks/lab';
import type { ProtectionReport } from '../../../src/core/report';
import { ATTACK_TITLES, attacksModel, formatPoints } from '../../../webview/report/reportModel';
import { type ExportColors, staticHtml } from '../../../webview/report/staticHtml';

const report = JSON.parse(readFileSync(new URL('./fixtures/report.json', import.meta.url), 'utf8')) as ProtectionReport;
/** The attack lab of a real demo run (npm run demo, MNIST): 2 stopped, head-retrain slowed, merge and distill not stopped. */
const lab = JSON.parse(readFileSync(new URL('./fixtures/attacks.json', import.meta.url), 'utf8')) as AttackReport;
const withLab: ProtectionReport = { ...report, attacks: lab };

describe('attack lab model', () => {
  it('is absent without an attack lab (older reports, no labels, --no-attacks)', () => {
    assert.equal(attacksModel(report), undefined);
    assert.equal(attacksModel({}), undefined);
  });

  it('has one row per attack, in report order, with the CLI’s numbers and verdicts', () => {
    const model = attacksModel(withLab)!;
    assert.deepEqual(
      model.rows.map((r) => r.title),
      ['Fine-tune with Adam', 'Fine-tune with SGD', 'Retrain the last layer', 'Merge split neurons back (knows the method)', 'Distil from the copy’s answers'],
    );
    assert.deepEqual(
      model.rows.map((r) => [r.verdict, r.tone]),
      [
        ['stops it', 'good'],
        ['stops it', 'good'],
        ['slows it', 'warn'],
        ['does not stop it', 'bad'],
        ['does not stop it', 'bad'],
      ],
    );
    const adam = model.rows[0]!;
    assert.deepEqual(
      { knowledge: adam.knowledge, needs: adam.needs, original: adam.original, copy: adam.copy, noisy: adam.noisy, headStart: adam.headStart, time: adam.time },
      { knowledge: 'none', needs: 'labelled', original: '96.0 %', copy: '87.1 %', noisy: '74.1 %', headStart: '−3.3 pt', time: '8.1 s' },
    );
    const merge = model.rows[3]!;
    assert.deepEqual([merge.knowledge, merge.needs, merge.headStart, merge.time], ['construction', 'nothing', '+5.3 pt', '62 ms']);
    assert.equal(merge.description, lab.attacks[3]!.description, 'the description is the row’s tooltip');
  });

  it('sums the verdicts up in one sentence', () => {
    const model = attacksModel(withLab)!;
    assert.equal(model.summary, 'The protected copy stops 2 of the lab’s 5 attacks and slows head-retrain; merge and distill are not stopped.');
    assert.equal(model.summaryTone, 'warn');
    const allStopped: AttackReport = { ...lab, attacks: lab.attacks.map((a) => ({ ...a, accuracyAfter: 0.1 })) };
    assert.equal(attacksModel({ attacks: allStopped })!.summary, 'The protected copy stops all 5 of the lab’s attacks.');
    assert.equal(attacksModel({ attacks: allStopped })!.summaryTone, 'good');
    const noneStopped: AttackReport = { ...lab, attacks: lab.attacks.map((a) => ({ ...a, accuracyAfter: 0.99, original: { ...a.original, accuracyAfter: 0.99 } })) };
    assert.equal(attacksModel({ attacks: noneStopped })!.summary, 'The protected copy stops 0 of the lab’s 5 attacks; finetune-adam, finetune-sgd, head-retrain, merge and distill are not stopped.');
    assert.equal(attacksModel({ attacks: noneStopped })!.summaryTone, 'bad');
  });

  it('explains the columns, the disjoint data split, the baseline and the modification cost', () => {
    const model = attacksModel(withLab)!;
    assert.match(model.caption, /1,000 labelled samples; every accuracy is measured on 1,000 other samples, disjoint/);
    assert.match(model.caption, /noisy: the copy’s result under 0\.1 % weight noise \(fragility left\); head start: copy − from scratch/);
    assert.match(model.caption, /from scratch \(90\.4 %\)/);
    assert.match(model.caption, /Modification cost \(clean 95\.7 % − the best fine-tuning result on the copy\): 4\.5 points/);
    assert.deepEqual(
      model.facts.map((f) => [f.label, f.value]),
      [
        ['Clean accuracy', '95.7 %'],
        ['From scratch', '90.4 %'],
        ['Attacker’s data', '1,000 labelled samples'],
        ['Measured on', '1,000 other samples'],
        ['Modification cost', '4.5 points'],
      ],
    );
  });

  it('titles every attack kind and signs head starts in points', () => {
    assert.deepEqual(Object.keys(ATTACK_TITLES).sort(), ATTACKS.map((a) => a.kind).sort());
    assert.equal(formatPoints(0.008), '+0.8 pt');
    assert.equal(formatPoints(-0.814), '−81.4 pt');
    assert.equal(formatPoints(-0.0001), '0.0 pt');
  });
});

/** The attack lab of a real run without labels (the example's eval-x.npy alone): merge, least-squares and distill measured as agreement. */
const unlabelled = JSON.parse(readFileSync(new URL('./fixtures/attacks-unlabelled.json', import.meta.url), 'utf8')) as AttackReport;

describe('attack lab without labels', () => {
  it('rows for the attacks that need no labels, as top-1 agreement, and the labelled ones listed as skipped with the reason', () => {
    const model = attacksModel({ ...report, attacks: unlabelled })!;
    assert.deepEqual(model.rows.map((r) => [r.kind, r.needs, r.copy, r.headStart, r.verdict]), [
      ['merge', 'nothing', '100 %', '—', 'does not stop it'],
      ['least-squares', 'unlabelled', '97.4 %', '—', 'slows it'],
      ['distill', 'unlabelled', '93.1 %', '—', 'does not stop it'],
    ]);
    assert.deepEqual(model.skipped.map((r) => [r.title, r.needs]), [
      ['Fine-tune with Adam', 'labelled'],
      ['Fine-tune with SGD', 'labelled'],
      ['Retrain the last layer', 'labelled'],
      ['Train from scratch (baseline)', 'labelled'],
    ]);
    for (const r of model.skipped) assert.match(r.reason, /^needs labels/);
    assert.equal(model.metricLabel, 'Agreement');
    assert.equal(model.summary, 'The protected copy stops 0 of the lab’s 3 attacks and slows least-squares; merge and distill are not stopped; finetune-adam, finetune-sgd and head-retrain need labels and were skipped.');
  });

  it('says what replaces accuracy and the baseline, and claims no modification cost', () => {
    const model = attacksModel({ attacks: unlabelled })!;
    assert.deepEqual(model.facts.map((f) => [f.label, f.value]), [
      ['Clean agreement', '100 %'],
      ['Stopped at or below', '55.0 %'],
      ['Attacker’s data', '1,000 unlabelled samples'],
      ['Measured on', '1,000 other samples'],
      ['Modification cost', 'needs labels'],
    ]);
    assert.match(model.caption, /every number is the top-1 agreement of the attacker’s network with the original/);
    assert.match(model.caption, /head start: copy − from scratch, which needs labels/);
    assert.doesNotMatch(model.caption, /Modification cost \(/);
  });

  it('the HTML export lists the skipped attacks with their reason', () => {
    const out = staticHtml({ report: { ...report, attacks: unlabelled }, charts: [], colors: { foreground: '#000', muted: '#777', background: '#fff', border: '#ddd', pass: '#080', fail: '#c00', warning: '#b80', fontFamily: 'sans-serif' }, exportedAt: '2026-01-01T00:00:00Z' });
    assert.ok(out.includes('<td class="muted">Fine-tune with Adam</td><td>—</td><td>labelled</td>'));
    assert.ok(out.includes('skipped: needs labels: it trains on them, and the data has none'));
  });
});

describe('HTML export of the attack lab', () => {
  const colors: ExportColors = { foreground: '#000', muted: '#777', background: '#fff', border: '#ddd', pass: '#080', fail: '#c00', warning: '#b80', fontFamily: 'sans-serif' };
  const html = (r: ProtectionReport): string => staticHtml({ report: r, charts: [], colors, exportedAt: '2026-01-01T00:00:00Z' });

  it('has the same table, between Equivalence and Details, with tooltips and verdict colours', () => {
    const out = html(withLab);
    assert.ok(out.indexOf('<h2>Equivalence') < out.indexOf('<h2>Attacks</h2>') && out.indexOf('<h2>Attacks</h2>') < out.indexOf('<h2>Details</h2>'));
    assert.ok(out.includes('The protected copy stops 2 of the lab’s 5 attacks and slows head-retrain; merge and distill are not stopped.'));
    assert.ok(
      out.includes(
        `<tr title="${lab.attacks[2]!.description}"><td>Retrain the last layer</td><td>none</td><td>labelled</td><td class="num">94.9 %</td><td class="num strong">91.2 %</td><td class="num">91.2 %</td><td class="num">+0.8 pt</td><td class="num">1.0 s</td><td><span class="tone warn">slows it</span></td></tr>`,
      ),
    );
    assert.ok(out.includes('<span class="tone good">stops it</span>'));
    assert.ok(out.includes('<td>Distil from the copy’s answers</td>'));
    assert.ok(out.includes('<span class="tone bad">does not stop it</span>'));
  });

  it('leaves the section out without an attack lab', () => {
    assert.ok(!html(report).includes('<h2>Attacks</h2>'));
  });
});
