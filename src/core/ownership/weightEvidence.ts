import type { DenseNetwork } from '../network';
import { alignNetworks, type LayerAlignment } from './alignment';

/**
 * Weight-space evidence (the second layer of `compare`'s verdict): after canonicalisation and
 * alignment, how many of the original's hidden units have a counterpart in the suspect closer
 * than any unit of any reference network (trained from fresh weights on the same task) gets.
 * Under independence, each unit beats that threshold with probability at most 1/(N+1), N the
 * number of reference units it was taken over; the chance of the observed count is a binomial
 * tail, corrected for the number of layers. That null holds for suspects trained like the
 * references; one trained longer on more data shares more common features, so the weights count
 * as derived only when most of a layer's units are kept (`MAJORITY`) and the chance is tiny.
 */

/** Significance below which the weights count as derived. */
export const WEIGHT_ALPHA = 1e-6;

/**
 * Share of a layer's original units that must have a closer counterpart than any reference's.
 * A derived copy keeps (a positive multiple of) every original unit, and modifications move
 * them only a little; an independent network trained well on the same task shares some common
 * features (measured: 23–36 of 128 units on MNIST, from 6,000 of the original's own training
 * digits, against references trained on 800 rows): shared features are not a copy, most of the
 * network is.
 */
export const MAJORITY = 0.5;

/** One hidden layer's evidence. */
export interface LayerWeightEvidence {
  originalUnits: number;
  suspectUnits: number;
  meanSimilarity: number;
  /** Highest aligned similarity any reference unit reached in this layer. */
  threshold: number;
  /** Original units whose counterpart in the suspect is closer than `threshold`. */
  closerThanReferences: number;
  /** Chance of that many for an independent network (binomial tail, not yet corrected for layers). */
  pValue: number;
}

/** Weight evidence of one suspect. */
export interface WeightEvidence {
  layers: LayerWeightEvidence[];
  /** Similarity of the output layer (classes are not permuted). */
  outputSimilarity: number;
  /** Smallest layer p-value × number of hidden layers (Bonferroni). */
  pValue: number;
  derived: boolean;
}

/** Reference alignments, computed once and reused for every suspect. */
export type ReferenceAlignments = LayerAlignment[][];

/** Aligns every reference to the original. */
export function alignReferences(original: DenseNetwork, references: DenseNetwork[]): ReferenceAlignments {
  return references.map((reference) => alignNetworks(original, reference));
}

/** Per hidden layer: the highest aligned similarity any reference unit reached, and over how many units. */
export interface WeightBand {
  threshold: number;
  pooledUnits: number;
}

/** The bands of a set of reference alignments (what `protect` records for a later `compare`). */
export function weightBands(references: ReferenceAlignments): WeightBand[] {
  const layers = references[0] ? references[0].length - 1 : 0;
  return Array.from({ length: layers }, (_, l) => {
    let threshold = -Infinity;
    let pooledUnits = 0;
    for (const reference of references) {
      for (const v of reference[l]!.similarity) threshold = Math.max(threshold, v);
      pooledUnits += reference[l]!.similarity.length;
    }
    return { threshold, pooledUnits };
  });
}

/** Evidence from a suspect's alignment against the references' bands. */
export function evidenceFrom(alignment: LayerAlignment[], bands: WeightBand[]): WeightEvidence {
  const hidden = alignment.slice(0, -1);
  const layers = hidden.map((layer, l): LayerWeightEvidence => {
    const band = bands[l];
    const threshold = band ? band.threshold : Infinity;
    let closer = 0;
    for (const v of layer.similarity) if (v > threshold) closer++;
    const pValue = band && band.pooledUnits > 0 ? binomialTail(layer.similarity.length, closer, 1 / (band.pooledUnits + 1)) : 1;
    return {
      originalUnits: layer.originalUnits,
      suspectUnits: layer.suspectUnits,
      meanSimilarity: layer.meanSimilarity,
      threshold,
      closerThanReferences: closer,
      pValue,
    };
  });
  const pValue = Math.min(1, Math.min(1, ...layers.map((l) => l.pValue)) * Math.max(1, layers.length));
  const derived = layers.some((l) => l.closerThanReferences >= MAJORITY * l.originalUnits && Math.min(1, l.pValue * layers.length) <= WEIGHT_ALPHA);
  return { layers, outputSimilarity: alignment[alignment.length - 1]!.meanSimilarity, pValue, derived };
}

/**
 * False positives among the references: each reference judged against the others (leave one
 * out), as an independent suspect would be. Returns how many were judged derived.
 */
export function weightFalsePositives(references: ReferenceAlignments): number {
  let judged = 0;
  references.forEach((alignment, i) => {
    if (evidenceFrom(alignment, weightBands(references.filter((_, j) => j !== i))).derived) judged++;
  });
  return judged;
}

/** A chance for people: "< 1e-300" where it underflows, else two significant digits. */
export function formatChance(p: number): string {
  return p === 0 ? '< 1e-300' : p >= 0.01 ? p.toFixed(2) : p.toExponential(1);
}

/** P(X ≥ k) for X ~ Binomial(n, p), summed in log space. */
export function binomialTail(n: number, k: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  let logTerm = logChoose(n, k) + k * Math.log(p) + (n - k) * Math.log1p(-p);
  let sum = 0;
  for (let i = k; i <= n; i++) {
    sum += Math.exp(logTerm);
    logTerm += Math.log((n - i) / (i + 1)) + Math.log(p) - Math.log1p(-p);
  }
  return Math.min(1, sum);
}

function logChoose(n: number, k: number): number {
  let s = 0;
  for (let i = 0; i < k; i++) s += Math.log(n - i) - Math.log(i + 1);
  return s;
}
