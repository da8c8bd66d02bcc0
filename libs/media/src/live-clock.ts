/**
 * When the pictures of a live stream were taken, on this machine's clock, from when its fragments
 * arrived. A fragment comes whole only once the picture after its last has been taken (the next key
 * frame closes it), so "arrived − the media time its fragment ends" is the stream's delay plus a
 * constant; the smallest of the recent ones (the fragments that came soonest) ties media time to the
 * clock. A fragment that comes more than `jumpMs` later than that (fragments skipped, time started
 * over) starts the estimate again; one that comes late once is outweighed by the next on time.
 * A browser does the same for the picture it shows (apps/chat/public/live-motion.js), so the two
 * agree on "when" without comparing media times of different streams.
 */
export class LiveStreamClock {
  private samples: number[] = [];

  constructor(
    private readonly window = 20,
    private readonly jumpMs = 1000,
  ) {}

  /** A fragment whose pictures end at media time `endMs` arrived whole at `arrivedAtMs`. */
  arrived(endMs: number, arrivedAtMs: number): void {
    const sample = arrivedAtMs - endMs;
    if (!Number.isFinite(sample)) return;
    const least = this.least();
    if (least !== null && sample > least + this.jumpMs) this.samples = [];
    this.samples.push(sample);
    if (this.samples.length > this.window) this.samples.shift();
  }

  /** The clock time the picture at media time `mediaMs` was taken (give or take the stream's least delay); null before any fragment. */
  takenAt(mediaMs: number): number | null {
    const least = this.least();
    return least === null ? null : Math.round(mediaMs + least);
  }

  private least(): number | null {
    return this.samples.length > 0 ? Math.min(...this.samples) : null;
  }
}
