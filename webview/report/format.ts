/**
 * Number and text formatting for the report (panel and HTML export). Pure, no DOM: unit-tested
 * with node:test. Factors and amplitudes are formatted by core/verdict, as the CLI and the verdict do.
 */
import { formatAmplitude, formatFactor } from '../../src/core/verdict';

/** A general number in 3 significant digits; exponent notation outside [1e-3, 1e5). */
export function fmtNum(value: number | null | undefined, digits = 3): string {
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
export function fmtPct(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  if (value === 1 || value === 0) return `${value * 100} %`;
  return `${(value * 100).toFixed(digits)} %`;
}

/** Bytes in KiB/MiB: 1511152 → "1.44 MiB". */
export function fmtBytes(bytes: number | null | undefined): string {
  if (!bytes) return '—';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}

/** Seconds for timings: 0.028 → "28 ms", 105.9 → "1 min 46 s". */
export function fmtSeconds(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const min = Math.floor(seconds / 60);
  return `${min} min ${Math.round(seconds - min * 60)} s`;
}

/** Integer counts with grouping: 109386 → "109,386". */
export function fmtCount(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : Math.round(value).toLocaleString('en-US');
}

/**
 * A fragility factor as the verdict and the CLI word it ("161×", "≥ 300×", "1,192,115×"): one
 * format everywhere, from core/verdict; "—" when there is none (as every missing table value).
 */
export function fmtFactor(factor: number | null | undefined, bound: 'exact' | 'lower' = 'exact'): string {
  if (factor === null || factor === undefined || Number.isNaN(factor)) return '—';
  return formatFactor({ fragilityFactor: factor, fragilityFactorBound: bound });
}

/** An amplitude as the verdict and the CLI word it ("2,896 (2^11.5)", "16 (2^4)"), from core/verdict; "—" when unknown. */
export function fmtAmplitude(value: number | null | undefined): string {
  if (value === null || value === undefined || !(value > 0)) return '—';
  return formatAmplitude(value);
}

/** Dense widths: "784 → 128 relu → 64 relu → 10 softmax". */
export function fmtLayers(inputs: number | undefined, layers: readonly { units: number; activation: string }[] | undefined): string {
  if (!layers?.length) return '—';
  const parts = layers.map((l) => `${l.units} ${l.activation}`);
  return (inputs ? [String(inputs), ...parts] : parts).join(' → ');
}


/** Last path segment, for either separator. */
export function baseName(path: string | undefined): string {
  if (!path) return '';
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

/** "mnist-mlp/model.json" for generic main-file names, the file name otherwise (as the sidebar labels models). */
export function modelName(path: string | undefined): string {
  if (!path) return 'model';
  const parts = path.split(/[\\/]/).filter(Boolean);
  const base = parts[parts.length - 1] ?? path;
  const parent = parts[parts.length - 2];
  return /^(model|saved_model|weights)\.\w+$/i.test(base) && parent ? `${parent}/${base}` : base;
}

/** A file-name-safe stem for exports: "mnist-mlp/model.json" → "mnist-mlp-model". */
export function exportStem(path: string | undefined): string {
  return modelName(path).replace(/\.[^.]+$/, '').replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '') || 'mimosanet';
}

/** Escapes text for HTML (the static export builds markup as a string). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
