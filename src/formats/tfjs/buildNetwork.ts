import { ModelFormatError } from '../../core/errors';
import type { DenseLayer, DenseNetwork } from '../../core/network';
import { foldIntoInputs, foldIntoOutputs, type BatchNormParams } from './batchNorm';
import type { ChainStep } from './denseChain';
import { SEPARATE_CLASS, tfjsActivationName } from './layerKinds';
import { TFJS_FORMAT_ID } from './modelJson';
import type { WeightEntry } from './topology';
import { firstMissing, matchWeights, type WeightRequest } from './weightNames';
import type { NamedTensor } from './weights';

/** A dense network read from a chain, with notes on what reading it changed. */
export interface BuiltNetwork {
  /** The network. */
  network: DenseNetwork;
  /** Human-readable notes (folds, weight-name matching). */
  notes: string[];
}

/**
 * Builds the dense network of an analysed chain from the decoded tensors (`tensors[i]` belongs to
 * `entries[i]`): transposes Keras [inputs][units] kernels into row-major [units][inputs], folds
 * activation layers and BatchNormalization. `inputs` is the declared input width, if any.
 */
export function buildNetwork(steps: ChainStep[], entries: WeightEntry[], tensors: NamedTensor[], inputs: number | undefined, file: string): BuiltNetwork {
  const notes: string[] = [];
  const fail = (problem: string) => new ModelFormatError(file, TFJS_FORMAT_ID, problem);
  const weighted = steps.filter((s): s is Extract<ChainStep, { kind: 'dense' | 'batchnorm' }> => s.kind === 'dense' || s.kind === 'batchnorm');
  const requests: WeightRequest[] = weighted.map((step) => ({ layer: step.layer.config.name, params: paramsOf(step) }));
  const match = matchWeights(requests, entries);
  if (!match) {
    const missing = firstMissing(requests, entries) ?? '?';
    const needed = requests.reduce((n, r) => n + r.params.length, 0);
    throw fail(`no weight named '${missing}' in the weights manifest, and its ${entries.length} tensors do not line up with the ${needed} the layers need`);
  }
  if (match.by === 'order') notes.push('weights matched to layers by manifest order (their names do not name the layers); written under the layer names');
  if (match.by === 'prefix') {
    const example = entries[match.indices[0]![0]!]!.name;
    notes.push(`weight names lose their model-name prefix ('${example}' → '${requests[0]!.layer}/${requests[0]!.params[0]}'), since tfjs matches weights by layer name`);
  }
  const used = new Set(match.indices.flat());
  const unused = entries.filter((e, i) => !used.has(i) && e.group !== 'optimizer').map((e) => `'${e.name}'`);
  if (unused.length > 0) notes.push(`${unused.length} manifest tensor(s) belong to no Dense layer and are not written: ${unused.slice(0, 5).join(', ')}${unused.length > 5 ? ', ...' : ''}`);
  const tensorsOf = new Map(weighted.map((step, k) => [step, match.indices[k]!.map((index) => tensors[index]!)]));

  const layers: DenseLayer[] = [];
  let width = inputs;
  for (const step of steps) {
    if (step.kind !== 'dense') continue;
    const [kernel, bias] = tensorsOf.get(step)!;
    const name = step.layer.config.name;
    const units = step.layer.config.units!;
    if (kernel!.shape.length !== 2 || kernel!.shape[1] !== units || (width !== undefined && kernel!.shape[0] !== width)) {
      throw fail(`kernel '${kernel!.name}' has shape [${kernel!.shape.join(', ')}] but Dense '${name}' expects [${width ?? '?'}, ${units}]`);
    }
    const n = kernel!.shape[0]!;
    if (bias && (bias.shape.length !== 1 || bias.shape[0] !== units)) {
      throw fail(`bias '${bias.name}' has shape [${bias.shape.join(', ')}] but Dense '${name}' has ${units} units`);
    }
    layers.push({
      name,
      inputs: n,
      units,
      weights: transpose(kernel!.values, n, units),
      bias: bias ? bias.values.slice() : new Float32Array(units),
      activation: step.activation.activation,
      ...(step.activation.alpha !== undefined ? { alpha: step.activation.alpha } : {}),
      hasBias: step.useBias,
    });
    width = units;
  }

  for (const step of steps) {
    if (step.kind === 'activation') {
      const layer = layers[step.dense]!;
      layer.activation = step.activation.activation;
      if (step.activation.alpha !== undefined) layer.alpha = step.activation.alpha;
      else delete layer.alpha;
      // tfjs has no Dense string for leaky relu: the writer keeps a LeakyReLU layer as it is.
      const separate = SEPARATE_CLASS[step.activation.activation];
      if (tfjsActivationName(step.activation) !== undefined) {
        notes.push(`${step.layer.class_name} '${step.layer.config.name}' (${step.activation.activation}) folded into Dense '${layer.name}'`);
      } else if (separate !== step.layer.class_name) {
        notes.push(`${step.layer.class_name} '${step.layer.config.name}' (${step.activation.activation}) written as a ${separate} layer, the form tfjs reads`);
      }
    } else if (step.kind === 'batchnorm') {
      const layer = layers[step.dense]!;
      const width = step.side === 'output' ? layer.units : layer.inputs;
      const params = batchNormParams(step, tensorsOf.get(step)!, width, fail);
      if (step.side === 'output') foldIntoOutputs(layer, params);
      else foldIntoInputs(layer, params);
      notes.push(
        step.side === 'output'
          ? `BatchNormalization '${step.layer.config.name}' folded into the preceding Dense '${layer.name}' (w' = w·γ/√(var+ε), b' = (b−mean)·γ/√(var+ε)+β)`
          : `BatchNormalization '${step.layer.config.name}' folded into the inputs of the following Dense '${layer.name}'`,
      );
    }
  }
  return { network: { inputs: layers[0]!.inputs, layers }, notes };
}

/** Parameter names a step needs from the manifest, in Keras order. */
function paramsOf(step: Extract<ChainStep, { kind: 'dense' | 'batchnorm' }>): string[] {
  const c = step.layer.config;
  if (step.kind === 'dense') return step.useBias ? ['kernel', 'bias'] : ['kernel'];
  return [...(c.scale !== false ? ['gamma'] : []), ...(c.center !== false ? ['beta'] : []), 'moving_mean', 'moving_variance'];
}

function batchNormParams(
  step: Extract<ChainStep, { kind: 'batchnorm' }>,
  tensors: NamedTensor[],
  width: number,
  fail: (problem: string) => Error,
): BatchNormParams {
  const c = step.layer.config;
  for (const t of tensors) {
    if (t.values.length !== width) throw fail(`'${t.name}' has ${t.values.length} values but BatchNormalization '${c.name}' normalises ${width} features`);
  }
  const queue = tensors.slice();
  const gamma = c.scale !== false ? queue.shift()!.values : new Float32Array(width).fill(1);
  const beta = c.center !== false ? queue.shift()!.values : new Float32Array(width);
  const [mean, variance] = queue;
  return { gamma, beta, mean: mean!.values, variance: variance!.values, epsilon: typeof c.epsilon === 'number' ? c.epsilon : 1e-3 };
}

/** [rows][cols] → [cols][rows]. */
export function transpose(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c]!;
  return out;
}
