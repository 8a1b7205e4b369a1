/**
 * The one reader of report.json, used by `verify`, the extension's report store and the report
 * panel. It accepts every shape of schema version 1 that exists (reports of 0.1, without
 * `equivalence.field`, and later ones with it) and refuses anything else with a
 * ReportFormatError naming the file and the problem. The report comes back unchanged.
 */
import { ReportFormatError } from './errors';
import { PERTURBATION_KINDS, type ProtectionReport } from './report';

/** What a required field must hold: a JSON type, a number or null, one of some strings, or an object of required fields. */
type Expect = 'string' | 'number' | 'boolean' | 'array' | 'object' | 'number|null' | readonly string[] | Shape;
interface Shape {
  readonly [field: string]: Expect;
}

const SERIES: Shape = { mean: 'array', clean: 'number', s50: 'number|null' };

const KIND: Shape = {
  kind: PERTURBATION_KINDS,
  magnitudes: 'array',
  fragilityFactor: 'number|null',
  fragilityFactorBound: ['exact', 'lower'],
  original: SERIES,
  protected: SERIES,
};

/** The fields every reader relies on; optional fields of the schema (field, tradeOff, ...) are not required. */
const REPORT: Shape = {
  createdAt: 'string',
  tool: { version: 'string' },
  model: { path: 'string', format: 'string', layers: 'array', inputs: 'number', parameters: 'number', bytes: 'number' },
  protected: { path: 'string', files: 'array', layers: 'array', parameters: 'number', bytes: 'number', sha256: 'object' },
  construction: {
    seed: 'number',
    amplitude: 'number',
    amplitudeMode: ['auto', 'fixed'],
    amplitudeSearch: 'array',
    tolerance: 'number',
    copies: 'number',
    methods: 'array',
  },
  data: { source: ['file', 'probes'], samples: 'number', labelled: 'boolean' },
  equivalence: {
    top1Agreement: 'number',
    maxAbsDiff: 'number',
    meanAbsDiff: 'number',
    relDiff: 'number',
    compared: ['logits', 'outputs'],
    accuracyOriginal: 'number|null',
    accuracyProtected: 'number|null',
    passed: 'boolean',
    runtime: 'string',
    perSampleMaxAbsDiff: 'array',
  },
  fragility: { metric: ['accuracy', 'agreement'], chance: 'number', samples: 'number', runtime: 'string', kinds: 'array' },
  verdict: 'string',
  timings: 'object',
};

/**
 * Parses report.json text (or an already parsed value) from `source` (the file, for messages).
 * Throws ReportFormatError when it is not JSON, not a MimosaNet report, of another schema
 * version, or missing or mistyping a field the readers rely on.
 */
export function parseReport(input: unknown, source: string): ProtectionReport {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (error) {
      throw new ReportFormatError(source, `not valid JSON (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  if (!isObject(value) || !isObject(value.tool) || value.tool.name !== 'mimosanet') throw new ReportFormatError(source, 'not a MimosaNet report');
  if (value.schemaVersion !== 1) {
    throw new ReportFormatError(source, `has report schemaVersion ${JSON.stringify(value.schemaVersion)}; this tool reads version 1`);
  }
  const problem = check(value, REPORT, '') ?? (value.fragility as { kinds: unknown[] }).kinds.map((k, i) => check(k, KIND, `fragility.kinds[${i}]`)).find(Boolean);
  if (problem) throw new ReportFormatError(source, problem);
  return value as unknown as ProtectionReport;
}

/** The first problem of `value` against `shape`, or undefined. */
function check(value: unknown, shape: Shape, path: string): string | undefined {
  if (!isObject(value)) return `field '${path}' is ${describe(value)}, expected an object`;
  for (const [field, expect] of Object.entries(shape)) {
    const at = path ? `${path}.${field}` : field;
    const v = value[field];
    if (v === undefined) return `missing required field '${at}'`;
    if (isShape(expect)) {
      const problem = check(v, expect, at);
      if (problem) return problem;
      continue;
    }
    const wanted = mismatch(v, expect);
    if (wanted) return `field '${at}' is ${describe(v)}, expected ${wanted}`;
  }
  return undefined;
}

function isShape(expect: Expect): expect is Shape {
  return typeof expect === 'object' && !Array.isArray(expect);
}

/** What `v` should have been, or undefined when it fits. */
function mismatch(v: unknown, expect: Exclude<Expect, Shape>): string | undefined {
  if (Array.isArray(expect)) return expect.includes(v as string) ? undefined : `one of ${expect.map((e) => JSON.stringify(e)).join(', ')}`;
  switch (expect) {
    case 'array':
      return Array.isArray(v) ? undefined : 'an array';
    case 'object':
      return isObject(v) ? undefined : 'an object';
    case 'number|null':
      return v === null || typeof v === 'number' ? undefined : 'a number or null';
    default:
      return typeof v === expect ? undefined : `a ${expect}`;
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return typeof v === 'object' ? 'an object' : `${typeof v === 'number' ? 'the number' : 'the boolean'} ${String(v)}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
