import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { buildExcludeGlob, escapeGlob, expandBraces, isStagingPath, STAGING_EXCLUDE_GLOB } from '../../../src/extension/discovery/globs';

describe('exclude globs from files.exclude and search.exclude', () => {
  it('joins only the entries set to true, from both settings, without duplicates', () => {
    const glob = buildExcludeGlob({ '**/.git': true, '**/.DS_Store': false, '**/*.js': { when: '$(basename).ts' } }, { '**/node_modules': true, '**/.git': true });
    assert.equal(glob, '{**/.git,**/node_modules}');
  });

  it('returns one pattern bare and undefined when nothing is excluded', () => {
    assert.equal(buildExcludeGlob({ '**/out': true }, undefined), '**/out');
    assert.equal(buildExcludeGlob({}, { '**/x': false }), undefined);
    assert.equal(buildExcludeGlob(undefined, undefined), undefined);
  });

  it('flattens brace groups, since VS Code globs do not nest them', () => {
    assert.equal(buildExcludeGlob({ '**/*.{log,tmp}': true }), '{**/*.log,**/*.tmp}');
  });
});

describe('expandBraces', () => {
  const cases: [string, string[]][] = [
    ['**/a', ['**/a']],
    ['**/*.{js,ts}', ['**/*.js', '**/*.ts']],
    ['{a,b}/{c,d}', ['a/c', 'a/d', 'b/c', 'b/d']],
    ['x{a,{b,c}}', ['xa', 'xb', 'xc']],
    ['broken{a,b', ['broken{a,b']],
  ];
  for (const [input, expected] of cases) it(input, () => assert.deepEqual(expandBraces(input), expected));
});

describe('escapeGlob', () => {
  it('makes metacharacters literal', () => {
    assert.equal(escapeGlob('models/[v2] best*.json'), 'models/[[]v2[]] best[*].json');
    assert.equal(escapeGlob('plain/model.json'), 'plain/model.json');
  });
});

describe('staging folders of a protect run', () => {
  it('are recognised, whatever the separator', () => {
    assert.equal(isStagingPath('/w/m/.model.mimosa.partial-f460e0f0/model.json'), true);
    assert.equal(isStagingPath('C:\\w\\.model.mimosa.partial-0a1b2c3d.old\\report.json'), true);
    assert.equal(isStagingPath('/w/m/model.mimosa/model.json'), false);
    assert.equal(isStagingPath('/w/.hidden/model.json'), false);
  });
});

describe('staging folders are hidden from the Explorer', () => {
  it('package.json contributes the files.exclude entry that matches AtomicOutput staging folders', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
    assert.equal(pkg.contributes.configurationDefaults['files.exclude'][STAGING_EXCLUDE_GLOB], true);
    const { AtomicOutput } = await import('../../../src/engine/atomicOutput');
    const output = await AtomicOutput.open('/nonexistent-mimosanet/m/model.mimosa', false);
    const name = output.staging.split('/').at(-1)!;
    // The glob's last segment `.*.partial-[0-9a-f]*`, as a regular expression.
    assert.match(name, /^\..*\.partial-[0-9a-f].*$/);
    assert.match(`${name}.old`, /^\..*\.partial-[0-9a-f].*$/);
    assert.equal(isStagingPath(`/w/m/${name}/model.json`), true);
  });
});

