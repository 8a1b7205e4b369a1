import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ModelEntry, headSaysMimosa, isMimosaProducer, modelState } from '../../../src/extension/discovery/modelEntry';
import { entry, info, summary } from './fixtures';

describe('model state', () => {
  const cases: [string, Partial<ModelEntry>, ReturnType<typeof modelState>][] = [
    ['not inspected yet', { info: undefined }, 'pending'],
    ['a dense chain', {}, 'protectable'],
    ['with a report beside it', { report: summary() }, 'protected'],
    ['blocked by a layer', { info: info({ blocker: { layer: 'conv1', className: 'Conv2D', reason: 'is a convolution' } }) }, 'unsupported'],
    ['unreadable', { info: undefined, inspectError: { name: 'ModelFormatError', code: 'MODEL_FORMAT', message: 'bad JSON' } }, 'error'],
    ['written by MimosaNet (file head)', { producedByMimosa: true, report: summary() }, 'protectedCopy'],
    ['written by MimosaNet (inspection)', { info: info({ producer: 'MimosaNet 0.1.0' }) }, 'protectedCopy'],
  ];
  for (const [name, patch, expected] of cases) it(name, () => assert.equal(modelState(entry(patch)), expected));
});

describe('MimosaNet outputs are recognised from the first bytes', () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  it('reads convertedBy in a TF.js model.json head', () => {
    assert.equal(headSaysMimosa(enc('{"format":"layers-model","generatedBy":"keras","convertedBy":"MimosaNet 0.1.0","modelTopology":{')), true);
    assert.equal(headSaysMimosa(enc('{"format":"layers-model","convertedBy":"TensorFlow.js Converter v4"}')), false);
  });
  it('matches producer names case-insensitively', () => {
    assert.equal(isMimosaProducer('mimosanet'), true);
    assert.equal(isMimosaProducer('TensorFlow.js'), false);
    assert.equal(isMimosaProducer(undefined), false);
  });
});
