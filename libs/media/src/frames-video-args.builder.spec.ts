import { describe, expect, it } from 'vitest';
import { buildFramesToMp4Args, frameFileName, framePattern } from './frames-video-args.builder.js';

describe('buildFramesToMp4Args', () => {
  it('reads the numbered frames at the fps asked and writes an H.264 MP4 of exactly the size asked', () => {
    const args = buildFramesToMp4Args('/data/pushes/p1/', '/tmp/out.mp4', { fps: 5, width: 640, height: 480, frameCount: 42 });
    expect(args.join(' ')).toBe(
      '-hide_banner -nostdin -v error -y -f image2 -framerate 5 -start_number 1 -i /data/pushes/p1/frame-%06d.jpg -frames:v 42 ' +
        '-vf scale=640:480:force_original_aspect_ratio=decrease:flags=bicubic,pad=640:480:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1,format=yuv420p ' +
        '-c:v libx264 -preset veryfast -crf 23 -g 10 -r 5 -movflags +faststart -f mp4 /tmp/out.mp4',
    );
  });

  it('keeps fractional frame rates and a key frame at least every frame', () => {
    const args = buildFramesToMp4Args('/f', '/o.mp4', { fps: 0.5, width: 32, height: 32, frameCount: 1 });
    expect(args[args.indexOf('-framerate') + 1]).toBe('0.5');
    expect(args[args.indexOf('-g') + 1]).toBe('1');
  });

  it('names frames the way its pattern reads them', () => {
    expect(frameFileName(1)).toBe('frame-000001.jpg');
    expect(frameFileName(123456)).toBe('frame-123456.jpg');
    expect(framePattern).toBe('frame-%06d.jpg');
  });

  it('refuses what ffmpeg or H.264 would choke on, saying what is wrong', () => {
    const ok = { fps: 5, width: 640, height: 480, frameCount: 1 };
    expect(() => buildFramesToMp4Args('/f', '/o.mp4', { ...ok, width: 641 })).toThrow(/width must be an even number/);
    expect(() => buildFramesToMp4Args('/f', '/o.mp4', { ...ok, height: 8 })).toThrow(/height must be an even number of pixels from 32/);
    expect(() => buildFramesToMp4Args('/f', '/o.mp4', { ...ok, fps: 0 })).toThrow(/fps must be from 0.5 to 30/);
    expect(() => buildFramesToMp4Args('/f', '/o.mp4', { ...ok, fps: 60 })).toThrow(/fps/);
    expect(() => buildFramesToMp4Args('/f', '/o.mp4', { ...ok, frameCount: 0 })).toThrow(/frameCount/);
    expect(() => buildFramesToMp4Args('/tmp/100%/f', '/o.mp4', ok)).toThrow(/must not contain "%"/);
  });
});
