/**
 * The `mimosanet.*` settings turned into ProtectOptions and an output folder. Pure (no
 * `vscode`): the caller passes a getter over the configuration, so the validation and the
 * `${dir}`/`${name}` pattern are unit-tested without VS Code.
 */
import * as path from 'node:path';
import { DEFAULT_OPTIONS, parseOptions, type RawOptions } from '../core/options';
import type { ProtectOptions } from '../protocol/jobs';

/** Reads one setting below `mimosanet.`; undefined when unset. */
export type SettingGetter = (key: string) => unknown;

export { DEFAULT_OPTIONS };

/** Default of `mimosanet.outputFolder`: a sibling folder named after the model. */
export const DEFAULT_OUTPUT_FOLDER = '${dir}/${name}.mimosa';

/** The setting (below `mimosanet.`) behind each option a user can set in VS Code. */
export const SETTING_NAMES: Partial<Record<keyof ProtectOptions, string>> = {
  tolerance: 'tolerance',
  amplitude: 'amplitude',
  seed: 'seed',
  copies: 'copies',
  maxSamples: 'maxSamples',
  repeats: 'repeats',
  kinds: 'perturbations',
  engine: 'engine',
  attacks: 'attacks',
  ownership: 'ownership',
};

/** Options read from the settings, plus one message per invalid value (replaced by its default). */
export interface SettingsResult {
  /** Options to send with the job. */
  options: ProtectOptions;
  /** "mimosanet.copies = 2 is invalid (an integer from 3 to 64); using 3." — shown as a warning. */
  problems: string[];
}

/** Reads the protect options through the one options parser; invalid values fall back to their default with a problem message. */
export function readProtectOptions(get: SettingGetter): SettingsResult {
  const raw: RawOptions = {};
  for (const [option, setting] of Object.entries(SETTING_NAMES) as [keyof ProtectOptions, string][]) raw[option] = get(setting);
  const { options, problems } = parseOptions(raw);
  return {
    options,
    problems: problems.map((p) => `mimosanet.${SETTING_NAMES[p.option] ?? p.option} = ${JSON.stringify(p.value)} is invalid (${p.expected}); using ${JSON.stringify(options[p.option])}.`),
  };
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
