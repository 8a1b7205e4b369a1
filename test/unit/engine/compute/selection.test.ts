import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ENGINE_CHOICES } from '../../../../src/core/compute';
import { jsCompute } from '../../../../src/core/jsCompute';
import { DEFAULT_OPTIONS, parseOptions } from '../../../../src/core/options';
import { createCompute } from '../../../../src/engine/compute';

describe('compute engine selection', () => {
  it('auto takes onnxruntime where its binaries ship (this machine), with nothing to explain', async () => {
    const { compute, notes } = await createCompute('auto', { threads: 1 });
    try {
      assert.equal(compute.name, 'onnxruntime');
      assert.match(compute.description, /^onnxruntime-node \d+\.\d+\.\d+ \(CPU\), 1 thread$/);
      assert.deepEqual(notes, []);
    } finally {
      await compute.dispose();
    }
  });

  it('each engine by name, js being the pure reference', async () => {
    assert.equal((await createCompute('js', { threads: 1 })).compute, jsCompute);
    for (const name of ['onnxruntime', 'tfjs-wasm'] as const) {
      const { compute } = await createCompute(name, { threads: 1 });
      assert.equal(compute.name, name);
      await compute.dispose();
    }
  });

  it('the option defaults to auto and refuses an unknown engine by name', () => {
    assert.equal(DEFAULT_OPTIONS.engine, 'auto');
    assert.equal(parseOptions({ engine: 'tfjs-wasm' }).options.engine, 'tfjs-wasm');
    const { options, problems } = parseOptions({ engine: 'cuda' });
    assert.equal(options.engine, 'auto');
    assert.deepEqual(problems, [{ option: 'engine', value: 'cuda', expected: `one of ${ENGINE_CHOICES.join(', ')}` }]);
  });
});
