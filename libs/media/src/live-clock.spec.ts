import { describe, expect, it } from 'vitest';
import { LiveStreamClock } from './live-clock.js';

describe('LiveStreamClock', () => {
  it('knows nothing before a fragment came', () => {
    expect(new LiveStreamClock().takenAt(0)).toBeNull();
  });

  it('dates pictures by the fragments that came soonest', () => {
    const clock = new LiveStreamClock();
    // 1 s fragments; the second is 300 ms late, the third on time
    clock.arrived(1000, 10_000);
    clock.arrived(2000, 11_300);
    clock.arrived(3000, 12_000);
    expect(clock.takenAt(2500)).toBe(11_500);
  });

  it('starts over when the stream jumps (fragments skipped, time started again), not for one late fragment', () => {
    const clock = new LiveStreamClock();
    clock.arrived(1000, 10_000);
    clock.arrived(2000, 11_000);
    // 0.8 s late: still the same stream's delay
    clock.arrived(3000, 12_800);
    expect(clock.takenAt(3000)).toBe(12_000);
    // media time started at 0 again 5 s later
    clock.arrived(1000, 17_000);
    expect(clock.takenAt(500)).toBe(16_500);
  });

  it('forgets samples beyond its window', () => {
    const clock = new LiveStreamClock(3);
    clock.arrived(1000, 9_500);
    for (let k = 2; k <= 4; k++) clock.arrived(k * 1000, 9_000 + k * 1000);
    expect(clock.takenAt(0)).toBe(9_000);
  });
});
