/**
 * How report numbers read, everywhere: the CLI summary, the sidebar's descriptions and tooltips,
 * the report panel and its HTML export all format through these, one function per kind of value.
 * Pure; "—" stands for a missing value, as in every table of the report.
 */
import type { FragilityKind, FragilitySeries, PerturbationKind } from './report';

/** A general number (relDiff, |Δ|, s50, tolerance, ...) in 3 significant digits; exponent notation outside [1e-3, 1e5). */
export function formatNumber(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e5 || abs < 1e-3) {
    const [mantissa, exp] = value.toExponential(digits - 1).split('e');
    return `${mantissa!.replace(/\.?0+$/, '')}e${Number(exp)}`;
  }
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  return String(Number(value.toPrecision(digits)));
}

/** A fraction as a percentage with fixed decimals: 0.9525 → "95.3 %" (digits 1), 1 and 0 → "100 %", "0 %". */
export function formatPercent(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  if (value === 1 || value === 0) return `${value * 100} %`;
  return `${(value * 100).toFixed(digits)} %`;
}

/** Integer counts with grouping: 109386 → "109,386". */
export function formatCount(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : Math.round(value).toLocaleString('en-US');
}

/** Bytes in KiB/MiB: 1511152 → "1.44 MiB". */
export function formatBytes(bytes: number | null | undefined): string {
  if (!bytes) return '—';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}

/** Seconds for timings: 0.028 → "28 ms", 105.9 → "1 min 46 s". */
export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const min = Math.floor(seconds / 60);
  return `${min} min ${Math.round(seconds - min * 60)} s`;
}

/** A fragility factor: "161×", "≥ 300×", "953,969×" (grouped from 100 on, else 3 significant digits), "—" when there is none. */
export function formatFactor(factor: number | null | undefined, bound: FragilityKind['fragilityFactorBound'] = 'exact'): string {
  if (factor === null || factor === undefined || Number.isNaN(factor)) return '—';
  const value = factor >= 100 ? Math.round(factor).toLocaleString('en-US') : factor.toPrecision(3);
  return `${bound === 'lower' ? '≥ ' : ''}${value}×`;
}

/** An amplitude with its power-of-two exponent, as the search chooses them: "2,896 (2^11.5)", "22.6 (2^4.5)"; "—" when unknown. */
export function formatAmplitude(amplitude: number | null | undefined): string {
  if (amplitude === null || amplitude === undefined || !(amplitude > 0)) return '—';
  const exponent = Math.log2(amplitude);
  const rounded = Math.round(exponent * 2) / 2;
  // From 100 on, whole and grouped (724, 2,896); below, three significant digits without padding (1, 5.66, 22.6).
  const value = amplitude >= 100 ? Math.round(amplitude).toLocaleString('en-US') : amplitude.toLocaleString('en-US', { maximumSignificantDigits: 3 });
  return Math.abs(exponent - rounded) < 1e-9 ? `${value} (2^${rounded})` : value;
}

/**
 * s50 in words: a number, "> largest" when never reached on the grid, "≤ smallest" when broken
 * from the first magnitude, "—" for one-magnitude kinds. `format` writes the magnitude
 * (formatNumber; `(v) => formatMagnitude(kind.kind, v)` adds the kind's unit: "> 300 steps").
 */
export function formatS50(kind: Pick<FragilityKind, 'magnitudes'>, series: FragilitySeries, chance: number, format: (magnitude: number) => string = formatNumber): string {
  const mags = kind.magnitudes;
  if (mags.length < 2) return '—';
  if (series.s50 === null) return `> ${format(mags[mags.length - 1]!)}`;
  // Reports before schema field s50BelowGrid: the curve already at or below halfway at the first magnitude.
  const halfway = chance + (series.clean - chance) / 2;
  const belowGrid = series.s50BelowGrid ?? (series.s50 === mags[0] && (series.mean[0] ?? series.clean) <= halfway);
  return belowGrid ? `≤ ${format(series.s50)}` : format(series.s50);
}

/** How the magnitudes of one perturbation kind read (s50 cells, telling points, chart axes). */
export interface MagnitudeUnit {
  /** Shown value = magnitude × scale: relative sizes read as percentages (0.001 → 0.1 %). */
  scale: number;
  /** What follows the shown number: " %", " σ", " steps" (given the shown value, for singulars). */
  unit: (shown: number) => string;
  /** A magnitude in words, from the formatted number and the shown value: "0.1 % noise", "300 Adam steps", "50 % pruned". */
  phrase: (number: string, shown: number) => string;
  /** Title of a chart's magnitude axis in these units; the report's `magnitudeLabel` when absent. */
  axis?: string;
}

const steps = (optimizer: string): MagnitudeUnit => ({
  scale: 1,
  unit: (shown) => (shown === 1 ? ' step' : ' steps'),
  phrase: (n, shown) => `${n} ${optimizer} step${shown === 1 ? '' : 's'}`,
});

/** Units per kind; a kind without an entry (one measured at a single point) reads its magnitudes bare. */
const MAGNITUDE_UNITS: Partial<Record<PerturbationKind, MagnitudeUnit>> = {
  multiplicative: { scale: 100, unit: () => ' %', phrase: (n) => `${n} % noise`, axis: 'noise s in % of each weight: w·(1 + s·ε)' },
  additive: { scale: 1, unit: () => ' σ', phrase: (n) => `${n} σ noise`, axis: 'noise s in σ (std of the original layer’s weights)' },
  'finetune-adam': steps('Adam'),
  'finetune-sgd': steps('SGD'),
  prune: { scale: 1, unit: () => ' %', phrase: (n) => `${n} % pruned` },
  'single-edit': { scale: 100, unit: () => ' %', phrase: (n) => `+${n} % to one weight`, axis: 'change of one random weight, %' },
};

const BARE: MagnitudeUnit = { scale: 1, unit: () => '', phrase: (n) => n };

/** The unit of a kind's magnitudes (bare numbers for kinds that have none). */
export function magnitudeUnit(kind: PerturbationKind | string): MagnitudeUnit {
  return MAGNITUDE_UNITS[kind as PerturbationKind] ?? BARE;
}

/** A magnitude with its unit: "0.1 %" (multiplicative 0.001), "1e-10 σ", "300 steps", "81.8 %". */
export function formatMagnitude(kind: PerturbationKind | string, magnitude: number): string {
  const u = magnitudeUnit(kind);
  const shown = magnitude * u.scale;
  return `${formatNumber(shown)}${u.unit(shown)}`;
}

/** A magnitude in words: "0.1 % noise", "1e-10 σ noise", "300 Adam steps", "50 % pruned", "+1 % to one weight". */
export function formatMagnitudePhrase(kind: PerturbationKind | string, magnitude: number): string {
  const u = magnitudeUnit(kind);
  const shown = magnitude * u.scale;
  return u.phrase(formatNumber(shown), shown);
}
