import { describe, expect, it } from 'vitest';
import { interpretProbeOutput, lastStderrLine, looksLikeVideoContainer, parseFrameRate } from './probe-result.parser.js';

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
      file: 'v.avi', sizeBytes: 8131690, formatName: 'avi', durationSec: 79.5, width: 768, height: 576, fps: 10,
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
