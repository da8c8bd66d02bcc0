import { describe, expect, it } from 'vitest';
import { buildConcatList, buildConcatToMp4Args, buildKeyFrameProbeArgs, concatFailureReason, formatConcatSeconds, keyFrameAtOrBefore, parseKeyFrameProbe, quoteConcatPath } from './concat-args.builder.js';

describe('quoteConcatPath', () => {
  it("single-quotes a path and writes each ' in it as '\\'' (the concat demuxer's own quoting)", () => {
    expect(quoteConcatPath('/store/home/gate/clips/2026-11-22/a.mp4')).toBe("'/store/home/gate/clips/2026-11-22/a.mp4'");
    expect(quoteConcatPath("/data/O'Brien's camera/a b.mp4")).toBe("'/data/O'\\''Brien'\\''s camera/a b.mp4'");
    // nothing else is special inside single quotes: backslashes, $, # and spaces stay as they are
    expect(quoteConcatPath('/data/a\\b $HOME #1.mp4')).toBe("'/data/a\\b $HOME #1.mp4'");
  });

  it('refuses relative paths (the list is read with -safe 0) and line breaks (a new directive would start)', () => {
    expect(() => quoteConcatPath('clips/a.mp4')).toThrow(/absolute paths only/);
    expect(() => quoteConcatPath('http://example.com/a.mp4')).toThrow(/absolute paths only/);
    expect(() => quoteConcatPath("/data/a.mp4'\nfile '/etc/passwd")).toThrow(/line breaks/);
    expect(() => quoteConcatPath('/data/a\r.mp4')).toThrow(/line breaks/);
    expect(() => quoteConcatPath('/data/a\u0000.mp4')).toThrow(/control characters/);
  });
});

describe('buildConcatList', () => {
  it('lists the files in order, with in- and outpoints in microseconds', () => {
    const list = buildConcatList([
      { file: '/s/a.mp4', inpointSec: 2.2 },
      { file: "/s/it's.mp4" },
      { file: '/s/c.mp4', outpointSec: 1.5 },
    ]);
    expect(list).toBe("ffconcat version 1.0\nfile '/s/a.mp4'\ninpoint 2.2\nfile '/s/it'\\''s.mp4'\nfile '/s/c.mp4'\noutpoint 1.5\n");
  });

  it('keeps a key frame time read by ffprobe exactly (a millisecond less would start a whole key-frame interval earlier)', () => {
    expect(buildConcatList([{ file: '/s/a.mp4', inpointSec: 2.033333, outpointSec: 4.0000004 }])).toContain('inpoint 2.033333\noutpoint 4\n');
    expect(formatConcatSeconds(0)).toBe('0');
    expect(formatConcatSeconds(1e-7)).toBe('0');
    expect(formatConcatSeconds(12345.5)).toBe('12345.5');
  });

  it('refuses an empty list, negative times and an outpoint before the inpoint', () => {
    expect(() => buildConcatList([])).toThrow(/at least one file/);
    expect(() => buildConcatList([{ file: '/s/a.mp4', inpointSec: -1 }])).toThrow(/at least 0/);
    expect(() => buildConcatList([{ file: '/s/a.mp4', inpointSec: 3, outpointSec: 2 }])).toThrow(/must come after its inpoint/);
    expect(() => buildConcatList([{ file: 'a.mp4' }])).toThrow(/absolute/);
  });
});

describe('buildConcatToMp4Args', () => {
  it('copies the video packets of one list into an MP4 with its index first', () => {
    expect(buildConcatToMp4Args(['/tmp/x/run-0.ffconcat'], '/tmp/x/export.mp4', { mode: 'copy' }).join(' ')).toBe(
      '-hide_banner -nostdin -v error -xerror -y -f concat -safe 0 -protocol_whitelist file -i /tmp/x/run-0.ffconcat ' +
        '-map 0:v:0 -an -sn -dn -c:v copy -movflags +faststart -f mp4 /tmp/x/export.mp4',
    );
  });

  it('re-encodes runs of different codec or size: each run its own demuxer, fitted to one size, joined by the concat filter', () => {
    const args = buildConcatToMp4Args(['/t/run-0.ffconcat', '/t/run-1.ffconcat'], '/t/export.mp4', { mode: 'encode', width: 768, height: 576 });
    expect(args.filter((arg) => arg === '-i')).toHaveLength(2);
    expect(args.slice(args.indexOf('-i') - 6, args.indexOf('-i') + 2)).toEqual(['-f', 'concat', '-safe', '0', '-protocol_whitelist', 'file', '-i', '/t/run-0.ffconcat']);
    const fit = 'scale=768:576:force_original_aspect_ratio=decrease,pad=768:576:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1,format=yuv420p';
    expect(args[args.indexOf('-filter_complex') + 1]).toBe(`[0:v:0]${fit}[v0];[1:v:0]${fit}[v1];[v0][v1]concat=n=2:v=1:a=0[video]`);
    expect(args.join(' ')).toContain('-map [video] -c:v libx264 -preset veryfast -crf 23 -pix_fmt yuv420p -movflags +faststart -f mp4 /t/export.mp4');
  });

  it('refuses what cannot work: several lists by copy, odd sizes, a relative list, option text that is not a preset', () => {
    expect(() => buildConcatToMp4Args([], '/t/o.mp4', { mode: 'copy' })).toThrow(/at least one/);
    expect(() => buildConcatToMp4Args(['/t/a', '/t/b'], '/t/o.mp4', { mode: 'copy' })).toThrow(/need encoding/);
    expect(() => buildConcatToMp4Args(['/t/a'], '/t/o.mp4', { mode: 'encode', width: 767, height: 576 })).toThrow(/width must be an even number/);
    expect(() => buildConcatToMp4Args(['t/a'], '/t/o.mp4', { mode: 'copy' })).toThrow(/absolute path/);
    expect(() => buildConcatToMp4Args(['/t/a'], '/t/o.mp4', { mode: 'encode', width: 64, height: 64, preset: 'fast -i x' })).toThrow(/preset/);
  });
});

describe('key frames', () => {
  it('asks ffprobe for packet times and flags only (no decoding)', () => {
    expect(buildKeyFrameProbeArgs('/s/a.mp4')).toEqual(['-hide_banner', '-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time,flags:format=start_time', '-of', 'json', '/s/a.mp4']);
  });

  it("reads the key frames and the timeline's start (B-frames: the first picture is shown at 0.2 s)", () => {
    const json = JSON.stringify({
      packets: [
        { pts_time: '0.200000', flags: 'K_' },
        { pts_time: '0.600000', flags: '__' },
        { pts_time: 'N/A', flags: 'K_' },
        { pts_time: '2.200000', flags: 'K_' },
        { pts_time: '4.200000', flags: 'K__' },
      ],
      format: { start_time: '0.200000' },
    });
    const times = parseKeyFrameProbe(json);
    expect(times).toEqual({ startSec: 0.2, keyFrameSecs: [0.2, 2.2, 4.2] });
    // 3.5 s into the clip is 3.7 on its timeline: the key frame before it is at 2.2
    expect(keyFrameAtOrBefore(times, 3.5)).toBe(2.2);
    expect(keyFrameAtOrBefore(times, 2)).toBe(2.2);
    expect(keyFrameAtOrBefore(times, 1.9)).toBe(0.2);
    expect(keyFrameAtOrBefore(times, 0)).toBe(0.2);
    expect(keyFrameAtOrBefore(times, 60)).toBe(4.2);
    expect(() => parseKeyFrameProbe('not json')).toThrow(/did not describe/);
  });
});

describe('concatFailureReason', () => {
  it('names the clip that could not be opened, quotes and all, instead of the list ffmpeg blames last', () => {
    const stderr = "[concat @ 0x55] Impossible to open '/s/it's gone.mp4'\n/tmp/x/run-0.ffconcat: No such file or directory\n";
    expect(concatFailureReason(stderr)).toBe("the clip /s/it's gone.mp4 cannot be opened (deleted meanwhile?)");
    expect(concatFailureReason('[mp4 @ 0x1] something else broke\n')).toBe('[mp4 @ 0x1] something else broke');
  });
});
