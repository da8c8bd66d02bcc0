import type { AnalysisProgress } from '@cameramonit/contracts';

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/**
 * Shows analysis progress on stderr: a redrawn percentage bar on a terminal, otherwise a plain line
 * every 10 % (log files and CI stay readable).
 */
export class ProgressReporter {
  private lastPercent = -1;
  private lastDecile = -1;
  private drewBar = false;

  constructor(
    private readonly stream: ProgressStream,
    private readonly label: string,
  ) {}

  report(progress: AnalysisProgress): void {
    const percent = Math.floor(Math.min(1, Math.max(0, progress.fraction)) * 100);
    if (this.stream.isTTY) {
      if (percent === this.lastPercent) return;
      this.lastPercent = percent;
      const width = Math.max(10, Math.min(40, (this.stream.columns ?? 80) - this.label.length - 30));
      const filled = Math.round((percent / 100) * width);
      const bar = `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`;
      this.stream.write(`\r${this.label} [${bar}] ${String(percent).padStart(3)}% ${progress.processedSec.toFixed(0)}/${progress.durationSec.toFixed(0)} s`);
      this.drewBar = true;
      return;
    }
    const decile = Math.floor(percent / 10);
    if (decile === this.lastDecile) return;
    this.lastDecile = decile;
    this.stream.write(`${this.label}: ${decile * 10}% (${progress.processedSec.toFixed(0)} of ${progress.durationSec.toFixed(0)} s)\n`);
  }

  /** Ends the bar's line so what follows starts on a fresh one. */
  finish(): void {
    if (this.drewBar) this.stream.write('\n');
    this.drewBar = false;
  }
}
