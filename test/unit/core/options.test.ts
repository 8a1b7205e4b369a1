import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_OPTIONS, parseOptions } from '../../../src/core/options';

describe('protect options: one parser for CLI, settings and jobs', () => {
  it('keeps every default when nothing is given', () => {
    assert.deepEqual(parseOptions({}), { options: { ...DEFAULT_OPTIONS, kinds: [...DEFAULT_OPTIONS.kinds] }, problems: [] });
  });

  it('reads command-line strings and settings values alike', () => {
    const fromText = parseOptions({ copies: '4', tolerance: '1e-3', amplitude: '64', kinds: 'int8, multiplicative', seed: '7' }).options;
    const fromJson = parseOptions({ copies: 4, tolerance: 1e-3, amplitude: 64, kinds: ['int8', 'multiplicative'], seed: 7 }).options;
    assert.deepEqual(fromText, fromJson);
    assert.equal(fromText.copies, 4);
    // Kinds come back in report order, whatever order they were given in.
    assert.deepEqual(fromText.kinds, ['multiplicative', 'int8']);
    assert.equal(parseOptions({ amplitude: 'auto' }).options.amplitude, 'auto');
  });

  const invalid: [string, Record<string, unknown>, string][] = [
    ['copies below 3', { copies: 2 }, 'an integer from 3 to 64'],
    ['fractional copies', { copies: '3.5' }, 'an integer from 3 to 64'],
    ['zero tolerance', { tolerance: 0 }, 'a number > 0'],
    ['text tolerance', { tolerance: 'abc' }, 'a number > 0'],
    ['negative amplitude', { amplitude: -1 }, '"auto" or a number > 0'],
    ['seed out of range', { seed: 2 ** 32 }, 'an integer from 0 to 4294967295'],
    ['unknown kind', { kinds: 'multiplicative,bogus' }, 'a list of'],
    ['no samples', { maxSamples: 0 }, 'an integer ≥ 1'],
    ['rescaling beyond 2^24', { rescaleExponent: 30 }, 'an integer from 0 to 24'],
    ['negative tripwires', { tripwires: -1 }, 'an integer from 0 to 1024'],
  ];
  for (const [name, raw, expected] of invalid) {
    it(`names the problem neutrally and keeps the default: ${name}`, () => {
      const { options, problems } = parseOptions(raw);
      assert.equal(problems.length, 1);
      const [problem] = problems;
      assert.equal(problem!.option, Object.keys(raw)[0]);
      assert.ok(problem!.expected.startsWith(expected), problem!.expected);
      const key = problem!.option;
      assert.deepEqual(options[key], DEFAULT_OPTIONS[key]);
    });
  }
});
