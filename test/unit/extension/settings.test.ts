import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { PERTURBATION_KINDS } from '../../../src/core/report';
import { INTEGER_RANGES } from '../../../src/core/options';
import { DEFAULT_OPTIONS, DEFAULT_OUTPUT_FOLDER, modelBaseName, readProtectOptions, resolveOutputFolder, SETTING_NAMES } from '../../../src/extension/settings';

const settings = (values: Record<string, unknown>) => (key: string) => values[key];

describe('protect options from the settings', () => {
  it('uses the engine defaults when nothing is set', () => {
    const { options, problems } = readProtectOptions(settings({}));
    assert.deepEqual(options, DEFAULT_OPTIONS);
    assert.deepEqual(problems, []);
  });

  it('takes valid values', () => {
    const { options, problems } = readProtectOptions(
      settings({ tolerance: 1e-3, amplitude: 64, seed: 7, maxSamples: 100, repeats: 2, copies: 4, perturbations: ['int8', 'multiplicative'] }),
    );
    assert.deepEqual(problems, []);
    assert.equal(options.tolerance, 1e-3);
    assert.equal(options.amplitude, 64);
    assert.equal(options.seed, 7);
    assert.equal(options.maxSamples, 100);
    assert.equal(options.repeats, 2);
    assert.equal(options.copies, 4);
    assert.deepEqual(options.kinds, ['multiplicative', 'int8'], 'report order, not typing order');
  });

  it('accepts a numeric string amplitude from the settings editor', () => {
    assert.equal(readProtectOptions(settings({ amplitude: '128' })).options.amplitude, 128);
  });

  it('replaces invalid values by their default and says which', () => {
    const { options, problems } = readProtectOptions(settings({ copies: 2, tolerance: -1, amplitude: 'big', seed: 1.5, perturbations: ['noise'] }));
    assert.equal(options.copies, DEFAULT_OPTIONS.copies);
    assert.equal(options.tolerance, DEFAULT_OPTIONS.tolerance);
    assert.equal(options.amplitude, 'auto');
    assert.deepEqual(options.kinds, [...PERTURBATION_KINDS]);
    assert.equal(problems.length, 5);
    assert.match(problems[0]!, /^mimosanet\.tolerance = -1 is invalid \(a number > 0\); using 0\.0001\.$/);
    assert.ok(problems.some((p) => p.startsWith('mimosanet.copies = 2 is invalid')));
  });

  it('package.json declares the same defaults and ranges as the options module, for every setting', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
    const props = pkg.contributes.configuration.properties;
    for (const [option, setting] of Object.entries(SETTING_NAMES) as [keyof typeof DEFAULT_OPTIONS, string][]) {
      const prop = props[`mimosanet.${setting}`];
      assert.ok(prop, `package.json has no mimosanet.${setting}`);
      assert.deepEqual(prop.default, DEFAULT_OPTIONS[option], `default of mimosanet.${setting}`);
      const range = (INTEGER_RANGES as Record<string, { min: number; max: number }>)[option];
      if (range) {
        assert.equal(prop.type, 'integer', `mimosanet.${setting} is an integer`);
        assert.equal(prop.minimum, range.min, `minimum of mimosanet.${setting}`);
        assert.equal(prop.maximum ?? Number.MAX_SAFE_INTEGER, range.max, `maximum of mimosanet.${setting}`);
      }
    }
    assert.deepEqual(props['mimosanet.perturbations'].items.enum, [...PERTURBATION_KINDS]);
    assert.equal(props['mimosanet.outputFolder'].default, DEFAULT_OUTPUT_FOLDER);
  });
});

describe('output folder pattern', () => {
  it('defaults to a sibling <name>.mimosa folder', () => {
    assert.equal(resolveOutputFolder(undefined, '/w/m/model.json'), '/w/m/model.mimosa');
    assert.equal(resolveOutputFolder('', '/w/m/digits.json'), '/w/m/digits.mimosa');
  });
  it('substitutes ${dir}, ${name} and ${workspaceFolder}; relative results are taken from the model folder', () => {
    assert.equal(resolveOutputFolder('${workspaceFolder}/protected/${name}', '/w/m/model.json', '/w'), '/w/protected/model');
    assert.equal(resolveOutputFolder('../out/${name}-safe', '/w/m/model.json'), '/w/out/model-safe');
  });
  it("refuses the model's own folder", () => {
    assert.throws(() => resolveOutputFolder('${dir}', '/w/m/model.json'), /own folder/);
    assert.throws(() => resolveOutputFolder('.', '/w/m/model.json'), /own folder/);
  });
  it('names models without their extension', () => {
    assert.equal(modelBaseName('/a/model.json'), 'model');
    assert.equal(modelBaseName('/a/net.v2.onnx'), 'net.v2');
    assert.equal(modelBaseName('/a/noext'), 'noext');
  });
});
