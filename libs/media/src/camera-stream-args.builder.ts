/**
 * The ffmpeg command line that reads one camera and writes its video as fragmented MP4 on stdout
 * (an init segment, then a fragment at every key frame and every half second between): the
 * recorder cuts clips out of it (at key frames) and feeds the live view from it. Pure: unit tests assert the arguments; FfmpegDriver runs them, without a
 * shell, so nothing in an address is ever interpreted.
 */
import { MediaErrorCode, mediaError } from './media.errors.js';

export type CameraStreamKind = 'rtsp' | 'mjpeg' | 'snapshot' | 'webcam' | 'file';

export interface CameraStreamInput {
  kind: CameraStreamKind;
  /** rtsp://, http(s)://, /dev/video0 or a file path; without credentials (they are given apart) */
  url: string;
  username?: string | null;
  password?: string | null;
  /** rtsp: interleaved in the RTSP connection (tcp, default) or RTP over UDP */
  transport?: 'tcp' | 'udp';
  /** snapshot: pictures per second fed on stdin by the caller */
  snapshotFps?: number;
  /** webcam: the picture size ("1280x720") and frames per second asked of the device (default: its current ones) */
  captureSize?: string | null;
  captureFps?: number | null;
  /** webcam: the pixel format asked of the device (`-input_format`, e.g. mjpeg: chooseWebcamFormat); default its own */
  captureFormat?: string | null;
  /**
   * copy the camera's own video (no re-encoding; default for rtsp) or encode H.264 (needed for
   * MJPEG, snapshots, webcams and files in codecs a browser cannot play)
   */
  encode?: boolean;
  /** encode: frames per second and the longest side of the picture (default: as the source) */
  fps?: number;
  maxWidth?: number;
  /** a network read that gets nothing for this long fails (default 10 s) */
  ioTimeoutSec?: number;
  /** stamp frames with the time they arrive, for cameras whose own timestamps are garbage */
  wallClockTimestamps?: boolean;
}

/** The flags that make ffmpeg's MP4 muxer stream: no index at the end, a new fragment at every key frame. */
export const liveMp4Flags = '+frag_keyframe+empty_moov+default_base_moof';

/**
 * A fragment also ends after this long (ffmpeg's -frag_duration, microseconds): a fragment reaches
 * the recorder only when it is whole, so with one per key frame a camera sending a key frame every
 * 2 s (many do; "smart" codecs 4 s and more) was watched 2 s late at best, and a recorder killed
 * mid-clip lost up to that much. Half a second bounds both.
 */
export const liveFragmentMicroseconds = 500_000;

/** Puts the credentials into the address, percent-encoded (only ffmpeg ever sees the result). */
export function addressWithCredentials(url: string, username?: string | null, password?: string | null): string {
  if (!username && !password) return url;
  const parsed = new URL(url);
  parsed.username = encodeURIComponent(username ?? '');
  parsed.password = encodeURIComponent(password ?? '');
  return parsed.toString();
}

/** An address as it may be logged: user name kept, password replaced. */
export function redactAddress(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)([^:@/\s]*):([^@/\s]*)@/gi, '$1$2:***@');
}

/** ffmpeg's arguments as they may be logged (passwords in addresses replaced). */
export function redactArgs(args: readonly string[]): string[] {
  return args.map(redactAddress);
}

export function buildCameraStreamArgs(input: CameraStreamInput): string[] {
  const ioTimeoutUs = String(Math.round((input.ioTimeoutSec ?? 10) * 1_000_000));
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'warning'];
  if (input.kind === 'snapshot') args.splice(args.indexOf('-nostdin'), 1); // the pictures come on stdin
  const timestamps = input.wallClockTimestamps ? ['-use_wallclock_as_timestamps', '1'] : [];
  let encode = input.encode ?? input.kind !== 'rtsp';
  switch (input.kind) {
    case 'rtsp': {
      if (!/^rtsps?:\/\//i.test(input.url)) throw mediaError(MediaErrorCode.invalidArgument, 'an RTSP camera address starts with rtsp:// or rtsps://');
      args.push('-rtsp_transport', input.transport ?? 'tcp', '-timeout', ioTimeoutUs, ...timestamps, '-fflags', '+genpts+discardcorrupt', '-i', addressWithCredentials(input.url, input.username, input.password));
      break;
    }
    case 'mjpeg': {
      if (!/^https?:\/\//i.test(input.url)) throw mediaError(MediaErrorCode.invalidArgument, 'an MJPEG camera address starts with http:// or https://');
      args.push('-rw_timeout', ioTimeoutUs, '-analyzeduration', '1000000', ...timestamps, '-f', 'mjpeg', '-i', addressWithCredentials(input.url, input.username, input.password));
      encode = true;
      break;
    }
    case 'snapshot': {
      // the recorder fetches the pictures itself (it knows the URL and the password) and writes them to stdin
      // the pictures come a few a second: ffmpeg must not wait seconds of them to "probe" what it already knows
      args.push('-probesize', '32', '-analyzeduration', '0', '-fflags', 'nobuffer', '-use_wallclock_as_timestamps', '1', '-f', 'image2pipe', '-c:v', 'mjpeg', '-i', 'pipe:0');
      encode = true;
      break;
    }
    case 'webcam': {
      if (!/^\/dev\/video\d+$/.test(input.url)) throw mediaError(MediaErrorCode.invalidArgument, 'a webcam is a video device such as /dev/video0');
      if (input.captureSize && !/^\d{2,4}x\d{2,4}$/.test(input.captureSize)) throw mediaError(MediaErrorCode.invalidArgument, `a webcam picture size is like 1280x720, got ${input.captureSize}`);
      if (input.captureFps != null && !(input.captureFps >= 1 && input.captureFps <= 60)) throw mediaError(MediaErrorCode.invalidArgument, `a webcam frame rate is from 1 to 60, got ${input.captureFps}`);
      // a size the device does not offer is changed by its driver to the nearest one it does
      if (input.captureFormat && !/^[a-z0-9_]{2,20}$/.test(input.captureFormat)) throw mediaError(MediaErrorCode.invalidArgument, `a webcam pixel format is a name such as mjpeg or yuyv422, got ${input.captureFormat}`);
      const asked = [
        ...(input.captureFormat ? ['-input_format', input.captureFormat] : []),
        ...(input.captureSize ? ['-video_size', input.captureSize] : []),
        ...(input.captureFps != null ? ['-framerate', String(input.captureFps)] : []),
      ];
      args.push(...timestamps, '-f', 'v4l2', ...asked, '-i', input.url);
      encode = true;
      break;
    }
    case 'file': {
      // played in a loop, at its own pace, as if it were a camera
      args.push('-re', '-stream_loop', '-1', '-i', input.url);
      break;
    }
    default:
      throw mediaError(MediaErrorCode.invalidArgument, `no stream for a camera of kind ${String((input as { kind: unknown }).kind)}`);
  }
  args.push('-map', '0:v:0', '-an', '-sn', '-dn');
  if (encode) {
    const filters: string[] = [];
    const fps = input.kind === 'snapshot' ? (input.fps ?? input.snapshotFps ?? 2) : input.fps;
    if (fps !== undefined) {
      if (!(fps > 0 && fps <= 60)) throw mediaError(MediaErrorCode.invalidArgument, `fps must be between 0 and 60, got ${fps}`);
      filters.push(`fps=${fps}`);
    }
    if (input.maxWidth !== undefined) {
      if (!Number.isInteger(input.maxWidth) || input.maxWidth < 16) throw mediaError(MediaErrorCode.invalidArgument, `maxWidth must be a whole number of pixels, got ${input.maxWidth}`);
      filters.push(`scale=w=trunc(min(iw\\,${input.maxWidth})/2)*2:h=-2`);
    } else {
      filters.push('scale=trunc(iw/2)*2:trunc(ih/2)*2');
    }
    args.push(
      '-vf', filters.join(','),
      '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-pix_fmt', 'yuv420p',
      // a key frame every second: clips are cut and viewers join at key frames
      '-force_key_frames', 'expr:gte(t,n_forced*1)', '-sc_threshold', '0',
    );
  } else {
    args.push('-c:v', 'copy');
  }
  args.push('-f', 'mp4', '-movflags', liveMp4Flags, '-frag_duration', String(liveFragmentMicroseconds), 'pipe:1');
  return args;
}

/** Why a camera's ffmpeg stopped, from what it wrote on stderr: what the camera's status says, and whether retrying soon can help. */
export type CameraFailureKind = 'auth' | 'unreachable' | 'not-found' | 'timeout' | 'bad-stream' | 'no-video' | 'device' | 'timestamps' | 'changed' | 'unknown';

export interface CameraFailure {
  kind: CameraFailureKind;
  /** for the camera's status and its thread: what is wrong and what to check */
  message: string;
}

/** ffmpeg's warnings about timestamps and the like: said all the time, never the reason a camera stopped. */
const noiseLines = /deprecated pixel format|Non-monotonous DTS|Timestamps are unset|changing to \d+|max delay reached|RTP: missed \d+ packets|co located POCs unavailable|Past duration .* too large|Last message repeated/i;

/** Reads ffmpeg's last words about a camera (`kind`: the camera's, where the same words mean something else, as for webcams). */
export function classifyCameraFailure(stderr: string, kind?: CameraStreamKind): CameraFailure {
  const text = redactAddress(stderr)
    .split('\n')
    .filter((line) => !noiseLines.test(line))
    .join('\n');
  if (kind === 'webcam') {
    // both are tried again soon: a webcam plugged in, or let go by the other program, is recorded within seconds
    if (/No such file or directory|No such device/i.test(text)) {
      return { kind: 'device', message: "there is no such video device on the recorder's machine: is the webcam plugged in? (GET /api/recorders lists each recorder's devices)" };
    }
    if (/Device or resource busy/i.test(text)) {
      return { kind: 'device', message: 'the webcam is in use by another program, or by another camera of this recorder: a webcam gives its picture to one program at a time' };
    }
  }
  if (/401 Unauthorized|403 Forbidden|authorization failed|Unauthorized/i.test(text)) {
    return { kind: 'auth', message: 'the camera refused the user name or password (401): check them in the camera settings' };
  }
  if (/404 Not Found|Stream not found|method DESCRIBE failed: 404|No such file or directory/i.test(text)) {
    return { kind: 'not-found', message: 'the camera answered, but there is no stream at that address (404): check the path' };
  }
  if (/400 Bad Request|method DESCRIBE failed: 400/i.test(text)) {
    return { kind: 'not-found', message: 'the camera did not accept the address (400 Bad Request): check the path' };
  }
  if (/Connection refused/i.test(text)) return { kind: 'unreachable', message: 'the camera refused the connection: is it on, and is the port right?' };
  if (/No route to host|Network is unreachable|Name or service not known|Temporary failure in name resolution|Host is down|Failed to resolve hostname/i.test(text)) {
    return { kind: 'unreachable', message: 'the camera cannot be reached on the network: check the address' };
  }
  if (/timed out|Connection timed out|timeout/i.test(text)) return { kind: 'timeout', message: 'the camera stopped answering (time-out)' };
  if (/Cannot open video device|Device or resource busy|Inappropriate ioctl|v4l2/i.test(text)) return { kind: 'device', message: 'the video device cannot be opened (missing, or used by another program)' };
  if (/does not contain any stream|Output file #0 does not contain|matches no streams|Stream map '0:v:0' matches no streams/i.test(text)) {
    return { kind: 'no-video', message: 'the source has no video stream' };
  }
  if (/Invalid data found|could not find codec parameters|decode_slice_header error|non-existing PPS|error while decoding|Invalid argument/i.test(text)) {
    return { kind: 'bad-stream', message: 'the camera sends a stream ffmpeg cannot read' };
  }
  const last = text.trim().split('\n').filter(Boolean).at(-1)?.slice(0, 200);
  return { kind: 'unknown', message: last ? `the stream stopped: ${last}` : 'the camera stopped sending (the connection closed)' };
}
