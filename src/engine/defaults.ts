import { PERTURBATION_KINDS } from '../core/report';
import type { ProtectOptions } from '../protocol/jobs';

/** Defaults of every protect option, shared by the CLI, the worker and the extension settings. */
export const DEFAULT_OPTIONS: ProtectOptions = {
  seed: 1,
  tolerance: 1e-4,
  amplitude: 'auto',
  copies: 3,
  rescaleExponent: 16,
  twins: 0,
  tripwires: 32,
  kinds: [...PERTURBATION_KINDS],
  maxSamples: 2000,
  repeats: 3,
};

/** Sweeps use at most this many samples: enough for a stable metric, small enough to be quick. */
export const MAX_SWEEP_SAMPLES = 500;

/** Probe inputs generated when the user gives no data. */
export const PROBE_SAMPLES = 1000;
