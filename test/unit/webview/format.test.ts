import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  escapeHtml,
  exportStem,
  fmtAmplitude,
  fmtBytes,
  fmtFactor,
  fmtLayers,
  fmtNum,
  fmtPct,
  fmtSeconds,
  modelName,
} from '../../../webview/report/format';
import { formatAmplitude, formatFactor } from '../../../src/core/verdict';

describe('report number formatting', () => {
  const nums: [number | null, string][] = [
    [null, '—'],
    [0, '0'],
    [1.19211479, '1.19'],
    [81.785, '81.8'],
    [2896.309, '2,896'],
    [1192114.79, '1.19e6'],
    [0.0025844, '0.00258'],
    [0.00008404, '8.4e-5'],
    [2.448e-11, '2.45e-11'],
    [1e-6, '1e-6'],
    [-0.5, '-0.5'],
    [Infinity, '∞'],
  ];
  for (const [value, expected] of nums) it(`fmtNum(${value}) = ${expected}`, () => assert.equal(fmtNum(value), expected));

  it('percentages with fixed decimals, exact ends without', () => {
    assert.equal(fmtPct(0.9525), '95.3 %');
    assert.equal(fmtPct(0.9525, 2), '95.25 %');
    assert.equal(fmtPct(0.1), '10.0 %');
    assert.equal(fmtPct(1), '100 %');
    assert.equal(fmtPct(0), '0 %');
    assert.equal(fmtPct(null), '—');
  });

  it('sizes, durations, factors, amplitudes, layers', () => {
    assert.equal(fmtBytes(439519), '429.2 KiB');
    assert.equal(fmtBytes(1511152), '1.44 MiB');
    assert.equal(fmtBytes(0), '—');
    assert.equal(fmtSeconds(0.0284), '28 ms');
    assert.equal(fmtSeconds(14.6), '14.6 s');
    assert.equal(fmtSeconds(105.9), '1 min 46 s');
    // Factors and amplitudes as the verdict and the CLI word them (core/verdict), "—" when absent.
    assert.equal(fmtFactor(1192114.79), formatFactor({ fragilityFactor: 1192114.79, fragilityFactorBound: 'exact' }));
    assert.equal(fmtFactor(1192114.79), '1,192,115×');
    assert.equal(fmtFactor(161.41), '161×');
    assert.equal(fmtFactor(13.152), '13.2×');
    assert.equal(fmtFactor(100, 'lower'), '≥ 100×');
    assert.equal(fmtFactor(null), '—');
    assert.equal(fmtAmplitude(2048), formatAmplitude(2048));
    assert.equal(fmtAmplitude(2048), '2,048 (2^11)');
    assert.equal(fmtAmplitude(2896.309375740099), '2,896 (2^11.5)');
    assert.equal(fmtAmplitude(22.62741699796952), '22.6 (2^4.5)');
    assert.equal(fmtAmplitude(null), '—');
    assert.equal(fmtLayers(784, [{ units: 128, activation: 'relu' }, { units: 10, activation: 'softmax' }]), '784 → 128 relu → 10 softmax');
  });

  it('names models and export files', () => {
    assert.equal(modelName('/w/examples/mnist-mlp/model.json'), 'mnist-mlp/model.json');
    assert.equal(modelName('C:\\models\\digits.json'), 'digits.json');
    assert.equal(exportStem('/w/examples/mnist-mlp/model.json'), 'mnist-mlp-model');
    assert.equal(exportStem(undefined), 'model');
  });

  it('escapes HTML', () => {
    assert.equal(escapeHtml(`<img src=x onerror="a('b')">&`), '&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;');
  });
});
