import type { DenseLayer, DenseNetwork } from '../../core/network';
import { nodeName, type ChainLayer, type OnnxChain } from './denseChain';
import type { OnnxGraph } from './onnxModel';
import { floatValues } from './tensors';

/**
 * The dense network of a chain: weights decoded (sizes checked against the file first), moved to
 * the core's [units × inputs] layout, Gemm's alpha and beta folded in; and notes on every way
 * the network differs from what the file literally says.
 */
export function buildNetwork(chain: OnnxChain, graph: OnnxGraph, file: string): { network: DenseNetwork; notes: string[] } {
  const notes: string[] = [];
  const layers = chain.layers.map((layer) => denseLayer(layer, file, notes));
  if (chain.precision === 'float64') {
    notes.push('float64 weights are protected at float32 precision (each rounded to the nearest float32, a relative change below 6e-8) and written back as float64');
  }
  for (const index of chain.skipped) {
    const node = graph.node[index]!;
    notes.push(`${node.opType} '${nodeName(node, index)}' left out of the protected copy: it does nothing at inference`);
  }
  return { network: { inputs: chain.inputs, layers }, notes };
}

function denseLayer(layer: ChainLayer, file: string, notes: string[]): DenseLayer {
  const { inputs, units } = layer;
  const stored = floatValues(layer.weight.tensor, file);
  const weights = new Float32Array(units * inputs);
  const unitsFirst = layer.form === 'transpose-matmul' || (layer.form === 'gemm' && layer.transB);
  for (let j = 0; j < units; j++) {
    for (let i = 0; i < inputs; i++) weights[j * inputs + i] = layer.alpha * stored[unitsFirst ? j * inputs + i : i * units + j]!;
  }
  const bias = new Float32Array(units);
  if (layer.bias) {
    const values = floatValues(layer.bias.tensor, file);
    for (let j = 0; j < units; j++) bias[j] = layer.beta * values[values.length === 1 ? 0 : j]!;
  }
  if (layer.alpha !== 1 || (layer.bias && layer.beta !== 1)) {
    notes.push(`Gemm '${layer.name}': alpha ${layer.alpha} and beta ${layer.beta} folded into its weights and bias (written with alpha = beta = 1)`);
  }
  const activation = layer.activation?.parsed;
  return {
    name: layer.name,
    inputs,
    units,
    weights,
    bias,
    activation: activation?.activation ?? 'linear',
    ...(activation?.alpha !== undefined ? { alpha: activation.alpha } : {}),
    hasBias: layer.bias !== undefined,
  };
}
