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
  const steps: ChainStep[] = [];
  let shape: (number | null)[] | undefined;
  let inputShape: (number | null)[] | undefined;
  let inputs: number | undefined;
  // The Dense whose output is the current tensor (only identities since), and its activation so far.
  let open: { dense: number; activation: ParsedActivation; name: string } | undefined;
  // BatchNormalizations after a non-linear layer, waiting for the next Dense to fold into; their
  // steps are already in place (chain order) and learn their Dense index when it arrives.
  let pendingBn: Extract<ChainStep, { kind: 'batchnorm' }>[] = [];
  let denseCount = 0;
  const result = (blocker?: Blocker): ChainAnalysis => ({ steps, inputShape, inputs, ...(blocker ? { blocker } : {}) });
  const block = (layer: LayerJson, reason: string) => result({ layer: layer.config.name, className: layer.class_name, reason });

  for (const [index, layer] of layers.entries()) {
    const c = layer.config;
    const declared = c.batch_input_shape ?? c.batch_shape;
    if (shape === undefined && Array.isArray(declared)) {
      shape = declared.slice(1);
      inputShape = shape;
    }
    const role = layerRole(layer.class_name);
    switch (role) {
      case 'input':
        if (index !== 0) return block(layer, 'is an input that is not the first layer; only single-input models are supported');
        steps.push({ kind: 'input', layer });
        break;
      case 'dense': {
        if (shape !== undefined && shape.length !== 1) {
          return block(layer, `is applied to a rank-${shape.length} tensor (shape [${shape.join(', ')}]); add a Flatten layer before it`);
        }
        if (shape !== undefined && inputs === undefined && denseCount === 0) {
          if (typeof shape[0] !== 'number') return block(layer, 'has an input of unknown width');
          inputs = shape[0];
        }
        if (open?.activation.activation === 'softmax') {
          return result({ layer: open.name, className: 'Dense', reason: 'uses softmax on a hidden layer; softmax is only supported on the output' });
        }
        const parsed = parseActivationName(c.activation, keras3);
        if (!parsed.ok) return block(layer, parsed.reason);
        if (typeof c.units !== 'number' || !Number.isInteger(c.units) || c.units <= 0) return block(layer, `has invalid units ${JSON.stringify(c.units)}`);
        for (const bn of pendingBn) bn.dense = denseCount;
        pendingBn = [];
        steps.push({ kind: 'dense', layer, dense: denseCount, activation: parsed.value, useBias: c.use_bias !== false });
        open = { dense: denseCount, activation: parsed.value, name: c.name };
        denseCount++;
        shape = [c.units];
        break;
      }
      case 'identity':
        steps.push({ kind: 'identity', layer });
        break;
      case 'flatten': {
        if (shape !== undefined && shape.length > 1) {
          if (c.data_format === 'channels_first') return block(layer, 'flattens channels-first data, which reorders the features');
          if (shape.some((d) => typeof d !== 'number')) return block(layer, `flattens a shape with unknown dimensions [${shape.join(', ')}]`);
          shape = [(shape as number[]).reduce((a, b) => a * b, 1)];
        }
        steps.push({ kind: 'identity', layer });
        break;
      }
      case 'reshape': {
        const target = c.target_shape;
        if (!Array.isArray(target) || target.length !== 1) {
          return block(layer, `reshapes to ${JSON.stringify(target)}; only reshaping to a flat vector is supported`);
        }
        const known = shape?.every((d) => typeof d === 'number') ? (shape as number[]).reduce((a, b) => a * b, 1) : undefined;
        const width = typeof target[0] === 'number' && target[0] > 0 ? target[0] : known;
        if (known !== undefined && width !== known) return block(layer, `reshapes ${known} values to ${width}`);
        if (shape !== undefined) shape = [width ?? null];
        steps.push({ kind: 'identity', layer });
        break;
      }
      case 'activation': {
        const parsed = parseActivationLayer(layer, keras3);
        if (!parsed.ok) return block(layer, parsed.reason);
        if (parsed.value.activation === 'linear') {
          steps.push({ kind: 'identity', layer });
          break;
        }
        if (open === undefined) return block(layer, 'applies an activation before any Dense layer; only activations after a Dense layer are supported');
        if (pendingBn.length > 0) return block(layer, `follows BatchNormalization '${pendingBn[0]!.layer.config.name}' after a non-linear layer, which cannot be folded`);
        if (open.activation.activation !== 'linear') {
          return block(layer, `follows Dense '${open.name}', which already applies '${open.activation.activation}'; only an activation after a linear Dense can be folded`);
        }
        steps.push({ kind: 'activation', layer, dense: open.dense, activation: parsed.value });
        open = { ...open, activation: parsed.value };
        break;
      }
      case 'batchnorm': {
        if (shape !== undefined && shape.length !== 1) return block(layer, `normalises a rank-${shape.length} tensor; only BatchNormalization of flat features is supported`);
        const axis = c.axis ?? -1;
        const lastAxis = axis === -1 || axis === 1 || (Array.isArray(axis) && axis.length === 1 && (axis[0] === -1 || axis[0] === 1));
        if (!lastAxis) return block(layer, `normalises axis ${JSON.stringify(axis)}; only the feature axis is supported`);
        if (open !== undefined && open.activation.activation === 'linear' && pendingBn.length === 0) {
          steps.push({ kind: 'batchnorm', layer, dense: open.dense, side: 'output' });
        } else {
          const step = { kind: 'batchnorm' as const, layer, dense: -1, side: 'input' as const };
          steps.push(step);
          pendingBn.push(step);
        }
        break;
      }
      case 'blocked':
        return block(layer, blockReason(layer.class_name));
      default: {
        const never: never = role;
        return block(layer, `has unknown role ${String(never)}`);
      }
    }
  }
  if (pendingBn.length > 0) {
    const bn = pendingBn[0]!.layer;
    return block(bn, 'follows a non-linear layer and no Dense layer follows it, so it cannot be folded into one');
  }
  if (denseCount === 0) {
    const first = layers[0];
    return result({ layer: first?.config.name ?? 'model', className: first?.class_name ?? 'Sequential', reason: 'the model has no Dense layer' });
  }
  return result();
}
