import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  architecture,
  code,
  describeLayer,
  describeModel,
  describeReport,
  escapeMarkdown,
  inspectionMarkdown,
  modelLabel,
} from '../../../src/extension/views/treeItemData';
import { NOW, entry, info, summary } from './fixtures';

describe('Models view items', () => {
  it('a protectable model: folder-qualified label, format and parameters, blue unlock icon', () => {
    const item = describeModel(entry(), NOW);
    assert.equal(item.label, 'mnist-mlp/model.json');
    assert.equal(item.description, '109,386 params · TensorFlow.js Layers');
    assert.deepEqual(item.icon, { id: 'unlock', color: 'charts.blue' });
    assert.equal(item.contextValue, 'model.protectable');
    assert.match(item.tooltip, /784 → 128 relu → 64 relu → 10 softmax/);
  });

  it('an unsupported model names the blocking layer in description and tooltip', () => {
    const item = describeModel(entry({ info: info({ blocker: { layer: 'conv2d_1', className: 'Conv2D', reason: 'is a convolution; only dense chains are supported' } }) }), NOW);
    assert.equal(item.contextValue, 'model.unsupported');
    assert.match(item.description, /blocked by Conv2D/);
    assert.match(item.tooltip, /Blocked by layer `conv2d_1` \(Conv2D\): is a convolution; only dense chains are supported/);
    assert.equal(item.icon.id, 'circle-slash');
  });

  it('an already protected model shows the headline factor and the verdict', () => {
    const item = describeModel(entry({ report: summary() }), NOW);
    assert.equal(item.contextValue, 'model.protected');
    assert.match(item.description, /3,100×$/);
    assert.match(item.tooltip, /Protected 1 h ago/);
    assert.deepEqual(item.icon, { id: 'shield', color: 'charts.green' });
  });

  it('a pending model spins, a protected copy shows a lock, an unreadable one an error', () => {
    assert.equal(describeModel(entry({ info: undefined }), NOW).icon.id, 'loading~spin');
    assert.equal(describeModel(entry({ producedByMimosa: true }), NOW).icon.id, 'lock');
    const broken = describeModel(entry({ info: undefined, inspectError: { name: 'ModelFormatError', code: 'MODEL_FORMAT', message: 'model.json: unexpected end of JSON' } }), NOW);
    assert.equal(broken.contextValue, 'model.error');
    assert.match(broken.tooltip, /unexpected end of JSON/);
  });

  it('labels generic file names with their folder, distinctive ones alone', () => {
    assert.equal(modelLabel({ fsPath: '/a/b/model.json' }), 'b/model.json');
    assert.equal(modelLabel({ fsPath: '/a/b/digits-v2.json' }), 'digits-v2.json');
  });

  it('summarises architecture with inputs, dense widths and non-identity layers', () => {
    assert.equal(architecture(info().layers, 784), '784 → 128 relu → 64 relu → 10 softmax');
    assert.equal(architecture([{ name: 'c', className: 'Conv2D', parameters: 1 }, { name: 'd', className: 'Dense', units: 2, parameters: 1 }]), 'Conv2D → 2');
  });

  it('flags the blocking layer among the children', () => {
    const layer = { name: 'lstm', className: 'LSTM', parameters: 10 };
    assert.equal(describeLayer(layer, 'lstm').contextValue, 'layer.blocker');
    assert.equal(describeLayer(layer, undefined).contextValue, 'layer');
    assert.equal(describeLayer(info().layers[0]!, undefined).description, 'Dense · 128 units, relu · 100,480 params');
  });
});

describe('Reports view items', () => {
  it('passed report: factor, passed, age; green pass icon; click target is the report', () => {
    const item = describeReport(summary(), NOW);
    assert.equal(item.label, 'mnist-mlp/model.json');
    assert.equal(item.description, '3,100× · passed · 1 h ago');
    assert.deepEqual(item.icon, { id: 'pass-filled', color: 'testing.iconPassed' });
    assert.equal(item.contextValue, 'report');
    assert.match(item.tooltip, /\| Fine-tuning with Adam \| ≥ 100× \|/);
    assert.match(item.tooltip, /\| float16 conversion \| — \|/);
  });

  it('failed report without a factor, measured on probes', () => {
    const item = describeReport(summary({ passed: false, headline: undefined, dataSource: 'probes', createdAt: '2025-12-01T00:00:00Z' }), NOW);
    assert.equal(item.description, 'failed · 2025-12-01');
    assert.equal(item.icon.id, 'error');
    assert.match(item.tooltip, /probe inputs/);
  });
});

describe('inspection markdown', () => {
  it('lists every layer and says why a model is blocked', () => {
    const md = inspectionMarkdown(entry({ info: info({ blocker: { layer: 'dropout', className: 'Dropout', reason: 'is odd' } }) }));
    assert.match(md, /^# mnist\\-mlp\/model\.json/);
    assert.match(md, /\| 2 \| dropout ⛔ \| Dropout \|/);
    assert.match(md, /\*\*Cannot be protected:\*\* layer `dropout` \(Dropout\) is odd/);
  });
});

describe('markdown escaping', () => {
  it('neutralises markdown and icon syntax in names', () => {
    assert.equal(escapeMarkdown('a*b_$(x)[y]'), 'a\\*b\\_\\$\\(x\\)\\[y\\]');
  });
  it('code spans survive backticks', () => {
    assert.equal(code('a`b'), '`` a`b ``');
    assert.equal(code('plain'), '`plain`');
  });
});
