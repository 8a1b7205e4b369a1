import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { unzipSync, zipSync } from 'fflate';
import { MimosaError, ModelFormatError } from '../../../../src/core/errors';
import { hdf5CallTimeoutMs, hdf5ThreadsStarted, isolatedHdf5 } from '../../../../src/engine/hdf5Isolation';
import type { FileReader } from '../../../../src/formats/format';
import type { Hdf5Host } from '../../../../src/formats/keras/hdf5';
import { kerasFormat as format } from '../../../../src/formats/keras/kerasFormat';
import { crc32 } from '../../../../src/formats/keras/zip';
import { KERAS_FIXTURES_DIR } from './helpers';

/** Seeded generator (LCG): the same cases every run. */
function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const fixture = (file: string) => new Uint8Array(readFileSync(join(KERAS_FIXTURES_DIR, file)));
const SOURCES: { name: string; bytes: Uint8Array; beside?: { name: string; bytes: Uint8Array } }[] = [
  { name: 'mlp.keras', bytes: fixture('keras3-sequential-mlp/mlp.keras') },
  { name: 'mlp.h5', bytes: fixture('keras3-sequential-mlp-h5/mlp.h5') },
  { name: 'scorer.h5', bytes: fixture('keras3-functional-bn-h5/scorer.h5') },
  { name: 'model.h5', bytes: fixture('keras2-style-h5/model.h5') },
  { name: 'mlp.weights.h5', bytes: fixture('keras3-weights-only/mlp.weights.h5'), beside: { name: 'mlp.json', bytes: fixture('keras3-weights-only/mlp.json') } },
];

/** The engine's disposable HDF5 reader thread, counting the files that reach it. */
const opened = { count: 0 };
const countingHdf5: Hdf5Host = {
  open: (bytes) => {
    opened.count++;
    return isolatedHdf5.open(bytes);
  },
};

/** Serves the case's bytes and, for weights-only files, the intact JSON beside them; records every read. */
function reader(main: string, bytes: Uint8Array, beside?: { name: string; bytes: Uint8Array }): FileReader & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    hdf5: countingHdf5,
    read: async (path) => {
      reads.push(path);
      if (path === main) return bytes;
      if (beside && path === beside.name) return beside.bytes;
      throw new Error(`ENOENT: ${path}`);
    },
    resolve: (_from, relative) => relative,
  };
}

/** A mutated copy of `bytes`: a truncation, bit flips, or overwritten bytes (half of them in the first 4 KiB, where the headers are). */
function mutate(bytes: Uint8Array, random: () => number): Uint8Array {
  const kind = Math.floor(random() * 3);
  if (kind === 0) return bytes.slice(0, Math.floor(random() * bytes.length));
  const out = bytes.slice();
  const edits = 1 + Math.floor(random() * 8);
  for (let k = 0; k < edits; k++) {
    const span = random() < 0.5 ? Math.min(4096, out.length) : out.length;
    const at = Math.floor(random() * span);
    out[at] = kind === 1 ? out[at]! ^ (1 << Math.floor(random() * 8)) : Math.floor(random() * 256);
  }
  return out;
}

/** A .keras archive with the given entries (stored), for path tricks, bombs and nesting. */
function archive(entries: Record<string, Uint8Array>): Uint8Array {
  return zipSync(Object.fromEntries(Object.entries(entries).map(([name, bytes]) => [name, [bytes, { level: 0 }]])));
}

/** Rewrites the declared uncompressed size of every entry in a zip's central directory (a bomb's lie). */
function claimSize(zip: Uint8Array, size: number): Uint8Array {
  const out = zip.slice();
  const view = new DataView(out.buffer);
  for (let at = 0; at + 46 <= out.length; at++) if (view.getUint32(at, true) === 0x02014b50) view.setUint32(at + 24, size, true);
  return out;
}

/** A .keras archive around a mutated model.weights.h5, its zip intact, so the case reaches the HDF5 reader. */
function mutateInside(keras: Uint8Array, random: () => number): Uint8Array {
  const entries = unzipSync(keras);
  return archive({ ...entries, 'model.weights.h5': mutate(entries['model.weights.h5']!, random) });
}

/** A refusal with the numbers and quoted names taken out: what kind of reason it is. */
function reasonOf(message: string): string {
  return message.replace(/'[^']*'|\[[^\]]*\]|\d+(\.\d+)?/g, '#');
}

/** Runs one case: it must load, or fail with a typed error naming the file, quickly, leaving the input as it was. */
async function runCase(name: string, bytes: Uint8Array, beside?: { name: string; bytes: Uint8Array }): Promise<'loaded' | string> {
  const before = crc32(bytes);
  const files = reader(name, bytes, beside);
  const started = Date.now();
  let outcome: 'loaded' | string;
  try {
    const model = await format.load(name, files);
    assert.ok(model.network.layers.length > 0);
    outcome = 'loaded';
  } catch (error) {
    assert.ok(error instanceof MimosaError, `${name}: untyped ${String(error)}`);
    assert.ok(error.message.startsWith(name), `${name}: the message does not name the file: ${error.message}`);
    outcome = error.message;
  }
  // A reader that hangs is abandoned after one query's timeout; everything else answers in milliseconds.
  const bound = hdf5CallTimeoutMs(bytes.length) + 1000;
  assert.ok(Date.now() - started < bound, `${name}: took ${Date.now() - started} ms (bound ${bound} ms)`);
  assert.equal(crc32(bytes), before, 'the input was modified');
  assert.ok(files.reads.every((p) => p === name || p === beside?.name), `read outside the model: ${files.reads.join(', ')}`);
  return outcome;
}

describe('Keras hostile input', () => {
  it('a weights-only file without its JSON, and with a TF.js model.json beside it, is refused naming what is missing', async () => {
    const weights = fixture('keras3-weights-only/mlp.weights.h5');
    await assert.rejects(format.load('mlp.weights.h5', reader('mlp.weights.h5', weights)), /mlp\.weights\.h5: holds Keras weights only; its architecture .* mlp\.json, model\.json, config\.json/);
    const tfjs = { name: 'mlp.json', bytes: new TextEncoder().encode('{"modelTopology": {"model_config": {}}, "weightsManifest": []}') };
    await assert.rejects(format.load('mlp.weights.h5', reader('mlp.weights.h5', weights, tfjs)), /holds Keras weights only/);
  });

  it('2,000 seeded mutations of real files reach a fresh HDF5 reader each: each loads or ends in a typed error naming the file, within bounded time and memory', async () => {
    const random = rng(20240611);
    const rssBefore = process.memoryUsage().rss;
    const threadsBefore = hdf5ThreadsStarted();
    const reasons = new Map<string, number>();
    let loaded = 0;
    let crashes = 0;
    let readAfterCrash = 0;
    let reached = 0;
    let hangs = 0;
    for (let i = 0; i < 2000; i++) {
      // Every sixth case mutates the weights inside an intact .keras zip (the zip's CRC stops outer mutations first).
      const inside = i % 6 === 5;
      const source = inside ? SOURCES[0]! : SOURCES[i % SOURCES.length]!;
      const openedNow = opened.count;
      const outcome = await runCase(source.name, inside ? mutateInside(source.bytes, random) : mutate(source.bytes, random), source.beside);
      assert.doesNotMatch(outcome, /crashed earlier/);
      if (opened.count > openedNow) reached++;
      if (crashes > 0 && opened.count > openedNow) readAfterCrash++;
      if (outcome === 'loaded') loaded++;
      else {
        if (/reader stopped on an invalid offset|did not finish reading/.test(outcome)) crashes++;
        if (/did not finish reading/.test(outcome)) hangs++;
        reasons.set(reasonOf(outcome), (reasons.get(reasonOf(outcome)) ?? 0) + 1);
      }
    }
    const grown = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
    const summary = `${reached} reached HDF5, ${crashes} reader crashes (${hangs} hangs; ${hdf5ThreadsStarted() - threadsBefore} threads started), ${readAfterCrash} read after the first crash, ${loaded} loaded, ${reasons.size} distinct reasons`;
    console.log(`  Keras fuzz: ${summary}, RSS +${grown.toFixed(0)} MiB`);
    assert.ok(grown < 768, `resident memory grew by ${grown.toFixed(0)} MiB`);
    assert.ok(2000 - loaded > 1000, `only ${2000 - loaded} of 2000 mutations were refused`);
    // The cases exercise the reader: most reach HDF5, crashes happen and each one is followed by a fresh reader.
    assert.ok(reached >= 1000, summary);
    assert.ok(crashes > 0, summary);
    assert.ok(hdf5ThreadsStarted() - threadsBefore >= crashes, summary);
    assert.ok(readAfterCrash >= reached / 2, summary);
    assert.ok(reasons.size >= 20, summary);
  });

  it('archive tricks: paths outside the archive, bombs, nested archives, missing parts, a foreign HDF5 file', async () => {
    const good = fixture('keras3-sequential-mlp/mlp.keras');
    const config = fixture('keras3-weights-only/mlp.json');
    const weights = fixture('keras3-weights-only/mlp.weights.h5');
    const cases: [string, Uint8Array, string][] = [
      ['dotdot.keras', archive({ 'config.json': config, '../model.weights.h5': weights, 'model.weights.h5': weights }), "'../model.weights.h5' that points outside the archive"],
      ['absolute.keras', archive({ '/etc/config.json': config, 'config.json': config, 'model.weights.h5': weights }), 'points outside the archive'],
      ['backslash.keras', archive({ 'config.json': config, '..\\x': weights, 'model.weights.h5': weights }), 'points outside the archive'],
      ['bomb.keras', claimSize(archive({ 'config.json': config, 'model.weights.h5': weights }), 0xfffffff0), 'declares'],
      ['nested.keras', archive({ 'config.json': config, 'model.weights.h5': good }), 'has no HDF5 signature'],
      ['noweights.keras', archive({ 'config.json': config }), 'without model.weights.h5'],
      ['empty.keras', new Uint8Array(0), 'neither a Keras .keras archive'],
      ['foreign.h5', weights.slice(0, 8), 'HDF5'],
      ['tfjs.h5', new TextEncoder().encode('{"modelTopology": {}}'), 'neither a Keras .keras archive'],
    ];
    for (const [name, bytes, message] of cases) {
      await assert.rejects(format.load(name, reader(name, bytes)), (error: unknown) => {
        assert.ok(error instanceof ModelFormatError, `${name}: ${String(error)}`);
        assert.ok(error.message.startsWith(name) && error.message.includes(message), `${name}: ${error.message}`);
        return true;
      });
    }
    // A real deflate bomb: 64 MiB of zeros in a few KiB, declared honestly, is inflated into a buffer of the declared size only.
    const zeros = zipSync({ 'config.json': [config, { level: 0 }], 'model.weights.h5': [new Uint8Array(64 * 2 ** 20), { level: 9 }] });
    await assert.rejects(format.load('zeros.keras', reader('zeros.keras', zeros)), /zip bomb|HDF5/);
  });

});
