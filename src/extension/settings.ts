/**
 * The `mimosanet.*` settings turned into ProtectOptions and an output folder. Pure (no
 * `vscode`): the caller passes a getter over the configuration, so the validation and the
 * `${dir}`/`${name}` pattern are unit-tested without VS Code.
 */
import * as path from 'node:path';
import { PERTURBATION_KINDS, type PerturbationKind } from '../core/report';
import { DEFAULT_OPTIONS as ENGINE_DEFAULTS } from '../engine/defaults';
import type { ProtectOptions } from '../protocol/jobs';

/** Reads one setting below `mimosanet.`; undefined when unset. */
export type SettingGetter = (key: string) => unknown;

/** Defaults of every option: the engine's, which the CLI uses too (package.json repeats the user-facing ones; a test keeps them in step). */
export const DEFAULT_OPTIONS: Readonly<ProtectOptions> = ENGINE_DEFAULTS;

/** Default of `mimosanet.outputFolder`: a sibling folder named after the model. */
export const DEFAULT_OUTPUT_FOLDER = '${dir}/${name}.mimosa';

/** Options read from the settings, plus one message per invalid value (replaced by its default). */
export interface SettingsResult {
  /** Options to send with the job. */
  options: ProtectOptions;
  /** "mimosanet.copies = 2 is invalid (an integer ≥ 3); using 3." — shown as a warning. */
  problems: string[];
}

/** Reads and validates the protect options; invalid values fall back to their default with a problem message. */
export function readProtectOptions(get: SettingGetter): SettingsResult {
  const problems: string[] = [];
  const options: ProtectOptions = { ...DEFAULT_OPTIONS, kinds: [...DEFAULT_OPTIONS.kinds] };

  const pick = <K extends keyof ProtectOptions>(
    key: K,
    setting: string,
    parse: (value: unknown) => ProtectOptions[K] | undefined,
    expected: string,
  ): void => {
    const raw = get(setting);
    if (raw === undefined || raw === null) return;
    const value = parse(raw);
    if (value === undefined) {
      problems.push(`mimosanet.${setting} = ${JSON.stringify(raw)} is invalid (${expected}); using ${JSON.stringify(options[key])}.`);
    } else {
      options[key] = value;
    }
  };

  pick('tolerance', 'tolerance', (v) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined), 'a number > 0');
  pick('amplitude', 'amplitude', parseAmplitude, '"auto" or a number > 0');
  pick('seed', 'seed', (v) => integerIn(v, 0, 0xffffffff), 'an integer from 0 to 4294967295');
  pick('maxSamples', 'maxSamples', (v) => integerIn(v, 1, Number.MAX_SAFE_INTEGER), 'an integer ≥ 1');
  pick('repeats', 'repeats', (v) => integerIn(v, 1, 1000), 'an integer from 1 to 1000');
  pick('copies', 'copies', (v) => integerIn(v, 3, 64), 'an integer from 3 to 64');
  pick('kinds', 'perturbations', parseKinds, `a list of ${PERTURBATION_KINDS.join(', ')}`);
  return { options, problems };
}

function parseAmplitude(value: unknown): 'auto' | number | undefined {
  if (value === 'auto') return 'auto';
  // Settings UI edits of a ["string","number"] setting can arrive as a numeric string.
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : undefined;
}

function integerIn(value: unknown, min: number, max: number): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max ? value : undefined;
}

function parseKinds(value: unknown): PerturbationKind[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const known = new Set<string>(PERTURBATION_KINDS);
  if (!value.every((k) => typeof k === 'string' && known.has(k))) return undefined;
  // Report order, not the order the user typed them in, so charts always appear in the same order.
  return PERTURBATION_KINDS.filter((k) => value.includes(k));
}

/**
 * Resolves the output folder pattern for a model: `${dir}` is the model's folder, `${name}` its
 * file name without extension, `${workspaceFolder}` the folder it belongs to. A relative result is
 * taken relative to the model's folder. Throws when the result would be the model's own folder,
 * since the protected copy must never overwrite the original.
 */
export function resolveOutputFolder(pattern: string | undefined, modelPath: string, workspaceFolder?: string): string {
  const dir = path.dirname(modelPath);
  const name = modelBaseName(modelPath);
  const text = (pattern?.trim() || DEFAULT_OUTPUT_FOLDER)
    .replaceAll('${dir}', dir)
    .replaceAll('${name}', name)
    .replaceAll('${workspaceFolder}', workspaceFolder ?? dir);
  const out = path.resolve(dir, text);
  if (out === path.resolve(dir)) {
    throw new Error(`mimosanet.outputFolder "${pattern}" resolves to the model's own folder ${dir}; the protected copy must go elsewhere`);
  }
  return out;
}

/** A model's name without folder and extension ("model" for model.json), used in file names and labels. */
export function modelBaseName(modelPath: string): string {
  const base = path.basename(modelPath);
  const ext = path.extname(base);
  return ext ? base.slice(0, -ext.length) : base;
}
