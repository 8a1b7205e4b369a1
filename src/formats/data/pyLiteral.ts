/**
 * A parser for the small subset of Python literal syntax a .npy header uses
 * (`{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`): dicts, tuples, lists,
 * strings, integers, floats, True/False/None. It only builds plain values: nothing is ever
 * evaluated, which is the point of not using a general Python-ish evaluator on file content.
 */

/** A parsed literal; tuples and lists both become arrays. */
export type PyValue = string | number | boolean | null | PyValue[] | { [key: string]: PyValue };

/** Parses one literal; throws `SyntaxError` (with the offset) on anything outside the subset. */
export function parsePyLiteral(text: string): PyValue {
  let pos = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at offset ${pos} in ${JSON.stringify(text.slice(0, 120))}`);
  };
  const skipSpace = (): void => {
    while (pos < text.length && /\s/.test(text[pos]!)) pos++;
  };
  const expect = (ch: string): void => {
    skipSpace();
    if (text[pos] !== ch) fail(`expected '${ch}'`);
    pos++;
  };

  // Items of a (...), [...] or {...}; a trailing comma is legal Python and numpy writes one.
  const sequence = <T>(close: string, item: () => T): T[] => {
    const items: T[] = [];
    for (;;) {
      skipSpace();
      if (text[pos] === close) {
        pos++;
        return items;
      }
      items.push(item());
      skipSpace();
      if (text[pos] === ',') pos++;
      else if (text[pos] !== close) fail(`expected ',' or '${close}'`);
    }
  };

  const string = (): string => {
    const quote = text[pos]!;
    pos++;
    let out = '';
    while (pos < text.length && text[pos] !== quote) {
      if (text[pos] === '\\') {
        pos++;
        const escaped = text[pos];
        if (escaped === undefined) break;
        out += escaped === 'n' ? '\n' : escaped === 't' ? '\t' : escaped;
      } else {
        out += text[pos];
      }
      pos++;
    }
    if (pos >= text.length) fail('unterminated string');
    pos++;
    return out;
  };

  const value = (): PyValue => {
    skipSpace();
    const ch = text[pos];
    if (ch === '{') {
      pos++;
      const dict: { [key: string]: PyValue } = {};
      sequence('}', () => {
        skipSpace();
        const key = value();
        if (typeof key !== 'string') fail('dict key is not a string');
        expect(':');
        dict[key as string] = value();
      });
      return dict;
    }
    if (ch === '(') {
      pos++;
      return sequence(')', value);
    }
    if (ch === '[') {
      pos++;
      return sequence(']', value);
    }
    if (ch === "'" || ch === '"') return string();
    // Python 2 numpy wrote long integers with an 'L' suffix, e.g. (3L, 4L).
    const word = /^(True|False|None|[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?L?)/.exec(text.slice(pos));
    if (!word) return fail('unexpected character');
    pos += word[0].length;
    if (word[0] === 'True') return true;
    if (word[0] === 'False') return false;
    if (word[0] === 'None') return null;
    return Number(word[0].replace(/L$/, ''));
  };

  const result = value();
  skipSpace();
  if (pos !== text.length) fail('unexpected trailing text');
  return result;
}
