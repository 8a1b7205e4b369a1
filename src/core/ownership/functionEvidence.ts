import type { FingerprintSet } from './fingerprints';
import { fingerprintAgreement } from './fingerprints';

/**
 * Function-space evidence (the third layer of `compare`'s verdict), for suspects whose weights
 * share nothing with the original (distilled students, other architectures): the share of
 * fingerprints on which the suspect gives the original's answer, against the same share for
 * held-out reference networks that were not used to pick the fingerprints. The decision line
 * sits halfway between the highest independent reference and the lowest imitating one; when
 * those overlap, the fingerprints do not separate and the evidence is inconclusive.
 */

/** Fingerprint agreement of the held-out references, which calibrate the decision. */
export interface FingerprintCalibration {
  /**
   * Lowest and highest top-1 agreement with the original that the held-out references reach on
   * held-out natural rows of the owner's data: how good a model the calibration speaks for. A
   * suspect outside it (typically a stronger model, trained on more data) agrees more on the
   * fingerprints too whatever its origin, so the line does not apply to it.
   */
  agreementBand?: { min: number; max: number };
  /** Held-out independent references' agreement (none without labels). */
  independent: number[];
  /** Held-out imitators' agreement. */
  imitator: number[];
  /** Decision line, when the two groups separate. */
  threshold?: number;
  /** Held-out independents judged derived and imitators judged independent, each against the others (leave one out). */
  falsePositives: number;
  misses: number;
}

/** The calibration from the held-out references' agreement. */
export function calibrate(independent: number[], imitator: number[]): FingerprintCalibration {
  const threshold = line(independent, imitator);
  let falsePositives = 0;
  let misses = 0;
  independent.forEach((a, i) => {
    const t = line(independent.filter((_, j) => j !== i), imitator);
    if (t !== undefined && a >= t) falsePositives++;
  });
  imitator.forEach((a, i) => {
    const t = line(independent, imitator.filter((_, j) => j !== i));
    if (t !== undefined && a < t) misses++;
  });
  return { independent, imitator, ...(threshold !== undefined ? { threshold } : {}), falsePositives, misses };
}

function line(independent: number[], imitator: number[]): number | undefined {
  if (independent.length === 0 || imitator.length === 0) return undefined;
  const high = Math.max(...independent);
  const low = Math.min(...imitator);
  return high < low ? (high + low) / 2 : undefined;
}

/** One suspect's function evidence. */
export interface FunctionEvidence {
  /** Fingerprints asked. */
  fingerprints: number;
  /** Share on which the suspect gives the original's answer. */
  agreement: number;
  /** 'derived' / 'independent', or 'inconclusive' when the calibration does not separate. */
  judgement: 'derived' | 'independent' | 'inconclusive';
  /** Why, in one line. */
  reason: string;
}

/** Judges a suspect's answers on the fingerprints. */
export function functionEvidence(answers: Int32Array, fingerprints: FingerprintSet, calibration: FingerprintCalibration, suspectAgreement?: number): FunctionEvidence {
  const agreement = fingerprintAgreement(answers, fingerprints);
  const percent = (v: number): string => `${(100 * v).toFixed(1)} %`;
  const base = { fingerprints: fingerprints.count, agreement };
  if (fingerprints.count === 0) return { ...base, judgement: 'inconclusive', reason: 'no fingerprint input could be made for this model' };
  if (calibration.independent.length === 0) {
    return { ...base, judgement: 'inconclusive', reason: 'no labels: no independently trained reference to compare with' };
  }
  if (calibration.threshold === undefined) {
    return {
      ...base,
      judgement: 'inconclusive',
      reason: `the fingerprints do not separate the references (independent up to ${percent(Math.max(...calibration.independent))}, imitators from ${percent(Math.min(...calibration.imitator))})`,
    };
  }
  const band = calibration.agreementBand;
  if (band && suspectAgreement !== undefined && (suspectAgreement < band.min || suspectAgreement > band.max)) {
    return {
      ...base,
      judgement: 'inconclusive',
      reason: `the suspect agrees with the original on ${percent(suspectAgreement)} of held-out rows, outside the ${percent(band.min)}–${percent(band.max)} of the references that calibrate the fingerprints: they do not speak for a model like it`,
    };
  }
  const derived = agreement >= calibration.threshold;
  return {
    ...base,
    judgement: derived ? 'derived' : 'independent',
    reason: `${percent(agreement)} of ${fingerprints.count} fingerprints answered as the original does; independent references ${percent(Math.min(...calibration.independent))}–${percent(Math.max(...calibration.independent))}, imitators ${percent(Math.min(...calibration.imitator))}–${percent(Math.max(...calibration.imitator))}, line at ${percent(calibration.threshold)}`,
  };
}
