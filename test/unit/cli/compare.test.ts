import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { argmaxRows, forward } from '../../../src/core/forward';
import { outputWidth } from '../../../src/core/network';
import { Rng } from '../../../src/core/rng';
import type { CompareReport } from '../../../src/engine/compareModel';
import { nodeFileReader } from '../../../src/engine/nodeFileReader';
import { encodeNpy } from '../../../src/formats/data/npy';
import { tfjsLayersFormat } from '../../../src/formats/tfjs/tfjsLayersFormat';
import { fixtureDir } from '../../fixtures/tfjsManifest';
import { runCli } from './runCli';

describe('mimosanet compare', () => {
  let work: string;
  let model: string;
  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'mimosanet-compare-'));
    cpSync(fixtureDir('tfjs-save'), join(work, 'model'), { recursive: true });
    model = join(work, 'model', 'model.json');
    const { network } = await tfjsLayersFormat.load(model, nodeFileReader);
    const rows = 400;
    const rng = new Rng(5);
    const x = Float32Array.from({ length: rows * network.inputs }, () => rng.normal());
    const labels = argmaxRows(forward(network, x, rows, { precision: 'float64' }), rows, outputWidth(network));
    writeFileSync(join(work, 'x.npy'), encodeNpy([rows, network.inputs], x));
    writeFileSync(join(work, 'y.npy'), encodeNpy([rows], labels));
    const protect = await runCli(['protect', model, '--data', join(work, 'x.npy'), '--labels', join(work, 'y.npy'), '--out', join(work, 'copy'), '--kinds', 'int8', '--no-attacks', '--quiet']);
    assert.equal(protect.code, 0, protect.stderr);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('judges the protected copy derived and prints DESIGN §7 JSON with the references’ figures', async () => {
    const { code, stdout, stderr } = await runCli(['compare', join(work, 'copy', 'model.json'), '--original', model, '--data', join(work, 'x.npy'), '--labels', join(work, 'y.npy'), '--json']);
    assert.equal(code, 0, stderr);
    const report = JSON.parse(stdout) as CompareReport;
    assert.equal(report.schemaVersion, 1);
    assert.equal(report.verdict, 'derived');
    assert.ok(report.decidedBy === 'identical' || report.decidedBy === 'weights', report.reason);
    assert.equal(report.evidence.dataAgreement, 1);
    assert.equal(report.baselines.references.length, 8);
    assert.ok(report.baselines.references.every((r) => r.layerSimilarity.length === report.evidence.weights!.layers.length + 1));
    assert.deepEqual(report.data, { source: 'file', samples: 400, labelled: true });
  });

  it('prints the verdict and the evidence for people', async () => {
    const { code, stdout } = await runCli(['compare', model, '--original', model, '--data', join(work, 'x.npy'), '--quiet']);
    assert.equal(code, 0);
    assert.match(stdout, /^Verdict: DERIVED \(decided by identity evidence\)/);
    assert.match(stdout, /Fingerprints: inconclusive — no labels/);
  });

  it('bad usage and bad input exit 2 naming the problem', async () => {
    const missing = await runCli(['compare', model]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--original/);
    const nofile = await runCli(['compare', join(work, 'nope.json'), '--original', model]);
    assert.equal(nofile.code, 2);
    assert.match(nofile.stderr, /nope\.json/);
  });
});
