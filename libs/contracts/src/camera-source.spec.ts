import { describe, expect, it } from 'vitest';
import { defaultCameraSource, parseCameraSource, splitCredentials } from './camera-source.js';
import { CameramonitError } from './errors.js';

function problemOf(input: unknown, current = defaultCameraSource): string {
  try {
    parseCameraSource(input, current);
  } catch (error) {
    expect(error).toBeInstanceOf(CameramonitError);
    expect((error as CameramonitError).code).toBe('INVALID_CAMERA_SOURCE');
    return (error as Error).message;
  }
  throw new Error('expected the source to be refused');
}

describe('parseCameraSource', () => {
  it('takes an RTSP camera and moves credentials out of its address', () => {
    const { source, password } = parseCameraSource({ kind: 'rtsp', url: 'rtsp://viewer:s%40cret@192.168.1.20:554/stream1', transport: 'udp' });
    expect(source).toMatchObject({ kind: 'rtsp', url: 'rtsp://192.168.1.20:554/stream1', username: 'viewer', hasPassword: true, transport: 'udp' });
    expect(password).toBe('s@cret');
  });

  it('keeps the stored password unless one is given, and clears it with null', () => {
    const current = { ...defaultCameraSource, kind: 'rtsp' as const, url: 'rtsp://cam/1', username: 'u', hasPassword: true };
    expect(parseCameraSource({ transport: 'udp' }, current)).toMatchObject({ password: undefined, source: { hasPassword: true } });
    expect(parseCameraSource({ password: null }, current)).toMatchObject({ password: null, source: { hasPassword: false } });
  });

  it('leaves addresses with shell characters as they are: they are never given to a shell', () => {
    const { source } = parseCameraSource({ kind: 'rtsp', url: 'rtsp://cam/x;rm -rf $(id)`' });
    expect(source.url).toBe('rtsp://cam/x;rm -rf $(id)`');
  });

  it('says what is wrong with each field and with the whole', () => {
    const message = problemOf({ kind: 'rtsp', url: 'http://cam/video', transport: 'quic', snapshotFps: 0, recordMode: 'sometimes', colour: 1 });
    expect(message).toContain('url of a rtsp camera must start with rtsp:// or rtsps://');
    expect(message).toContain('transport must be "tcp" or "udp"');
    expect(message).toContain('snapshotFps must be a number from 0.1 to 30');
    expect(message).toContain('recordMode must be "continuous" or "motion"');
    expect(message).toContain('colour is not a camera source field');
    expect(problemOf({ kind: 'mjpeg' })).toContain('url is needed for a mjpeg camera');
    expect(problemOf({ kind: 'webcam', url: '/etc/passwd' })).toContain('video device such as /dev/video0');
    expect(problemOf({ kind: 'file', url: 'a.mp4', subStreamUrl: 'rtsp://x/2' })).toContain('subStreamUrl is only for rtsp cameras');
  });

  it('takes a webcam by its number, as OpenCV names it ("0" is /dev/video0)', () => {
    expect(parseCameraSource({ kind: 'webcam', url: '0' }).source.url).toBe('/dev/video0');
    expect(parseCameraSource({ kind: 'webcam', url: ' 2 ' }).source.url).toBe('/dev/video2');
    expect(problemOf({ kind: 'webcam', url: '-1' })).toContain('video device such as /dev/video0 (or its number, 0)');
  });

  it('names the recorder that records the camera; "main" and null are the main one; a push or upload camera has none', () => {
    expect(parseCameraSource({ kind: 'webcam', url: '/dev/video0', recorder: 'front-desk' }).source.recorder).toBe('front-desk');
    const current = { ...defaultCameraSource, kind: 'webcam' as const, url: '/dev/video0', recorder: 'front-desk' };
    expect(parseCameraSource({ url: '/dev/video1' }, current).source.recorder).toBe('front-desk');
    expect(parseCameraSource({ recorder: 'main' }, current).source.recorder).toBeNull();
    expect(parseCameraSource({ recorder: null }, current).source.recorder).toBeNull();
    expect(problemOf({ recorder: 'Front Desk' }, current)).toContain('recorder must be null (the main recorder) or a recorder id');
    expect(problemOf({ kind: 'push', recorder: 'front-desk' })).toContain('recorder is for cameras a recorder reads');
    // switching a webcam to pushed frames forgets its recorder: pushes come through the main one
    expect(parseCameraSource({ kind: 'push', url: null }, current).source.recorder).toBeNull();
  });

  it("asks a webcam's device for a picture size and rate, only a webcam's", () => {
    expect(parseCameraSource({ kind: 'webcam', url: '0', captureSize: '1280x720', captureFps: 15 }).source).toMatchObject({ captureSize: '1280x720', captureFps: 15 });
    const current = { ...defaultCameraSource, kind: 'webcam' as const, url: '/dev/video0', captureSize: '640x480', captureFps: 10 };
    expect(parseCameraSource({ captureSize: null, captureFps: null }, current).source).toMatchObject({ captureSize: null, captureFps: null });
    expect(problemOf({ captureSize: 'big' }, current)).toContain('captureSize must be null (the webcam\'s own) or a picture size such as 1280x720');
    expect(problemOf({ captureFps: 120 }, current)).toContain('captureFps must be null (the webcam\'s own) or a number from 1 to 60');
    expect(problemOf({ kind: 'rtsp', url: 'rtsp://cam/1', captureSize: '640x480' })).toContain('captureSize is only for webcam cameras');
    // a webcam turned into an RTSP camera forgets what it asked of the device
    expect(parseCameraSource({ kind: 'rtsp', url: 'rtsp://cam/1' }, current).source).toMatchObject({ captureSize: null, captureFps: null });
  });

  it('needs no address for uploads only and pushed frames', () => {
    expect(parseCameraSource({ kind: 'push' }).source.kind).toBe('push');
    expect(parseCameraSource({ kind: 'none', url: null }).source.url).toBeNull();
  });
});

describe('splitCredentials', () => {
  it('leaves plain addresses and paths alone', () => {
    expect(splitCredentials('rtsp://cam:554/live')).toEqual({ url: 'rtsp://cam:554/live', username: null, password: null });
    expect(splitCredentials('fixtures/vtest.avi')).toEqual({ url: 'fixtures/vtest.avi', username: null, password: null });
  });
});
