/**
 * Evaluation-data suggestions for the protect quick pick: data files next to the model, with
 * inputs and labels paired by name (`eval-x.npy` + `eval-y.npy`, `x_test` + `y_test`, `X` + `y`,
 * `inputs` + `labels`). Pure: the caller lists the folder.
 */
import * as path from 'node:path';

/** File extensions the data readers accept. */
export const DATA_EXTENSIONS = ['.npy', '.npz', '.csv', '.json'] as const;

/** One suggestion: inputs, and labels when a matching file was found. */
export interface DataSuggestion {
  /** Inputs file (absolute path). */
  dataPath: string;
  /** Labels file (absolute path), when paired. */
  labelsPath?: string;
}

/** Names that mark a file as inputs; each is swapped for the label names below to find its pair. */
const INPUT_WORDS = ['x', 'inputs', 'input', 'features', 'images', 'samples', 'data'];
/** Names that mark a file as labels; such a file is never offered as inputs on its own. */
const LABEL_WORDS = ['y', 'labels', 'label', 'targets', 'target', 'classes'];
/** Names that are never evaluation data, whatever their extension. */
const NOT_DATA = new Set(['report.json', 'package.json', 'package-lock.json', 'tsconfig.json', 'jsconfig.json', 'metadata.json']);
/** Words that make a file the likelier evaluation set, so it is offered first. */
const EVAL_WORDS = ['eval', 'test', 'val', 'valid', 'validation', 'holdout'];

/** Whether the file's extension is one of the data formats. */
export function isDataFile(fileName: string): boolean {
  return (DATA_EXTENSIONS as readonly string[]).includes(path.extname(fileName).toLowerCase());
}

/**
 * Suggests evaluation data among `siblings` (absolute paths of the files in the model's folder).
 * `models` are files recognised as models (the model itself and any other): never offered as data.
 * Pairs come first, ordered so names with "eval"/"test"/"val" lead; lone inputs follow; files that
 * only look like labels are left out, since labels without inputs are no evaluation set.
 */
export function suggestEvaluationData(siblings: readonly string[], models: ReadonlySet<string>): DataSuggestion[] {
  const candidates = siblings.filter((p) => isDataFile(p) && !models.has(p) && !NOT_DATA.has(path.basename(p).toLowerCase()));
  const byStem = new Map<string, string[]>();
  for (const p of candidates) {
    const key = stem(p).toLowerCase();
    byStem.set(key, [...(byStem.get(key) ?? []), p]);
  }

  const paired: DataSuggestion[] = [];
  const used = new Set<string>();
  for (const p of candidates) {
    if (isLabelName(stem(p))) continue;
    const labels = findLabels(p, byStem);
    if (labels) {
      paired.push({ dataPath: p, labelsPath: labels });
      used.add(p).add(labels);
    }
  }
  const single = candidates.filter((p) => !used.has(p) && !isLabelName(stem(p))).map((p) => ({ dataPath: p }));
  const rank = (s: DataSuggestion): number => (hasWord(stem(s.dataPath), EVAL_WORDS) ? 0 : 1);
  const byRank = (a: DataSuggestion, b: DataSuggestion): number =>
    rank(a) - rank(b) || path.basename(a.dataPath).localeCompare(path.basename(b.dataPath));
  return [...paired.sort(byRank), ...single.sort(byRank)];
}

/** The labels file of an inputs file, trying every input word → label word swap (same extension first). */
function findLabels(dataPath: string, byStem: Map<string, string[]>): string | undefined {
  const ext = path.extname(dataPath).toLowerCase();
  for (const candidate of labelStems(stem(dataPath))) {
    const matches = byStem.get(candidate.toLowerCase());
    if (!matches) continue;
    return matches.find((m) => path.extname(m).toLowerCase() === ext) ?? matches[0];
  }
  return undefined;
}

/** Stems a labels file of `inputStem` could have ("eval-x" → "eval-y", "eval-labels", ...). */
export function labelStems(inputStem: string): string[] {
  const out: string[] = [];
  const parts = inputStem.split(/([-_.\s]+)/); // keep separators so the swap preserves them
  parts.forEach((part, i) => {
    if (!INPUT_WORDS.includes(part.toLowerCase())) return;
    for (const label of LABEL_WORDS) {
      // Keep the case style: "X_train" → "y_train" is the sklearn habit, so try both cases of one-letter names.
      const variants = label.length === 1 ? [label, label.toUpperCase()] : [label];
      for (const v of variants) out.push([...parts.slice(0, i), v, ...parts.slice(i + 1)].join(''));
    }
  });
  // camelCase: "trainX" → "trainY"/"trainy", "evalInputs" → "evalLabels".
  const camel = /^(.*[a-z0-9])(X|Inputs|Input|Features|Images|Data)$/.exec(inputStem);
  if (camel) for (const label of ['Y', 'y', 'Labels', 'Label', 'Targets']) out.push(camel[1] + label);
  return out;
}

function isLabelName(fileStem: string): boolean {
  if (hasWord(fileStem, LABEL_WORDS)) return true;
  return /[a-z0-9](Y|Labels|Label|Targets)$/.test(fileStem);
}

function hasWord(fileStem: string, words: readonly string[]): boolean {
  return fileStem
    .split(/[-_.\s]+/)
    .some((w) => words.includes(w.toLowerCase()));
}

function stem(p: string): string {
  const base = path.basename(p);
  const ext = path.extname(base);
  return ext ? base.slice(0, -ext.length) : base;
}
