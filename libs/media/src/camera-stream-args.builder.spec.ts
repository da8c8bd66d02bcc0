import { describe, expect, it } from 'vitest';
import { addressWithCredentials, buildCameraStreamArgs, classifyCameraFailure, redactAddress, redactArgs } from './camera-stream-args.builder.js';

describe('buildCameraStreamArgs', () => {
  it('copies an RTSP camera over TCP into fragmented MP4 on stdout, credentials in the address', () => {
    const args = buildCameraStreamArgs({ kind: 'rtsp', url: 'rtsp://10.0.0.5:554/stream1', username: 'viewer', password: 'p@ss:w/rd' });
    expect(args.slice(args.indexOf('-rtsp_transport'), args.indexOf('-rtsp_transport') + 2)).toEqual(['-rtsp_transport', 'tcp']);
    expect(args[args.indexOf('-i') + 1]).toBe('rtsp://viewer:p%40ss%3Aw%2Frd@10.0.0.5:554/stream1');
    expect(args).toContain('copy');
    expect(args).not.toContain('libx264');
    expect(args.slice(-7)).toEqual(['-f', 'mp4', '-movflags', '+frag_keyframe+empty_moov+default_base_moof', '-frag_duration', '500000', 'pipe:1']);
    expect(args[args.indexOf('-timeout') + 1]).toBe('10000000');
  });

  it('takes RTP over UDP when asked, and wall-clock timestamps for cameras whose own are garbage', () => {
    const args = buildCameraStreamArgs({ kind: 'rtsp', url: 'rtsp://cam/x', transport: 'udp', wallClockTimestamps: true });
    expect(args[args.indexOf('-rtsp_transport') + 1]).toBe('udp');
    expect(args).toContain('-use_wallclock_as_timestamps');
  });

  it('passes an address with shell characters as one argument, untouched (no shell ever sees it)', () => {
    const url = 'rtsp://cam:554/live;rm -rf /`id`$(reboot)&x=1';
    const args = buildCameraStreamArgs({ kind: 'rtsp', url });
    expect(args[args.indexOf('-i') + 1]).toBe(url);
    expect(args.filter((arg) => arg.includes('reboot'))).toHaveLength(1);
  });

  it('encodes H.264 with a key frame every second for MJPEG, webcams and snapshot pictures', () => {
    const mjpeg = buildCameraStreamArgs({ kind: 'mjpeg', url: 'http://cam/video.mjpg', username: 'u', password: 'p' });
    expect(mjpeg.slice(mjpeg.indexOf('-f'), mjpeg.indexOf('-f') + 2)).toEqual(['-f', 'mjpeg']);
    expect(mjpeg[mjpeg.indexOf('-i') + 1]).toBe('http://u:p@cam/video.mjpg');
    expect(mjpeg).toContain('libx264');
    expect(mjpeg[mjpeg.indexOf('-force_key_frames') + 1]).toBe('expr:gte(t,n_forced*1)');
    const webcam = buildCameraStreamArgs({ kind: 'webcam', url: '/dev/video0', fps: 10, maxWidth: 1280 });
    expect(webcam.slice(webcam.indexOf('-f'), webcam.indexOf('-f') + 4)).toEqual(['-f', 'v4l2', '-i', '/dev/video0']);
    expect(webcam[webcam.indexOf('-vf') + 1]).toBe('fps=10,scale=w=trunc(min(iw\\,1280)/2)*2:h=-2');
    // a picture size and rate asked of the device go before its input
    const sized = buildCameraStreamArgs({ kind: 'webcam', url: '/dev/video0', captureSize: '1280x720', captureFps: 15 });
    expect(sized.slice(sized.indexOf('v4l2') - 1, sized.indexOf('/dev/video0') + 1)).toEqual(['-f', 'v4l2', '-video_size', '1280x720', '-framerate', '15', '-i', '/dev/video0']);
    // and the pixel format chosen for it (Motion-JPEG for large pictures at full rate)
    const jpegWebcam = buildCameraStreamArgs({ kind: 'webcam', url: '/dev/video0', captureSize: '1920x1080', captureFormat: 'mjpeg' });
    expect(jpegWebcam.slice(jpegWebcam.indexOf('v4l2') - 1, jpegWebcam.indexOf('/dev/video0') + 1)).toEqual(['-f', 'v4l2', '-input_format', 'mjpeg', '-video_size', '1920x1080', '-i', '/dev/video0']);
    expect(() => buildCameraStreamArgs({ kind: 'webcam', url: '/dev/video0', captureFormat: 'mjpeg -i /etc/passwd' })).toThrow(/a webcam pixel format is a name such as mjpeg/);
    const snapshot = buildCameraStreamArgs({ kind: 'snapshot', url: 'http://cam/snap.jpg', snapshotFps: 2 });
    expect(snapshot).not.toContain('-nostdin');
    expect(snapshot[snapshot.indexOf('-i') + 1]).toBe('pipe:0');
    expect(snapshot[snapshot.indexOf('-vf') + 1]).toMatch(/^fps=2,/);
  });

  it('loops a file in real time, copying it or encoding it', () => {
    const copy = buildCameraStreamArgs({ kind: 'file', url: 'fixtures/vtest.avi', encode: false });
    expect(copy.slice(copy.indexOf('-re'), copy.indexOf('-re') + 5)).toEqual(['-re', '-stream_loop', '-1', '-i', 'fixtures/vtest.avi']);
    expect(copy).toContain('copy');
    expect(buildCameraStreamArgs({ kind: 'file', url: 'fixtures/vtest.avi' })).toContain('libx264');
  });

  it('refuses addresses of the wrong kind', () => {
    expect(() => buildCameraStreamArgs({ kind: 'rtsp', url: 'http://cam/x' })).toThrow(/rtsp:\/\//);
    expect(() => buildCameraStreamArgs({ kind: 'mjpeg', url: 'file:///etc/passwd' })).toThrow(/http:\/\//);
    expect(() => buildCameraStreamArgs({ kind: 'webcam', url: '/etc/passwd' })).toThrow(/video device/);
    expect(() => buildCameraStreamArgs({ kind: 'webcam', url: '/dev/video0', fps: 500 })).toThrow(/fps/);
    expect(() => buildCameraStreamArgs({ kind: 'webcam', url: '/dev/video0', captureSize: '1280x720;id' })).toThrow(/picture size is like 1280x720/);
    expect(() => buildCameraStreamArgs({ kind: 'webcam', url: '/dev/video0', captureFps: 0 })).toThrow(/frame rate is from 1 to 60/);
  });
});

describe('credentials in logs', () => {
  it('never shows a password: addresses and argument lists are redacted', () => {
    const address = addressWithCredentials('rtsp://10.0.0.5/s', 'admin', 'secret');
    expect(redactAddress(`could not open ${address}: 401`)).toBe('could not open rtsp://admin:***@10.0.0.5/s: 401');
    expect(redactArgs(['-i', address]).join(' ')).not.toContain('secret');
  });
});

describe('classifyCameraFailure', () => {
  it('tells wrong passwords, wrong paths, unreachable cameras and time-outs apart', () => {
    expect(classifyCameraFailure('[rtsp @ 0x1] method DESCRIBE failed: 401 Unauthorized\nrtsp://a:b@x: Server returned 401 Unauthorized (authorization failed)').kind).toBe('auth');
    expect(classifyCameraFailure('[rtsp @ 0x1] method DESCRIBE failed: 404 Not Found').kind).toBe('not-found');
    expect(classifyCameraFailure('rtsp://127.0.0.1:9/x: Connection refused').kind).toBe('unreachable');
    // a webcam that is not plugged in, or that another program holds: tried again soon, and said so
    expect(classifyCameraFailure('[in#0 @ 0x1] Error opening input: No such file or directory\n/dev/video7: No such file or directory', 'webcam')).toMatchObject({ kind: 'device', message: expect.stringMatching(/no such video device .* is the webcam plugged in/) });
    expect(classifyCameraFailure('[video4linux2,v4l2 @ 0x1] ioctl(VIDIOC_STREAMON): Device or resource busy\n/dev/video0: Device or resource busy', 'webcam')).toMatchObject({ kind: 'device', message: expect.stringMatching(/in use by another program/) });
    expect(classifyCameraFailure('rtsp://10.255.0.1/x: No route to host').kind).toBe('unreachable');
    expect(classifyCameraFailure('[tcp @ 0x1] Connection to tcp://10.0.0.9:554 failed: Connection timed out').kind).toBe('timeout');
    expect(classifyCameraFailure('[in#0 @ 0x1] Error opening input: Invalid data found when processing input').kind).toBe('bad-stream');
    expect(classifyCameraFailure('[rtsp @ 0x1] method DESCRIBE failed: 400 Bad Request\nrtsp://cam/x;$(id): Server returned 400 Bad Request')).toMatchObject({ kind: 'not-found', message: expect.stringMatching(/did not accept the address/) });
    // timestamp warnings are never the reason a camera stopped
    const dropped = classifyCameraFailure('[mp4 @ 0x55] Non-monotonous DTS in output stream 0:0; previous: 0, current: 0; changing to 1. This may result in incorrect timestamps in the output file.');
    expect(dropped).toEqual({ kind: 'unknown', message: 'the camera stopped sending (the connection closed)' });
    const unknown = classifyCameraFailure('something odd\nrtsp://u:secret@cam/x went away');
    expect(unknown.kind).toBe('unknown');
    expect(unknown.message).not.toContain('secret');
  });
});
