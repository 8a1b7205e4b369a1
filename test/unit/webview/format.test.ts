import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeHtml, exportStem, fmtLayers, modelName } from '../../../webview/report/format';

describe('report text helpers', () => {
  it('layers', () => {
    assert.equal(fmtLayers(784, [{ units: 128, activation: 'relu' }, { units: 10, activation: 'softmax' }]), '784 → 128 relu → 10 softmax');
    assert.equal(fmtLayers(784, []), '—');
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
