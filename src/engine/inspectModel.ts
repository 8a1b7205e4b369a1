import { resolve } from 'node:path';
import type { ModelInfo } from '../formats/format';
import { requireFormat } from '../formats/registry';
import { readHead } from './fileSystem';
import { nodeFileReader } from './nodeFileReader';

/** Describes a model file: format, layers, parameters and, if it cannot be protected, why. */
export async function inspectModel(path: string): Promise<ModelInfo> {
  const absolute = resolve(path);
  return requireFormat(absolute, await readHead(absolute)).inspect(absolute, nodeFileReader);
}
