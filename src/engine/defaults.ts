/** Engine constants (the protect options' defaults live in src/core/options.ts). */
/** Sweeps use at most this many samples: enough for a stable metric, small enough to be quick. */
export const MAX_SWEEP_SAMPLES = 500;

/** Probe inputs generated when the user gives no data. */
export const PROBE_SAMPLES = 1000;
