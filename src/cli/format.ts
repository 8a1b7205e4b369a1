import { describeArchitecture } from '../core/network';
import type { FragilityKind, ProtectionReport } from '../core/report';
import { formatAmplitude, formatFactor } from '../core/verdict';
import type { ModelInfo } from '../formats/format';
import type { ProtectResult, VerifyResult } from '../protocol/jobs';

/** Human-readable `inspect` output. */
export function formatInspection(info: ModelInfo): string {
  const lines = [`${info.path}`, `  format:     ${info.format}`, `  inputs:     ${info.inputs ?? '?'}`, `  parameters: ${info.parameters.toLocaleString('en-US')}`, '  layers:'];
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

const sci = (v: number | null, below = false): string =>
  v === null ? 'not reached' : `${below ? '≤ ' : ''}${v >= 0.01 && v < 1000 ? v.toPrecision(3) : v.toExponential(2)}`;
const pct = (v: number): string => `${(v * 100).toFixed(2)} %`;

/** Human-readable `protect` summary: equivalence, amplitude, then one row per perturbation kind. */
export function formatProtectSummary(result: ProtectResult): string {
  const r: ProtectionReport = result.report;
  const eq = r.equivalence;
  const lines = [
    `Protected ${r.model.path}`,
    `  architecture   ${describeArchitecture({ inputs: r.model.inputs, layers: r.model.layers })}  →  ${r.protected.layers.map((l) => l.units).join('-')}`,
    `  parameters     ${r.model.parameters.toLocaleString('en-US')} → ${r.protected.parameters.toLocaleString('en-US')}  (${(r.protected.bytes / 1024).toFixed(0)} KiB written${r.protected.maxAbsWeight !== undefined ? `; largest |weight| ${r.protected.maxAbsWeight.toExponential(1)}` : ''})`,
    `  construction   ${r.construction.methods.join(' + ')}, ${r.construction.copies} copies, amplitude ${formatAmplitude(r.construction.amplitude)} (${r.construction.amplitudeMode}), seed ${r.construction.seed}`,
    ...r.model.normalised.map((note, i) => `  ${i === 0 ? 'notes' : ''}`.padEnd(17) + note),
    `  data           ${r.data.source === 'file' ? `${r.data.samples} samples from ${r.data.path}${r.data.labelled ? ' (labelled)' : ''}` : `${r.data.samples} generated probes (agreement replaces accuracy)`}`,
    '',
    `Equivalence, checked in ${eq.runtime} on ${eq.compared}: ${eq.passed ? 'PASSED' : 'FAILED'}`,
    `  top-1 agreement ${pct(eq.top1Agreement)}   max |Δ| ${eq.maxAbsDiff.toExponential(2)}   mean |Δ| ${eq.meanAbsDiff.toExponential(2)}   relDiff ${eq.relDiff.toExponential(2)} (tolerance ${r.construction.tolerance})`,
    eq.accuracyOriginal !== null ? `  accuracy       original ${eq.accuracyOriginal.toFixed(4)}   protected ${eq.accuracyProtected!.toFixed(4)}` : '',
    r.construction.caveat ? `  caveat: ${r.construction.caveat}` : '',
    ...fieldLines(r),
    '',
    `Fragility (${r.fragility.metric} on ${r.fragility.samples} samples; chance ${r.fragility.chance.toFixed(2)})`,
    `  ${'kind'.padEnd(16)}${'s50 original'.padStart(14)}${'s50 protected'.padStart(16)}${'factor'.padStart(18)}   ${r.fragility.metric} (original → protected)`,
    ...r.fragility.kinds.map(kindRow),
    '',
    r.verdict,
    '',
    `Wrote ${result.protectedPath}`,
    `      ${result.reportPath}`,
  ];
  return lines.filter((line, i, all) => line !== '' || all[i - 1] !== '').join('\n');
}

/** The field check: one line per real runtime and batch, the emulated worst case and the bounds. */
function fieldLines(r: ProtectionReport): string[] {
  const field = r.equivalence.field;
  if (!field) return [];
  const tolerance = r.construction.tolerance;
  return [
    `  in the field (tolerance ${tolerance}; samples in brackets): ${field.passed ? 'PASSED' : 'FAILED'}`,
    ...field.runtimes.map((row) => `    ${`${row.runtime}, batch ${row.batch} (${row.samples})`.padEnd(74)} relDiff ${row.relDiff.toExponential(2)}   top-1 ${pct(row.top1Agreement)}  ${row.passed ? 'pass' : 'FAIL'}`),
    ...field.notes.map((note) => `    note: ${note}`),
    `    ${`emulated kernels, worst of ${field.emulated.results.length} (${field.emulated.samples})`.padEnd(74)} relDiff ${field.emulated.worst.relDiff.toExponential(2)}   top-1 ${pct(field.emulated.worst.top1Agreement)}  ${field.emulated.passed ? 'pass' : 'FAIL'} (search margin ×${field.emulated.margin})`,
    `    ${'bound for any order: proven / probabilistic'.padEnd(74)} relDiff ${field.bound.deterministic.toExponential(2)} / ${field.bound.probabilistic.toExponential(2)} (fails with p ≤ ${field.bound.failureProbability.toExponential(0)})`,
  ];
}

function kindRow(kind: FragilityKind): string {
  const last = kind.magnitudes.length - 1;
  // For multi-point kinds show the most telling point: noise of 0.1 %, 50 % pruning, a +1 % edit, or the last step.
  const telling: Partial<Record<FragilityKind['kind'], number>> = { multiplicative: 0.001, additive: 0.001, prune: 50, 'single-edit': 0.01 };
  const pick = kind.kind in telling ? kind.magnitudes.indexOf(telling[kind.kind]!) : last;
  const i = pick >= 0 ? pick : last;
  const at = kind.magnitudes.length > 1 ? ` at ${kind.magnitudes[i]}` : '';
  return `  ${kind.kind.padEnd(16)}${sci(kind.original.s50, kind.original.s50BelowGrid).padStart(14)}${sci(kind.protected.s50, kind.protected.s50BelowGrid).padStart(16)}${formatFactor(kind).padStart(18)}   ${kind.original.mean[i]!.toFixed(3)} → ${kind.protected.mean[i]!.toFixed(3)}${at}`;
}

/** Human-readable `verify` output. */
export function formatVerification(v: VerifyResult): string {
  const lines = [`${v.ok ? 'OK' : 'TAMPERED'}: ${v.modelPath}`];
  for (const file of v.files) lines.push(`  ${file.ok ? 'ok ' : 'BAD'} ${file.name}${file.ok ? '' : ` (${file.problem})`}`);
  if (v.equivalence) {
    lines.push(`  re-run against the original: top-1 agreement ${pct(v.equivalence.top1Agreement)}, relDiff ${v.equivalence.relDiff.toExponential(2)} → ${v.equivalence.passed ? 'equivalent' : 'NOT equivalent'}`);
  } else {
    lines.push(`  original not found at ${v.originalPath}: checked file hashes only`);
  }
  return lines.join('\n');
}
