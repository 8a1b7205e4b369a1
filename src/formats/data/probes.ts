/**
 * Probe inputs for when the user gives no evaluation data (DESIGN §7): without labels, the
 * report measures top-1 agreement between original and protected model on these instead of
 * accuracy, and says so using `description`.
 */

import type { Dataset } from './dataset';

/** The random source probes are drawn from (`Rng` from core/rng fits). */
export interface ProbeRandom {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Standard normal. */
  normal(): number;
}

/** Generated probe inputs: an unlabelled Dataset plus the sentence the report shows. */
export interface ProbeDataset extends Dataset {
  /** How the probes were drawn, e.g. "1000 generated probe inputs: 500 standard normal, 500 uniform in [0, 1)". */
  description: string;
}

/**
 * `rows` probe inputs of width `inputs`: the first ceil(rows/2) rows standard normal per entry,
 * the rest uniform in [0, 1) per entry. The model's input scale is unknown, so probes cover both
 * usual conventions: standardised features (mean 0, std 1) and [0, 1]-scaled features such as
 * pixels. Drawn row by row, so the same generator state gives the same probes.
 */
export function generateProbes(inputs: number, rows: number, rng: ProbeRandom): ProbeDataset {
  if (!Number.isInteger(inputs) || inputs < 1 || !Number.isInteger(rows) || rows < 1) {
    throw new RangeError(`generateProbes: need positive integer sizes, got inputs=${inputs}, rows=${rows}`);
  }
  const normalRows = Math.ceil(rows / 2);
  const x = new Float32Array(rows * inputs);
  for (let r = 0; r < rows; r++) {
    const draw = r < normalRows ? () => rng.normal() : () => rng.uniform();
    for (let c = 0; c < inputs; c++) x[r * inputs + c] = draw();
  }
  const description =
    `${rows} generated probe inputs (no evaluation data given): ${normalRows} with independent standard normal entries, ` +
    `${rows - normalRows} with independent uniform entries in [0, 1)`;
  return { x, rows, cols: inputs, labels: null, source: 'probes', notes: [description], description };
}
