import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ReportFormatError } from '../../../src/core/errors';
import { parseReport } from '../../../src/core/reportParse';

const fixture = (name: string): string => readFileSync(new URL(`../webview/fixtures/${name}`, import.meta.url), 'utf8');
const current = fixture('report.json');
const v01 = fixture('report-0.1.json');
const FILE = '/w/out/report.json';

/** Asserts that parsing throws a ReportFormatError naming FILE and matching `problem`. */
function refuses(input: unknown, problem: RegExp): void {
  assert.throws(
    () => parseReport(input, FILE),
    (error: unknown) => {
      assert.ok(error instanceof ReportFormatError, String(error));
      assert.equal(error.code, 'REPORT_FORMAT');
      assert.equal(error.file, FILE);
      assert.ok(error.message.startsWith(`${FILE}: `), error.message);
      assert.match(error.problem, problem);
      return true;
    },
  );
}

/** The current fixture with one field changed (undefined deletes it). */
function edited(path: string, value: unknown): unknown {
  const report = JSON.parse(current) as Record<string, unknown>;
  const keys = path.split('.');
  const last = keys.pop()!;
  const parent = keys.reduce((o, k) => o[k] as Record<string, unknown>, report);
  if (value === undefined) delete parent[last];
  else parent[last] = value;
  return report;
}

describe('parseReport', () => {
  it('reads a current report (with the field check) unchanged', () => {
    const report = parseReport(current, FILE);
    assert.deepEqual(report, JSON.parse(current));
    assert.ok(report.equivalence.field);
  });

  it('reads a 0.1 report (no field check, no trade-off)', () => {
    const report = parseReport(v01, FILE);
    assert.equal(report.equivalence.field, undefined);
    assert.equal(report.construction.tradeOff, undefined);
    assert.equal(report.fragility.kinds.length, 8);
  });

  it('takes an already parsed value', () => assert.equal(parseReport(JSON.parse(v01), FILE).verdict, JSON.parse(v01).verdict));

  it('refuses truncated JSON', () => refuses(current.slice(0, current.length / 2), /^not valid JSON/));
  it('refuses JSON that is not a MimosaNet report', () => {
    refuses('{"reportType":"jest"}', /^not a MimosaNet report$/);
    refuses('[1, 2]', /^not a MimosaNet report$/);
  });
  it('refuses another schema version', () => refuses(edited('schemaVersion', 2), /schemaVersion 2; this tool reads version 1/));
  it('names a missing required field', () => {
    refuses(edited('equivalence.passed', undefined), /^missing required field 'equivalence\.passed'$/);
    refuses(edited('protected.sha256', undefined), /'protected\.sha256'/);
  });
  it('names a mistyped field, down to a perturbation kind', () => {
    refuses(edited('data.source', 'disk'), /^field 'data\.source' is "disk", expected one of "file", "probes"$/);
    refuses(edited('equivalence.relDiff', '5e-7'), /'equivalence\.relDiff' is "5e-7", expected a number/);
    const report = JSON.parse(current);
    report.fragility.kinds[2].fragilityFactor = 'big';
    refuses(report, /^field 'fragility\.kinds\[2\]\.fragilityFactor' is "big", expected a number or null$/);
  });
});
