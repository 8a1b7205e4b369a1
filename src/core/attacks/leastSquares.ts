import type { DenseLayer } from '../network';
import type { Attack } from './attack';

/**
 * The data-driven repair (DESIGN §3): every layer after the first is refitted to the
 * pre-activations the copy itself computes on the attacker's inputs, by the minimum-norm
 * least-squares solution (ridge with a vanishing penalty). Copies of a split neuron have the same
 * activations, so the minimum-norm solution shares the outgoing weight equally among them instead
 * of the copy's huge cancelling weights: the refitted network computes the same function on data
 * like the attacker's and is no longer fragile. Needs inputs only, no labels.
 */
export const leastSquaresAttack: Attack = {
  kind: 'least-squares',
  knowledge: 'construction',
  needs: 'unlabelled',
  description: 'refit every layer after the first to the copy’s own pre-activations on the attacker’s inputs (minimum-norm least squares)',
  run: async (network, context) => {
    const inputs = await context.compute.layerInputs(network, context.x, context.rows);
    const layers: DenseLayer[] = [network.layers[0]!];
    for (let l = 1; l < network.layers.length; l++) {
      const layer = network.layers[l]!;
      const h = inputs[l]!;
      const targets = await context.compute.forward({ inputs: layer.inputs, layers: [layer] }, h, context.rows, { logits: true });
      layers.push({ ...layer, ...refit(h, targets, context.rows, layer.inputs, layer.units) });
    }
    return { inputs: network.inputs, layers };
  },
};

/** Ridge penalty relative to the mean diagonal of HᵀH: small enough to be the minimum-norm solution in practice. */
const RIDGE = 1e-6;

/**
 * W, b minimising ‖[H 1]·[W b]ᵀ − Z‖ with the smallest norm (normal equations, Cholesky). With
 * fewer rows than inputs it solves the same ridge problem in its dual form,
 * [W b]ᵀ = H̃ᵀ(H̃H̃ᵀ + λI)⁻¹Z, which equals the primal (H̃ᵀH̃ + λI)⁻¹H̃ᵀZ: rows² instead of inputs²
 * memory and rows³ instead of inputs³ work (a protected layer 7,000 wide took minutes).
 */
export function refit(h: ArrayLike<number>, z: ArrayLike<number>, rows: number, inputs: number, units: number, form: 'auto' | 'primal' | 'dual' = 'auto'): { weights: Float32Array; bias: Float32Array } {
  const n = inputs + 1; // the bias is a column of ones
  if (form === 'dual' || (form === 'auto' && rows < n)) return refitDual(h, z, rows, inputs, units);
  const a = new Float64Array(n * n);
  const row = new Float64Array(n);
  const rhs = new Float64Array(n * units);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < inputs; k++) row[k] = h[r * inputs + k]!;
    row[inputs] = 1;
    for (let i = 0; i < n; i++) {
      const v = row[i]!;
      if (v === 0) continue;
      for (let j = 0; j <= i; j++) a[i * n + j]! += v * row[j]!;
      for (let u = 0; u < units; u++) rhs[i * units + u]! += v * z[r * units + u]!;
    }
  }
  let trace = 0;
  for (let i = 0; i < n; i++) trace += a[i * n + i]!;
  const penalty = (RIDGE * trace) / n || RIDGE;
  for (let i = 0; i < n; i++) {
    a[i * n + i]! += penalty;
    for (let j = 0; j < i; j++) a[j * n + i] = a[i * n + j]!;
  }
  const solution = choleskySolve(a, rhs, n, units);
  const weights = new Float32Array(units * inputs);
  const bias = new Float32Array(units);
  for (let u = 0; u < units; u++) {
    for (let k = 0; k < inputs; k++) weights[u * inputs + k] = solution[k * units + u]!;
    bias[u] = solution[inputs * units + u]!;
  }
  return { weights, bias };
}

/** The dual form of `refit`: the same minimiser from the rows × rows Gram matrix. */
function refitDual(h: ArrayLike<number>, z: ArrayLike<number>, rows: number, inputs: number, units: number): { weights: Float32Array; bias: Float32Array } {
  const n = inputs + 1;
  // G = H̃H̃ᵀ (the bias column of ones adds 1 to every entry); trace(G) = trace(H̃ᵀH̃) gives the primal's λ.
  const g = new Float64Array(rows * rows);
  for (let r = 0; r < rows; r++) {
    for (let q = 0; q <= r; q++) {
      let s = 1;
      for (let k = 0; k < inputs; k++) s += h[r * inputs + k]! * h[q * inputs + k]!;
      g[r * rows + q] = s;
      g[q * rows + r] = s;
    }
  }
  let trace = 0;
  for (let r = 0; r < rows; r++) trace += g[r * rows + r]!;
  const penalty = (RIDGE * trace) / n || RIDGE;
  for (let r = 0; r < rows; r++) g[r * rows + r]! += penalty;
  const alpha = choleskySolve(g, Float64Array.from({ length: rows * units }, (_, i) => z[i]!), rows, units);
  const weights = new Float32Array(units * inputs);
  const bias = new Float32Array(units);
  const column = new Float64Array(units);
  for (let k = 0; k <= inputs; k++) {
    column.fill(0);
    for (let r = 0; r < rows; r++) {
      const v = k === inputs ? 1 : h[r * inputs + k]!;
      if (v === 0) continue;
      for (let u = 0; u < units; u++) column[u]! += v * alpha[r * units + u]!;
    }
    if (k === inputs) bias.set(column);
    else for (let u = 0; u < units; u++) weights[u * inputs + k] = column[u]!;
  }
  return { weights, bias };
}

/** Solves A·X = B for a symmetric positive definite A [n × n] and B [n × m], both row-major. */
function choleskySolve(a: Float64Array, b: Float64Array, n: number, m: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
      l[i * n + j] = i === j ? Math.sqrt(Math.max(s, 1e-300)) : s / l[j * n + j]!;
    }
  }
  const y = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < i; k++) {
      const f = l[i * n + k]!;
      if (f !== 0) for (let c = 0; c < m; c++) y[i * m + c]! -= f * y[k * m + c]!;
    }
    for (let c = 0; c < m; c++) y[i * m + c]! /= l[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    for (let k = i + 1; k < n; k++) {
      const f = l[k * n + i]!;
      if (f !== 0) for (let c = 0; c < m; c++) y[i * m + c]! -= f * y[k * m + c]!;
    }
    for (let c = 0; c < m; c++) y[i * m + c]! /= l[i * n + i]!;
  }
  return y;
}
