import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from './runCli';
import type { ProtectionReport } from '../../../src/core/report';
import { encodeNpy } from '../../../src/formats/data/npy';
import { fixtureDir, REFUSED_FIXTURES } from '../../fixtures/tfjsManifest';

const FAST = ['--kinds', 'multiplicative,int8,prune', '--repeats', '1', '--quiet'];

/** Runs the CLI in-process and captures its streams. */
const run = (...argv: string[]): ReturnType<typeof runCli> => runCli(argv);

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('mimosanet CLI', () => {
  let work: string;
  let model: string;
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'mimosanet-cli-'));
    cpSync(fixtureDir('tfjs-save'), join(work, 'model'), { recursive: true });
    model = join(work, 'model', 'model.json');
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('inspect --json prints one JSON document describing the model', async () => {
    const { code, stdout } = await run('inspect', model, '--json');
    assert.equal(code, 0);
    const info = JSON.parse(stdout);
    assert.equal(info.format, 'tfjs-layers');
    assert.equal(info.blocker, undefined);
    assert.ok(info.layers.length >= 2);
  });

  it('protect announces the equivalence result on stderr before the fragility sweeps', async () => {
    const { code, stdout, stderr } = await run('protect', model, '--out', join(work, 'early'), '--kinds', 'multiplicative', '--repeats', '1');
    assert.equal(code, 0, stderr);
    const early = stderr.indexOf('Equivalence PASSED at amplitude');
    assert.ok(early >= 0, stderr);
    // It comes before the sweeps' progress, and the full summary still goes to stdout.
    assert.ok(early < stderr.indexOf('fragility:'), stderr);
    assert.match(stdout, /^Protected /);
  });

  it('protect writes an equivalent model and report.json beside the model, leaving the original untouched', async () => {
    const before = readdirSync(join(work, 'model')).map((f) => [f, sha(join(work, 'model', f))]);
    const { code, stdout, stderr } = await run('protect', model, '--json', ...FAST);
    assert.equal(code, 0, stderr);
    const report = JSON.parse(stdout) as ProtectionReport;
    assert.equal(report.schemaVersion, 1);
    assert.equal(report.equivalence.passed, true);
    assert.equal(report.equivalence.top1Agreement, 1);
    assert.ok(report.equivalence.relDiff <= 1e-4);
    assert.match(report.equivalence.runtime, /^@tensorflow\/tfjs \d/);
    assert.equal(report.data.source, 'probes');
    assert.equal(report.fragility.metric, 'agreement');
    assert.deepEqual(report.fragility.kinds.map((k) => k.kind), ['multiplicative', 'int8', 'prune']);
    // Probes have no labels: the attack lab runs what needs none, as agreement, and says what it skipped.
    assert.equal(report.attacks?.metric, 'agreement');
    assert.deepEqual(report.attacks.attacks.map((a) => a.kind), ['merge', 'least-squares', 'distill']);
    assert.deepEqual(report.attacks.skipped?.map((s) => s.kind), ['finetune-adam', 'finetune-sgd', 'head-retrain', 'scratch']);
    assert.ok(report.construction.amplitude >= 1);
    const out = join(work, 'model', 'model.mimosa');
    assert.deepEqual(readdirSync(out).sort(), [...report.protected.files, 'report.json'].sort());
    for (const [name, hash] of Object.entries(report.protected.sha256)) assert.equal(sha(join(out, name)), hash);
    assert.deepEqual(readdirSync(join(work, 'model')).filter((f) => f !== 'model.mimosa').map((f) => [f, sha(join(work, 'model', f))]), before);
  });

  it('refuses to overwrite an existing output without --force (exit 2) and replaces it with --force', async () => {
    const refused = await run('protect', model, ...FAST);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /already exists.*--force/);
    const forced = await run('protect', model, '--force', ...FAST);
    assert.equal(forced.code, 0, forced.stderr);
  });

  it('the same seed gives byte-identical protected files; another seed does not', async () => {
    const a = await run('protect', model, '--out', join(work, 'a'), '--seed', '42', ...FAST);
    const b = await run('protect', model, '--out', join(work, 'b'), '--seed', '42', ...FAST);
    const c = await run('protect', model, '--out', join(work, 'c'), '--seed', '43', ...FAST);
    assert.deepEqual([a.code, b.code, c.code], [0, 0, 0]);
    for (const file of ['model.json', 'model.weights.bin']) {
      assert.equal(sha(join(work, 'a', file)), sha(join(work, 'b', file)), file);
    }
    assert.notEqual(sha(join(work, 'a', 'model.weights.bin')), sha(join(work, 'c', 'model.weights.bin')));
  });

  it('uses labelled .npy data and reports accuracy', async () => {
    const x = Float32Array.from({ length: 40 * 4 }, (_, i) => Math.sin(i * 0.7));
    const y = Int32Array.from({ length: 40 }, (_, i) => i % 3);
    writeFileSync(join(work, 'x.npy'), encodeNpy([40, 4], x));
    writeFileSync(join(work, 'y.npy'), encodeNpy([40], y));
    const { code, stdout, stderr } = await run('protect', model, '--out', join(work, 'labelled'), '--data', join(work, 'x.npy'), '--labels', join(work, 'y.npy'), '--json', ...FAST);
    assert.equal(code, 0, stderr);
    const report = JSON.parse(stdout) as ProtectionReport;
    assert.equal(report.data.source, 'file');
    assert.equal(report.data.samples, 40);
    assert.equal(report.fragility.metric, 'accuracy');
    assert.equal(report.equivalence.accuracyOriginal, report.equivalence.accuracyProtected);
  });

  it('refuses to protect a protected copy again (exit 2)', async () => {
    const { code, stderr } = await run('protect', join(work, 'model', 'model.mimosa', 'model.json'), '--out', join(work, 'twice'), ...FAST);
    assert.equal(code, 2);
    assert.match(stderr, /already a MimosaNet-protected copy/);
  });

  it('exits 1 when a fixed amplitude is too large to stay equivalent', async () => {
    const { code, stdout } = await run('protect', model, '--out', join(work, 'huge'), '--amplitude', '1e12', '--json', ...FAST);
    assert.equal(code, 1);
    assert.equal((JSON.parse(stdout) as ProtectionReport).equivalence.passed, false);
  });

  it('verify says so when given the original instead of the protected copy (exit 1, nothing checked)', async () => {
    const out = join(work, 'a');
    const { code, stdout } = await run('verify', model, '--report', join(out, 'report.json'));
    assert.equal(code, 1);
    assert.match(stdout, /^NOT THE PROTECTED MODEL: /);
    assert.match(stdout, /this is the original model the report was made from, not its protected copy/);
    assert.doesNotMatch(stdout, /TAMPERED|equivalent/);
  });

  it('verify accepts an untouched copy and catches a single changed byte', async () => {
    const out = join(work, 'a');
    const ok = await run('verify', join(out, 'model.json'), '--report', join(out, 'report.json'));
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /^OK/);
    const weights = join(out, 'model.weights.bin');
    const bytes = readFileSync(weights);
    bytes[5] = bytes[5]! ^ 1;
    writeFileSync(weights, bytes);
    const bad = await run('verify', join(out, 'model.json'), '--report', join(out, 'report.json'), '--json');
    assert.equal(bad.code, 1);
    const result = JSON.parse(bad.stdout);
    assert.equal(result.ok, false);
    assert.equal(result.files.find((f: { name: string }) => f.name === 'model.weights.bin').ok, false);
  });

  for (const { name, message } of REFUSED_FIXTURES) {
    it(`bad input '${name}' exits 2 with a message naming the file and the problem, and writes nothing`, async () => {
      const dir = join(work, `bad-${name}`);
      cpSync(fixtureDir(name), dir, { recursive: true });
      const entries = readdirSync(dir).sort();
      const { code, stderr } = await run('protect', join(dir, 'model.json'), ...FAST);
      assert.equal(code, 2, stderr);
      assert.ok(stderr.includes(join(dir, 'model.json')) && stderr.includes(message), stderr);
      assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
      assert.deepEqual(readdirSync(dir).sort(), entries);
    });
  }

  it('bad usage exits 2', async () => {
    assert.equal((await run('protect', model, '--tolerance', 'abc')).code, 2);
    assert.equal((await run('frobnicate', model)).code, 2);
    assert.equal((await run('protect', model, '--bogus')).code, 2);
    assert.equal((await run('protect', model, '--kinds', 'nonsense')).code, 2);
    assert.equal((await run('verify', model)).code, 2);
    assert.equal((await run('protect', join(work, 'missing.json'))).code, 2);
  });
});
