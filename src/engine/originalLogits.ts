import { basename, extname } from 'node:path';
import { compareOutputs, type OutputComparison } from '../core/equivalence';
import type { LoadedModel, ModelFormat, ModelRuntime, PredictOptions, WrittenFile } from '../formats/format';

/**
 * Logits of the original model in the runtime, from its own files. Files the runtime cannot
 * load as they are (tfjs 4.22 refuses Keras 3 converter output) are run as the normalised copy
 * the format writes; the note says so, for the report.
 */
export async function originalLogits(
  format: ModelFormat,
  model: LoadedModel,
  modelPath: string,
  files: WrittenFile[],
  runtime: ModelRuntime,
  x: Float32Array,
  rows: number,
  options: PredictOptions = { logits: true },
): Promise<{ logits: Float32Array; notes: string[]; files: WrittenFile[] }> {
  try {
    return { logits: await runtime.predict(files, x, rows, options), notes: [], files };
  } catch (error) {
    const normalised = await format.write(model, model.network, basename(modelPath, extname(modelPath)));
    const reason = error instanceof Error ? error.message : String(error);
    return {
      logits: await runtime.predict(normalised, x, rows, options),
      files: normalised,
      notes: [`${runtime.name} cannot load the original files as they are (${reason}); the reference outputs come from the normalised copy`],
    };
  }
}

/** Runs a candidate's files in the runtime and compares its logits with the reference logits. */
export async function compareWithReference(
  runtime: ModelRuntime,
  referenceLogits: Float32Array,
  files: WrittenFile[],
  x: Float32Array,
  rows: number,
  width: number,
  options: PredictOptions = { logits: true },
): Promise<{ comparison: OutputComparison; logits: Float32Array }> {
  const logits = await runtime.predict(files, x, rows, options);
  return { comparison: compareOutputs(referenceLogits, logits, rows, width), logits };
}
