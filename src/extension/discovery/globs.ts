/**
 * Glob helpers for discovery: what to search for, and an exclude glob built from `files.exclude`
 * and `search.exclude` (findFiles applies only `files.exclude` on its own). Pure, no `vscode`.
 */

/** Cheap name pre-filter handed to findFiles and the FileSystemWatcher: extensions any format may use. */
export const MODEL_FILE_GLOB = '**/*.{json,h5,hdf5,keras,onnx,tflite}';

/** Saved reports; the content check (tool name, schema) happens after reading. */
export const REPORT_FILE_GLOB = '**/report.json';

/**
 * Default output folders (`<name>.mimosa`, as protect names them). The engine stages its output
 * and renames the finished folder into place, and file watchers report such a rename as one new
 * folder, not as the report and model files inside it: these folders are watched too, so a
 * protect run from the CLI in a terminal shows up without a manual refresh.
 */
export const OUTPUT_FOLDER_GLOB = '**/*.mimosa';

/** Bytes read to recognise a file by content; the format contract promises sniff needs no more. */
export const HEAD_BYTES = 64 * 1024;

/** An exclude setting: glob → true/false, or a `{ when }` condition on a sibling. */
export type ExcludeSetting = Record<string, boolean | { when: string } | null | undefined>;

/**
 * One exclude glob for findFiles from the two settings. Only plain `true` entries count: `{when}`
 * conditions need sibling lookups that findFiles cannot express, and skipping them only means a few
 * more files get the cheap name check. Groups are flattened because VS Code globs do not nest braces.
 */
export function buildExcludeGlob(...settings: (ExcludeSetting | undefined)[]): string | undefined {
  const patterns = new Set<string>();
  for (const setting of settings) {
    for (const [glob, on] of Object.entries(setting ?? {})) {
      if (on !== true) continue;
      for (const p of expandBraces(glob)) patterns.add(p);
    }
  }
  if (patterns.size === 0) return undefined;
  const list = [...patterns];
  return list.length === 1 ? list[0] : `{${list.join(',')}}`;
}

/** Expands `{a,b}` groups ("**\/*.{js,ts}" → two globs); nested groups expand recursively. */
export function expandBraces(glob: string): string[] {
  const open = glob.indexOf('{');
  if (open < 0) return [glob];
  let depth = 0;
  let close = -1;
  const commas: number[] = [];
  for (let i = open; i < glob.length; i++) {
    const c = glob[i];
    if (c === '{') depth++;
    else if (c === '}' && --depth === 0) {
      close = i;
      break;
    } else if (c === ',' && depth === 1) commas.push(i);
  }
  if (close < 0) return [glob]; // unbalanced: leave it to VS Code to reject
  const head = glob.slice(0, open);
  const tail = glob.slice(close + 1);
  const bounds = [open, ...commas, close];
  const out: string[] = [];
  for (let i = 0; i < bounds.length - 1; i++) {
    for (const rest of expandBraces(head + glob.slice(bounds[i]! + 1, bounds[i + 1]) + tail)) out.push(rest);
  }
  return out;
}

/** Escapes glob metacharacters so a literal relative path can be used as a findFiles include. */
export function escapeGlob(literal: string): string {
  return literal.replace(/[[\]{}*?]/g, (c) => `[${c}]`);
}

/**
 * The `files.exclude` entry the extension contributes (package.json `configurationDefaults`),
 * so the staging folder of a running protect job does not show in the Explorer.
 */
export const STAGING_EXCLUDE_GLOB = '**/.*.partial-[0-9a-f]*';

/**
 * Whether a path lies in the engine's staging folder (`.<out>.partial-<hex>`, and `.old` while
 * swapping): files there appear and vanish within one protect run and are not the user's models
 * or reports.
 */
export function isStagingPath(fsPath: string): boolean {
  return fsPath.split(/[\\/]/).some((segment) => /^\..+\.partial-[0-9a-f]+(\.old)?$/.test(segment));
}
