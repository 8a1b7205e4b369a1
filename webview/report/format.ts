/**
 * Text helpers of the report (panel and HTML export): layers, names, HTML escaping. Pure, no DOM:
 * unit-tested with node:test. Numbers, factors and amplitudes are formatted by core/reportFormat,
 * as the CLI and the sidebar do.
 */

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
