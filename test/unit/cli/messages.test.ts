// What a user sees for each bad input (issue 9, item 6): exit code 2, a typed error code, a
// message naming the file or option and the fix, no stack trace, nothing written, in human and
// --json modes alike. Then the end of a successful run: every written file, and skipped kinds.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from './runCli';
import type { ProtectionReport } from '../../../src/core/report';
import { encodeNpy } from '../../../src/formats/data/npy';
import { fixtureDir } from '../../fixtures/tfjsManifest';

const run = runCli;

const FAST = ['--repeats', '1', '--quiet'];

/** One bad input: the command line (paths relative to the work folder, `$` replaced by it), the error code and what the message must contain. */
interface BadInput {
  name: string;
  argv: (work: string) => string[];
  code: 'FILE_ACCESS' | 'USAGE' | 'DATA';
  fragments: (work: string) => string[];
}

const DATA_FORMATS = '.npy, .npz, .csv';

const BAD_INPUTS: BadInput[] = [
  {
    name: 'a missing model file',
    argv: (w) => ['protect', join(w, 'model', 'modle.json')],
    code: 'FILE_ACCESS',
    fragments: (w) => [`no such file: ${join(w, 'model', 'modle.json')}`, `give the model's main file, e.g. ${join(w, 'model', 'model.json')}`],
  },
  {
    name: 'a missing model file to inspect',
    argv: (w) => ['inspect', join(w, 'nowhere', 'model.json')],
    code: 'FILE_ACCESS',
    fragments: (w) => [`no such file: ${join(w, 'nowhere', 'model.json')}`, 'e.g. model.json'],
  },
  {
    name: 'the model folder instead of its model.json',
    argv: (w) => ['protect', join(w, 'model')],
    code: 'FILE_ACCESS',
    fragments: (w) => [`${join(w, 'model')} is a folder`, `inside it, e.g. ${join(w, 'model', 'model.json')}`],
  },
  {
    name: 'a folder above the model folder',
    argv: (w) => ['inspect', join(w, 'models')],
    code: 'FILE_ACCESS',
    fragments: (w) => [`${join(w, 'models')} is a folder`, join(w, 'models', 'mlp', 'model.json')],
  },
  {
    name: 'a folder with no model in it',
    argv: (w) => ['inspect', join(w, 'empty')],
    code: 'FILE_ACCESS',
    fragments: (w) => [`${join(w, 'empty')} is a folder`, 'no model file in it'],
  },
  {
    name: 'an unknown option',
    argv: (w) => ['protect', join(w, 'model', 'model.json'), '--bogus'],
    code: 'USAGE',
    fragments: () => ["unknown option '--bogus'", "'protect' takes --out, --data, --labels", '--max-samples'],
  },
  {
    name: 'an engine that does not exist',
    argv: (w) => ['protect', join(w, 'model', 'model.json'), '--engine', 'cuda'],
    code: 'USAGE',
    fragments: () => ["--engine must be one of auto, onnxruntime, tfjs-wasm, js, got 'cuda'"],
  },
  {
    name: 'a misspelt option',
    argv: (w) => ['protect', join(w, 'model', 'model.json'), '--label', 'y.npy'],
    code: 'USAGE',
    fragments: () => ["unknown option '--label'", 'did you mean --labels?'],
  },
  {
    name: "another command's option",
    argv: (w) => ['inspect', join(w, 'model', 'model.json'), '--out', 'x'],
    code: 'USAGE',
    fragments: () => ["option '--out' does not apply to 'inspect'", "'inspect' takes --json"],
  },
  {
    name: 'an option without its value',
    argv: (w) => ['protect', join(w, 'model', 'model.json'), '--out'],
    code: 'USAGE',
    fragments: () => ["option '--out' needs a value: --out <dir>"],
  },
  {
    name: 'an unknown command',
    argv: (w) => ['frobnicate', join(w, 'model', 'model.json')],
    code: 'USAGE',
    fragments: () => ["unknown command 'frobnicate'", 'inspect, protect, attack, compare or verify'],
  },
  {
    name: 'compare with neither --original nor --report',
    argv: (w) => ['compare', join(w, 'model', 'model.json')],
    code: 'USAGE',
    fragments: () => ['compare needs either --original <model> or --report <report.json>'],
  },
  {
    name: 'verify without --report',
    argv: (w) => ['verify', join(w, 'model', 'model.json')],
    code: 'USAGE',
    fragments: () => ["'verify' needs --report <report.json>"],
  },
  {
    name: 'a text file as --data',
    argv: (w) => ['protect', join(w, 'model', 'model.json'), '--data', join(w, 'notes.txt')],
    code: 'DATA',
    fragments: (w) => [join(w, 'notes.txt'), 'is not a data file', 'a row of numbers', "'Remember to protect the model"],
  },
  {
    name: 'a model file as --data',
    argv: (w) => ['protect', join(w, 'model', 'model.json'), '--data', join(w, 'model', 'model.json')],
    code: 'DATA',
    fragments: (w) => [join(w, 'model', 'model.json'), 'TF.js model file', DATA_FORMATS],
  },
  {
    name: 'a weights file as --data',
    argv: (w) => ['protect', join(w, 'model', 'model.json'), '--data', join(w, 'model', 'weights.bin')],
    code: 'DATA',
    fragments: (w) => [join(w, 'model', 'weights.bin'), 'binary, neither .npy nor .npz', DATA_FORMATS],
  },
  {
    name: 'a missing --data file',
    argv: (w) => ['protect', join(w, 'model', 'model.json'), '--data', join(w, 'eval', 'x.nyp')],
    code: 'FILE_ACCESS',
    fragments: (w) => [`no such file: ${join(w, 'eval', 'x.nyp')}`, `give --data an evaluation inputs file`, join(w, 'eval', 'x.npy')],
  },
  {
    name: 'a folder as --data',
    argv: (w) => ['protect', join(w, 'model', 'model.json'), '--data', join(w, 'eval')],
    code: 'FILE_ACCESS',
    fragments: (w) => [`${join(w, 'eval')} is a folder`, `inside it, e.g. ${join(w, 'eval', 'x.npy')}`],
  },
  {
    name: 'a folder as --labels',
    argv: (w) => ['protect', join(w, 'model', 'model.json'), '--data', join(w, 'eval', 'x.npy'), '--labels', join(w, 'eval')],
    code: 'FILE_ACCESS',
    fragments: (w) => [`${join(w, 'eval')} is a folder`, `give --labels a file of class labels`, join(w, 'eval', 'y.npy')],
  },
  {
    name: 'a missing --report file',
    argv: (w) => ['verify', join(w, 'model', 'model.json'), '--report', join(w, 'report.json')],
    code: 'FILE_ACCESS',
    fragments: (w) => [`no such file: ${join(w, 'report.json')}`, 'give --report the report.json written beside the protected model'],
  },
];

describe('mimosanet CLI messages', () => {
  let work: string;
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'mimosanet-messages-'));
    cpSync(fixtureDir('tfjs-save'), join(work, 'model'), { recursive: true });
    cpSync(fixtureDir('tfjs-save'), join(work, 'models', 'mlp'), { recursive: true });
    mkdirSync(join(work, 'empty'));
    mkdirSync(join(work, 'eval'));
    writeFileSync(join(work, 'eval', 'x.npy'), encodeNpy([20, 4], Float32Array.from({ length: 80 }, (_, i) => Math.cos(i))));
    writeFileSync(join(work, 'eval', 'y.npy'), encodeNpy([20], Int32Array.from({ length: 20 }, (_, i) => i % 3)));
    writeFileSync(join(work, 'notes.txt'), 'Remember to protect the model before the release.\nAsk about the labels.\n');
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  for (const bad of BAD_INPUTS) {
    for (const json of [false, true]) {
      it(`${bad.name}${json ? ' (--json)' : ''}: exit 2, ${bad.code}, the file or option and the fix, nothing written`, async () => {
        const before = readdirSync(join(work, 'model')).sort();
        const { code, stdout, stderr } = await run([...bad.argv(work), ...(json ? ['--json'] : [])]);
        assert.equal(code, 2, stderr);
        for (const fragment of bad.fragments(work)) assert.ok(stderr.includes(fragment), `stderr lacks ${JSON.stringify(fragment)}:\n${stderr}`);
        assert.doesNotMatch(stderr, /internal error|\n\s+at |ENOENT|EISDIR|To specify a positional argument/, 'no internal error, stack trace or Node text');
        if (json) {
          const { error } = JSON.parse(stdout) as { error: { code: string; message: string } };
          assert.equal(error.code, bad.code);
          for (const fragment of bad.fragments(work)) assert.ok(error.message.includes(fragment), error.message);
        } else {
          assert.equal(stdout, '');
          assert.match(stderr, /^mimosanet: /);
        }
        assert.deepEqual(readdirSync(join(work, 'model')).sort(), before, 'nothing written beside the model');
      });
    }
  }

  it('the summary lists every written file and says which kinds were skipped for want of labels', async () => {
    const out = join(work, 'out-probes');
    const { code, stdout, stderr } = await run(['protect', join(work, 'model', 'model.json'), '--out', out, '--kinds', 'int8,finetune-adam,finetune-sgd', ...FAST]);
    assert.equal(code, 0, stderr);
    const written = readdirSync(out).sort();
    assert.ok(written.length >= 3, written.join(', '));
    for (const file of written) assert.ok(stdout.includes(join(out, file)), `summary lacks ${file}:\n${stdout}`);
    assert.match(stdout, /Ship model\.json and \S+\.bin together/);
    assert.ok(stdout.includes('finetune-adam, finetune-sgd skipped: they need labels (--data with --labels)'), stdout);
  });

  it('with labels nothing is skipped; with unlabelled data the hint is --labels', async () => {
    const model = join(work, 'model', 'model.json');
    const x = join(work, 'eval', 'x.npy');
    const labelled = await run(['protect', model, '--out', join(work, 'out-labelled'), '--data', x, '--labels', join(work, 'eval', 'y.npy'), '--kinds', 'int8,finetune-sgd', '--json', ...FAST]);
    assert.equal(labelled.code, 0, labelled.stderr);
    const report = JSON.parse(labelled.stdout) as ProtectionReport;
    assert.deepEqual(report.fragility.kinds.map((k) => k.kind).sort(), ['finetune-sgd', 'int8']);
    assert.deepEqual(report.fragility.skipped ?? [], []);
    const unlabelled = await run(['protect', model, '--out', join(work, 'out-unlabelled'), '--data', x, '--kinds', 'int8,finetune-sgd', ...FAST]);
    assert.equal(unlabelled.code, 0, unlabelled.stderr);
    assert.ok(unlabelled.stdout.includes('finetune-sgd skipped: it needs labels (--labels)'), unlabelled.stdout);
  });
});
