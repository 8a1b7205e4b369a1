import type { JobProgress, ProtectPhase } from '../../protocol/progress';

/** Share of the overall progress bar each phase takes (sweeps dominate the run time). */
const PHASE_SPAN: Record<ProtectPhase, [number, number]> = {
  read: [0, 0.02],
  data: [0.02, 0.04],
  calibrate: [0.04, 0.2],
  write: [0.2, 0.22],
  equivalence: [0.22, 0.25],
  fragility: [0.25, 0.65],
  attacks: [0.65, 0.85],
  ownership: [0.85, 0.99],
  report: [0.99, 1],
};

/**
 * The protect job's phases: wall time per phase for the report, and one progress bar that
 * maps each phase's own 0…1 onto its share and never goes back (a retried step, such as an
 * amplitude step-down, does not rewind it).
 */
export class PhaseTimer {
  /** Seconds per phase so far. */
  readonly timings: Record<string, number> = {};
  private phase: ProtectPhase = 'read';
  private started = performance.now();
  private fraction = 0;

  constructor(private readonly onProgress?: (progress: JobProgress) => void) {}

  /** Closes the current phase's timing and starts `next`. */
  enter(next: ProtectPhase, message: string): void {
    this.close();
    this.phase = next;
    this.report(0, message);
  }

  /** Progress within the current phase, 0…1. */
  report(within: number, message: string): void {
    const [from, to] = PHASE_SPAN[this.phase];
    this.fraction = Math.max(this.fraction, from + (to - from) * Math.min(1, Math.max(0, within)));
    this.onProgress?.({ phase: this.phase, message, fraction: this.fraction });
  }

  /** Adds the time since the phase (or the last close) began to its total. */
  close(): void {
    const now = performance.now();
    this.timings[this.phase] = (this.timings[this.phase] ?? 0) + (now - this.started) / 1000;
    this.started = now;
  }
}
