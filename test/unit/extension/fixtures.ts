/** Small builders of extension data for the unit tests. */
import type { ModelInfo } from '../../../src/formats/format';
import type { ModelEntry } from '../../../src/extension/discovery/modelEntry';
import type { ReportSummary } from '../../../src/extension/reports/reportSummary';

/** A dense 784-128-64-10 MLP as a TF.js inspection describes it. */
export function info(patch: Partial<ModelInfo> = {}): ModelInfo {
  return {
    format: 'tfjs-layers',
    path: '/w/examples/mnist-mlp/model.json',
    inputs: 784,
    parameters: 109386,
    layers: [
      { name: 'dense_1', className: 'Dense', units: 128, activation: 'relu', parameters: 100480 },
      { name: 'dropout', className: 'Dropout', parameters: 0 },
      { name: 'dense_2', className: 'Dense', units: 64, activation: 'relu', parameters: 8256 },
      { name: 'dense_3', className: 'Dense', units: 10, activation: 'softmax', parameters: 650 },
    ],
    ...patch,
  };
}

/** A recognised, inspected model entry. */
export function entry(patch: Partial<ModelEntry> = {}): ModelEntry {
  return {
    fsPath: '/w/examples/mnist-mlp/model.json',
    uri: 'file:///w/examples/mnist-mlp/model.json',
    workspaceFolder: 'w',
    relativePath: 'examples/mnist-mlp/model.json',
    format: { id: 'tfjs-layers', displayName: 'TensorFlow.js Layers' },
    producedByMimosa: false,
    info: info(),
    ...patch,
  };
}

/** The summary of a passed report made an hour before 2026-01-01T12:00Z. */
export function summary(patch: Partial<ReportSummary> = {}): ReportSummary {
  return {
    reportPath: '/w/examples/mnist-mlp/model.mimosa/report.json',
    modelPath: '/w/examples/mnist-mlp/model.json',
    protectedPath: '/w/examples/mnist-mlp/model.mimosa/model.json',
    format: 'tfjs-layers',
    passed: true,
    headline: { kind: 'multiplicative', factor: 3100, bound: 'exact' },
    createdAt: '2026-01-01T11:00:00.000Z',
    verdict: 'Equivalent on 2,000 samples; 3,100× more fragile to multiplicative weight noise.',
    dataSource: 'file',
    factors: [
      { kind: 'multiplicative', text: '3,100×' },
      { kind: 'finetune-adam', text: '≥ 100×' },
      { kind: 'float16', text: '—' },
    ],
    ...patch,
  };
}

/** "Now" for relative times in tests. */
export const NOW = new Date('2026-01-01T12:00:00.000Z');
