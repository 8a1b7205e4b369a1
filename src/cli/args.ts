/**
 * The command line's grammar: which options each command takes, and a parser that names the
 * offending option and lists the valid ones (Node's parseArgs only says "Unknown option").
 */
import { parseArgs } from 'node:util';
import { UsageError } from '../core/errors';

/** Every option any command takes: its type and the placeholder shown in usage. */
const OPTIONS = {
  out: { type: 'string', value: '<dir>' },
  data: { type: 'string', value: '<X>' },
  labels: { type: 'string', value: '<y>' },
  seed: { type: 'string', value: '<n>' },
  tolerance: { type: 'string', value: '<t>' },
  amplitude: { type: 'string', value: 'auto|<M>' },
  copies: { type: 'string', value: '<k>' },
  rescale: { type: 'string', value: '<r>' },
  twins: { type: 'string', value: '<n>' },
  tripwires: { type: 'string', value: '<n>' },
  kinds: { type: 'string', value: '<k1,k2,..>' },
  repeats: { type: 'string', value: '<n>' },
  'max-samples': { type: 'string', value: '<n>' },
  engine: { type: 'string', value: 'auto|onnxruntime|tfjs-wasm|js' },
  'no-attacks': { type: 'boolean' },
  'no-ownership': { type: 'boolean' },
  report: { type: 'string', value: '<report.json>' },
  original: { type: 'string', value: '<model>' },
  force: { type: 'boolean' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const satisfies Record<string, { type: 'string' | 'boolean'; value?: string; short?: string }>;

/** An option's name without dashes. */
export type OptionName = keyof typeof OPTIONS;

/** Commands, their operand, an example, and the options each takes (--help and --version go with any; `required` ones are not optional). */
export const COMMANDS = {
  inspect: { operand: '<model>', example: 'mimosanet inspect model.json', required: [], options: ['json'] },
  protect: {
    operand: '<model>',
    example: 'mimosanet protect model.json',
    required: [],
    options: ['out', 'data', 'labels', 'seed', 'tolerance', 'amplitude', 'force', 'json', 'quiet', 'copies', 'rescale', 'twins', 'tripwires', 'kinds', 'repeats', 'max-samples', 'engine', 'no-attacks', 'no-ownership'],
  },
  attack: {
    operand: '<protected-model>',
    example: 'mimosanet attack model.mimosa/model.json --original model.json --data x.npy --labels y.npy',
    // Without --labels the attacks that need none run (measured as agreement with the original).
    required: ['original', 'data'],
    options: ['original', 'data', 'labels', 'seed', 'engine', 'json'],
  },
  compare: {
    operand: '<suspect-model>',
    example: 'mimosanet compare suspect.json --original model.json --data x.npy --labels y.npy',
    // --original trains the baseline now (without --data on seeded probes; without --labels no
    // independent references); --report reads the one protect recorded. One of the two.
    required: [],
    options: ['original', 'report', 'data', 'labels', 'seed', 'engine', 'json', 'quiet'],
  },
  verify: { operand: '<protected-model>', example: 'mimosanet verify model.mimosa/model.json --report model.mimosa/report.json', required: ['report'], options: ['report', 'json'] },
} as const satisfies Record<string, { operand: string; example: string; required: readonly OptionName[]; options: readonly OptionName[] }>;

export type Command = keyof typeof COMMANDS;

const GLOBAL: readonly OptionName[] = ['help', 'version'];

/**
 * A command line the parser cannot make sense of. `command` is the command it was meant for
 * (when known) and `showUsage` asks the CLI to print that command's usage after the message
 * (messages that already list the valid options do not).
 */
export class CommandLineError extends UsageError {
  constructor(
    message: string,
    readonly command?: Command,
    readonly showUsage = false,
  ) {
    super(message);
  }
}

/** The parsed command line. */
export interface CommandLine {
  /** The first positional, as typed (checked against COMMANDS by the caller). */
  command: string | undefined;
  /** Positionals after the command. */
  operands: string[];
  /** String options by name. */
  strings: Partial<Record<OptionName, string>>;
  /** Boolean options that were given. */
  flags: Set<OptionName>;
}

/** True when `--json` appears before any `--` terminator: errors of the parse itself are then reported as JSON too. */
export function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}

function isCommand(name: string | undefined): name is Command {
  return name !== undefined && Object.hasOwn(COMMANDS, name);
}

/** `--out <dir>` etc. */
function optionText(name: OptionName): string {
  const spec = OPTIONS[name];
  return 'value' in spec ? `--${name} ${spec.value}` : `--${name}`;
}

/** One usage line per command, wrapped as the full usage shows it. */
export function commandUsage(command: Command): string {
  const { operand, options, required } = COMMANDS[command];
  const prefix = `  mimosanet ${command.padEnd(7)} ${operand}`;
  const lines: string[] = [];
  let line = prefix;
  for (const option of options) {
    const part = (required as readonly OptionName[]).includes(option) ? ` ${optionText(option)}` : ` [${optionText(option)}]`;
    if (line.length + part.length > 92 && line !== prefix) {
      lines.push(line);
      line = ' '.repeat(prefix.length - operand.length - 1);
    }
    line += part;
  }
  return [...lines, line].join('\n');
}

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** The valid options of a command (or of all commands) as text, with a near miss first when there is one. */
function validOptions(raw: string, command: Command | undefined): string {
  const names: OptionName[] = command ? [...COMMANDS[command].options, ...GLOBAL] : (Object.keys(OPTIONS) as OptionName[]);
  const typed = raw.replace(/^-+/, '');
  const near = names.filter((n) => distance(typed, n) <= Math.min(2, Math.floor(n.length / 3)) || (typed.length >= 3 && n.startsWith(typed)));
  const list = `${command ? `'${command}' takes` : 'options are'} ${names.map((n) => `--${n}`).join(', ')}`;
  return near.length > 0 ? `did you mean ${near.map((n) => `--${n}`).join(' or ')}? ${list}` : list;
}

/**
 * Parses argv (without node and script). Unknown options, options another command takes,
 * missing values and values on switches are UsageErrors that name the option and list the
 * command's options.
 */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const { tokens } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: false, tokens: true });
  const positionals = tokens.filter((t) => t.kind === 'positional').map((t) => t.value);
  const command = positionals[0];
  const known = isCommand(command) ? command : undefined;
  const line: CommandLine = { command, operands: positionals.slice(1), strings: {}, flags: new Set() };
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const raw = token.rawName;
    if (!Object.hasOwn(OPTIONS, token.name)) throw new CommandLineError(`unknown option '${raw}'; ${validOptions(raw, known)}`, known);
    const name = token.name as OptionName;
    if (known && !GLOBAL.includes(name) && !(COMMANDS[known].options as readonly OptionName[]).includes(name)) {
      throw new CommandLineError(`option '${raw}' does not apply to '${known}'; ${validOptions(raw, known)}`, known);
    }
    if (OPTIONS[name].type === 'boolean') {
      if (token.value !== undefined) throw new CommandLineError(`option '${raw}' takes no value (got '${raw}=${token.value}')`, known);
      line.flags.add(name);
      continue;
    }
    // A following option is not a value: `--out --json` means --out was left empty.
    if (token.value === undefined || (!token.inlineValue && token.value.startsWith('--'))) {
      throw new CommandLineError(`option '${raw}' needs a value: ${optionText(name)}`, known);
    }
    line.strings[name] = token.value;
  }
  checkCommand(line);
  return line;
}

/** A known command with exactly one operand and its required options, unless --help or --version make that moot. */
function checkCommand(line: CommandLine): void {
  const { command, operands } = line;
  if (command === undefined || line.flags.has('help') || line.flags.has('version')) return;
  if (!isCommand(command)) {
    const names = Object.keys(COMMANDS);
    throw new CommandLineError(`unknown command '${command}' (expected ${names.slice(0, -1).join(', ')} or ${names.at(-1)})`, undefined, true);
  }
  const { operand, example, required } = COMMANDS[command];
  if (operands.length === 0) throw new CommandLineError(`'${command}' needs a ${operand} argument, e.g. ${example}`, command, true);
  if (operands.length > 1) throw new CommandLineError(`unexpected argument '${operands[1]}': '${command}' takes one ${operand}`, command, true);
  const missing = (required as readonly OptionName[]).find((name) => line.strings[name] === undefined);
  if (missing) throw new CommandLineError(`'${command}' needs ${optionText(missing)}, e.g. ${example}`, command, true);
}
