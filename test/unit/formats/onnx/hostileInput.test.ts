import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { onnx } from 'onnx-proto';
import { MimosaError } from '../../../../src/core/errors';
import { DEFAULT_OPTIONS } from '../../../../src/core/options';
import { Rng } from '../../../../src/core/rng';
import { protectModel } from '../../../../src/engine/protectModel';
import { onnxFormat as format } from '../../../../src/formats/onnx/onnxFormat';
import { buildModel, bytesReader, ONNX_FIXTURES_DIR, weights } from './helpers';

/**
 * Seeded fuzzing of the ONNX reader and writer with hostile files (issue 10: at least 2,000
 * cases): truncations, bit flips, overwritten runs, huge declared dims, wrong data types,
 * raw_data that does not match its dims, deeply nested subgraphs, declared lengths far past the
 * file, over-long varints. Every case must end in a typed error naming the file (or a valid
 * model, when a mutation happens to keep it valid), quickly and without large allocations.
 */

const CASES = 2400;
const SEED = 20241;

/** Small valid models the mutations start from. */
function corpus(): Uint8Array[] {
  const files = [
    'heman-pytorch110-gemm/gemm.onnx',
    'mvjl-small-nnet-float64/small_nnet.onnx',
    'mvjl-tf2onnx-drl-nobias/model_drl_unsafe.onnx',
    'onnx-pytorch-converted/test_Linear.onnx',
    'onnx-pytorch-converted/test_Linear_no_bias.onnx',
  ].map((f) => new Uint8Array(readFileSync(join(ONNX_FIXTURES_DIR, f))));
  const reshape = buildModel((g) => {
    const flat = g.op('Reshape', ['x', g.int64s([-1, 6])]);
    return { out: g.op('Softmax', [g.op('Gemm', [flat, g.tensor('w', [3, 6], weights(18, 1)), g.tensor('b', [3], weights(3, 2))], { transB: { int: 1 } })], { axis: { int: 1 } }), units: 3 };
  }, { inputs: 6, inputDims: ['N', 2, 3] });
  // A plain copy: encoders return Node Buffers, whose slice() is a view, not a copy.
  return [...files, Uint8Array.from(reshape)];
}

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

/** A length-delimited field. */
function field(number: number, payload: Uint8Array | number[]): Uint8Array {
  const body = payload instanceof Uint8Array ? payload : Uint8Array.from(payload);
  return Uint8Array.from([...varint(number * 8 + 2), ...varint(body.length), ...body]);
}

const IR_VERSION = [0x08, 0x08];

const text = (value: string): number[] => [...new TextEncoder().encode(value)];

/**
 * ModelProto › graph › node(If) › attribute › g › graph › ... `depth` times, written in one
 * pass (sizes bottom-up, bytes top-down) so a deep file costs linear time to build.
 */
function nestedGraphs(depth: number): Uint8Array {
  const inner = [...field(1, [...field(4, text('Relu'))])];
  const nodeHead = [...field(4, text('If'))];
  const attributeHead = [...field(1, text('then_branch'))];
  // sizes[k]: bytes of the graph message (its content) at nesting level k (0 = innermost).
  const sizes = [inner.length];
  const wrapped = (n: number) => 1 + varint(n).length + n;
  for (let k = 1; k <= depth; k++) {
    const attribute = attributeHead.length + wrapped(sizes[k - 1]!);
    const node = nodeHead.length + wrapped(attribute);
    sizes.push(wrapped(node));
  }
  const out: number[] = [...IR_VERSION, ...varint(7 * 8 + 2), ...varint(sizes[depth]!)];
  for (let k = depth; k >= 1; k--) {
    const attribute = attributeHead.length + wrapped(sizes[k - 1]!);
    const node = nodeHead.length + wrapped(attribute);
    out.push(...varint(1 * 8 + 2), ...varint(node), ...nodeHead, ...varint(5 * 8 + 2), ...varint(attribute), ...attributeHead, ...varint(6 * 8 + 2), ...varint(sizes[k - 1]!));
  }
  out.push(...inner);
  return Uint8Array.from(out);
}

/** Mutates a decoded model with onnx-proto and re-encodes it. */
function edit(bytes: Uint8Array, change: (model: onnx.ModelProto, rng: Rng) => void, rng: Rng): Uint8Array {
  const model = onnx.ModelProto.decode(bytes);
  change(model, rng);
  return Uint8Array.from(onnx.ModelProto.encode(model).finish());
}

const HUGE_DIMS = [[2 ** 31, 2 ** 31], [2 ** 53], [-1, 4], [1e6, 1e6, 1e6], [0, 3], [3.5e18], [2 ** 40, 1]];

/** One hostile file: mutation `kind` of a corpus model. */
function hostile(kind: number, base: Uint8Array, rng: Rng): Uint8Array {
  const pick = <T>(items: readonly T[]): T => items[rng.int(items.length)]!;
  const initializer = (model: onnx.ModelProto) => pick(model.graph!.initializer!.length ? model.graph!.initializer! : [onnx.TensorProto.create()]);
  switch (kind) {
    case 0:
      return base.slice(0, rng.int(base.length));
    case 1: {
      const out = base.slice();
      for (let k = 1 + rng.int(8); k > 0; k--) out[rng.int(out.length)]! ^= 1 << rng.int(8);
      return out;
    }
    case 2: {
      const out = base.slice();
      const at = rng.int(out.length);
      for (let i = at; i < Math.min(out.length, at + 1 + rng.int(32)); i++) out[i] = rng.int(256);
      return out;
    }
    case 3:
      return edit(base, (m) => void (initializer(m).dims = pick(HUGE_DIMS).slice()), rng);
    case 4:
      return edit(base, (m, r) => {
        if (r.int(2) === 0) initializer(m).dataType = r.int(24);
        else m.graph!.input![0]!.type!.tensorType!.elemType = r.int(24);
      }, rng);
    case 5:
      return edit(base, (m, r) => {
        const t = initializer(m);
        if (t.rawData && t.rawData.length > 0) t.rawData = r.int(2) === 0 ? t.rawData.subarray(0, r.int(t.rawData.length)) : Uint8Array.from([...t.rawData, ...Array(1 + r.int(9)).fill(7)]);
        else if (t.doubleData && t.doubleData.length > 0) t.doubleData = t.doubleData.slice(0, r.int(t.doubleData.length));
        else t.dims = [...(t.dims ?? []), 2];
      }, rng);
    case 6:
      return nestedGraphs(1 + rng.int(1500));
    case 7:
      // A graph field declaring far more bytes than the file holds (2^40, or just past the end).
      return Uint8Array.from([...IR_VERSION, ...varint(7 * 8 + 2), ...varint(rng.int(2) === 0 ? 2 ** 40 : 64), 0x0a, 0x02]);
    case 8:
      return Uint8Array.from([...IR_VERSION, 0x3a, ...Array(11).fill(0xff), 0x01]);
    default:
      return Uint8Array.from([...IR_VERSION, ...Array.from({ length: rng.int(4096) }, () => rng.int(256))]);
  }
}

/** Runs inspect, load and (when it loads) write; returns the error, if any. */
async function exercise(bytes: Uint8Array, path: string): Promise<unknown> {
  const reader = bytesReader(bytes);
  format.sniff(bytes.subarray(0, 64 * 1024), path);
  try {
    await format.inspect(path, reader);
    const model = await format.load(path, reader);
    await format.write(model, model.network, 'copy');
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('ONNX hostile input', () => {
  const work = mkdtempSync(join(tmpdir(), 'mimosanet-onnx-fuzz-'));
  after(() => rmSync(work, { recursive: true, force: true }));

  it(`${CASES} seeded hostile files each end in a typed error naming the file, quickly, with bounded memory`, async () => {
    const rng = new Rng(SEED);
    const bases = corpus();
    const kinds = new Map<number, { cases: number; errors: number }>();
    const started = performance.now();
    let slowest = 0;
    let peak = 0;
    for (let i = 0; i < CASES; i++) {
      const kind = i % 10;
      const bytes = hostile(kind, bases[rng.int(bases.length)]!, rng);
      const path = `/fuzz/case-${i}-kind-${kind}.onnx`;
      const t0 = performance.now();
      const error = await exercise(bytes, path);
      slowest = Math.max(slowest, performance.now() - t0);
      const stats = kinds.get(kind) ?? { cases: 0, errors: 0 };
      stats.cases++;
      if (error !== undefined) {
        stats.errors++;
        assert.ok(error instanceof MimosaError, `case ${i} (kind ${kind}) threw an untyped ${String(error)}`);
        assert.ok(error.message.startsWith(path), `case ${i}: ${error.message}`);
      }
      kinds.set(kind, stats);
      if (i % 200 === 0) {
        const { heapUsed, arrayBuffers } = process.memoryUsage();
        peak = Math.max(peak, heapUsed + arrayBuffers);
      }
    }
    const seconds = (performance.now() - started) / 1000;
    assert.ok(slowest < 2000, `slowest case took ${slowest.toFixed(0)} ms`);
    assert.ok(peak < 1.5 * 2 ** 30, `memory peaked at ${(peak / 2 ** 20).toFixed(0)} MiB`);
    // Every structural mutation must be refused (kinds 3, 5–9 can never stay valid).
    for (const kind of [3, 6, 7, 8]) assert.equal(kinds.get(kind)!.errors, kinds.get(kind)!.cases, `kind ${kind}`);
    assert.ok(seconds < 60, `${CASES} cases took ${seconds.toFixed(1)} s`);
  });

  it('protect on a hostile file exits with a typed error and writes nothing', async () => {
    const rng = new Rng(SEED + 1);
    const bases = corpus();
    for (let i = 0; i < 12; i++) {
      const folder = join(work, `case-${i}`);
      rmSync(folder, { recursive: true, force: true });
      const model = join(work, `m${i}.onnx`);
      writeFileSync(model, hostile([0, 3, 5, 6, 7, 8][i % 6]!, bases[rng.int(bases.length)]!, rng));
      const before = readdirSync(work).sort();
      await assert.rejects(protectModel({ modelPath: model, outDir: folder, force: false, options: { ...DEFAULT_OPTIONS, repeats: 1 } }), (error: unknown) => {
        assert.ok(error instanceof MimosaError, String(error));
        assert.ok(error.message.includes(model), error.message);
        return true;
      });
      assert.deepEqual(readdirSync(work).sort(), before, 'nothing written');
    }
  });
});
