import { describe, expect, it } from 'vitest';
import {
  buildKeyFrameStreamArgs,
  buildLivePictureArgs,
  buildAnimationArgs,
  buildDecodeCheckArgs,
  buildDrawboxFilter,
  buildFrameReaderArgs,
  buildMp4TranscodeArgs,
  buildProbeArgs,
  buildSnapshotArgs,
  buildFrameImageArgs,
  cropFractions,
  formatSeconds,
  parseProgressLine,
} from './ffmpeg-args.builder.js';
import { fitFrameSize } from './ffmpeg.driver.js';

describe('ffmpeg argument builders', () => {
  it('live pictures: only key frames (skipped undecoded), or every picture decoded and one written between key frames far apart', () => {
    const keys = buildKeyFrameStreamArgs(640, 360);
    expect(keys).toEqual(buildLivePictureArgs(640, 360, null));
    expect(keys.join(' ')).toContain('-skip_frame nokey');
    expect(keys[keys.indexOf('-vf') + 1]).toBe('scale=640:360:flags=area,showinfo');
    const spaced = buildLivePictureArgs(640, 360, 0.95);
    expect(spaced).not.toContain('-skip_frame');
    expect(spaced[spaced.indexOf('-vf') + 1]).toBe("select='eq(pict_type\\,I)+gte(t-prev_selected_t\\,0.95)',scale=640:360:flags=area,showinfo");
    expect(() => buildLivePictureArgs(640, 360, 0)).toThrow(/everySec/);
  });


  it('formats seconds without exponent or trailing zeros', () => {
    expect(formatSeconds(0)).toBe('0');
    expect(formatSeconds(12)).toBe('12');
    expect(formatSeconds(1.23456)).toBe('1.235');
    expect(formatSeconds(-3)).toBe('0');
    expect(formatSeconds(1e-7)).toBe('0');
  });

  it('probes with JSON output of format and streams', () => {
    expect(buildProbeArgs('/v/a.mp4')).toEqual([
      '-hide_banner', '-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', '/v/a.mp4',
    ]);
  });

  it('decode check maps the first video stream to one 16x16 gray frame', () => {
    const args = buildDecodeCheckArgs('/v/a.mp4');
    expect(args.join(' ')).toContain('-i /v/a.mp4 -map 0:v:0 -frames:v 1 -vf scale=16:16 -f rawvideo -pix_fmt gray pipe:1');
  });

  it('reads raw rgb24 frames at the analysis fps and size', () => {
    const args = buildFrameReaderArgs('/v/a.avi', { fps: 5, width: 512, height: 384 });
    expect(args).toEqual([
      '-hide_banner', '-nostdin', '-v', 'error', '-i', '/v/a.avi', '-map', '0:v:0', '-an', '-sn',
      '-vf', 'fps=5,scale=512:384:flags=area', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1',
    ]);
  });

  it('seeks and limits the frame reader when asked', () => {
    const args = buildFrameReaderArgs('/v/a.avi', { fps: 2.5, width: 320, height: 240, startSec: 10, durationSec: 4.5 });
    expect(args.slice(4, 8)).toEqual(['-ss', '10', '-t', '4.5']);
    expect(args).toContain('fps=2.5,scale=320:240:flags=area');
  });

  it('lets ffmpeg decode ahead of the reader through its fifo muxer when asked', () => {
    const args = buildFrameReaderArgs('/v/a.avi', { fps: 5, width: 512, height: 384, queueFrames: 8 });
    expect(args.slice(args.indexOf('-vf') + 2)).toEqual([
      '-pix_fmt', 'rgb24', '-c:v', 'rawvideo', '-f', 'fifo', '-fifo_format', 'rawvideo', '-queue_size', '8', '-attempt_recovery', '0', 'pipe:1',
    ]);
    expect(() => buildFrameReaderArgs('/v/a.avi', { fps: 5, width: 512, height: 384, queueFrames: 0 })).toThrow(/queueFrames/);
  });

  it('decodes only the key frames, each passed on as it is, when they are listed', () => {
    const args = buildFrameReaderArgs('/v/a.mp4', { fps: 5, width: 640, height: 360, keyFrames: [0, 1, 2] });
    expect(args.indexOf('-skip_frame')).toBeLessThan(args.indexOf('-i'));
    expect(args[args.indexOf('-skip_frame') + 1]).toBe('nokey');
    expect(args[args.indexOf('-vf') + 1]).toBe('scale=640:360:flags=area');
    expect(args[args.indexOf('-fps_mode') + 1]).toBe('passthrough');
    expect(buildFrameReaderArgs('/v/a.mp4', { fps: 5, width: 640, height: 360 })).not.toContain('-skip_frame');
    expect(() => buildFrameReaderArgs('/v/a.mp4', { fps: 5, width: 640, height: 360, keyFrames: [0], startSec: 2 })).toThrow(/startSec and durationSec cannot be given/);
  });

  it('decodes with the number of threads asked for (an input option, before -i)', () => {
    const args = buildFrameReaderArgs('/v/a.avi', { fps: 5, width: 512, height: 384, decodeThreads: 1 });
    expect(args.slice(args.indexOf('-threads'), args.indexOf('-i') + 2)).toEqual(['-threads', '1', '-i', '/v/a.avi']);
    expect(buildFrameReaderArgs('/v/a.avi', { fps: 5, width: 512, height: 384 })).not.toContain('-threads');
    expect(() => buildFrameReaderArgs('/v/a.avi', { fps: 5, width: 512, height: 384, decodeThreads: 0.5 })).toThrow(/decodeThreads must be a positive integer/);
  });

  it('refuses impossible frame sizes and rates', () => {
    expect(() => buildFrameReaderArgs('/v/a.avi', { fps: 0, width: 320, height: 240 })).toThrow(/fps/);
    expect(() => buildFrameReaderArgs('/v/a.avi', { fps: 5, width: 320.5, height: 240 })).toThrow(/width/);
  });

  it('draws boxes relative to the input size, whatever frame they were found in', () => {
    const filter = buildDrawboxFilter({ box: { x: 128, y: 96, width: 64, height: 48 }, frameWidth: 512, frameHeight: 384 });
    expect(filter).toBe('drawbox=x=iw*0.25:y=ih*0.25:w=iw*0.125:h=ih*0.125:color=red:t=3');
  });

  it('clips boxes that stick out of the frame', () => {
    const filter = buildDrawboxFilter({ box: { x: -10, y: 300, width: 100, height: 200 }, frameWidth: 400, frameHeight: 400, color: 'yellow' });
    expect(filter).toBe('drawbox=x=iw*0:y=ih*0.75:w=iw*0.25:h=ih*0.25:color=yellow:t=3');
  });

  it('snapshot seeks before the input, takes one frame and writes a JPEG', () => {
    const args = buildSnapshotArgs('/v/a.avi', '/out/s.jpg', {
      atSec: 12.5,
      width: 640,
      boxes: [{ box: { x: 0, y: 0, width: 256, height: 192 }, frameWidth: 512, frameHeight: 384 }],
    });
    expect(args).toEqual([
      '-hide_banner', '-nostdin', '-v', 'error', '-ss', '12.5', '-i', '/v/a.avi', '-map', '0:v:0', '-frames:v', '1',
      '-vf', 'scale=640:-2,drawbox=x=iw*0:y=ih*0:w=iw*0.5:h=ih*0.5:color=red:t=3',
      '-c:v', 'mjpeg', '-q:v', '3', '-f', 'image2', '-update', '1', '-y', '/out/s.jpg',
    ]);
  });

  it('snapshot without size or boxes has no filter', () => {
    expect(buildSnapshotArgs('/v/a.avi', '/o.jpg', { atSec: 0 })).not.toContain('-vf');
  });

  it('GIF uses a generated palette, loops forever and is 320 px wide by default', () => {
    const args = buildAnimationArgs('/v/a.avi', '/o/a.gif', { startSec: 3, durationSec: 4 });
    expect(args.slice(4, 10)).toEqual(['-ss', '3', '-t', '4', '-i', '/v/a.avi']);
    const graph = args[args.indexOf('-filter_complex') + 1];
    expect(graph).toBe(
      '[0:v:0]fps=8,scale=320:-2:flags=lanczos,split[frames][paletteinput];' +
        '[paletteinput]palettegen=max_colors=128:stats_mode=diff[palette];' +
        '[frames][palette]paletteuse=dither=bayer:bayer_scale=4:diff_mode=rectangle',
    );
    expect(args.slice(-7)).toEqual(['-an', '-loop', '0', '-f', 'gif', '-y', '/o/a.gif']);
  });

  it('animated WebP uses libwebp, lossy, looping', () => {
    const args = buildAnimationArgs('/v/a.avi', '/o/a.webp', { startSec: 0, durationSec: 2, format: 'webp', width: 240, fps: 5 });
    expect(args.join(' ')).toContain('-vf fps=5,scale=240:-2:flags=lanczos -c:v libwebp -lossless 0 -q:v 60 -loop 0 -f webp -y /o/a.webp');
  });

  it('MP4 is H.264 yuv420p with faststart, optional AAC audio and progress on stdout', () => {
    const args = buildMp4TranscodeArgs('/v/a.avi', '/o/a.mp4');
    expect(args).toEqual([
      '-hide_banner', '-nostdin', '-v', 'error', '-i', '/v/a.avi', '-map', '0:v:0', '-map', '0:a:0?', '-c:a', 'aac', '-b:a', '128k',
      '-vf', 'scale=trunc(iw/2)*2:trunc(ih/2)*2', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p',
      '-movflags', '+faststart', '-progress', 'pipe:1', '-nostats', '-f', 'mp4', '-y', '/o/a.mp4',
    ]);
  });

  it('MP4 of a part, scaled down, without audio', () => {
    const args = buildMp4TranscodeArgs('/v/a.avi', '/o/a.mp4', { startSec: 5, durationSec: 10, maxWidth: 640, keepAudio: false, crf: 28 });
    expect(args.slice(4, 8)).toEqual(['-ss', '5', '-t', '10']);
    expect(args).toContain('scale=w=trunc(min(iw\\,640)/2)*2:h=-2');
    expect(args).toContain('-an');
    expect(args).not.toContain('aac');
    expect(args[args.indexOf('-crf') + 1]).toBe('28');
  });

  it('MP4 scaled to a height (a 720p copy), up or down, keeping the aspect ratio', () => {
    const args = buildMp4TranscodeArgs('/v/a.avi', '/o/a.mp4', { height: 720, maxWidth: 640 });
    expect(args[args.indexOf('-vf') + 1]).toBe('scale=w=-2:h=720');
    expect(() => buildMp4TranscodeArgs('/v/a.avi', '/o/a.mp4', { height: 721 })).toThrow(/height/);
  });

  it('parses ffmpeg -progress lines', () => {
    expect(parseProgressLine('out_time_us=12500000')).toBe(12.5);
    expect(parseProgressLine('out_time_ms=1000000\n')).toBe(1);
    expect(parseProgressLine('out_time=00:00:12.500000')).toBeNull();
    expect(parseProgressLine('progress=continue')).toBeNull();
    expect(parseProgressLine('out_time_us=N/A')).toBeNull();
  });

  it('fits the analysis frame: never upscaled, aspect kept, even sides', () => {
    expect(fitFrameSize(768, 576, 512)).toEqual({ width: 512, height: 384 });
    expect(fitFrameSize(1920, 1080, 512)).toEqual({ width: 512, height: 288 });
    expect(fitFrameSize(320, 240, 512)).toEqual({ width: 320, height: 240 });
    expect(fitFrameSize(641, 481, 1000)).toEqual({ width: 640, height: 480 });
  });

  it('cuts a box with a margin, relative to the input size, and scales it down to fit, never up', () => {
    const args = buildFrameImageArgs('/v/a.avi', '/out/crop.jpg', {
      atSec: 3.25,
      crop: { box: { x: 100, y: 50, width: 100, height: 200 }, frameWidth: 400, frameHeight: 300 },
      maxSide: 384,
    });
    expect(args).toEqual([
      '-hide_banner', '-nostdin', '-v', 'error', '-ss', '3.25', '-i', '/v/a.avi', '-map', '0:v:0', '-frames:v', '1',
      '-vf', "crop=iw*0.325:ih*0.866667:iw*0.2125:ih*0.066667,scale='min(384,iw)':'min(384,ih)':force_original_aspect_ratio=decrease:force_divisible_by=2",
      '-c:v', 'mjpeg', '-q:v', '4', '-f', 'image2', '-update', '1', '-y', '/out/crop.jpg',
    ]);
    expect(buildFrameImageArgs('/v/a.avi', '/out/c.jpg', { atSec: 0, maxSide: 768 })).toContain("scale='min(768,iw)':'min(768,ih)':force_original_aspect_ratio=decrease:force_divisible_by=2");
  });

  it('writes a lossless RGB PNG when asked', () => {
    const args = buildFrameImageArgs('/v/a.avi', '/out/c.png', { atSec: 1, maxSide: 256, format: 'png' });
    expect(args.join(' ')).toContain('-c:v png -pix_fmt rgb24 -f image2');
    expect(args).not.toContain('mjpeg');
  });

  it('keeps a crop inside the frame and at least a little of it', () => {
    const frame = { frameWidth: 100, frameHeight: 100 };
    const edge = cropFractions({ box: { x: 90, y: 0, width: 10, height: 10 }, ...frame }, 0.5);
    expect(edge.x + edge.width).toBeLessThanOrEqual(1);
    expect(edge.y).toBe(0);
    const tiny = cropFractions({ box: { x: 50, y: 50, width: 1, height: 1 }, ...frame }, 0);
    expect(tiny.width).toBeCloseTo(0.08);
    const whole = cropFractions({ box: { x: 0, y: 0, width: 100, height: 100 }, ...frame });
    expect(whole).toEqual({ x: 0, y: 0, width: 1, height: 1 });
  });
});
