import type { ComputeBackend } from '../compute';
import { checkpoint, InvalidNetworkError } from '../errors';
import { argmaxRows } from '../forward';
import { outputWidth, type DenseNetwork } from '../network';
import { Rng } from '../rng';
import { alignNetworks, type LayerAlignment } from './alignment';
import { answerAgreement, calibrateFunction, functionPoint, judge, type FunctionCalibration, type FunctionEvidence } from './functionEvidence';
import { trainReferences, type ReferenceNetwork, type ReferenceRung, type ReferenceTrainer } from './references';
import { alignReferences, evidenceFrom, formatChance, weightBands, weightFalsePositives, type WeightBand, type WeightEvidence } from './weightEvidence';

/**
 * `compare` (DESIGN §7; issues: attack lab, ownership evidence): is a suspect network derived
 * from the original? A layered verdict, each layer with its evidence and its false-positive
 * rate on reference networks trained here:
 *  1. identical: the same network after canonicalisation (a re-serialised or protected copy);
 *  2. weight-derived: aligned hidden units closer to the original's than any reference's;
 *  3. function-derived: the original's dark knowledge (how it ranks the wrong classes) followed
 *     beyond what independently trained references of the suspect's strength follow.
 */

/** What `compare` learns about the original once, and reuses for every suspect. */
export interface OwnershipBaseline {
  original: DenseNetwork;
  /** The reference networks: how each was trained, and its aligned similarity per layer (absent when read back from a report). */
  references: ReferenceSummary[];
  /** Per hidden layer, the highest similarity a reference unit reached. */
  weightBands: WeightBand[];
  /** Reference networks judged weight-derived against the others (leave one out). */
  weightFalsePositives: number;
  calibration: FunctionCalibration;
  /** Natural rows of the owner's data no reference trained on: where the function evidence is measured. */
  heldOutRows: { x: Float32Array; rows: number };
  /** The data the references trained on. */
  data: { rows: number; labelled: boolean };
}

/** A reference network as the baseline keeps it. */
export interface ReferenceSummary extends ReferenceRung {
  role: ReferenceNetwork['role'];
  /** Rows it trained on. */
  trainingRows: number;
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
 * Trains the references and calibrates both evidences on them. `trainReferences` trains the
 * reference networks (one after another here without it; the engine passes one that uses a
 * second core: the baseline is the same).
 */
export async function buildBaseline(
  original: DenseNetwork,
  data: OwnerData,
  compute: ComputeBackend,
  seed: number,
  hooks: { signal?: AbortSignal; onProgress?: (fraction: number, message: string) => void; trainReferences?: ReferenceTrainer } = {},
): Promise<OwnershipBaseline> {
  const rng = new Rng(seed).fork('ownership');
  // Three disjoint parts of the owner's rows: references train on the first, the second or both;
  // the function evidence is measured on the third, which none of them saw (nor, usually, the suspect).
  const order = rng.fork('split').permutation(data.rows);
  const cut = [0, Math.floor(0.4 * data.rows), Math.floor(0.8 * data.rows), data.rows];
  const [first, second, held] = await Promise.all([0, 1, 2].map(async (p) => {
    const rows = order.subarray(cut[p]!, cut[p + 1]!);
    const x = new Float32Array(rows.length * original.inputs);
    rows.forEach((r, i) => x.set(data.x.subarray(r * original.inputs, (r + 1) * original.inputs), i * original.inputs));
    return { x, rows: rows.length, logits: await logitsOf(compute, original, x, rows.length), ...(data.labels ? { labels: Int32Array.from(rows, (r) => data.labels![r]!) } : {}) };
  }));
  const references = await trainReferences(original, first!, second!, rng.fork('references'), compute, {
    ...(hooks.signal ? { signal: hooks.signal } : {}),
    onTrained: (done, total) => hooks.onProgress?.((0.9 * done) / total, `trained reference network ${done} of ${total}`),
    ...(hooks.trainReferences ? { trainAll: hooks.trainReferences } : {}),
  });
  const referenceAlignments = alignReferences(original, references.map((r) => r.network));
  await checkpoint(hooks.signal);
  hooks.onProgress?.(0.95, 'aligned the references to the original');
  const heldOutRows = { x: held!.x, rows: held!.rows };
  const width = outputWidth(original);
  const points = await Promise.all(references.map(async (r) => ({ role: r.role, ...functionPoint(held!.logits, await logitsOf(compute, r.network, heldOutRows.x, heldOutRows.rows), heldOutRows.rows, width) })));
  const calibration = calibrateFunction(points, heldOutRows.rows);
  hooks.onProgress?.(1, `measured ${references.length} references on ${heldOutRows.rows} held-out rows`);
  const rowsOf = { first: first!.rows, second: second!.rows, both: first!.rows + second!.rows };
  return {
    original,
    references: references.map((r, i) => ({ role: r.role, widthScale: r.widthScale, rows: r.rows, steps: r.steps, trainingRows: rowsOf[r.rows], layerSimilarity: referenceAlignments[i]!.map((l) => l.meanSimilarity) })),
    weightBands: weightBands(referenceAlignments),
    weightFalsePositives: weightFalsePositives(referenceAlignments),
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
  const width = outputWidth(original);
  const fn = judge(baseline.calibration, functionPoint(await logitsOf(compute, original, held.x, held.rows), await logitsOf(compute, suspect, held.x, held.rows), held.rows, width));
  const dataAgreement = data ? answerAgreement(await answersOf(compute, original, data.x, data.rows), await answersOf(compute, suspect, data.x, data.rows)) : undefined;
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
  const independents = baseline.calibration.points.filter((p) => p.role === 'independent').length;
  const fpr = `${baseline.calibration.falsePositives} of ${independents} independent references judged derived, each against the others`;
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

/** A network's logits on rows of x. */
async function logitsOf(compute: ComputeBackend, network: DenseNetwork, x: Float32Array, rows: number): Promise<Float32Array> {
  if (rows === 0) return new Float32Array(0);
  const logits = await compute.forward(network, x, rows, { logits: true });
  return logits instanceof Float32Array ? logits : Float32Array.from(logits);
}

/** Arg-max answers of a network on rows of x. */
export async function answersOf(compute: ComputeBackend, network: DenseNetwork, x: Float32Array, rows: number): Promise<Int32Array> {
  if (rows === 0) return new Int32Array(0);
  return argmaxRows(await compute.forward(network, x, rows), rows, outputWidth(network));
}
