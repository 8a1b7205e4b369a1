import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeNpy, looksLikeNpy, parseNpy } from '../../../../src/formats/data/npy';
import { npyBytes, rawBytes, throwsData } from './helpers';

const f64 = (v: DataView, o: number, x: number, le: boolean) => v.setFloat64(o, x, le);
const f32 = (v: DataView, o: number, x: number, le: boolean) => v.setFloat32(o, x, le);

test('encodeNpy → parseNpy round-trips float32, float64, int32 and uint8', () => {
  const cases = [
    { shape: [2, 3], values: new Float32Array([0.5, -1, 3.25, 1e-7, -0, 65504]) },
    { shape: [3], values: new Float64Array([Math.PI, -1e300, 5e-324]) },
    { shape: [2, 2], values: new Int32Array([0, -1, 2147483647, -2147483648]) },
    { shape: [1, 2, 2], values: new Uint8Array([0, 1, 254, 255]) },
    { shape: [0, 784], values: new Float32Array(0) },
  ];
  for (const { shape, values } of cases) {
    const bytes = encodeNpy(shape, values);
    assert.equal(looksLikeNpy(bytes), true);
    const parsed = parseNpy(bytes, 'rt.npy');
    assert.deepEqual(parsed.shape, shape);
    assert.deepEqual(Array.from(parsed.values), Array.from(values));
  }
});

test('encodeNpy aligns the data to 64 bytes and writes a numpy header', () => {
  const bytes = encodeNpy([2000, 784], new Float32Array(2000 * 784));
  const headerLength = new DataView(bytes.buffer).getUint16(8, true);
  assert.equal((10 + headerLength) % 64, 0);
  const header = new TextDecoder().decode(bytes.subarray(10, 10 + headerLength));
  assert.match(header, /^\{'descr': '<f4', 'fortran_order': False, 'shape': \(2000, 784\), \} *\n$/);
  assert.match(new TextDecoder().decode(encodeNpy([5], new Int32Array(5)).subarray(10, 80)), /'<i4'.*\(5,\)/);
  assert.throws(() => encodeNpy([2, 2], new Float32Array(3)), RangeError);
});

test('parses hand-made float64, big-endian, Fortran-order and version 2/3 files', () => {
  const values = [0, 0.25, 0.5, 0.75, 1, 1.25];
  const c = parseNpy(npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", rawBytes(values, 8, f64)), 'a.npy');
  assert.equal(c.values instanceof Float64Array, true);
  assert.deepEqual(Array.from(c.values), values);

  const big = parseNpy(npyBytes("{'descr': '>f4', 'fortran_order': False, 'shape': (6,), }", rawBytes(values, 4, f32, false)), 'b.npy');
  assert.deepEqual(Array.from(big.values), values);
  assert.deepEqual(big.shape, [6]);

  // Column-major [[0, .25, .5], [.75, 1, 1.25]] is 0, .75, .25, 1, .5, 1.25 on disk.
  const fortran = parseNpy(npyBytes("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", rawBytes([0, 0.75, 0.25, 1, 0.5, 1.25], 8, f64)), 'f.npy');
  assert.deepEqual(fortran.shape, [2, 3]);
  assert.deepEqual(Array.from(fortran.values), values);

  for (const version of [2, 3] as const) {
    const v = parseNpy(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }", rawBytes(values, 4, f32), version), 'v.npy');
    assert.deepEqual(v.shape, [3, 2]);
    assert.deepEqual(Array.from(v.values), values);
  }
});

test('Fortran order is undone for 3-D arrays', () => {
  // a[i][j][k] = 100i + 10j + k, shape (2, 3, 2); Fortran order varies i fastest.
  const shape = [2, 3, 2];
  const onDisk: number[] = [];
  for (let k = 0; k < 2; k++) for (let j = 0; j < 3; j++) for (let i = 0; i < 2; i++) onDisk.push(100 * i + 10 * j + k);
  const parsed = parseNpy(npyBytes("{'descr': '<i4', 'fortran_order': True, 'shape': (2, 3, 2), }", rawBytes(onDisk, 4, (v, o, x, le) => v.setInt32(o, x, le))), 'f3.npy');
  const expected: number[] = [];
  for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 2; k++) expected.push(100 * i + 10 * j + k);
  assert.deepEqual(parsed.shape, shape);
  assert.deepEqual(Array.from(parsed.values), expected);
});

test('decodes every supported integer, bool and half dtype in both byte orders', () => {
  const table: { descr: string; size: number; set: (v: DataView, o: number, x: number, le: boolean) => void; values: number[] }[] = [
    { descr: '|i1', size: 1, set: (v, o, x) => v.setInt8(o, x), values: [-128, 0, 127] },
    { descr: '|u1', size: 1, set: (v, o, x) => v.setUint8(o, x), values: [0, 128, 255] },
    { descr: '|b1', size: 1, set: (v, o, x) => v.setUint8(o, x), values: [1, 0, 1] },
    { descr: '<i2', size: 2, set: (v, o, x, le) => v.setInt16(o, x, le), values: [-32768, 1, 32767] },
    { descr: '>i2', size: 2, set: (v, o, x, le) => v.setInt16(o, x, le), values: [-32768, 1, 32767] },
    { descr: '<u2', size: 2, set: (v, o, x, le) => v.setUint16(o, x, le), values: [0, 1, 65535] },
    { descr: '>u4', size: 4, set: (v, o, x, le) => v.setUint32(o, x, le), values: [0, 1, 4294967295] },
    { descr: '<i4', size: 4, set: (v, o, x, le) => v.setInt32(o, x, le), values: [-5, 0, 9] },
    { descr: '>i8', size: 8, set: (v, o, x, le) => v.setBigInt64(o, BigInt(x), le), values: [-3, 0, 2 ** 40] },
    { descr: '<i8', size: 8, set: (v, o, x, le) => v.setBigInt64(o, BigInt(x), le), values: [7, 0, -1] },
    { descr: '<u8', size: 8, set: (v, o, x, le) => v.setBigUint64(o, BigInt(x), le), values: [7, 0, 2 ** 53] },
    { descr: '>f8', size: 8, set: f64, values: [-1.5, 0, 1e300] },
    // 0x3c00 = 1, 0xc000 = -2, 0x3555 ≈ 0.33325
    { descr: '<f2', size: 2, set: (v, o, x, le) => v.setUint16(o, x, le), values: [0x3c00, 0xc000, 0x3555] },
  ];
  for (const { descr, size, set, values } of table) {
    const le = !descr.startsWith('>');
    const parsed = parseNpy(npyBytes(`{'descr': '${descr}', 'fortran_order': False, 'shape': (3,), }`, rawBytes(values, size, set, le)), 'd.npy');
    const expected = descr === '<f2' ? [1, -2, 0.333251953125] : values;
    assert.deepEqual(Array.from(parsed.values), expected, descr);
  }
});

test('reads Python 2 headers (long integers, double quotes)', () => {
  const parsed = parseNpy(npyBytes(`{"descr": "<f4", "fortran_order": False, "shape": (1L, 2L)}`, rawBytes([1, 2], 4, f32)), 'py2.npy');
  assert.deepEqual(parsed.shape, [1, 2]);
});

test('every malformed or unsupported file is a DataError naming the file', () => {
  const ok = (descr: string, shape = '(2,)') => `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  throwsData(() => parseNpy(new Uint8Array(0), 'empty.npy'), 'empty.npy', /is empty/);
  throwsData(() => parseNpy(new TextEncoder().encode('1,2,3\n'), 'text.npy'), 'text.npy', /bad magic/);
  throwsData(() => parseNpy(new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1]), 'short.npy'), 'short.npy', /truncated/);
  const cut = npyBytes(ok('<f4', '(2000, 784)'), new Uint8Array(100));
  throwsData(() => parseNpy(cut, 'cut.npy'), 'cut.npy', /truncated.*\(2000, 784\).*6272000 bytes.*only 100/);
  const headerCut = npyBytes(ok('<f4'), new Uint8Array(8)).subarray(0, 40);
  throwsData(() => parseNpy(headerCut, 'hcut.npy'), 'hcut.npy', /truncated/);
  throwsData(() => parseNpy(npyBytes(ok('<c8'), new Uint8Array(16)), 'complex.npy'), 'complex.npy', /unsupported dtype '<c8'.*complex/);
  throwsData(() => parseNpy(npyBytes(ok('|O'), new Uint8Array(16)), 'pickle.npy'), 'pickle.npy', /unsupported dtype '\|O'.*pickle.*never unpickles/);
  throwsData(() => parseNpy(npyBytes(ok('<U5'), new Uint8Array(40)), 'text-array.npy'), 'text-array.npy', /unsupported dtype '<U5'/);
  throwsData(() => parseNpy(npyBytes(ok('<f16'), new Uint8Array(32)), 'quad.npy'), 'quad.npy', /unsupported dtype '<f16'/);
  throwsData(() => parseNpy(npyBytes(ok('|f4'), new Uint8Array(8)), 'order.npy'), 'order.npy', /no byte order/);
  throwsData(() => parseNpy(npyBytes(`{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }`, new Uint8Array(8)), 'rec.npy'), 'rec.npy', /structured/);
  throwsData(() => parseNpy(npyBytes(`{'descr': '<f4', 'shape': (2,), }`, new Uint8Array(8)), 'nofo.npy'), 'nofo.npy', /fortran_order/);
  throwsData(() => parseNpy(npyBytes(`{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }`, new Uint8Array(8)), 'neg.npy'), 'neg.npy', /invalid .npy shape/);
  throwsData(() => parseNpy(npyBytes(`{'descr': '<f4', 'fortran_order': False, 'shape': __import__('os'), }`, new Uint8Array(8)), 'evil.npy'), 'evil.npy', /unreadable .npy header/);
  const v9 = npyBytes(ok('<f4'), new Uint8Array(8));
  v9[6] = 9;
  throwsData(() => parseNpy(v9, 'v9.npy'), 'v9.npy', /version 9/);
});
