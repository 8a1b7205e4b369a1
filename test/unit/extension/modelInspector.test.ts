import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createModelInspector, INSPECT_IN_HOST_BYTES, type InspectorHost } from '../../../src/extension/discovery/modelInspector';
import type { ModelFormat, ModelInfo } from '../../../src/formats/format';
import { FORMATS } from '../../../src/formats/registry';

const ROOT = join(__dirname, '..', '..', '..');

/** A host over the local disk that records what was read in the host and what went to the worker. */
function recordingHost(sizes: Record<string, number> = {}): InspectorHost & { hostReads: string[]; workerInspects: string[] } {
  const hostReads: string[] = [];
  const workerInspects: string[] = [];
  return {
    hostReads,
    workerInspects,
    files: {
      read: async (path) => {
        hostReads.push(path);
        return new Uint8Array(await readFile(path));
      },
      resolve: (from, relative) => join(from, '..', relative),
    },
    size: async (path) => sizes[path] ?? (await readFile(path)).length,
    inspectInWorker: async (path): Promise<ModelInfo> => {
      workerInspects.push(path);
      return { format: 'from-worker', path, layers: [], parameters: 0 };
    },
  };
}

const format = (id: string, inspectInWorker?: boolean): ModelFormat => ({
  ...FORMATS[0]!,
  id,
  ...(inspectInWorker !== undefined ? { inspectInWorker } : {}),
  inspect: async (path) => ({ format: id, path, layers: [], parameters: 1 }),
});

describe('model inspector (extension host or worker)', () => {
  it('sends Keras files to the worker: the host bundle has no h5wasm, and the host reads nothing', async () => {
    const host = recordingHost();
    const inspector = createModelInspector(FORMATS, host);
    for (const file of ['keras3-sequential-mlp/mlp.keras', 'keras3-sequential-mlp-h5/mlp.h5']) {
      const path = join(ROOT, 'test', 'fixtures', 'keras', file);
      assert.equal((await inspector.inspect(path, 'keras')).format, 'from-worker', file);
    }
    assert.equal(host.workerInspects.length, 2);
    assert.deepEqual(host.hostReads, []);
  });

  it('inspects a small TF.js model in the host, without starting the worker', async () => {
    const host = recordingHost();
    const path = join(ROOT, 'examples', 'mnist-mlp', 'model.json');
    const info = await createModelInspector(FORMATS, host).inspect(path, 'tfjs-layers');
    assert.equal(info.format, 'tfjs-layers');
    assert.equal(info.parameters, 109_386);
    assert.deepEqual(host.workerInspects, []);
  });

  it('routes by the format property, the file size and unknown ids, never by a format id', async () => {
    const host = recordingHost({ small: 10, big: INSPECT_IN_HOST_BYTES + 1 });
    const inspector = createModelInspector([format('light'), format('heavy', true)], host);
    assert.equal((await inspector.inspect('small', 'light')).format, 'light');
    assert.equal((await inspector.inspect('small', 'heavy')).format, 'from-worker');
    assert.equal((await inspector.inspect('big', 'light')).format, 'from-worker');
    assert.equal((await inspector.inspect('small', 'unknown')).format, 'from-worker');
    assert.deepEqual(host.workerInspects, ['small', 'big', 'small']);
  });

  it('Keras, whose inspect needs h5wasm (left out of dist/extension.js by scripts/build.mjs), is the format that inspects in the worker', () => {
    assert.deepEqual(FORMATS.filter((f) => f.inspectInWorker).map((f) => f.id), ['keras']);
  });
});
