import { describe, expect, it } from 'vitest';
import { parseExportRange, planExport, type ExportClip } from './export-plan.js';

const t0 = new Date('2026-11-22T10:00:00.000Z');
const at = (sec: number) => new Date(t0.getTime() + sec * 1000);
const clip = (id: string, startSec: number, durationSec = 5): ExportClip => ({ id, path: `home/gate/clips/2026-11-22/${id}.mp4`, startedAt: at(startSec), durationSec });
const shape = (plan: ReturnType<typeof planExport>) => plan.pieces.map((piece) => [piece.clip.id, piece.fromSec ?? null, piece.toSec ?? null]);

describe('parseExportRange', () => {
  it('takes ISO 8601 times with a zone', () => {
    expect(parseExportRange('2026-11-22T10:00:00Z', '2026-11-22T12:00:00.500+01:00')).toEqual({ from: t0, to: new Date('2026-11-22T11:00:00.500Z') });
  });

  it('refuses missing, unparsable or zoneless times, an empty or backward range, and more than 6 hours, saying why', () => {
    const refused = (from: string | undefined, to: string | undefined) => {
      try {
        parseExportRange(from, to);
      } catch (error) {
        return error;
      }
      throw new Error('accepted');
    };
    expect(refused(undefined, '2026-11-22T10:00:00Z')).toMatchObject({ code: 'INVALID_RANGE', httpStatus: 400, message: expect.stringMatching(/from is missing/) });
    expect(refused('yesterday', '2026-11-22T10:00:00Z')).toMatchObject({ code: 'INVALID_RANGE', message: expect.stringMatching(/from must be an ISO 8601 time with a zone/) });
    expect(refused('2026-11-22T10:00:00', '2026-11-22T11:00:00Z')).toMatchObject({ message: expect.stringMatching(/with a zone/) });
    expect(refused('2026-11-22T10:00:00Z', '2026-13-45T10:00:00Z')).toMatchObject({ message: expect.stringMatching(/to must be/) });
    expect(refused('2026-11-22T10:00:00Z', '2026-11-22T10:00:00Z')).toMatchObject({ message: expect.stringMatching(/must be before/) });
    expect(refused('2026-11-22T11:00:00Z', '2026-11-22T10:00:00Z')).toMatchObject({ message: expect.stringMatching(/must be before/) });
    expect(refused('2026-11-22T10:00:00Z', '2026-11-22T16:00:00.001Z')).toMatchObject({ message: expect.stringMatching(/at most 6 hours/) });
    expect(parseExportRange('2026-11-22T10:00:00Z', '2026-11-22T16:00:00Z').to).toEqual(at(6 * 3600));
  });
});

describe('planExport', () => {
  it('takes the clips overlapping the range in time order, trimming the first and the last', () => {
    const plan = planExport([clip('c', 10), clip('a', 0), clip('b', 5), clip('before', -5), clip('after', 15)], at(3.5), at(11.5));
    expect(shape(plan)).toEqual([['a', 3.5, null], ['b', null, null], ['c', null, 1.5]]);
    expect(plan).toMatchObject({ gaps: 0, recordedSec: 8 });
  });

  it('skips gaps (the camera was offline) and counts those over a second', () => {
    const plan = planExport([clip('a', 0), clip('b', 5.4), clip('c', 30), clip('d', 35), clip('e', 60)], at(0), at(65));
    expect(shape(plan)).toEqual([['a', null, null], ['b', null, null], ['c', null, null], ['d', null, null], ['e', null, null]]);
    expect(plan.gaps).toBe(2);
    expect(plan.recordedSec).toBe(25);
  });

  it('does not show the same moment twice when clips overlap (a push during the recording)', () => {
    const plan = planExport([clip('a', 0), clip('push-inside', 1, 3), clip('b', 5), clip('push-longer', 8, 10)], at(0), at(30));
    expect(shape(plan)).toEqual([['a', null, null], ['b', null, null], ['push-longer', 2, null]]);
    expect(plan.recordedSec).toBe(18);
  });

  it('is empty when nothing was recorded in the range', () => {
    expect(planExport([clip('a', 0), clip('b', 100)], at(20), at(90)).pieces).toEqual([]);
    expect(planExport([clip('zero', 30, 0)], at(20), at(90)).pieces).toEqual([]);
  });
});
