import { describe, expect, it } from 'vitest';
import { displayRotation, interpretProbeOutput, lastStderrLine, looksLikeVideoContainer, parseFrameRate } from './probe-result.parser.js';

const vtestJson = JSON.stringify({
  streams: [
    { codec_type: 'video', codec_name: 'msmpeg4v3', width: 768, height: 576, avg_frame_rate: '10/1', duration: '79.5', nb_frames: '795', bit_rate: '816938' },
  ],
  format: { format_name: 'avi', duration: '79.500000', size: '8131690' },
});

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe('interpretProbeOutput', () => {
  it('describes a normal video', () => {
    expect(interpretProbeOutput('v.avi', 8131690, vtestJson)).toEqual({
      file: 'v.avi', sizeBytes: 8131690, formatName: 'avi', durationSec: 79.5, width: 768, height: 576, rotation: 0, codedWidth: 768, codedHeight: 576, fps: 10,
      codec: 'msmpeg4v3', hasVideoStream: true, hasAudioStream: false,
    });
  });

  it('spots a truncated AVI whose header lists more frames than it holds', () => {
    const json = JSON.stringify({
      streams: [{ codec_type: 'video', codec_name: 'msmpeg4v3', width: 768, height: 576, avg_frame_rate: '10/1', duration: '2.9', nb_frames: '795' }],
      format: { format_name: 'avi', duration: '2.9' },
    });
    expect(codeOf(() => interpretProbeOutput('t.avi', 300000, json))).toBe('CORRUPT_VIDEO');
  });

  it('spots a truncated MP4 whose streams need more bytes than the file has', () => {
    const json = JSON.stringify({
      streams: [{ codec_type: 'video', codec_name: 'h264', width: 768, height: 576, avg_frame_rate: '10/1', nb_frames: '50', bit_rate: '644217' }],
      format: { format_name: 'mov,mp4,m4a,3gp,3g2,mj2', duration: '5.0' },
    });
    expect(codeOf(() => interpretProbeOutput('t.mp4', 150000, json))).toBe('CORRUPT_VIDEO');
    expect(codeOf(() => interpretProbeOutput('t.mp4', 404038, json))).toBeUndefined();
  });

  it('audio only is NO_VIDEO_STREAM, nothing at all is NOT_VIDEO', () => {
    const audio = JSON.stringify({ streams: [{ codec_type: 'audio', codec_name: 'aac' }], format: { format_name: 'mov', duration: '2' } });
    expect(codeOf(() => interpretProbeOutput('a.m4a', 1000, audio))).toBe('NO_VIDEO_STREAM');
    expect(codeOf(() => interpretProbeOutput('x', 10, '{}'))).toBe('NOT_VIDEO');
    expect(codeOf(() => interpretProbeOutput('x', 10, 'not json'))).toBe('NOT_VIDEO');
  });

  it('text read by the tty demuxer and still images are NOT_VIDEO', () => {
    const tty = JSON.stringify({ streams: [{ codec_type: 'video', codec_name: 'ansi', width: 640, height: 400 }], format: { format_name: 'tty', duration: '0.04' } });
    expect(codeOf(() => interpretProbeOutput('notes.txt', 19, tty))).toBe('NOT_VIDEO');
    const jpeg = JSON.stringify({ streams: [{ codec_type: 'video', codec_name: 'mjpeg', width: 640, height: 400 }], format: { format_name: 'jpeg_pipe' } });
    expect(codeOf(() => interpretProbeOutput('photo.mp4', 5000, jpeg))).toBe('NOT_VIDEO');
  });

  it('ignores cover art when looking for the picture', () => {
    const json = JSON.stringify({
      streams: [{ codec_type: 'audio', codec_name: 'mp3' }, { codec_type: 'video', codec_name: 'png', width: 300, height: 300, disposition: { attached_pic: 1 } }],
      format: { format_name: 'mp3', duration: '180' },
    });
    expect(codeOf(() => interpretProbeOutput('song.mp3', 5_000_000, json))).toBe('NO_VIDEO_STREAM');
  });
});

describe('helpers', () => {
  it('parses frame rates', () => {
    expect(parseFrameRate('30000/1001')).toBeCloseTo(29.97, 2);
    expect(parseFrameRate('0/0')).toBe(0);
    expect(parseFrameRate(undefined)).toBe(0);
    expect(parseFrameRate('25')).toBe(25);
  });

  it('recognises container signatures', () => {
    const bytes = (text: string) => new TextEncoder().encode(text);
    expect(looksLikeVideoContainer(bytes('\0\0\0\x20ftypisom'))).toBe(true);
    expect(looksLikeVideoContainer(bytes('RIFF\0\0\0\0AVI LIST'))).toBe(true);
    expect(looksLikeVideoContainer(new Uint8Array([0x1a, 0x45, 0xdf, 0xa3, 0x01]))).toBe(true);
    expect(looksLikeVideoContainer(bytes('hello this is text\n'))).toBe(false);
    expect(looksLikeVideoContainer(bytes('Good morning, this starts with G'))).toBe(false);
    expect(looksLikeVideoContainer(new Uint8Array())).toBe(false);
  });

  it('keeps the last meaningful stderr line', () => {
    expect(lastStderrLine('[mov] moov atom not found\nx.mp4: Invalid data found when processing input\n')).toBe(
      'x.mp4: Invalid data found when processing input',
    );
    expect(lastStderrLine('a\n    Last message repeated 1 times\n')).toBe('a');
    expect(lastStderrLine('')).toBe('');
  });
});

describe('bad and unusual input', () => {
  const phone = (rotation: { side_data_list?: { side_data_type: string; rotation: number }[]; tags?: { rotate: string } }) =>
    JSON.stringify({
      streams: [{ codec_type: 'video', codec_name: 'h264', width: 1920, height: 1080, avg_frame_rate: '30/1', ...rotation }],
      format: { format_name: 'mov,mp4,m4a,3gp,3g2,mj2', duration: '4.0' },
    });

  it('a phone video turned by a display matrix is described as displayed (portrait), with its rotation', () => {
    const info = interpretProbeOutput('phone.mp4', 1000, phone({ side_data_list: [{ side_data_type: 'Display Matrix', rotation: -90 }] }));
    expect(info).toMatchObject({ width: 1080, height: 1920, rotation: 270, codedWidth: 1920, codedHeight: 1080 });
    expect(interpretProbeOutput('p.mp4', 1000, phone({ side_data_list: [{ side_data_type: 'Display Matrix', rotation: 90 }] }))).toMatchObject({ width: 1080, height: 1920, rotation: 90 });
    expect(interpretProbeOutput('p.mp4', 1000, phone({ side_data_list: [{ side_data_type: 'Display Matrix', rotation: 180 }] }))).toMatchObject({ width: 1920, height: 1080, rotation: 180 });
  });

  it('reads the older rotate tag (clockwise) when there is no display matrix', () => {
    expect(displayRotation({ tags: { rotate: '90' } })).toBe(270);
    expect(displayRotation({ tags: { rotate: '270' } })).toBe(90);
    expect(displayRotation({ tags: { rotate: 'sideways' } })).toBe(0);
    expect(displayRotation({})).toBe(0);
    expect(interpretProbeOutput('p.mp4', 1000, phone({ tags: { rotate: '90' } }))).toMatchObject({ width: 1080, height: 1920 });
  });

  it('refuses a picture too small to analyse (VIDEO_TOO_SMALL), accepts odd sizes', () => {
    const sized = (width: number, height: number) =>
      JSON.stringify({ streams: [{ codec_type: 'video', codec_name: 'h264', width, height, avg_frame_rate: '10/1' }], format: { format_name: 'matroska,webm', duration: '2' } });
    expect(codeOf(() => interpretProbeOutput('tiny.mkv', 500, sized(16, 16)))).toBe('VIDEO_TOO_SMALL');
    expect(codeOf(() => interpretProbeOutput('line.mkv', 500, sized(640, 1)))).toBe('VIDEO_TOO_SMALL');
    expect(interpretProbeOutput('odd.mkv', 500, sized(321, 241))).toMatchObject({ width: 321, height: 241 });
  });

  it('says NO_VIDEO_STREAM for a file with only subtitles or data, naming what it holds', () => {
    const json = JSON.stringify({ streams: [{ codec_type: 'subtitle', codec_name: 'ass' }], format: { format_name: 'matroska,webm', duration: '1' } });
    let message = '';
    try {
      interpretProbeOutput('subs.mkv', 300, json);
    } catch (error) {
      message = (error as Error).message;
      expect((error as { code: string }).code).toBe('NO_VIDEO_STREAM');
    }
    expect(message).toMatch(/only subtitle data/);
  });

  it('takes a missing duration (raw H.264, live-written MKV) as 0, for the frames to tell', () => {
    const json = JSON.stringify({ streams: [{ codec_type: 'video', codec_name: 'h264', width: 160, height: 120, avg_frame_rate: '10/1' }], format: { format_name: 'h264', duration: 'N/A' } });
    expect(interpretProbeOutput('raw.h264', 5000, json).durationSec).toBe(0);
  });
});
