/**
 * `mimosanet` command-line tool (DESIGN §7): inspect, protect, verify. Progress goes to stderr;
 * with --json the only thing on stdout is one JSON document. Exit codes: 0 success, 1 a check
 * failed, 2 bad usage or bad input, 130 cancelled.
 */
import { deserializeError, MimosaError, UsageError } from '../core/errors';
import { PERTURBATION_KINDS } from '../core/report';
import { parseOptions, type ProtectOptions, type RawOptions } from '../core/options';
import { inspectModel } from '../engine/inspectModel';
import { startEngineProcess } from '../client/engineProcess';
import { JobError, WorkerClient, type WorkerLike } from '../client/workerClient';
import { verifyModel } from '../engine/verifyModel';
import { TOOL_VERSION } from '../engine/version';
import { requireFile, readHead } from '../engine/fileSystem';
import { sniffDataFile } from '../formats/data/sniff';
import { SNIFF_BYTES } from '../formats/registry';
import type { AttackJob, CompareJob, ProtectJob, ProtectResult } from '../protocol/jobs';
import type { JobProgress } from '../protocol/progress';
import { COMMANDS, CommandLineError, commandUsage, parseCommandLine, wantsJson, type Command, type CommandLine, type OptionName } from './args';
import { formatAttackReport, formatComparison, formatEarlyEquivalence, formatInspection, formatProtectSummary, formatVerification } from './format';
import { ProgressReporter } from './progress';

const USAGE = `mimosanet ${TOOL_VERSION}: protect dense neural networks against fine-tuning and re-branding

Usage:
${(Object.keys(COMMANDS) as Command[]).map(commandUsage).join('\n')}

<model> is the model's main file: TF.js Layers model.json, .onnx, .keras or Keras .h5.
--data/--labels: .npy, .npz, .csv or .json evaluation inputs and integer labels.
Perturbation kinds: ${PERTURBATION_KINDS.join(', ')}.
Exit codes: 0 success, 1 check failed, 2 bad usage or input, 130 cancelled.`;

/** Exit codes of the contract. */
export const EXIT = { ok: 0, checkFailed: 1, badInput: 2, cancelled: 130 } as const;

/** The streams the CLI writes to. */
type CliIo = { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream & { isTTY?: boolean } };

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(argv: string[], io: CliIo = process): Promise<number> {
  const json = wantsJson(argv);
  try {
    const line = parseCommandLine(argv);
    if (line.flags.has('version')) {
      io.stdout.write(`${TOOL_VERSION}\n`);
      return EXIT.ok;
    }
    if (line.flags.has('help') || !line.command) {
      (line.flags.has('help') ? io.stdout : io.stderr).write(`${USAGE}\n`);
      return line.flags.has('help') ? EXIT.ok : EXIT.badInput;
    }
    const print = (text: string, document: unknown): void => {
      io.stdout.write(json ? `${JSON.stringify(document, null, 2)}\n` : `${text}\n`);
    };
    return await runCommand(line.command as Command, line.operands[0]!, line, print, io);
  } catch (error) {
    return reportError(error, json, io);
  }
}

/** Runs one parsed command; every path it is given is checked first, so a typo fails at once with the fix. */
async function runCommand(command: Command, target: string, line: CommandLine, print: (text: string, document: unknown) => void, io: CliIo): Promise<number> {
  const { strings, flags } = line;
  switch (command) {
    case 'inspect': {
      const info = await inspectModel(await requireFile(target, 'model'));
      print(formatInspection(info), info);
      return EXIT.ok;
    }
    case 'protect': {
      const options = { ...cliOptions(strings), ...(flags.has('no-attacks') ? { attacks: false } : {}), ...(flags.has('no-ownership') ? { ownership: false } : {}) };
      await requireFile(target, 'model');
      if (strings.data) await checkDataFile(strings.data, 'data');
      if (strings.labels) await checkDataFile(strings.labels, 'labels');
      const job: ProtectJob = {
        modelPath: target,
        force: flags.has('force'),
        ...(strings.out ? { outDir: strings.out } : {}),
        ...(strings.data ? { dataPath: strings.data } : {}),
        ...(strings.labels ? { labelsPath: strings.labels } : {}),
        options,
      };
      const result = await runProtect(job, io, flags.has('quiet'));
      print(formatProtectSummary(result, options.kinds), result.report);
      return result.report.equivalence.passed ? EXIT.ok : EXIT.checkFailed;
    }
    case 'attack': {
      const options = cliOptions(strings);
      const job: AttackJob = {
        protectedPath: await requireFile(target, 'model'),
        originalPath: await requireFile(strings.original!, 'model'),
        dataPath: await requireFile(strings.data!, 'data'),
        ...(strings.labels ? { labelsPath: await requireFile(strings.labels, 'labels') } : {}),
        seed: options.seed,
        engine: options.engine,
      };
      const report = await runInEngine(io, flags.has('quiet') || flags.has('json'), (client, handlers, signal) => client.attack(job, handlers, signal));
      print(formatAttackReport(report), report);
      return EXIT.ok;
    }
    case 'compare': {
      const options = cliOptions(strings);
      const job: CompareJob = {
        suspectPath: await requireFile(target, 'model'),
        ...(strings.original ? { originalPath: await requireFile(strings.original, 'model') } : {}),
        ...(strings.report ? { reportPath: await requireFile(strings.report, 'report') } : {}),
        ...(strings.data ? { dataPath: await requireFile(strings.data, 'data') } : {}),
        ...(strings.labels ? { labelsPath: await requireFile(strings.labels, 'labels') } : {}),
        seed: options.seed,
        engine: options.engine,
      };
      const report = await runInEngine(io, flags.has('quiet') || flags.has('json'), (client, handlers, signal) => client.compare(job, handlers, signal));
      print(formatComparison(report), report);
      return EXIT.ok;
    }
    case 'verify': {
      const verification = await verifyModel(await requireFile(target, 'model'), await requireFile(strings.report!, 'report'));
      print(formatVerification(verification), verification);
      return verification.ok ? EXIT.ok : EXIT.checkFailed;
    }
  }
}

/**
 * Runs a protect job in the engine process, with its equivalence result printed as soon as the
 * first partial report carries it (before the sweeps, the longest phase).
 */
function runProtect(job: ProtectJob, io: CliIo, quiet: boolean): Promise<ProtectResult> {
  let announced = false;
  return runInEngine(io, quiet, (client, handlers, signal) =>
    client.protect(job, {
      ...handlers,
      onPartialReport: (report) => {
        if (announced || !report.equivalence || !report.construction) return;
        announced = true;
        handlers.note(formatEarlyEquivalence(report.equivalence, report.construction));
      },
    }, signal),
  );
}

/**
 * Runs a job in the engine process with progress on stderr. Ctrl-C cancels it: the job stops at
 * its next step, or, when a long synchronous step of a large network does not let it answer
 * within the grace period, its process is killed (and a protect job's staging folder removed).
 */
async function runInEngine<T>(
  io: CliIo,
  quiet: boolean,
  run: (client: WorkerClient, handlers: { onProgress: (progress: JobProgress) => void; note: (text: string) => void }, signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  const progress = new ProgressReporter(io.stderr, { quiet });
  const client = new WorkerClient(startEngineWorker, SILENT_LOG);
  try {
    return await run(client, { onProgress: (p) => progress.update(p), note: (text) => progress.note(text) }, controller.signal);
  } catch (error) {
    throw error instanceof JobError ? deserializeError(error.serialized) : error;
  } finally {
    client.dispose();
    progress.done();
    process.off('SIGINT', onSigint);
  }
}

/** The engine process: dist/worker.js beside dist/cli.js, or its source when running from source. */
function startEngineWorker(): WorkerLike {
  return startEngineProcess(__dirname, '../engine/worker.ts');
}

/** The worker client's lifecycle lines are for the extension's log; the CLI's messages are its errors. */
const SILENT_LOG = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** A --data/--labels file must exist and look like data (by its first bytes) before the model is even read. */
async function checkDataFile(path: string, role: 'data' | 'labels'): Promise<void> {
  const absolute = await requireFile(path, role);
  sniffDataFile(absolute, await readHead(absolute, SNIFF_BYTES, role));
}

function reportError(error: unknown, json: boolean, io: CliIo): number {
  const code = error instanceof MimosaError ? error.code : 'INTERNAL';
  const message = error instanceof Error ? error.message : String(error);
  const exit = code === 'CANCELLED' ? EXIT.cancelled : code === 'EQUIVALENCE' ? EXIT.checkFailed : EXIT.badInput;
  if (json) io.stdout.write(`${JSON.stringify({ error: { code, message } }, null, 2)}\n`);
  io.stderr.write(`mimosanet: ${code === 'INTERNAL' ? 'internal error: ' : ''}${message}\n`);
  if (error instanceof CommandLineError && error.showUsage && !json) io.stderr.write(error.command ? `usage:\n${commandUsage(error.command)}\n` : `run 'mimosanet --help' for usage\n`);
  if (code === 'INTERNAL' && process.env.MIMOSANET_DEBUG && error instanceof Error) io.stderr.write(`${error.stack}\n`);
  return exit;
}

/** The flag behind each protect option. */
const FLAGS: Record<keyof ProtectOptions, string> = {
  seed: '--seed',
  tolerance: '--tolerance',
  amplitude: '--amplitude',
  copies: '--copies',
  rescaleExponent: '--rescale',
  twins: '--twins',
  tripwires: '--tripwires',
  kinds: '--kinds',
  maxSamples: '--max-samples',
  repeats: '--repeats',
  engine: '--engine',
  attacks: '--no-attacks',
  ownership: '--no-ownership',
};

/** Protect options from the command line through the one options parser; the first invalid flag is a usage error. */
function cliOptions(values: CommandLine['strings']): ProtectOptions {
  const raw: RawOptions = {};
  for (const [option, flag] of Object.entries(FLAGS) as [keyof ProtectOptions, string][]) raw[option] = values[flag.slice(2) as OptionName];
  const { options, problems } = parseOptions(raw);
  const [problem] = problems;
  if (problem) throw new UsageError(`${FLAGS[problem.option]} must be ${problem.expected}, got '${String(problem.value)}'`);
  return options;
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}

