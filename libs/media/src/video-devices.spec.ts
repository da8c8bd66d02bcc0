import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseWebcamFormat, listVideoNodes, parseV4l2FormatList, parseV4l2Formats } from './video-devices.js';

describe('parseV4l2Formats', () => {
  it("reads the formats a capture device offers from ffmpeg's list (as printed for Linux's vivid test device)", () => {
    const stderr = [
      '\x1b[0;35m[video4linux2,v4l2 @ 0x557c441d6840] \x1b[0mRaw       :     yuyv422 :           YUYV 4:2:2 : 320x180 640x360 640x480 1280x720 1920x1080 3840x2160',
      '[video4linux2,v4l2 @ 0x557c441d6840] Raw       :       rgb24 :     24-bit RGB 8-8-8 : 320x180 640x360 640x480',
      '[video4linux2,v4l2 @ 0x557c441d6840] Raw       : Unsupported : 18-bit BGRX 6-6-6-14 : 320x180 640x360',
      '[video4linux2,v4l2 @ 0x557c441d6840] Compressed:       mjpeg :          Motion-JPEG : 640x480 1920x1080',
      '[video4linux2,v4l2 @ 0x557c441d6840] Raw       :     yuyv422 :           YUYV 4:2:2 : 320x180',
      '/dev/video0: Immediate exit requested',
    ].join('\n');
    expect(parseV4l2Formats(stderr)).toEqual(['yuyv422', 'rgb24', 'mjpeg']);
  });

  it('reads the picture sizes of each format, and whether the device compresses it', () => {
    const stderr = [
      '[video4linux2,v4l2 @ 0x55] Raw       :     yuyv422 :           YUYV 4:2:2 : 640x480 160x120 1280x720',
      '[video4linux2,v4l2 @ 0x55] Compressed:       mjpeg :          Motion-JPEG : 640x480 1280x720 1920x1080',
      '[video4linux2,v4l2 @ 0x55] Raw       :     yuyv422 :           YUYV 4:2:2 : 320x240',
    ].join('\n');
    expect(parseV4l2FormatList(stderr)).toEqual([
      { format: 'yuyv422', compressed: false, sizes: ['640x480', '160x120', '1280x720', '320x240'] },
      { format: 'mjpeg', compressed: true, sizes: ['640x480', '1280x720', '1920x1080'] },
    ]);
  });

  it('says a node that does not capture (a webcam\'s metadata node, an output device) is none', () => {
    expect(parseV4l2Formats('[video4linux2,v4l2 @ 0x55] Not a video capture device.\n/dev/video1: No such device')).toBeNull();
    expect(parseV4l2Formats('/dev/video7: No such file or directory')).toBeNull();
  });
});

describe('listVideoNodes', () => {
  it('lists video nodes in number order with their drivers\' names, and nothing on a machine without any', async () => {
    const sys = mkdtempSync(join(tmpdir(), 'cm-v4l-'));
    for (const [node, name] of [['video10', 'USB capture'], ['video0', 'HD Pro Webcam C920\n'], ['video1', 'HD Pro Webcam C920']]) {
      mkdirSync(join(sys, node as string));
      writeFileSync(join(sys, node as string, 'name'), name as string);
    }
    mkdirSync(join(sys, 'v4l-subdev0'));
    expect(await listVideoNodes(sys)).toEqual([
      { path: '/dev/video0', name: 'HD Pro Webcam C920' },
      { path: '/dev/video1', name: 'HD Pro Webcam C920' },
      { path: '/dev/video10', name: 'USB capture' },
    ]);
    expect(await listVideoNodes(join(sys, 'missing'))).toEqual([]);
  });
});

describe('chooseWebcamFormat: the pixel format asked of a webcam', () => {
  // a usual USB webcam: YUYV up to 1280x720 (about 10 fps there over USB 2), Motion-JPEG up to 1920x1080 at 30
  const usb = [
    { format: 'yuyv422', compressed: false, sizes: ['320x240', '640x480', '1280x720'] },
    { format: 'mjpeg', compressed: true, sizes: ['320x240', '640x480', '1280x720', '1920x1080'] },
  ];

  it('asks for Motion-JPEG for pictures larger than raw gives at full rate, or of a size only it offers', () => {
    expect(chooseWebcamFormat(usb, '1280x720')).toBe('mjpeg');
    expect(chooseWebcamFormat(usb, '1920x1080')).toBe('mjpeg');
    // no size asked: the device's current one, unknown
    expect(chooseWebcamFormat(usb, null)).toBe('mjpeg');
  });

  it('takes raw pictures where they come at full rate, and the default where there is no Motion-JPEG', () => {
    expect(chooseWebcamFormat(usb, '640x480')).toBeNull();
    expect(chooseWebcamFormat(usb, '320x240')).toBeNull();
    // Linux's vivid test device and capture cards: raw only
    expect(chooseWebcamFormat([{ format: 'yuyv422', compressed: false, sizes: ['320x180', '1280x720'] }], '1280x720')).toBeNull();
    // the device could not be asked
    expect(chooseWebcamFormat(null, '1280x720')).toBeNull();
    // a Motion-JPEG that does not list the size asked, where raw does: raw, rather than the driver's nearest JPEG size
    expect(chooseWebcamFormat([{ format: 'yuyv422', compressed: false, sizes: ['1280x720'] }, { format: 'mjpeg', compressed: true, sizes: ['1920x1080'] }], '1280x720')).toBeNull();
  });
});
