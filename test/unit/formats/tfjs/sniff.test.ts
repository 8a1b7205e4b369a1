import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tfjsLayersFormat as format } from '../../../../src/formats/tfjs/tfjsLayersFormat';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('tfjs sniff and name check', () => {
  it('takes *.json names only', () => {
    assert.equal(format.matchesName('model.json'), true);
    assert.equal(format.matchesName('classifier.JSON'), true);
    assert.equal(format.matchesName('model.json.bak'), false);
    assert.equal(format.matchesName('weights.bin'), false);
  });

  it('accepts model.json heads with modelTopology and weightsManifest, in either order', () => {
    assert.equal(format.sniff(bytes('{"format":"layers-model","modelTopology":{},"weightsManifest":[]}'), 'model.json'), true);
    assert.equal(format.sniff(bytes('\uFEFF  {"weightsManifest": [], "modelTopology": {}}'), 'model.json'), true);
  });

  it('accepts a head that ends before weightsManifest (a topology larger than the head)', () => {
    const head = bytes(`{"modelTopology":{"model_config":{"class_name":"Sequential","config":{"layers":[${'{"class_name":"Dense"},'.repeat(50)}`);
    assert.equal(format.sniff(head, 'model.json'), true);
  });

  it('accepts graph models (inspect reports them as unsupported)', () => {
    assert.equal(format.sniff(bytes('{"format":"graph-model","modelTopology":{"node":[]},"weightsManifest":[]}'), 'model.json'), true);
  });

  it('rejects look-alikes', () => {
    const root = join(__dirname, '../../../..');
    assert.equal(format.sniff(readFileSync(join(root, 'package.json')), 'package.json'), false);
    assert.equal(format.sniff(readFileSync(join(root, 'tsconfig.json')), 'tsconfig.json'), false);
    // Complete JSON with a topology but no weights (Keras model.to_json output).
    assert.equal(format.sniff(bytes('{"modelTopology":{"class_name":"Sequential","config":{"layers":[]}}}'), 'model.json'), false);
    // The words appear, but as values, not keys.
    assert.equal(format.sniff(bytes('{"description":"has \\"modelTopology\\" and weightsManifest"}'), 'notes.json'), false);
    assert.equal(format.sniff(bytes('[{"modelTopology":{},"weightsManifest":[]}]'), 'list.json'), false);
    assert.equal(format.sniff(bytes('not json at all'), 'x.json'), false);
    assert.equal(format.sniff(new Uint8Array(0), 'empty.json'), false);
  });
});
