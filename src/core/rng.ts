/**
 * Seeded random numbers. Algorithm: sfc32 (Chris Doty-Humphrey's Small Fast Counting RNG,
 * 32-bit), state seeded by four rounds of splitmix32 from the seed. It is fast, passes
 * PractRand to large sizes, and depends only on 32-bit integer arithmetic, so the same seed
 * gives the same stream on every JavaScript engine, and so a byte-identical protected model.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal: number | undefined;
  private readonly seed: number;

  /** `seed` is any integer (taken modulo 2³²); use `fork` for independent sub-streams. */
  constructor(seed: number) {
    this.seed = seed >>> 0;
    let s = this.seed;
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** Next raw 32-bit unsigned integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1) with 32 random bits. */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal (Box–Muller, both values used). */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const v = this.spareNormal;
      this.spareNormal = undefined;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /**
   * Fills `into` with standard normals (ziggurat, Marsaglia & Tsang 2000, 128 layers): about twice
   * as fast as `normal()` here, because most draws need one 32-bit integer, one compare and one
   * multiply instead of a logarithm, a square root and a sine. The layer index comes from the low 7 bits and the value from the other 25 bits, so
   * the two are independent (Doornik 2005 on the original's shared bits). For the noise sweeps,
   * which draw one value per parameter.
   */
  fillNormal(into: Float32Array | Float64Array): void {
    const { k, w } = ZIGGURAT;
    for (let i = 0; i < into.length; i++) {
      const bits = this.nextUint32() | 0;
      const layer = bits & 127;
      const value = bits >> 7;
      into[i] = Math.abs(value) < k[layer]! ? value * w[layer]! : this.normalTail(value, layer);
    }
  }

  /** The ziggurat's slow path: the base strip's tail, or a wedge accepted by the density test. */
  private normalTail(value: number, layer: number): number {
    const { k, w, f } = ZIGGURAT;
    for (;;) {
      const x = value * w[layer]!;
      if (layer === 0) {
        // Beyond R: Marsaglia's exponential tail method.
        let t: number;
        let y: number;
        do {
          t = -Math.log(1 - this.uniform()) / ZIGGURAT_R;
          y = -Math.log(1 - this.uniform());
        } while (y + y < t * t);
        return value > 0 ? ZIGGURAT_R + t : -ZIGGURAT_R - t;
      }
      if (f[layer]! + this.uniform() * (f[layer - 1]! - f[layer]!) < Math.exp(-0.5 * x * x)) return x;
      const bits = this.nextUint32() | 0;
      layer = bits & 127;
      value = bits >> 7;
      if (Math.abs(value) < k[layer]!) return value * w[layer]!;
    }
  }

  /** A permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  }

  /**
   * An independent generator derived from this one's seed and a label only (not from its
   * current state), so adding draws in one place never shifts the numbers drawn in another.
   */
  fork(label: string): Rng {
    let h = (0x811c9dc5 ^ this.seed) >>> 0;
    for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
    return new Rng(h);
  }
}

/** Start of the ziggurat's tail and the area of each of its 128 layers (Marsaglia & Tsang 2000). */
const ZIGGURAT_R = 3.442619855899;
const ZIGGURAT_AREA = 9.91256303526217e-3;

/**
 * The ziggurat's tables for 25-bit signed values (scale 2^24): `k` the acceptance limits, `w` the
 * value scale and `f` the density at each layer's edge.
 */
const ZIGGURAT = ((): { k: Float64Array; w: Float64Array; f: Float64Array } => {
  const m = 2 ** 24;
  const k = new Float64Array(128);
  const w = new Float64Array(128);
  const f = new Float64Array(128);
  let d = ZIGGURAT_R;
  let t = d;
  const q = ZIGGURAT_AREA / Math.exp(-0.5 * d * d);
  k[0] = (d / q) * m;
  k[1] = 0;
  w[0] = q / m;
  w[127] = d / m;
  f[0] = 1;
  f[127] = Math.exp(-0.5 * d * d);
  for (let i = 126; i >= 1; i--) {
    d = Math.sqrt(-2 * Math.log(ZIGGURAT_AREA / d + Math.exp(-0.5 * d * d)));
    k[i + 1] = (d / t) * m;
    t = d;
    f[i] = Math.exp(-0.5 * d * d);
    w[i] = d / m;
  }
  return { k, w, f };
})();
