import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ModelFormatError, UnsupportedLayerError } from '../../../../src/core/errors';
import { describeArchitecture } from '../../../../src/core/network';
import { tfjsLayersFormat as format } from '../../../../src/formats/tfjs/tfjsLayersFormat';
import { fixturePath, LOADABLE_FIXTURES, REFUSED_FIXTURES, TFJS_FIXTURES, TFJS_FIXTURES_DIR } from '../../../fixtures/tfjsManifest';
import { diskFiles } from './helpers';

/** The error classes the manifest names. */
const ERRORS = { UnsupportedLayerError, ModelFormatError };

describe('tfjs fixtures', () => {
  it('the manifest lists every fixture folder once (and every entry has a folder)', () => {
    const folders = readdirSync(TFJS_FIXTURES_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    const names = TFJS_FIXTURES.map((f) => f.name);
    assert.equal(new Set(names).size, names.length, 'unique names');
    assert.deepEqual(folders, [...names].sort());
  });

  it('sniff accepts every fixture and the name check takes model.json', () => {
    for (const { name } of TFJS_FIXTURES) {
      const head = readFileSync(fixturePath(name)).subarray(0, 64 * 1024);
      assert.equal(format.sniff(head, 'model.json'), true, name);
      assert.equal(format.matchesName('model.json'), true);
    }
  });

  for (const fixture of LOADABLE_FIXTURES) {
    it(`${fixture.name}: ${fixture.architecture}`, async () => {
      const path = fixturePath(fixture.name);
      const info = await format.inspect(path, diskFiles);
      assert.equal(info.blocker, undefined);
      assert.equal(info.format, 'tfjs-layers');
      assert.deepEqual(info.layers.map((l) => l.className), fixture.layers);
      const model = await format.load(path, diskFiles);
      assert.equal(describeArchitecture(model.network), fixture.architecture);
      assert.equal(model.info.inputs, model.network.inputs);
      const stored = model.network.layers.reduce((n, l) => n + l.weights.length + (l.hasBias ? l.units : 0), 0);
      assert.ok(info.parameters >= stored, `${info.parameters} stored parameters ≥ ${stored} in the network`);
      assert.equal(model.normalised.length, fixture.notes.length, `notes: ${JSON.stringify(model.normalised)}`);
      for (const note of fixture.notes) {
        assert.ok(model.normalised.some((n) => n.includes(note)), `no note contains ${JSON.stringify(note)}: ${JSON.stringify(model.normalised)}`);
      }
    });
  }

  for (const fixture of REFUSED_FIXTURES) {
    it(`${fixture.name}: refused (${fixture.blocker ? `${fixture.blocker.className} at ${fixture.blocker.layer}` : fixture.error})`, async () => {
      const path = fixturePath(fixture.name);
      let reason: string | undefined;
      if (fixture.inspectFails) {
        await assert.rejects(format.inspect(path, diskFiles), ModelFormatError);
      } else {
        const { blocker } = await format.inspect(path, diskFiles);
        assert.deepEqual(blocker && { layer: blocker.layer, className: blocker.className }, fixture.blocker);
        reason = blocker?.reason;
      }
      await assert.rejects(format.load(path, diskFiles), (error: unknown) => {
        assert.ok(error instanceof ERRORS[fixture.error], String(error));
        assert.ok(error.message.startsWith(path), error.message);
        assert.ok(error.message.includes(fixture.message), `${JSON.stringify(error.message)} does not contain ${JSON.stringify(fixture.message)}`);
        if (reason !== undefined) assert.ok(error.message.endsWith(reason), `load and inspect give the same reason: ${reason}`);
        if (error instanceof UnsupportedLayerError) assert.deepEqual({ layer: error.layer, className: error.className }, fixture.blocker);
        if (error instanceof ModelFormatError) assert.equal(error.file, path);
        return true;
      });
    });
  }

  it('inspect lists layers with units, activations and parameters, in file order', async () => {
    const info = await format.inspect(fixturePath('keras3-converter'), diskFiles);
    assert.deepEqual(
      info.layers.map((l) => [l.name, l.className, l.units, l.activation, l.parameters]),
      [
        ['input_layer', 'InputLayer', undefined, undefined, 0],
        ['dense', 'Dense', 7, 'relu', 5 * 7 + 7],
        ['dropout', 'Dropout', undefined, undefined, 0],
        ['dense_1', 'Dense', 4, 'softmax', 7 * 4 + 4],
      ],
    );
    assert.equal(info.inputs, 5);
    assert.equal(info.parameters, 42 + 32);
    assert.equal(info.producer, undefined);
  });
});
