import type { Blocker } from '../format';
import { blockReason, layerRole, parseActivationLayer, parseActivationName, type ParsedActivation } from './layerKinds';
import type { LayerJson } from './topology';

/** The role a layer of the chain plays once it is read into a dense network. */
export type ChainStep =
  /** InputLayer. */
  | { kind: 'input'; layer: LayerJson }
  /** Dense layer number `dense` of the network, with its own activation and bias flag. */
  | { kind: 'dense'; layer: LayerJson; dense: number; activation: ParsedActivation; useBias: boolean }
  /** Identity at inference: Dropout family, Flatten, Reshape to flat, linear Activation. */
  | { kind: 'identity'; layer: LayerJson }
  /** Activation layer folded into the linear Dense number `dense`. */
  | { kind: 'activation'; layer: LayerJson; dense: number; activation: ParsedActivation }
  /**
   * BatchNormalization folded into Dense number `dense`: on its output side (the Dense is linear,
   * BN follows it) or on its input side (BN follows a non-linear layer and precedes this Dense).
   */
  | { kind: 'batchnorm'; layer: LayerJson; dense: number; side: 'output' | 'input' };

/** Result of reading a chain of layers. */
export interface ChainAnalysis {
  /** One step per layer, in chain order (complete only when there is no blocker). */
  steps: ChainStep[];
  /** Input shape without the batch dimension, as the file declares it (undefined when it does not). */
  inputShape?: (number | null)[];
  /** Width of the flat input the first Dense reads, when the file declares the input shape. */
  inputs?: number;
  /** The first layer that prevents reading the chain. */
  blocker?: Blocker;
}

/**
 * Reads layers already in chain order: checks that they form a dense chain and decides where each
 * activation layer and BatchNormalization folds. Works on the topology only (no weights), so
 * `inspect` can report the blocker cheaply. `keras3` selects Keras 3 activation semantics.
 */
export function analyseChain(layers: LayerJson[], keras3: boolean): ChainAnalysis {
  const reader = new ChainReader(keras3);
  for (const [index, layer] of layers.entries()) {
    const blocker = reader.read(layer, index);
    if (blocker) return reader.result(blocker);
  }
  return reader.result(reader.finish(layers));
}

/** The walk along the chain: the shape so far, the open Dense, and BatchNormalizations waiting to fold. */
class ChainReader {
  private readonly steps: ChainStep[] = [];
  private shape: (number | null)[] | undefined;
  private inputShape: (number | null)[] | undefined;
  private inputs: number | undefined;
  /** The Dense whose output is the current tensor (only identities since), and its activation so far. */
  private open: { dense: number; activation: ParsedActivation; name: string } | undefined;
  /**
   * BatchNormalizations after a non-linear layer, waiting for the next Dense to fold into; their
   * steps are already in place (chain order) and learn their Dense index when it arrives.
   */
  private pendingBn: Extract<ChainStep, { kind: 'batchnorm' }>[] = [];
  private denseCount = 0;

  constructor(private readonly keras3: boolean) {}

  /** The analysis so far, with the blocker that ended it, if any. */
  result(blocker?: Blocker): ChainAnalysis {
    return { steps: this.steps, inputShape: this.inputShape, inputs: this.inputs, ...(blocker ? { blocker } : {}) };
  }

  /** Takes one layer; returns the blocker when it cannot be part of a dense chain here. */
  read(layer: LayerJson, index: number): Blocker | undefined {
    const declared = layer.config.batch_input_shape ?? layer.config.batch_shape;
    if (this.shape === undefined && Array.isArray(declared)) {
      this.shape = declared.slice(1);
      this.inputShape = this.shape;
    }
    const role = layerRole(layer.class_name);
    switch (role) {
      case 'input':
        if (index !== 0) return blocked(layer, 'is an input that is not the first layer; only single-input models are supported');
        this.steps.push({ kind: 'input', layer });
        return undefined;
      case 'dense':
        return this.dense(layer);
      case 'identity':
        this.steps.push({ kind: 'identity', layer });
        return undefined;
      case 'flatten':
        return this.flatten(layer);
      case 'reshape':
        return this.reshape(layer);
      case 'activation':
        return this.activation(layer);
      case 'batchnorm':
        return this.batchNorm(layer);
      case 'blocked':
        return blocked(layer, blockReason(layer.class_name));
      default: {
        const never: never = role;
        return blocked(layer, `has unknown role ${String(never)}`);
      }
    }
  }

  /** After the last layer: BatchNormalizations left unfolded, or no Dense at all. */
  finish(layers: LayerJson[]): Blocker | undefined {
    if (this.pendingBn.length > 0) {
      return blocked(this.pendingBn[0]!.layer, 'follows a non-linear layer and no Dense layer follows it, so it cannot be folded into one');
    }
    if (this.denseCount === 0) {
      const first = layers[0];
      return { layer: first?.config.name ?? 'model', className: first?.class_name ?? 'Sequential', reason: 'the model has no Dense layer' };
    }
    return undefined;
  }

  private dense(layer: LayerJson): Blocker | undefined {
    const c = layer.config;
    const shape = this.shape;
    if (shape !== undefined && shape.length !== 1) {
      return blocked(layer, `is applied to a rank-${shape.length} tensor (shape [${shape.join(', ')}]); add a Flatten layer before it`);
    }
    if (shape !== undefined && this.inputs === undefined && this.denseCount === 0) {
      if (typeof shape[0] !== 'number') return blocked(layer, 'has an input of unknown width');
      this.inputs = shape[0];
    }
    if (this.open?.activation.activation === 'softmax') {
      return { layer: this.open.name, className: 'Dense', reason: 'uses softmax on a hidden layer; softmax is only supported on the output' };
    }
    const parsed = parseActivationName(c.activation, this.keras3);
    if (!parsed.ok) return blocked(layer, parsed.reason);
    if (typeof c.units !== 'number' || !Number.isInteger(c.units) || c.units <= 0) return blocked(layer, `has invalid units ${JSON.stringify(c.units)}`);
    for (const bn of this.pendingBn) bn.dense = this.denseCount;
    this.pendingBn = [];
    this.steps.push({ kind: 'dense', layer, dense: this.denseCount, activation: parsed.value, useBias: c.use_bias !== false });
    this.open = { dense: this.denseCount, activation: parsed.value, name: c.name };
    this.denseCount++;
    this.shape = [c.units];
    return undefined;
  }

  private flatten(layer: LayerJson): Blocker | undefined {
    const shape = this.shape;
    if (shape !== undefined && shape.length > 1) {
      if (layer.config.data_format === 'channels_first') return blocked(layer, 'flattens channels-first data, which reorders the features');
      if (shape.some((d) => typeof d !== 'number')) return blocked(layer, `flattens a shape with unknown dimensions [${shape.join(', ')}]`);
      this.shape = [(shape as number[]).reduce((a, b) => a * b, 1)];
    }
    this.steps.push({ kind: 'identity', layer });
    return undefined;
  }

  private reshape(layer: LayerJson): Blocker | undefined {
    const target = layer.config.target_shape;
    if (!Array.isArray(target) || target.length !== 1) {
      return blocked(layer, `reshapes to ${JSON.stringify(target)}; only reshaping to a flat vector is supported`);
    }
    const shape = this.shape;
    const known = shape?.every((d) => typeof d === 'number') ? (shape as number[]).reduce((a, b) => a * b, 1) : undefined;
    const width = typeof target[0] === 'number' && target[0] > 0 ? target[0] : known;
    if (known !== undefined && width !== known) return blocked(layer, `reshapes ${known} values to ${width}`);
    if (shape !== undefined) this.shape = [width ?? null];
    this.steps.push({ kind: 'identity', layer });
    return undefined;
  }

  private activation(layer: LayerJson): Blocker | undefined {
    const parsed = parseActivationLayer(layer, this.keras3);
    if (!parsed.ok) return blocked(layer, parsed.reason);
    if (parsed.value.activation === 'linear') {
      this.steps.push({ kind: 'identity', layer });
      return undefined;
    }
    const open = this.open;
    if (open === undefined) return blocked(layer, 'applies an activation before any Dense layer; only activations after a Dense layer are supported');
    if (this.pendingBn.length > 0) return blocked(layer, `follows BatchNormalization '${this.pendingBn[0]!.layer.config.name}' after a non-linear layer, which cannot be folded`);
    if (open.activation.activation !== 'linear') {
      return blocked(layer, `follows Dense '${open.name}', which already applies '${open.activation.activation}'; only an activation after a linear Dense can be folded`);
    }
    this.steps.push({ kind: 'activation', layer, dense: open.dense, activation: parsed.value });
    this.open = { ...open, activation: parsed.value };
    return undefined;
  }

  private batchNorm(layer: LayerJson): Blocker | undefined {
    const shape = this.shape;
    if (shape !== undefined && shape.length !== 1) return blocked(layer, `normalises a rank-${shape.length} tensor; only BatchNormalization of flat features is supported`);
    const axis = layer.config.axis ?? -1;
    const lastAxis = axis === -1 || axis === 1 || (Array.isArray(axis) && axis.length === 1 && (axis[0] === -1 || axis[0] === 1));
    if (!lastAxis) return blocked(layer, `normalises axis ${JSON.stringify(axis)}; only the feature axis is supported`);
    if (this.open !== undefined && this.open.activation.activation === 'linear' && this.pendingBn.length === 0) {
      this.steps.push({ kind: 'batchnorm', layer, dense: this.open.dense, side: 'output' });
    } else {
      const step = { kind: 'batchnorm' as const, layer, dense: -1, side: 'input' as const };
      this.steps.push(step);
      this.pendingBn.push(step);
    }
    return undefined;
  }
}

/** A blocker naming the layer. */
function blocked(layer: LayerJson, reason: string): Blocker {
  return { layer: layer.config.name, className: layer.class_name, reason };
}
