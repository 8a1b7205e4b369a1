import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FragilitySeries } from '../../../src/core/report';
import { formatAmplitude, formatBytes, formatCount, formatFactor, formatNumber, formatPercent, formatS50, formatSeconds } from '../../../src/core/reportFormat';

/** One table per formatter: the spellings the CLI, the sidebar, the panel and the HTML export all show. */
const TABLES: [string, (value: never) => string, [unknown, string][]][] = [
  [
    'formatNumber',
    formatNumber,
    [
      [null, '—'],
      [undefined, '—'],
      [NaN, '—'],
      [0, '0'],
      [1.19211479, '1.19'],
      [81.785, '81.8'],
      [2896.309, '2,896'],
      [1192114.79, '1.19e6'],
      [0.0025844, '0.00258'],
      [0.00008404, '8.4e-5'],
      [5.58e-7, '5.58e-7'],
      [2.448e-11, '2.45e-11'],
      [1e-6, '1e-6'],
      [1e-4, '1e-4'],
      [-0.5, '-0.5'],
      [Infinity, '∞'],
    ],
  ],
  [
    'formatPercent',
    formatPercent,
    [
      [0.9525, '95.3 %'],
      [0.1, '10.0 %'],
      [1, '100 %'],
      [0, '0 %'],
      [null, '—'],
    ],
  ],
  [
    'formatFactor',
    formatFactor,
    [
      [953969.2, '953,969×'],
      [1192114.79, '1,192,115×'],
      [161.41, '161×'],
      [100, '100×'],
      [13.152, '13.2×'],
      [null, '—'],
      [undefined, '—'],
    ],
  ],
  [
    'formatAmplitude',
    formatAmplitude,
    [
      [1, '1 (2^0)'],
      [2048, '2,048 (2^11)'],
      [2896.309375740099, '2,896 (2^11.5)'],
      [724.0773439350247, '724 (2^9.5)'],
      [22.62741699796952, '22.6 (2^4.5)'],
      [5.656854249492381, '5.66 (2^2.5)'],
      [3, '3'],
      [0, '—'],
      [null, '—'],
    ],
  ],
  [
    'formatCount',
    formatCount,
    [
      [109386, '109,386'],
      [2000, '2,000'],
      [null, '—'],
    ],
  ],
  [
    'formatBytes',
    formatBytes,
    [
      [512, '512 B'],
      [439519, '429.2 KiB'],
      [1511152, '1.44 MiB'],
      [0, '—'],
    ],
  ],
  [
    'formatSeconds',
    formatSeconds,
    [
      [0.0284, '28 ms'],
      [14.6, '14.6 s'],
      [105.9, '1 min 46 s'],
      [null, '—'],
    ],
  ],
];

describe('report formatters', () => {
  for (const [name, format, rows] of TABLES) {
    for (const [value, expected] of rows) it(`${name}(${String(value)}) = ${expected}`, () => assert.equal(format(value as never), expected));
  }

  it('percentages take the decimals asked for', () => assert.equal(formatPercent(0.9525, 2), '95.25 %'));
  it('lower bounds carry ≥', () => {
    assert.equal(formatFactor(300, 'lower'), '≥ 300×');
    assert.equal(formatFactor(12.5, 'lower'), '≥ 12.5×');
  });

  describe('formatS50', () => {
    const series = (patch: Partial<FragilitySeries>): FragilitySeries => ({ mean: [0.9, 0.5, 0.1], min: [], max: [], broken: [], clean: 0.95, s50: 0.1, s50BelowGrid: false, ...patch });
    const grid = { magnitudes: [0.01, 0.1, 1] };
    it('a number on the grid', () => assert.equal(formatS50(grid, series({}), 0.1), '0.1'));
    it('"> largest" when never reached', () => assert.equal(formatS50({ magnitudes: [1, 10, 300] }, series({ s50: null }), 0.1), '> 300'));
    it('"≤ smallest" when broken from the first magnitude', () => assert.equal(formatS50(grid, series({ s50: 0.01, s50BelowGrid: true }), 0.1), '≤ 0.01'));
    it('0.1 reports without s50BelowGrid: inferred from the first point', () => {
      const old = { ...series({ s50: 0.01, mean: [0.2, 0.1, 0.1] }), s50BelowGrid: undefined } as unknown as FragilitySeries;
      assert.equal(formatS50(grid, old, 0.1), '≤ 0.01');
    });
    it('"—" for one-magnitude kinds', () => assert.equal(formatS50({ magnitudes: [1] }, series({ s50: null }), 0.1), '—'));
  });
});
