import { attackVerdict, stopLine, type AttackReport } from '../core/attacks/attackReport';
import { DISTILLATION_TEMPERATURE } from '../core/attacks/distill';
import type { ReferenceSummary } from '../core/ownership/compare';
import { derivedStrengths, judge, type FunctionCalibration, type FunctionEvidence, type ReferencePoint } from '../core/ownership/functionEvidence';
import type { OwnershipRecord } from '../core/ownership/record';
import { formatChance } from '../core/ownership/weightEvidence';
import type { CompareReport } from '../engine/compareModel';
import { dirname, join } from 'node:path';
import { NEEDS_LABELS, skippedKinds } from '../core/fragility';
import { fineTuningOutcome, formatFineTuningOutcome } from '../core/fineTuningOutcome';
import { describeArchitecture } from '../core/network';
import type { FragilityKind, PerturbationKind, ProtectionReport, SkippedKind } from '../core/report';
import { formatAmplitude, formatBytes, formatCount, formatMagnitude, formatNumber, formatPercent, formatS50 } from '../core/reportFormat';
import { formatFactorOrVerdict, formatTellingPoint, tellingPoint } from '../core/tellingPoint';
import type { ModelInfo } from '../formats/format';
import type { ProtectResult, VerifyResult } from '../protocol/jobs';

/** Human-readable `inspect` output. */
export function formatInspection(info: ModelInfo): string {
  const lines = [`${info.path}`, `  format:     ${info.format}`, `  inputs:     ${info.inputs ?? '?'}`, `  parameters: ${formatCount(info.parameters)}`, '  layers:'];
  for (const layer of info.layers) {
    const detail = [layer.units !== undefined ? `${layer.units} units` : '', layer.activation ?? ''].filter(Boolean).join(', ');
    lines.push(`    ${layer.className.padEnd(20)} ${layer.name}${detail ? ` (${detail})` : ''}`);
  }
  lines.push(
    info.blocker
      ? `  protectable: no: layer '${info.blocker.layer}' (${info.blocker.className}) ${info.blocker.reason}`
      : '  protectable: yes',
  );
  return lines.join('\n');
}

/**
 * Human-readable `protect` summary: equivalence, amplitude, one row per perturbation kind, the
 * kinds that were skipped, and every file written. `requestedKinds` names the skipped kinds of
 * a report that does not record them.
 */
export function formatProtectSummary(result: ProtectResult, requestedKinds: readonly PerturbationKind[] = []): string {
  const r: ProtectionReport = result.report;
  const eq = r.equivalence;
  const lines = [
    `Protected ${r.model.path}`,
    `  architecture   ${describeArchitecture({ inputs: r.model.inputs, layers: r.model.layers })}  →  ${r.protected.layers.map((l) => l.units).join('-')}`,
    `  parameters     ${formatCount(r.model.parameters)} → ${formatCount(r.protected.parameters)}  (${formatBytes(r.protected.bytes)} written${r.protected.maxAbsWeight !== undefined ? `; largest |weight| ${formatNumber(r.protected.maxAbsWeight)}` : ''})`,
    `  construction   ${r.construction.methods.join(' + ')}, ${r.construction.copies} copies, amplitude ${formatAmplitude(r.construction.amplitude)} (${r.construction.amplitudeMode}), seed ${r.construction.seed}`,
    ...r.model.normalised.map((note, i) => `  ${i === 0 ? 'notes' : ''}`.padEnd(17) + note),
    `  data           ${r.data.source === 'file' ? `${formatCount(r.data.samples)} samples from ${r.data.path}${r.data.labelled ? ' (labelled)' : ''}` : `${formatCount(r.data.samples)} generated probes (agreement replaces accuracy)`}`,
    '',
    `Equivalence, checked in ${eq.runtime} on ${eq.compared}: ${eq.passed ? 'PASSED' : 'FAILED'}`,
    `  top-1 agreement ${formatPercent(eq.top1Agreement, 2)}   max |Δ| ${formatNumber(eq.maxAbsDiff)}   mean |Δ| ${formatNumber(eq.meanAbsDiff)}   relDiff ${formatNumber(eq.relDiff)} (tolerance ${formatNumber(r.construction.tolerance)})`,
    eq.accuracyOriginal !== null ? `  accuracy       original ${formatPercent(eq.accuracyOriginal, 2)}   protected ${formatPercent(eq.accuracyProtected, 2)}` : '',
    r.construction.caveat ? `  caveat: ${r.construction.caveat}` : '',
    ...fieldLines(r),
    '',
    `Fragility (${r.fragility.metric} on ${formatCount(r.fragility.samples)} samples; chance ${formatPercent(r.fragility.chance)})`,
    `  ${'kind'.padEnd(16)}${'s50 original'.padStart(14)}${'s50 protected'.padStart(16)}${'factor'.padStart(18)}   ${r.fragility.metric} (original → protected)`,
    ...r.fragility.kinds.map((kind) => kindRow(kind, r.fragility.chance, r.attacks)),
    ...skippedLines(r.fragility.skipped ?? skippedKinds(requestedKinds, r.data.labelled), r.data.source === 'file' ? '--labels' : '--data with --labels'),
    '',
    ...(r.attacks ? [formatAttackReport(r.attacks), ''] : []),
    ...(r.ownership ? [formatOwnershipRecord(r.ownership, result.reportPath), ''] : []),
    ...(r.ownershipNote ? [`Ownership evidence: ${r.ownershipNote}`, ''] : []),
    r.verdict,
    '',
    ...wroteLines(result),
  ];
  return lines.filter((line, i, all) => line !== '' || all[i - 1] !== '').join('\n');
}

/** One line on stderr as soon as equivalence is known: pass or fail, the reference and the field's worst relDiff. */
export function formatEarlyEquivalence(eq: ProtectionReport['equivalence'], construction: ProtectionReport['construction']): string {
  const field = eq.field;
  const worst = field ? Math.max(field.emulated.worst.relDiff, ...field.runtimes.map((r) => r.relDiff)) : eq.relDiff;
  const where = field ? `${new Set(field.runtimes.map((r) => r.runtime)).size} runtimes, ${field.emulated.results.length} emulated kernel orders` : eq.runtime;
  return `Equivalence ${eq.passed ? 'PASSED' : 'FAILED'} at amplitude ${formatAmplitude(construction.amplitude)}: top-1 agreement ${formatPercent(eq.top1Agreement, 2)}, worst relDiff ${formatNumber(worst)} (${where}; tolerance ${formatNumber(construction.tolerance)}). Measuring fragility…`;
}

/** "finetune-adam, finetune-sgd skipped: they need labels (--labels)", one line per reason; `labelsFlag` says how to give labels. */
function skippedLines(skipped: readonly SkippedKind[], labelsFlag: string): string[] {
  const reasons = [...new Set(skipped.map((s) => s.reason))];
  return reasons.map((reason) => {
    const kinds = skipped.filter((s) => s.reason === reason).map((s) => s.kind);
    const because = reason === NEEDS_LABELS ? `${kinds.length > 1 ? 'they need' : 'it needs'} labels (${labelsFlag})` : reason;
    return `  ${kinds.join(', ')} skipped: ${because}`;
  });
}

/** Every file written (the protected model's files ship together), then report.json. */
function wroteLines(result: ProtectResult): string[] {
  const folder = dirname(result.protectedPath);
  const files = result.report.protected.files.map((name) => join(folder, name));
  const shipped = result.report.protected.files;
  return [
    ...files.map((file, i) => `${i === 0 ? 'Wrote ' : '      '}${file}`),
    `      ${result.reportPath}`,
    // The held-out rows let `compare --report` measure a suspect later; they are the owner's data, not the model's.
    ...(result.report.ownership ? [`      ${join(folder, result.report.ownership.heldOutRows.file)}  (ownership evidence: keep it with report.json, do not ship it)`] : []),
    shipped.length > 1
      ? `Ship ${listText(shipped)} together, in one folder: ${shipped[0]} loads ${listText(shipped.slice(1))} by name. report.json records their SHA-256 for 'mimosanet verify'.`
      : `report.json records its SHA-256 for 'mimosanet verify'.`,
  ];
}

/** "a", "a and b", "a, b and c". */
function listText(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** The field check: one line per real runtime and batch, the emulated worst case and the bounds. */
function fieldLines(r: ProtectionReport): string[] {
  const field = r.equivalence.field;
  if (!field) return [];
  const tolerance = r.construction.tolerance;
  return [
    `  in the field (tolerance ${formatNumber(tolerance)}; samples in brackets): ${field.passed ? 'PASSED' : 'FAILED'}`,
    ...field.runtimes.map((row) => `    ${`${row.runtime}, batch ${row.batch} (${formatCount(row.samples)})`.padEnd(74)} relDiff ${formatNumber(row.relDiff)}   top-1 ${formatPercent(row.top1Agreement, 2)}  ${row.passed ? 'pass' : 'FAIL'}`),
    ...field.notes.map((note) => `    note: ${note}`),
    `    ${`emulated kernels, worst of ${field.emulated.results.length} (${formatCount(field.emulated.samples)})`.padEnd(74)} relDiff ${formatNumber(field.emulated.worst.relDiff)}   top-1 ${formatPercent(field.emulated.worst.top1Agreement, 2)}  ${field.emulated.passed ? 'pass' : 'FAIL'} (search margin ×${formatNumber(field.emulated.margin)})`,
    `    ${'bound for any order: proven / probabilistic'.padEnd(74)} relDiff ${formatNumber(field.bound.deterministic)} / ${formatNumber(field.bound.probabilistic)} (fails with p ≤ ${formatNumber(field.bound.failureProbability)})`,
  ];
}

function kindRow(kind: FragilityKind, chance: number, attacks: AttackReport | undefined): string {
  // Fine-tuning is reported by where the attacker ends and the head start, as in the report panel (core/fineTuningOutcome).
  const outcome = fineTuningOutcome(kind, attacks);
  if (outcome) {
    // The factor column holds the head start (the last column says what it is).
    const head = outcome.headStart !== null ? `${outcome.headStart >= 0 ? '+' : ''}${(outcome.headStart * 100).toFixed(1)} pt` : '—';
    return `  ${kind.kind.padEnd(16)}${'—'.padStart(14)}${'—'.padStart(16)}${head.padStart(18)}   ${formatFineTuningOutcome(kind.kind, outcome)}`;
  }
  // The same telling point, units and verdicts as the report panel (core/tellingPoint).
  const point = tellingPoint(kind, chance);
  const s50 = (series: FragilityKind['original']): string => formatS50(kind, series, chance, (v) => formatMagnitude(kind.kind, v));
  // One-point kinds (float16, int8) have no factor: the column says "breaks" and the last column how far.
  const factor = kind.fragilityFactor !== null ? formatFactorOrVerdict(kind, chance) : point?.verdict ?? '—';
  return `  ${kind.kind.padEnd(16)}${s50(kind.original).padStart(14)}${s50(kind.protected).padStart(16)}${factor.padStart(18)}   ${point ? formatTellingPoint(kind, point) : '—'}`;
}

/** Human-readable `verify` output. */
export function formatVerification(v: VerifyResult): string {
  if (v.notTheProtectedModel) return `NOT THE PROTECTED MODEL: ${v.modelPath}\n  ${v.notTheProtectedModel}; nothing was checked`;
  const lines = [`${v.ok ? 'OK' : 'TAMPERED'}: ${v.modelPath}`];
  for (const file of v.files) lines.push(`  ${file.ok ? 'ok ' : 'BAD'} ${file.name}${file.ok ? '' : ` (${file.problem})`}`);
  if (v.equivalence) {
    lines.push(`  re-run against the original: top-1 agreement ${formatPercent(v.equivalence.top1Agreement, 2)}, relDiff ${formatNumber(v.equivalence.relDiff)} → ${v.equivalence.passed ? 'equivalent' : 'NOT equivalent'}`);
  } else {
    lines.push(`  original not found at ${v.originalPath}: checked file hashes only`);
  }
  return lines.join('\n');
}

/**
 * The attack lab's table: each attack on the protected copy and on the original, against training
 * from scratch; without labels, top-1 agreement with the original instead of accuracy, and the
 * attacks that need labels listed as skipped with the reason.
 */
export function formatAttackReport(r: AttackReport): string {
  const pct = (v: number) => formatPercent(v, 1).padStart(8);
  const agreement = r.metric === 'agreement';
  const metric = agreement ? 'top-1 agreement with the original' : 'accuracy';
  const points = (v: number | null): string => (v === null ? '—' : `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)} pt`);
  const rows = r.attacks.map(
    (a) =>
      `  ${a.kind.padEnd(14)}${a.knowledge.padEnd(14)}${a.needs.padEnd(12)}${pct(a.original.accuracyAfter)}${pct(a.accuracyAfter)}${pct(a.noiseAccuracyAfter)}${points(a.headStart).padStart(12)}   ${attackVerdict(a, r)}`,
  );
  const skipped = r.skipped ?? [];
  const baseline =
    r.scratchAccuracy !== null
      ? `the original's architecture trained from scratch on the attacker's data: ${formatPercent(r.scratchAccuracy, 1)}`
      : `no from-scratch baseline without labels: an attack counts as stopped at or below ${formatPercent(stopLine(r), 1)} (halfway to chance)`;
  return [
    `Attack lab: the attacker holds the protected copy and ${formatCount(r.attackerSamples)} ${agreement ? 'unlabelled' : 'labelled'} samples; ${agreement ? 'top-1 agreement with the original' : 'accuracies'} on ${formatCount(r.evaluationSamples)} other samples`,
    `  clean ${metric} ${formatPercent(r.cleanAccuracy, 1)}; ${baseline}`,
    '',
    `  ${'attack'.padEnd(14)}${'knowledge'.padEnd(14)}${'needs'.padEnd(12)}${'original'.padStart(8)}${'copy'.padStart(8)}${'noisy'.padStart(8)}${'head start'.padStart(12)}   verdict`,
    ...rows,
    ...skipped.map((s) => `  ${s.kind.padEnd(14)}skipped: ${s.reason}`),
    '',
    `  original / copy: the attacker's ${metric} after the attack on the original and on the protected copy; noisy: the copy's result under 0.1 % weight noise (fragility left); head start: copy − from scratch${r.scratchAccuracy === null ? ' (needs labels)' : ''}.`,
    r.modificationCost !== null
      ? `  modification cost (clean − the best fine-tuning result on the copy): ${(r.modificationCost * 100).toFixed(1)} points.`
      : `  modification cost: not measured (fine-tuning needs labels; give --labels).`,
  ].join('\n');
}

/**
 * `compare`'s summary: the verdict and the evidence that carried it, then each layer of evidence
 * with the reference networks' figures beside the suspect's.
 */
export function formatComparison(r: CompareReport): string {
  const pct = (v: number): string => formatPercent(v, 1);
  const lines = [`Verdict: ${r.verdict.toUpperCase()} (decided by ${r.decidedBy === 'none' ? 'no evidence' : `${r.decidedBy === 'identical' ? 'identity' : r.decidedBy} evidence`})`, `  ${r.reason}`, ''];
  const { weights } = r.evidence;
  if (weights) {
    lines.push('Weights, after canonicalisation and alignment (cosine of incoming weights):');
    lines.push(`  ${'layer'.padEnd(7)}${'units'.padStart(12)}${'similarity'.padStart(12)}${'references ≤'.padStart(14)}${'closer'.padStart(9)}${'chance'.padStart(10)}`);
    weights.layers.forEach((l, i) =>
      lines.push(
        `  ${String(i + 1).padEnd(7)}${`${l.originalUnits}/${l.suspectUnits}`.padStart(12)}${l.meanSimilarity.toFixed(3).padStart(12)}${l.threshold.toFixed(3).padStart(14)}${`${l.closerThanReferences}/${l.originalUnits}`.padStart(9)}${formatChance(l.pValue).padStart(10)}`,
      ),
    );
    lines.push(`  output layer similarity ${weights.outputSimilarity.toFixed(3)}; ${r.baselines.weightFalsePositives} of ${r.baselines.references.length} reference networks judged weight-derived against the others`);
  } else if (r.evidence.weightsSkipped) {
    lines.push(`Weights: not compared (${r.evidence.weightsSkipped})`);
  }
  lines.push('', ...functionLines(r));
  if (r.data && r.evidence.dataAgreement !== undefined) {
    lines.push('', `Top-1 agreement with the original on the owner's ${r.data.source === 'probes' ? 'probe inputs' : 'data'} (${formatCount(r.data.samples)} samples${r.data.labelled ? ', labelled' : ''}): ${pct(r.evidence.dataAgreement)}`);
  }
  lines.push('', ...referenceLines(r), '', `Took ${r.seconds.toFixed(1)} s.`);
  return lines.join('\n');
}

/** Correlations as the judge's reason writes them (three decimals), so the figures read the same everywhere. */
function formatCorrelation(v: number | undefined): string {
  return v === undefined ? '—' : v.toFixed(3);
}

/**
 * The function layer: the suspect's strength and dark-knowledge correlation beside what
 * references of that strength reach, the judgement, how the references judge each other, and
 * what the statistic cannot see (said every time, so an "independent" is not over-read).
 */
function functionLines(r: CompareReport): string[] {
  const fn = r.evidence.function;
  const cal = r.baselines.functionCalibration;
  const lines = [
    `Function evidence (dark knowledge: how the original ranks the classes other than its answer, on ${formatCount(cal.rows)} held-out rows no reference trained on): ${fn.judgement}`,
    `  suspect: strength ${formatPercent(fn.strength, 1)} (top-1 agreement with the original), dark-knowledge correlation ${formatCorrelation(fn.correlation)}`,
  ];
  if (fn.expectedIndependent !== undefined && fn.expectedImitator !== undefined) {
    const bound = fn.independentBound !== undefined ? `; independent networks of that strength stay below ${formatCorrelation(fn.independentBound)} (99.9 %)` : '';
    lines.push(`  references of that strength reach: independent ${formatCorrelation(fn.expectedIndependent)}, imitators ${formatCorrelation(fn.expectedImitator)}${bound}${extrapolated(fn, cal) ? " (the lines extended beyond the references' strengths)" : ''}`);
  }
  lines.push(`  why: ${fn.reason}`, `  calibration: ${calibrationWords(cal)}`, `  cannot see: ${functionLimits(cal)}`);
  return lines;
}

/** Whether the suspect's strength lies outside the references': the lines' figures there are extrapolations. */
function extrapolated(fn: FunctionEvidence, cal: FunctionCalibration): boolean {
  return fn.strength < cal.strengthRange.min || fn.strength > cal.strengthRange.max;
}

/** The references' strength range and their leave-one-out errors: the evidence's own false-positive and miss counts. */
function calibrationWords(cal: FunctionCalibration): string {
  const count = (role: ReferencePoint['role']): number => cal.points.filter((p) => p.role === role).length;
  if (count('independent') === 0) return 'no independent references (no labels): nothing to set a suspect against';
  const { min, max } = cal.strengthRange;
  return `references of strength ${formatPercent(min, 1)} – ${formatPercent(max, 1)}; each judged against the others, ${cal.falsePositives} of ${count('independent')} independent references judged derived (false positives), ${cal.misses} of ${count('imitator')} imitators judged independent (misses)`;
}

/** What the dark-knowledge correlation cannot see, in the owner's figures. */
function functionLimits(cal: FunctionCalibration): string {
  const strongest = cal.points.length ? ` (${formatPercent(cal.strengthRange.max, 1)} here, by more than one standard error of its own agreement)` : '';
  return `a student trained only on the original's top answers, not its probabilities, learns no dark knowledge and is judged like independent work; a suspect stronger than every reference${strongest} is inconclusive, since independent networks that strong reach the imitators' correlation`;
}

/** Which part of the owner's rows a reference trained on (the held-out part is never one). */
const PART: Record<ReferenceSummary['rows'], string> = { first: 'first part', second: 'second part', both: 'both parts' };

/** One row per reference network: how it was trained, how close its weights came, and its function point. */
function referenceLines(r: CompareReport): string[] {
  const refs = r.baselines.references;
  const source = r.baselineSource.kind === 'report'
    ? `recorded in ${r.baselineSource.report}${r.baselineSource.originalFrom === 'protected-copy' ? ' (the original is gone: its protected copy stands for it)' : ''}`
    : 'trained here';
  if (refs.length === 0) return [`Reference networks (${source}): none`];
  const layers = Math.max(0, ...refs.map((ref) => ref.layerSimilarity?.length ?? 0));
  const layerNames = Array.from({ length: layers }, (_, l) => (l === layers - 1 ? 'out' : `L${l + 1}`));
  const imitators = `imitators on the original's probabilities at temperature ${DISTILLATION_TEMPERATURE}`;
  const trainedOn = refs.some((ref) => ref.role === 'independent') ? `independent ones on the labels, ${imitators}` : `only ${imitators} (no labels for independent ones)`;
  const header = `  ${'#'.padStart(3)}  ${'role'.padEnd(12)}${'width'.padStart(6)}${'rows'.padStart(8)}  ${'of'.padEnd(12)}${'steps'.padStart(7)}${layerNames.map((n) => n.padStart(7)).join('')}${'strength'.padStart(10)}${'correlation'.padStart(13)}`;
  return [
    `Reference networks (${source}), from fresh weights: ${trainedOn}; similarity per layer after alignment, strength and correlation on the held-out rows:`,
    header,
    ...refs.map((ref, i) => {
      const sims = layerNames.map((_, l) => (ref.layerSimilarity?.[l]?.toFixed(3) ?? '—').padStart(7)).join('');
      const strength = ref.strength === undefined ? '—' : formatPercent(ref.strength, 1);
      return `  ${String(i + 1).padStart(3)}  ${ref.role.padEnd(12)}${`×${formatNumber(ref.widthScale)}`.padStart(6)}${formatCount(ref.trainingRows).padStart(8)}  ${PART[ref.rows].padEnd(12)}${formatCount(ref.steps).padStart(7)}${sims}${strength.padStart(10)}${formatCorrelation(ref.correlation).padStart(13)}`;
    }),
  ];
}

/** What protect recorded for a later `compare --report`, and how well the references separate on it. */
function formatOwnershipRecord(o: OwnershipRecord, reportPath: string): string {
  const c = o.calibration;
  return [
    `Ownership evidence: ${o.references.length} reference networks trained on ${formatCount(o.data.rows)} samples, measured on ${formatCount(o.heldOutRows.count)} held-out rows none of them trained on (${o.seconds.toFixed(0)} s)`,
    `  weights: ${o.weights.falsePositives} of ${o.references.length} references judged weight-derived against the others (false positives); highest aligned similarity a reference unit reached per layer: ${o.weights.bands.map((band) => band.threshold.toFixed(3)).join(', ')}`,
    `  function (dark knowledge): ${separation(c)}`,
    `    calibration: ${calibrationWords(c)}`,
    `    cannot see: ${functionLimits(c)}`,
    `  check a suspect later: mimosanet compare <suspect> --report ${reportPath}`,
  ].join('\n');
}

/**
 * Over which of the references' strengths the lines separate (`derivedStrengths`); compare gives
 * the figures at a suspect's own strength.
 */
function separation(c: FunctionCalibration): string {
  if (!c.independentFit || !c.imitatorFit) {
    return c.points.some((p) => p.role === 'independent')
      ? 'too few references of a role to fit a line: a suspect whose weights share nothing will be judged inconclusive'
      : 'no independent references without labels: a suspect whose weights share nothing will be judged inconclusive';
  }
  const { min, max } = c.strengthRange;
  const derived = derivedStrengths(c);
  const range = `${formatPercent(min, 1)} – ${formatPercent(max, 1)}`;
  if (!derived) {
    const middle = judge(c, { strength: (min + max) / 2, correlation: 0 });
    return `an imitator on the imitators' line stays within the independent networks' spread at every strength the references span (${range}; in the middle, independent ${formatCorrelation(middle.expectedIndependent)}, bound ${formatCorrelation(middle.independentBound)}, imitators ${formatCorrelation(middle.expectedImitator)}): a distilled student will likely be judged inconclusive`;
  }
  const where = derived.min === min && derived.max === max ? `at every strength the references span (${range})` : `from ${formatPercent(derived.min, 1)} to ${formatPercent(derived.max, 1)} agreement (the references span ${range})`;
  return `an imitator on the imitators' line clears the bound independent networks stay below (99.9 %) ${where}: a student distilled from the model's probabilities and of such strength can be told from independent work`;
}
