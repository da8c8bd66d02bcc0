import { describe, expect, it } from 'vitest';
import { buildVideoFramesArgs } from './image-args.builder.js';
import { readImageFacts } from './image-size.js';

describe('buildVideoFramesArgs', () => {
  it('reads the part of the video at the rate asked, capped in count and width', () => {
    const args = buildVideoFramesArgs('clip.mp4', '/tmp/f/frame-%03d.jpg', { startSec: 2.5, durationSec: 3, fps: 2, maxWidth: 640, maxFrames: 5 });
    expect(args.join(' ')).toBe(
      "-hide_banner -nostdin -v error -y -ss 2.5 -t 3 -i clip.mp4 -map 0:v:0 -an -vf fps=2,scale=w='min(640,iw)':h=-2 -frames:v 5 -c:v mjpeg -q:v 3 -f image2 /tmp/f/frame-%03d.jpg",
    );
  });
});

describe('readImageFacts', () => {
  it('reads PNG and JPEG headers and nothing else', () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d494844520000028000000168080200000000', 'hex');
    expect(readImageFacts(png)).toEqual({ contentType: 'image/png', width: 640, height: 360 });
    const jpeg = Buffer.from('ffd8ffe000104a46494600010100000100010000ffc0001108004000800301220002110103110100', 'hex');
    expect(readImageFacts(jpeg)).toEqual({ contentType: 'image/jpeg', width: 128, height: 64 });
    expect(readImageFacts(Buffer.from('GIF89a......'))).toBeNull();
    expect(readImageFacts(jpeg.subarray(0, 10))).toBeNull();
  });
});
