/**
 * `mimosanet` command-line tool (DESIGN §7): inspect, protect, verify. Progress goes to stderr;
 * with --json the only thing on stdout is one JSON document. Exit codes: 0 success, 1 a check
 * failed, 2 bad usage or bad input, 130 cancelled.
 */
import { parseArgs } from 'node:util';
import { MimosaError, UsageError } from '../core/errors';
import { PERTURBATION_KINDS } from '../core/report';
import { parseOptions, type ProtectOptions, type RawOptions } from '../core/options';
import { inspectModel } from '../engine/inspectModel';
import { protectModel } from '../engine/protectModel';
import { verifyModel } from '../engine/verifyModel';
import { TOOL_VERSION } from '../engine/version';
import type { ProtectJob } from '../protocol/jobs';
import { formatInspection, formatProtectSummary, formatVerification } from './format';
import { ProgressReporter } from './progress';

const USAGE = `mimosanet ${TOOL_VERSION}: protect dense neural networks against fine-tuning and re-branding

Usage:
  mimosanet inspect <model> [--json]
  mimosanet protect <model> [--out <dir>] [--data <X>] [--labels <y>] [--seed <n>]
                    [--tolerance <t>] [--amplitude auto|<M>] [--force] [--json] [--quiet]
                    [--copies <k>] [--rescale <r>] [--twins <n>] [--tripwires <n>]
                    [--kinds <k1,k2,..>] [--repeats <n>] [--max-samples <n>]
  mimosanet verify  <protected-model> --report <report.json> [--json]

<model> is the model's main file (TF.js Layers model.json).
--data/--labels: .npy, .npz, .csv or .json evaluation inputs and integer labels.
Perturbation kinds: ${PERTURBATION_KINDS.join(', ')}.
Exit codes: 0 success, 1 check failed, 2 bad usage or input, 130 cancelled.`;

/** Exit codes of the contract. */
export const EXIT = { ok: 0, checkFailed: 1, badInput: 2, cancelled: 130 } as const;

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(argv: string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream & { isTTY?: boolean } } = process): Promise<number> {
  let json = false;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        out: { type: 'string' },
        data: { type: 'string' },
        labels: { type: 'string' },
        seed: { type: 'string' },
        tolerance: { type: 'string' },
        amplitude: { type: 'string' },
        copies: { type: 'string' },
        rescale: { type: 'string' },
        twins: { type: 'string' },
        tripwires: { type: 'string' },
        kinds: { type: 'string' },
        repeats: { type: 'string' },
        'max-samples': { type: 'string' },
        report: { type: 'string' },
        force: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
    });
    json = values.json;
    if (values.version) {
      io.stdout.write(`${TOOL_VERSION}\n`);
      return EXIT.ok;
    }
    const [command, target, ...extra] = positionals;
    if (values.help || !command) {
      (values.help ? io.stdout : io.stderr).write(`${USAGE}\n`);
      return values.help ? EXIT.ok : EXIT.badInput;
    }
    if (!target) throw new UsageError(`'${command}' needs a model file`);
    if (extra.length) throw new UsageError(`Unexpected argument '${extra[0]}'`);
    const print = (text: string, document: unknown): void => {
      io.stdout.write(json ? `${JSON.stringify(document, null, 2)}\n` : `${text}\n`);
    };
    switch (command) {
      case 'inspect': {
        const info = await inspectModel(target);
        print(formatInspection(info), info);
        return EXIT.ok;
      }
      case 'protect': {
        const job: ProtectJob = {
          modelPath: target,
          force: values.force,
          ...(values.out ? { outDir: values.out } : {}),
          ...(values.data ? { dataPath: values.data } : {}),
          ...(values.labels ? { labelsPath: values.labels } : {}),
          options: cliOptions(values),
        };
        const controller = new AbortController();
        const onSigint = (): void => controller.abort();
        process.once('SIGINT', onSigint);
        const progress = new ProgressReporter(io.stderr, { quiet: values.quiet });
        try {
          const result = await protectModel(job, { signal: controller.signal, onProgress: (p) => progress.update(p) });
          progress.done();
          print(formatProtectSummary(result), result.report);
          return result.report.equivalence.passed ? EXIT.ok : EXIT.checkFailed;
        } finally {
          progress.done();
          process.off('SIGINT', onSigint);
        }
      }
      case 'verify': {
        if (!values.report) throw new UsageError("'verify' needs --report <report.json>");
        const verification = await verifyModel(target, values.report);
        print(formatVerification(verification), verification);
        return verification.ok ? EXIT.ok : EXIT.checkFailed;
      }
      default:
        throw new UsageError(`Unknown command '${command}' (expected inspect, protect or verify)`);
    }
  } catch (error) {
    return reportError(error, json, io);
  }
}

function reportError(error: unknown, json: boolean, io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): number {
  const code = error instanceof MimosaError ? error.code : (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? 'USAGE' : 'INTERNAL';
  const message = error instanceof Error ? error.message : String(error);
  const exit = code === 'CANCELLED' ? EXIT.cancelled : code === 'EQUIVALENCE' ? EXIT.checkFailed : EXIT.badInput;
  if (json) io.stdout.write(`${JSON.stringify({ error: { code, message } }, null, 2)}\n`);
  io.stderr.write(`mimosanet: ${code === 'INTERNAL' ? 'internal error: ' : ''}${message}\n`);
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
};

/** Protect options from the command line through the one options parser; the first invalid flag is a usage error. */
function cliOptions(values: Partial<Record<string, string | boolean>>): ProtectOptions {
  const raw: RawOptions = {};
  for (const [option, flag] of Object.entries(FLAGS) as [keyof ProtectOptions, string][]) raw[option] = values[flag.slice(2)];
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

