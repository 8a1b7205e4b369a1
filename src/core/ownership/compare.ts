import type { ComputeBackend } from '../compute';
import { checkpoint, InvalidNetworkError } from '../errors';
import { argmaxRows } from '../forward';
import { outputWidth, type DenseNetwork } from '../network';
import { Rng } from '../rng';
import { alignNetworks, type LayerAlignment } from './alignment';
import { fingerprintAgreement, fingerprintCandidates, selectConferrable, type FingerprintSet } from './fingerprints';
import { calibrate, functionEvidence, type FingerprintCalibration, type FunctionEvidence } from './functionEvidence';
import { trainReferences, type ReferenceNetwork, type ReferenceTrainer } from './references';
import { alignReferences, evidenceFrom, formatChance, weightBands, weightFalsePositives, type WeightBand, type WeightEvidence } from './weightEvidence';

/**
 * `compare` (DESIGN §7; issues: attack lab, ownership evidence): is a suspect network derived
 * from the original? A layered verdict, each layer with its evidence and its false-positive
 * rate on reference networks trained here:
 *  1. identical: the same network after canonicalisation (a re-serialised or protected copy);
 *  2. weight-derived: aligned hidden units closer to the original's than any reference's;
 *  3. function-derived: fingerprint inputs answered as the original answers them, beyond what
 *     independently trained references do.
 */

/** Fingerprint candidates grown from at most this many data rows (each costs 30 gradient steps through five networks). */
const FINGERPRINT_SEEDS = 150;
/** Fingerprints kept. */
const FINGERPRINTS = 100;

/** What `compare` learns about the original once, and reuses for every suspect. */
export interface OwnershipBaseline {
  original: DenseNetwork;
  /** The reference networks: how each was trained, and its aligned similarity per layer (absent when read back from a report). */
  references: ReferenceSummary[];
  /** Per hidden layer, the highest similarity a reference unit reached. */
  weightBands: WeightBand[];
  /** Reference networks judged weight-derived against the others (leave one out). */
  weightFalsePositives: number;
  fingerprints: FingerprintSet;
  calibration: FingerprintCalibration;
  /** Natural rows no reference trained on: where a suspect's strength is compared with the references'. */
  heldOutRows?: { x: Float32Array; rows: number };
  /** The data the references trained on. */
  data: { rows: number; labelled: boolean };
}

/** A reference network as the baseline keeps it. */
export interface ReferenceSummary {
  role: ReferenceNetwork['role'];
  widthScale: number;
  heldOut: boolean;
  /** Mean aligned similarity to the original per layer (output last). */
  layerSimilarity?: number[];
}

/** The owner's data: inputs, and labels when there are any. */
export interface OwnerData {
  x: Float32Array;
  rows: number;
  labels?: Int32Array;
}

/**
 * Trains the references, grows and selects the fingerprints, calibrates both evidences.
 * `trainReferences` trains the reference networks (one after another here without it; the
 * engine passes one that uses a second core: the baseline is the same).
 */
export async function buildBaseline(
  original: DenseNetwork,
  data: OwnerData,
  compute: ComputeBackend,
  seed: number,
  hooks: { signal?: AbortSignal; onProgress?: (fraction: number, message: string) => void; trainReferences?: ReferenceTrainer } = {},
): Promise<OwnershipBaseline> {
  const rng = new Rng(seed).fork('ownership');
  // Three disjoint parts of the owner's rows: references that select fingerprints train on the
  // first, references that calibrate on the second, fingerprints grow from the third.
  const order = rng.fork('split').permutation(data.rows);
  const cut = [0, Math.floor(0.4 * data.rows), Math.floor(0.8 * data.rows), data.rows];
  const parts = await Promise.all([0, 1, 2].map(async (p) => {
    const rows = order.subarray(cut[p]!, cut[p + 1]!);
    const x = new Float32Array(rows.length * original.inputs);
    rows.forEach((r, i) => x.set(data.x.subarray(r * original.inputs, (r + 1) * original.inputs), i * original.inputs));
    return { x, rows: rows.length, answers: await answersOf(compute, original, x, rows.length), ...(data.labels ? { labels: Int32Array.from(rows, (r) => data.labels![r]!) } : {}) };
  }));
  const references = await trainReferences(original, parts[0]!, parts[1]!, rng.fork('references'), compute, {
    ...(hooks.signal ? { signal: hooks.signal } : {}),
    onTrained: (done, total) => hooks.onProgress?.((0.6 * done) / total, `trained reference network ${done} of ${total}`),
    ...(hooks.trainReferences ? { trainAll: hooks.trainReferences } : {}),
  });
  const referenceAlignments = alignReferences(original, references.map((r) => r.network));
  await checkpoint(hooks.signal);
  hooks.onProgress?.(0.65, 'aligned the references to the original');

  const group = (role: ReferenceNetwork['role'], heldOut: boolean) => references.filter((r) => r.role === role && r.heldOut === heldOut);
  const seeds = parts[2]!;
  const seedRows = Math.min(FINGERPRINT_SEEDS, seeds.rows);
  const { low, high } = featureRange(data.x, data.rows, original.inputs);
  const candidates = await fingerprintCandidates(original, seeds.x, seedRows, {
    low,
    high,
    pull: group('imitator', false).map((r) => r.network),
    push: group('independent', false).map((r) => r.network),
    ...(hooks.signal ? { signal: hooks.signal } : {}),
  });
  hooks.onProgress?.(0.95, `grew ${candidates.count} fingerprint candidates`);
  const answersOn = (set: FingerprintSet, networks: ReferenceNetwork[]) => Promise.all(networks.map((r) => answersOf(compute, r.network, set.x, set.count)));
  const fingerprints = selectConferrable(
    candidates,
    original.inputs,
    await answersOn(candidates, group('imitator', false)),
    await answersOn(candidates, group('independent', false)),
    FINGERPRINTS,
  );
  const agreementOf = async (networks: ReferenceNetwork[]) => (await answersOn(fingerprints, networks)).map((a) => fingerprintAgreement(a, fingerprints));
  const heldOutRows = { x: seeds.x, rows: seeds.rows };
  const seedAnswers = seeds.answers;
  const strengths = await Promise.all(references.filter((r) => r.heldOut).map(async (r) => agreement(seedAnswers, await answersOf(compute, r.network, heldOutRows.x, heldOutRows.rows))));
  const calibration: FingerprintCalibration = {
    ...calibrate(await agreementOf(group('independent', true)), await agreementOf(group('imitator', true))),
    ...(strengths.length ? { agreementBand: { min: Math.min(...strengths), max: Math.max(...strengths) } } : {}),
  };
  hooks.onProgress?.(1, `selected ${fingerprints.count} fingerprints`);
  return {
    original,
    references: references.map((r, i) => ({ role: r.role, widthScale: r.widthScale, heldOut: r.heldOut, layerSimilarity: referenceAlignments[i]!.map((l) => l.meanSimilarity) })),
    weightBands: weightBands(referenceAlignments),
    weightFalsePositives: weightFalsePositives(referenceAlignments),
    fingerprints,
    calibration,
    heldOutRows,
    data: { rows: data.rows, labelled: Boolean(data.labels) },
  };
}

/** The verdict on one suspect, with its evidence. */
export interface CompareResult {
  verdict: 'derived' | 'independent' | 'inconclusive';
  /** The layer that decided: 'identical', 'weights', 'function', or 'none'. */
  decidedBy: 'identical' | 'weights' | 'function' | 'none';
  /** One sentence: the verdict and the evidence that carries it. */
  reason: string;
  evidence: {
    identical: boolean;
    /** Absent when the suspect's depth differs from the original's (nothing to align). */
    weights?: WeightEvidence;
    weightsSkipped?: string;
    function: FunctionEvidence;
    /** Top-1 agreement with the original on the owner's data, when data was given. */
    dataAgreement?: number;
  };
}

/** Judges one suspect against the baseline. */
export async function judgeSuspect(baseline: OwnershipBaseline, suspect: DenseNetwork, compute: ComputeBackend, data?: OwnerData): Promise<CompareResult> {
  const { original } = baseline;
  if (suspect.inputs !== original.inputs || outputWidth(suspect) !== outputWidth(original)) {
    throw new InvalidNetworkError(
      `the suspect (${suspect.inputs} inputs, ${outputWidth(suspect)} outputs) cannot be compared with the original (${original.inputs} inputs, ${outputWidth(original)} outputs)`,
    );
  }
  const sameDepth = suspect.layers.length === original.layers.length;
  const alignment = sameDepth ? alignNetworks(original, suspect) : undefined;
  const identical = alignment !== undefined && sameUnits(alignment);
  const weights = alignment ? evidenceFrom(alignment, baseline.weightBands) : undefined;
  const held = baseline.heldOutRows;
  const strength = held ? agreement(await answersOf(compute, original, held.x, held.rows), await answersOf(compute, suspect, held.x, held.rows)) : undefined;
  const fn = functionEvidence(await answersOf(compute, suspect, baseline.fingerprints.x, baseline.fingerprints.count), baseline.fingerprints, baseline.calibration, strength);
  const dataAgreement = data ? agreement(await answersOf(compute, original, data.x, data.rows), await answersOf(compute, suspect, data.x, data.rows)) : undefined;
  const evidence: CompareResult['evidence'] = {
    identical,
    ...(weights ? { weights } : { weightsSkipped: `the suspect has ${suspect.layers.length} layers and the original ${original.layers.length}: no unit-by-unit alignment` }),
    function: fn,
    ...(dataAgreement !== undefined ? { dataAgreement } : {}),
  };
  const references = baseline.references.length;
  if (identical) return { verdict: 'derived', decidedBy: 'identical', reason: 'the same network as the original after canonicalisation (units rescaled, merged, permuted)', evidence };
  if (weights?.derived) {
    const best = weights.layers.reduce((a, b) => (b.closerThanReferences / b.originalUnits > a.closerThanReferences / a.originalUnits ? b : a));
    return {
      verdict: 'derived',
      decidedBy: 'weights',
      reason: `${best.closerThanReferences} of ${best.originalUnits} hidden units have a counterpart closer to the original's than any unit of ${references} reference networks reaches (chance for an independent network ${formatChance(weights.pValue)}; ${baseline.weightFalsePositives} of ${references} references judged derived)`,
      evidence,
    };
  }
  const fpr = `${baseline.calibration.falsePositives} of ${baseline.calibration.independent.length} held-out independent references judged derived`;
  const shared = weights?.layers.reduce((a, b) => (b.closerThanReferences / b.originalUnits > a.closerThanReferences / a.originalUnits ? b : a), weights.layers[0]!);
  const weightsSay = !weights
    ? (evidence.weightsSkipped ?? 'weights not compared')
    : shared && shared.closerThanReferences > 0
      ? `weights keep at most ${shared.closerThanReferences} of ${shared.originalUnits} of a layer's units closer than any reference's (shared features, not a copy, which keeps most)`
      : 'weights share nothing beyond what references share';
  if (fn.judgement === 'derived') return { verdict: 'derived', decidedBy: 'function', reason: `${fn.reason} (${fpr})`, evidence };
  if (fn.judgement === 'independent') {
    return { verdict: 'independent', decidedBy: 'function', reason: `${weightsSay}, and ${fn.reason} (${fpr})`, evidence };
  }
  return { verdict: 'inconclusive', decidedBy: 'none', reason: `${weightsSay}, and the function evidence is inconclusive: ${fn.reason}`, evidence };
}

/**
 * The same network up to the exact symmetries: canonical layers of equal width whose aligned
 * units (and output rows) point the same way to float32 rounding.
 */
function sameUnits(alignment: LayerAlignment[]): boolean {
  return alignment.every((layer) => layer.originalUnits === layer.suspectUnits && layer.similarity.every((v) => v > 1 - 1e-6));
}

/** Arg-max answers of a network on rows of x. */
export async function answersOf(compute: ComputeBackend, network: DenseNetwork, x: Float32Array, rows: number): Promise<Int32Array> {
  if (rows === 0) return new Int32Array(0);
  return argmaxRows(await compute.forward(network, x, rows), rows, outputWidth(network));
}

function agreement(a: Int32Array, b: Int32Array): number {
  let hits = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) hits++;
  return a.length ? hits / a.length : 0;
}

/** Per-feature minimum and maximum of the data. */
function featureRange(x: Float32Array, rows: number, inputs: number): { low: Float32Array; high: Float32Array } {
  const low = new Float32Array(inputs).fill(Infinity);
  const high = new Float32Array(inputs).fill(-Infinity);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < inputs; k++) {
      const v = x[r * inputs + k]!;
      if (v < low[k]!) low[k] = v;
      if (v > high[k]!) high[k] = v;
    }
  }
  return { low, high };
}
