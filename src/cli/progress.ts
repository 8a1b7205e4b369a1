import type { JobProgress } from '../protocol/progress';

/**
 * Progress on stderr: a redrawn bar on a TTY, otherwise plain lines (one per phase and per 10 %)
 * so CI logs stay readable.
 */
export class ProgressReporter {
  private lastPhase = '';
  private lastDecile = -1;
  private drawn = false;

  constructor(
    private readonly stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number },
    private readonly options: { quiet: boolean },
  ) {}

  /** Shows one progress event. */
  update(progress: JobProgress): void {
    if (this.options.quiet) return;
    const percent = Math.floor(progress.fraction * 100);
    if (this.stream.isTTY) {
      const width = 24;
      const filled = Math.round(progress.fraction * width);
      const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(percent).padStart(3)}% ${progress.phase}: ${progress.message}`;
      const columns = this.stream.columns ?? 100;
      this.stream.write(`\r\x1b[2K${bar.slice(0, columns - 1)}`);
      this.drawn = true;
      return;
    }
    const decile = Math.floor(percent / 10);
    if (progress.phase !== this.lastPhase || decile !== this.lastDecile) {
      this.stream.write(`${String(percent).padStart(3)}% ${progress.phase}: ${progress.message}\n`);
      this.lastPhase = progress.phase;
      this.lastDecile = decile;
    }
  }

  /** A line that stays (an early result), printed above the bar; the bar is redrawn by the next update. */
  note(line: string): void {
    if (this.options.quiet) return;
    if (this.drawn) this.stream.write('\r\x1b[2K');
    this.drawn = false;
    this.stream.write(`${line}\n`);
  }

  /** Ends a drawn bar with a newline (idempotent). */
  done(): void {
    if (this.drawn) this.stream.write('\r\x1b[2K');
    this.drawn = false;
  }
}
