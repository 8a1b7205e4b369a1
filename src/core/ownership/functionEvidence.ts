import { argmaxRows } from '../forward';

/**
 * Function-space evidence (the third layer of `compare`'s verdict), for suspects whose weights
 * share nothing with the original (distilled students, other architectures).
 *
 * The statistic is the **dark-knowledge correlation**: on each held-out row, leave out the
 * original's top class and correlate the original's and the suspect's logits over the other
 * classes; average over the rows. A student trained on the original's probabilities learns how
 * the original ranks the wrong classes; a network trained on the task does so only as far as the
 * task itself dictates. But the second part grows with how good a network is (stop 18: networks
 * trained from scratch on more rows reach the imitators' values), so a suspect is compared with
 * references *of its own strength* (top-1 agreement with the original on the same rows): a line
 * is fitted through the independent references' (strength, correlation) and one through the
 * imitators', and the suspect is judged by which line it sits nearer at its strength.
 *
 * What it cannot see: a student trained on the original's top answers alone learns no dark
 * knowledge (measured: it sits among independent networks), and a suspect measurably stronger
 * than every reference is outside what the owner's data can calibrate (independent networks that
 * strong reach the imitators' line): both are said, never guessed.
 */

/** A straight line through (strength, correlation) points, with what a prediction interval needs. */
export interface StrengthFit {
  intercept: number;
  slope: number;
  /** Residual standard deviation (n − 2 degrees of freedom). */
  residualSd: number;
  /** Mean strength of the points, and their sum of squared deviations from it. */
  meanStrength: number;
  spread: number;
  count: number;
}

/** One reference's place: its strength and its dark-knowledge correlation with the original. */
export interface ReferencePoint {
  role: 'independent' | 'imitator';
  strength: number;
  correlation: number;
}

/** The references' points and lines, which calibrate the decision. */
export interface FunctionCalibration {
  /** Held-out rows the points are measured on (no reference trained on them). */
  rows: number;
  /** In the baseline's reference order. */
  points: ReferencePoint[];
  independentFit?: StrengthFit;
  imitatorFit?: StrengthFit;
  /** Weakest and strongest reference: the strengths the lines speak for. */
  strengthRange: { min: number; max: number };
  /** Independent references judged derived and imitators judged independent, each against the others (leave one out). */
  falsePositives: number;
  misses: number;
}

/** One suspect's function evidence. */
export interface FunctionEvidence {
  /** Top-1 agreement with the original on the held-out rows. */
  strength: number;
  /** Mean dark-knowledge correlation with the original on them. */
  correlation: number;
  /** What the lines predict at the suspect's strength, when there are lines. */
  expectedIndependent?: number;
  expectedImitator?: number;
  /** Correlation an independent network of this strength stays below (99.9 %, one-sided prediction interval). */
  independentBound?: number;
  judgement: 'derived' | 'independent' | 'inconclusive';
  /** Why, in one line. */
  reason: string;
}

/** Prediction-interval width, in standard errors: one-sided 99.9 % of a normal. */
const BOUND_Z = 3.09;
/** Fewest references of a role for a line (and its residual spread) to mean anything. */
const MIN_POINTS = 3;

/** Mean over rows of the correlation of the two networks' logits over every class but the original's top one. */
export function darkKnowledgeCorrelation(original: Float32Array, suspect: Float32Array, rows: number, classes: number): number {
  if (classes < 3 || rows === 0) return 0; // two classes leave one "other" class: nothing to correlate
  let sum = 0;
  const a = new Float64Array(classes - 1);
  const b = new Float64Array(classes - 1);
  for (let r = 0; r < rows; r++) {
    const o = r * classes;
    let top = 0;
    for (let c = 1; c < classes; c++) if (original[o + c]! > original[o + top]!) top = c;
    let n = 0;
    let ma = 0;
    let mb = 0;
    for (let c = 0; c < classes; c++) {
      if (c === top) continue;
      a[n] = original[o + c]!;
      b[n] = suspect[o + c]!;
      ma += a[n]!;
      mb += b[n]!;
      n++;
    }
    ma /= n;
    mb /= n;
    let ab = 0;
    let aa = 0;
    let bb = 0;
    for (let i = 0; i < n; i++) {
      const da = a[i]! - ma;
      const db = b[i]! - mb;
      ab += da * db;
      aa += da * da;
      bb += db * db;
    }
    sum += aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
  }
  return sum / rows;
}

/** Share of rows on which two networks give the same answer. */
export function answerAgreement(a: Int32Array, b: Int32Array): number {
  let hits = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) hits++;
  return a.length ? hits / a.length : 0;
}

/** A suspect's (strength, correlation) against the original on the held-out rows, from both networks' logits. */
export function functionPoint(originalLogits: Float32Array, suspectLogits: Float32Array, rows: number, width: number): { strength: number; correlation: number } {
  const strength = answerAgreement(argmaxRows(originalLogits, rows, width), argmaxRows(suspectLogits, rows, width));
  return { strength, correlation: darkKnowledgeCorrelation(originalLogits, suspectLogits, rows, width) };
}

/** Least-squares line through the points (undefined below `MIN_POINTS` or when every strength is the same). */
export function fitStrength(points: readonly { strength: number; correlation: number }[]): StrengthFit | undefined {
  const n = points.length;
  if (n < MIN_POINTS) return undefined;
  const ms = points.reduce((s, p) => s + p.strength, 0) / n;
  const mr = points.reduce((s, p) => s + p.correlation, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.strength - ms) ** 2;
    sxy += (p.strength - ms) * (p.correlation - mr);
  }
  if (sxx === 0) return undefined;
  const slope = sxy / sxx;
  const intercept = mr - slope * ms;
  const sse = points.reduce((s, p) => s + (p.correlation - intercept - slope * p.strength) ** 2, 0);
  return { intercept, slope, residualSd: Math.sqrt(sse / (n - 2)), meanStrength: ms, spread: sxx, count: n };
}

/** A fitted line's correlation at `strength`. */
export function lineAt(fit: StrengthFit, strength: number): number {
  return fit.intercept + fit.slope * strength;
}

/**
 * The strengths `judge` speaks for: the references' range widened by the standard error of a
 * suspect's own agreement, √(s(1−s)/rows). The edges solve (s − edge)² = s(1−s)/rows, a
 * quadratic in s.
 */
export function judgedStrengthRange(range: { min: number; max: number }, rows: number): { min: number; max: number } {
  const n = Math.max(1, rows);
  const roots = (edge: number): [number, number] => {
    const a = 1 + 1 / n;
    const b = -(2 * edge + 1 / n);
    const c = edge * edge;
    const d = Math.sqrt(Math.max(0, b * b - 4 * a * c));
    return [(-b - d) / (2 * a), (-b + d) / (2 * a)];
  };
  return { min: Math.max(0, roots(range.min)[0]), max: Math.min(1, roots(range.max)[1]) };
}

/** Strengths the span of `derivedStrengths` is read at. */
const SPAN_STEPS = 100;

/**
 * Over which of the references' strengths an imitator sitting on the imitators' line would be
 * judged derived (the line minus the bound is concave in strength, so this is one interval), or
 * undefined where it would be nowhere: how far the recorded evidence can tell a student from
 * independent work.
 */
export function derivedStrengths(calibration: FunctionCalibration): { min: number; max: number } | undefined {
  const imitators = calibration.imitatorFit;
  if (!calibration.independentFit || !imitators) return undefined;
  const { min, max } = calibration.strengthRange;
  const derived = Array.from({ length: SPAN_STEPS + 1 }, (_, i) => min + ((max - min) * i) / SPAN_STEPS).filter(
    (strength) => judge(calibration, { strength, correlation: lineAt(imitators, strength) }).judgement === 'derived',
  );
  return derived.length ? { min: derived[0]!, max: derived.at(-1)! } : undefined;
}

/** Upper end of the one-sided prediction interval of a new independent point at `strength`. */
function upperBound(fit: StrengthFit, strength: number): number {
  return lineAt(fit, strength) + BOUND_Z * fit.residualSd * Math.sqrt(1 + 1 / fit.count + (strength - fit.meanStrength) ** 2 / fit.spread);
}

/** The calibration from the references' points (in the baseline's reference order), with leave-one-out error counts. */
export function calibrateFunction(points: ReferencePoint[], rows: number): FunctionCalibration {
  const strengths = points.map((p) => p.strength);
  const base = {
    rows,
    points,
    strengthRange: { min: strengths.length ? Math.min(...strengths) : 0, max: strengths.length ? Math.max(...strengths) : 0 },
  };
  const full = withFits(base, points);
  let falsePositives = 0;
  let misses = 0;
  points.forEach((p, i) => {
    const others = points.filter((_, j) => j !== i);
    const judged = judge({ ...withFits({ ...base, strengthRange: rangeOf(others) }, others), falsePositives: 0, misses: 0 }, p).judgement;
    if (p.role === 'independent' && judged === 'derived') falsePositives++;
    if (p.role === 'imitator' && judged === 'independent') misses++;
  });
  return { ...full, falsePositives, misses };
}

function rangeOf(points: readonly ReferencePoint[]): { min: number; max: number } {
  return { min: Math.min(...points.map((p) => p.strength)), max: Math.max(...points.map((p) => p.strength)) };
}

function withFits<T extends object>(base: T, points: readonly ReferencePoint[]): T & Pick<FunctionCalibration, 'independentFit' | 'imitatorFit'> {
  const independentFit = fitStrength(points.filter((p) => p.role === 'independent'));
  const imitatorFit = fitStrength(points.filter((p) => p.role === 'imitator'));
  return { ...base, ...(independentFit ? { independentFit } : {}), ...(imitatorFit ? { imitatorFit } : {}) };
}

const percent = (v: number): string => `${(100 * v).toFixed(1)} %`;
const fixed = (v: number): string => v.toFixed(3);

/**
 * Judges a suspect's point. Derived: nearer the imitators' line than the independents', and
 * above where independent networks of its strength reach (the prediction bound). Independent:
 * nearer the independents' line. Inconclusive: no independent references, lines that do not
 * separate at this strength, a point between the midline and the bound, or a suspect outside the
 * references' strengths by more than the standard error of its own agreement (√(s(1−s)/rows)).
 */
export function judge(calibration: FunctionCalibration, point: { strength: number; correlation: number }): FunctionEvidence {
  const { strength, correlation } = point;
  const base = { strength, correlation };
  const ind = calibration.independentFit;
  const imi = calibration.imitatorFit;
  if (!ind || !imi) {
    return { ...base, judgement: 'inconclusive', reason: 'no labels: no independently trained references to compare with' };
  }
  const expectedIndependent = lineAt(ind, strength);
  const expectedImitator = lineAt(imi, strength);
  const independentBound = upperBound(ind, strength);
  const figures = { ...base, expectedIndependent, expectedImitator, independentBound };
  const { min, max } = calibration.strengthRange;
  const judged = judgedStrengthRange(calibration.strengthRange, calibration.rows);
  const says = `dark-knowledge correlation ${fixed(correlation)} at ${percent(strength)} agreement; references of that strength: independent ${fixed(expectedIndependent)}, imitators ${fixed(expectedImitator)}`;
  if (strength > judged.max || strength < judged.min) {
    return {
      ...figures,
      judgement: 'inconclusive',
      reason: `the suspect agrees with the original on ${percent(strength)} of the held-out rows, ${strength > max ? 'above the strongest' : 'below the weakest'} reference (${percent(strength > max ? max : min)}): the references do not speak for a model ${strength > max ? 'that strong (independent networks that strong reach the imitators’ correlation)' : 'that weak'}`,
    };
  }
  if (expectedImitator <= expectedIndependent) {
    return { ...figures, judgement: 'inconclusive', reason: `the references do not separate at this strength (${says})` };
  }
  const midline = (expectedIndependent + expectedImitator) / 2;
  if (correlation < midline) return { ...figures, judgement: 'independent', reason: `${says}: nearer the independent references` };
  if (correlation >= independentBound) {
    return { ...figures, judgement: 'derived', reason: `${says}: nearer the imitators, and above the ${fixed(independentBound)} independent networks of this strength stay below (99.9 %)` };
  }
  return { ...figures, judgement: 'inconclusive', reason: `${says}: nearer the imitators, but within the independent references' spread (bound ${fixed(independentBound)})` };
}
