import { activationDerivative, applyActivation, defaultAlpha } from '../activations';
import { checkpoint } from '../errors';
import { outputWidth, type DenseNetwork } from '../network';

/**
 * Fingerprint inputs (issue: ownership evidence): inputs pushed just across one of the original's
 * decision boundaries, towards its runner-up class. A network trained to imitate the original
 * (a distilled student, a fine-tuned or re-headed copy) tends to follow the original's
 * boundaries there, and so to give the original's unusual answer; a network trained
 * independently on the task mostly keeps the answer the input started from. Which candidates
 * really separate the two is measured, not assumed: see `selectConferrable`.
 */

/** A fingerprint: an input and the answer the original gives to it. */
export interface FingerprintSet {
  /** [count × inputs] inputs. */
  x: Float32Array;
  count: number;
  /** The original's class for each input. */
  answers: Int32Array;
}

/** Options of `fingerprintCandidates`. */
export interface CandidateOptions {
  /** Per-feature range of the data: candidates stay inside it. */
  low: Float32Array;
  high: Float32Array;
  /** Networks the search pulls towards the original's new answer (imitators). */
  pull: DenseNetwork[];
  /** Networks it pushes away from it (independently trained). */
  push: DenseNetwork[];
  /** Step size as a fraction of each feature's range (default 0.01). */
  step?: number;
  /** Sign-gradient steps per candidate (default 30). */
  steps?: number;
  signal?: AbortSignal;
}

/**
 * Conferrable candidates (after Lukas et al., "Deep neural network fingerprinting by conferrable
 * adversarial examples", ICLR 2021): from each seed row, sign-gradient steps towards the
 * original's runner-up class that move the original and the `pull` networks there and the
 * `push` networks away (each network's gradient normalised, so each counts once). A candidate
 * is kept when the original then gives the new answer. Float64 loops: a few hundred inputs.
 */
export async function fingerprintCandidates(original: DenseNetwork, seeds: Float32Array, rows: number, options: CandidateOptions): Promise<FingerprintSet> {
  const inputs = original.inputs;
  const step = options.step ?? 0.01;
  const steps = options.steps ?? 30;
  const kept: Float32Array[] = [];
  const answers: number[] = [];
  for (let r = 0; r < rows; r++) {
    await checkpoint(options.signal);
    const x = Float64Array.from(seeds.subarray(r * inputs, (r + 1) * inputs));
    const start = logitsOf(original, x).logits;
    const source = argmax(start);
    const target = runnerUp(start, source);
    if (target < 0) continue;
    for (let t = 0; t < steps; t++) {
      const direction = new Float64Array(inputs);
      const add = (network: DenseNetwork, sign: number): void => {
        const { gradient } = targetGradient(network, x, target, source);
        let norm = 0;
        for (const v of gradient) norm += v * v;
        if (norm === 0) return;
        const scale = sign / Math.sqrt(norm);
        for (let k = 0; k < inputs; k++) direction[k]! += scale * gradient[k]!;
      };
      add(original, 1);
      for (const network of options.pull) add(network, 1);
      for (const network of options.push) add(network, -1);
      for (let k = 0; k < inputs; k++) {
        const range = options.high[k]! - options.low[k]!;
        if (range <= 0) continue;
        x[k] = Math.min(options.high[k]!, Math.max(options.low[k]!, x[k]! + step * range * Math.sign(direction[k]!)));
      }
    }
    if (argmax(logitsOf(original, x).logits) === target) {
      kept.push(Float32Array.from(x));
      answers.push(target);
    }
  }
  const x = new Float32Array(kept.length * inputs);
  kept.forEach((row, i) => x.set(row, i * inputs));
  return { x, count: kept.length, answers: Int32Array.from(answers) };
}

/**
 * Picks the candidates that imitating models follow and independent ones do not: a candidate's
 * score is the share of `imitators` that give the original's answer minus the share of
 * `independents` that do; the best `count` by score are kept (ties in candidate order).
 */
export function selectConferrable(
  candidates: FingerprintSet,
  inputs: number,
  imitatorAnswers: Int32Array[],
  independentAnswers: Int32Array[],
  count: number,
): FingerprintSet {
  const score = (i: number): number => share(imitatorAnswers, candidates.answers, i) - share(independentAnswers, candidates.answers, i);
  const order = Array.from({ length: candidates.count }, (_, i) => i)
    .map((i) => ({ i, score: score(i) }))
    .filter((c) => c.score > 0)
    .sort((a, b) => b.score - a.score || a.i - b.i)
    .slice(0, count)
    .map((c) => c.i)
    .sort((a, b) => a - b);
  const x = new Float32Array(order.length * inputs);
  order.forEach((i, n) => x.set(candidates.x.subarray(i * inputs, (i + 1) * inputs), n * inputs));
  return { x, count: order.length, answers: Int32Array.from(order, (i) => candidates.answers[i]!) };
}

/** Share of the fingerprints a model's answers match. */
export function fingerprintAgreement(answers: Int32Array, fingerprints: FingerprintSet): number {
  let hits = 0;
  for (let i = 0; i < fingerprints.count; i++) if (answers[i] === fingerprints.answers[i]) hits++;
  return fingerprints.count ? hits / fingerprints.count : 0;
}

function share(models: Int32Array[], expected: Int32Array, i: number): number {
  let hits = 0;
  for (const answers of models) if (answers[i] === expected[i]) hits++;
  return models.length ? hits / models.length : 0;
}

/** Logits of one input (float64) and every layer's pre- and post-activation values. */
function logitsOf(network: DenseNetwork, x: Float64Array): { logits: Float64Array; z: Float64Array[]; h: Float64Array[] } {
  const z: Float64Array[] = [];
  const h: Float64Array[] = [x];
  network.layers.forEach((layer, l) => {
    const input = h[l]!;
    const pre = new Float64Array(layer.units);
    for (let j = 0; j < layer.units; j++) {
      let s = layer.bias[j]!;
      const o = j * layer.inputs;
      for (let k = 0; k < layer.inputs; k++) s += layer.weights[o + k]! * input[k]!;
      pre[j] = s;
    }
    z.push(pre);
    const post = pre.slice();
    if (l < network.layers.length - 1) applyActivation(layer.activation, post, layer.units, layer.alpha);
    h.push(post);
  });
  return { logits: z[z.length - 1]!, z, h };
}

/** Logits and the gradient of (logit[target] − logit[source]) with respect to the input. */
function targetGradient(network: DenseNetwork, x: Float64Array, target: number, source: number): { logits: Float64Array; gradient: Float64Array } {
  const { logits, z, h } = logitsOf(network, x);
  let delta = new Float64Array(outputWidth(network));
  delta[target] = 1;
  delta[source] = -1;
  for (let l = network.layers.length - 1; l >= 0; l--) {
    const layer = network.layers[l]!;
    if (l < network.layers.length - 1) {
      const alpha = layer.alpha ?? defaultAlpha(layer.activation);
      for (let j = 0; j < layer.units; j++) delta[j]! *= activationDerivative(layer.activation, z[l]![j]!, h[l + 1]![j]!, alpha);
    }
    const below = new Float64Array(layer.inputs);
    for (let j = 0; j < layer.units; j++) {
      const d = delta[j]!;
      if (d === 0) continue;
      const o = j * layer.inputs;
      for (let k = 0; k < layer.inputs; k++) below[k]! += d * layer.weights[o + k]!;
    }
    delta = below;
  }
  return { logits, gradient: delta };
}

function argmax(v: Float64Array): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
}

function argmaxExcept(v: Float64Array, except: number): number {
  let best = -1;
  for (let i = 0; i < v.length; i++) if (i !== except && (best < 0 || v[i]! > v[best]!)) best = i;
  return best;
}

function runnerUp(v: Float64Array, top: number): number {
  return v.length < 2 ? -1 : argmaxExcept(v, top);
}
