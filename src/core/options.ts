import { ENGINE_CHOICES, type EngineChoice } from './compute';
import { PERTURBATION_KINDS, type PerturbationKind } from './report';

/**
 * The protect options in one place: defaults, allowed ranges and the one parser. The parser
 * speaks neutrally (option key, value, what was expected); the CLI phrases a problem as a flag
 * ("--copies must be …") and the extension as a setting ("mimosanet.copies = 2 is invalid …").
 */

/** Options of a protect job. */
export interface ProtectOptions {
  /** Seed of every random choice; same seed and inputs → byte-identical output. */
  seed: number;
  /** Equivalence tolerance on relDiff. */
  tolerance: number;
  /** 'auto' searches the largest passing amplitude; a number fixes it. */
  amplitude: 'auto' | number;
  /** Copies per hidden neuron (≥ 3: one keeps the weights, the rest cancel). */
  copies: number;
  /** Positive rescaling by powers of two in 2^[-r, r] (ReLU-family layers only); 0 disables it. */
  rescaleExponent: number;
  /** Extra cancelling twin pairs per hidden layer (0 = none). */
  twins: number;
  /** Certified tripwires between the first two hidden ReLU layers (0 = none); silent on every input. */
  tripwires: number;
  /** Perturbation kinds to sweep. */
  kinds: PerturbationKind[];
  /** At most this many evaluation samples are used (first N). */
  maxSamples: number;
  /** Seeded repeats per magnitude for noise sweeps. */
  repeats: number;
  /**
   * The engine of the sweeps and the amplitude search: 'auto' (fastest that starts), or one by
   * name. The equivalence check always runs in the format's own runtimes.
   */
  engine: EngineChoice;
  /** Run the attack lab after the sweeps when the data has labels (`--no-attacks` turns it off). */
  attacks: boolean;
  /**
   * Record ownership evidence for `compare` (reference networks, conferrable fingerprints) when
   * the data has labels (`--no-ownership` turns it off).
   */
  ownership: boolean;
}

/** Defaults of every protect option, shared by the CLI, the worker and the extension settings. */
export const DEFAULT_OPTIONS: Readonly<ProtectOptions> = Object.freeze({
  seed: 1,
  tolerance: 1e-4,
  amplitude: 'auto',
  copies: 3,
  rescaleExponent: 16,
  twins: 0,
  tripwires: 32,
  kinds: [...PERTURBATION_KINDS],
  maxSamples: 2000,
  repeats: 3,
  engine: 'auto',
  attacks: true,
  ownership: true,
});

/** Range of an integer option (inclusive). */
export interface IntegerRange {
  min: number;
  max: number;
}

/** Allowed integer ranges; package.json's settings repeat the user-facing ones (a test keeps them equal). */
export const INTEGER_RANGES = {
  seed: { min: 0, max: 0xffffffff },
  copies: { min: 3, max: 64 },
  rescaleExponent: { min: 0, max: 24 },
  twins: { min: 0, max: 1024 },
  tripwires: { min: 0, max: 1024 },
  maxSamples: { min: 1, max: Number.MAX_SAFE_INTEGER },
  repeats: { min: 1, max: 1000 },
} as const satisfies Record<string, IntegerRange>;

/** One invalid option value. */
export interface OptionProblem {
  /** The option's key in ProtectOptions. */
  option: keyof ProtectOptions;
  /** The value given, as given. */
  value: unknown;
  /** What is allowed, in words: "an integer from 3 to 64". */
  expected: string;
}

/** Raw option values from a command line (strings) or settings (JSON values); absent keys keep their default. */
export type RawOptions = Partial<Record<keyof ProtectOptions, unknown>>;

/** Parses and checks every given option; invalid ones keep their default and are listed as problems. */
export function parseOptions(raw: RawOptions, base: Readonly<ProtectOptions> = DEFAULT_OPTIONS): { options: ProtectOptions; problems: OptionProblem[] } {
  const options: ProtectOptions = { ...base, kinds: [...base.kinds] };
  const problems: OptionProblem[] = [];
  const set = <K extends keyof ProtectOptions>(key: K, parse: (value: unknown) => ProtectOptions[K] | undefined, expected: string): void => {
    const value = raw[key];
    if (value === undefined || value === null) return;
    const parsed = parse(value);
    if (parsed === undefined) problems.push({ option: key, value, expected });
    else options[key] = parsed;
  };
  set('tolerance', (v) => positive(toNumber(v)), 'a number > 0');
  set('amplitude', (v) => (v === 'auto' ? 'auto' : positive(toNumber(v))), '"auto" or a number > 0');
  for (const key of Object.keys(INTEGER_RANGES) as (keyof typeof INTEGER_RANGES)[]) {
    const { min, max } = INTEGER_RANGES[key];
    set(key, (v) => integerIn(toNumber(v), min, max), max >= Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`);
  }
  set('engine', (v) => (ENGINE_CHOICES as readonly unknown[]).includes(v) ? (v as EngineChoice) : undefined, `one of ${ENGINE_CHOICES.join(', ')}`);
  const flag = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : v === 'true' ? true : v === 'false' ? false : undefined);
  set('attacks', flag, 'true or false');
  set('ownership', flag, 'true or false');
  set('kinds', parseKinds, `a list of ${PERTURBATION_KINDS.join(', ')}`);
  return { options, problems };
}

/** Numbers as given, or numeric strings (command lines; the Settings UI sends some numbers as text). */
function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') return Number(value);
  return undefined;
}

function positive(value: number | undefined): number | undefined {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : undefined;
}

function integerIn(value: number | undefined, min: number, max: number): number | undefined {
  return value !== undefined && Number.isInteger(value) && value >= min && value <= max ? value : undefined;
}

/** A list (or comma-separated text) of known kinds, in report order so charts always appear in the same order. */
function parseKinds(value: unknown): PerturbationKind[] | undefined {
  const list = typeof value === 'string' ? value.split(',').map((k) => k.trim()).filter(Boolean) : value;
  if (!Array.isArray(list)) return undefined;
  const known = new Set<string>(PERTURBATION_KINDS);
  if (!list.every((k) => typeof k === 'string' && known.has(k))) return undefined;
  return PERTURBATION_KINDS.filter((k) => list.includes(k));
}
