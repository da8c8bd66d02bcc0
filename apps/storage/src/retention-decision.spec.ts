import { describe, expect, it } from 'vitest';
import { decideRetention, planDiskRelief, type RetentionAnalysis, type RetentionCamera, type RetentionClip, type RetentionEvent, type RetentionInput } from './retention-decision.js';

const now = new Date('2026-11-22T12:00:00.000Z');
const minutesAgo = (minutes: number) => new Date(now.getTime() - minutes * 60_000);
const daysAgo = (days: number) => new Date(now.getTime() - days * 24 * 3600_000);
const secondsAfter = (date: Date, seconds: number) => new Date(date.getTime() + seconds * 1000);

const continuous: RetentionCamera = { id: 'gate', maxRecordMinutes: 60, eventRetentionDays: 7, recordMode: 'continuous', motionPaddingSec: 5 };
const motionOnly: RetentionCamera = { id: 'yard', maxRecordMinutes: 60, eventRetentionDays: 7, recordMode: 'motion', motionPaddingSec: 2 };

let nextId = 0;
function clip(cameraId: string, startedAt: Date, extra: Partial<RetentionClip> = {}): RetentionClip {
  nextId += 1;
  return { id: `clip-${nextId}`, cameraId, source: 'recording', startedAt, durationSec: 5, ...extra };
}
const done = (c: RetentionClip, motion: [number, number] | null = null): RetentionAnalysis => ({ clipId: c.id, status: 'done', motionFirstSec: motion?.[0] ?? null, motionLastSec: motion?.[1] ?? null });
const eventOf = (c: RetentionClip, fromSec = 1, toSec = 3): RetentionEvent => ({ clipId: c.id, startedAt: secondsAfter(c.startedAt, fromSec), endedAt: secondsAfter(c.startedAt, toSec) });

function decide(input: Partial<RetentionInput> & Pick<RetentionInput, 'clips'>): Record<string, string> {
  const decisions = decideRetention({ now, cameras: [continuous, motionOnly], analyses: [], events: [], ...input });
  return Object.fromEntries(decisions.map((d) => [d.clipId, d.reason]));
}

describe('decideRetention: the ring of a continuous camera', () => {
  it("deletes recorded and pushed clips that ended before the ring, keeps the ring's and every upload", () => {
    const endedBefore = clip('gate', minutesAgo(61));
    const endsInside = clip('gate', secondsAfter(minutesAgo(60), -3)); // started before the ring, ends 2 s into it
    const recent = clip('gate', minutesAgo(1));
    const pushed = clip('gate', minutesAgo(90), { source: 'push', durationSec: 30 });
    const upload = clip('gate', daysAgo(400), { source: 'upload' });
    expect(decide({ clips: [endedBefore, endsInside, recent, pushed, upload] })).toEqual({ [endedBefore.id]: 'retention', [pushed.id]: 'retention' });
  });

  it('keeps a clip with an event for eventRetentionDays from its start, then deletes it for that reason', () => {
    const threeDays = clip('gate', daysAgo(3));
    const eightDays = clip('gate', daysAgo(8));
    const noEvent = clip('gate', daysAgo(3));
    const events = [eventOf(threeDays), eventOf(eightDays), eventOf(eightDays, 3, 4)];
    expect(decide({ clips: [threeDays, eightDays, noEvent], events })).toEqual({ [eightDays.id]: 'events', [noEvent.id]: 'retention' });
    // 0 days: events keep nothing beyond the ring
    const zero = { ...continuous, eventRetentionDays: 0 };
    const atRing = clip('gate', minutesAgo(70));
    expect(decide({ cameras: [zero], clips: [atRing], events: [eventOf(atRing)] })).toEqual({ [atRing.id]: 'events' });
  });

  it('never deletes by motion on a continuous camera, however still the picture', () => {
    const clips = [0, 5, 10].map((sec) => clip('gate', secondsAfter(minutesAgo(30), sec)));
    expect(decide({ clips, analyses: clips.map((c) => done(c)) })).toEqual({});
  });
});

describe('decideRetention: clips of deleted cameras', () => {
  it('deletes every clip of a camera that no longer exists, uploads and event clips too', () => {
    const orphan = clip('gone', minutesAgo(1));
    const orphanUpload = clip('gone', minutesAgo(1), { source: 'upload' });
    const orphanWithEvent = clip('gone', minutesAgo(2));
    expect(decide({ clips: [orphan, orphanUpload, orphanWithEvent], events: [eventOf(orphanWithEvent)] })).toEqual({
      [orphan.id]: 'camera-deleted',
      [orphanUpload.id]: 'camera-deleted',
      [orphanWithEvent.id]: 'camera-deleted',
    });
  });
});

describe('decideRetention: motion-only recording', () => {
  /** seven 5 s clips of the yard in a row from a minute ago (padding 2 s) */
  function yard(): RetentionClip[] {
    const start = minutesAgo(1);
    return [0, 1, 2, 3, 4, 5, 6].map((index) => clip('yard', secondsAfter(start, index * 5)));
  }

  it('deletes analysed clips without motion, and keeps the clips within the padding of motion', () => {
    const [a, b, c, d, e, f, g] = yard() as [RetentionClip, RetentionClip, RetentionClip, RetentionClip, RetentionClip, RetentionClip, RetentionClip];
    // motion in c from 1 s to 4 s of it: b ends 1 s before, d starts 1 s after (padding 2 s); a and e are farther
    const analyses = [done(a), done(b), done(c, [1, 4]), done(d), done(e), done(f), done(g)];
    // g is the newest: kept until the recording reaches past its padding
    expect(decide({ clips: [a, b, c, d, e, f, g], analyses })).toEqual({ [a.id]: 'motion', [e.id]: 'motion', [f.id]: 'motion' });
  });

  it('waits while a clip near it is not analysed, and keeps it for good when that analysis failed', () => {
    const [a, b, c, d] = yard() as [RetentionClip, RetentionClip, RetentionClip, RetentionClip];
    const clips = [a, b, c, d];
    // c touches d's time: it waits for d
    expect(decide({ clips, analyses: [done(a), done(b), done(c), { ...done(d), status: 'analysing' }] })).toEqual({ [a.id]: 'motion', [b.id]: 'motion' });
    expect(decide({ clips, analyses: [done(a), done(b), done(c)] })).toEqual({ [a.id]: 'motion', [b.id]: 'motion' });
    // d failed: whether it moved near c is not known, and never will be (half an hour later still)
    const failed = decide({ clips, now: new Date(now.getTime() + 30 * 60_000), analyses: [done(a), done(b), done(c), { ...done(d), status: 'failed' }] });
    expect(failed).toEqual({ [a.id]: 'motion', [b.id]: 'motion' });
  });

  it('never deletes a clip for motion before it is analysed itself, nor a clip that holds an event', () => {
    const [a, b, c, d] = yard() as [RetentionClip, RetentionClip, RetentionClip, RetentionClip];
    // a is not analysed: a stays, and b (next to it) waits; c is free
    expect(decide({ clips: [a, b, c, d], analyses: [{ ...done(a), status: 'queued' }, done(b), done(c), done(d)] })).toEqual({ [c.id]: 'motion' });
    // an event in b (from 1 s to 3 s of it) keeps b, and a and c next to it
    expect(decide({ clips: [a, b, c, d], analyses: [done(a), done(b), done(c), done(d)], events: [eventOf(b)] })).toEqual({});
  });

  it("counts a neighbour's event as motion (an analysis that kept no motion times)", () => {
    const [a, b, c, d] = yard() as [RetentionClip, RetentionClip, RetentionClip, RetentionClip];
    expect(decide({ clips: [a, b, c, d], analyses: [done(a), done(b), done(c), done(d)], events: [eventOf(d, 0.5, 1)] })).toEqual({ [a.id]: 'motion', [b.id]: 'motion' });
  });

  it('keeps the last clip until the recording goes past its padding, or the camera stayed quiet long enough', () => {
    const [a, b] = yard() as [RetentionClip, RetentionClip];
    const analyses = [done(a), done(b)];
    // b is the newest clip: nothing recorded yet that reaches 2 s past its end
    expect(decide({ clips: [a, b], analyses })).toEqual({ [a.id]: 'motion' });
    const bEnd = b.startedAt.getTime() + 5000;
    const later = (sec: number) => new Date(bEnd + sec * 1000);
    expect(decide({ now: later(2 + 599), clips: [a, b], analyses })[b.id]).toBeUndefined();
    expect(decide({ now: later(2 + 600), clips: [a, b], analyses })[b.id]).toBe('motion');
    expect(decide({ now: later(2 + 30), settleSec: 30, clips: [a, b], analyses })[b.id]).toBe('motion');
  });

  it('only looks at the same camera: motion on another camera keeps nothing here', () => {
    const [a, b] = yard() as [RetentionClip, RetentionClip];
    const otherCamera = { ...motionOnly, id: 'other' };
    const elsewhere = clip('other', b.startedAt);
    expect(decide({ cameras: [continuous, motionOnly, otherCamera], clips: [a, b, elsewhere], analyses: [done(a), done(b), done(elsewhere, [0, 5])] })).toEqual({ [a.id]: 'motion' });
  });

  it('applies the ring to clips with motion as to any other', () => {
    const old = clip('yard', minutesAgo(120));
    expect(decide({ clips: [old], analyses: [done(old, [0, 4])] })).toEqual({ [old.id]: 'retention' });
  });
});

describe('planDiskRelief', () => {
  const sized = (id: string, startedAt: Date, megabytes: number) => ({ id, startedAt, sizeBytes: String(megabytes * 1_000_000) });

  it('picks the oldest clips, any camera or kind, until their sizes cover what is missing', () => {
    const clips = [sized('new', minutesAgo(1), 5), sized('oldest', daysAgo(2), 3), sized('old', daysAgo(1), 3), sized('older', daysAgo(1.5), 3)];
    expect(planDiskRelief(clips, 10_000_000, 15_000_000).map((c) => c.id)).toEqual(['oldest', 'older']);
    expect(planDiskRelief(clips, 10_000_000, 13_000_000).map((c) => c.id)).toEqual(['oldest']);
  });

  it('picks nothing when there is room, and everything when all of it is not enough', () => {
    const clips = [sized('a', daysAgo(2), 1), sized('b', daysAgo(1), 1)];
    expect(planDiskRelief(clips, 20_000_000, 15_000_000)).toEqual([]);
    expect(planDiskRelief(clips, 0, 15_000_000).map((c) => c.id)).toEqual(['a', 'b']);
  });
});
