import { CameramonitError } from '@cameramonit/contracts';
import { readImageFacts } from '@cameramonit/media';

/** Bounds of one pushed picture. */
export const minFrameSide = 32;
export const maxFrameSide = 4096;
export const maxFrameBytes = 16 * 1024 * 1024;

export interface CheckedFrame {
  bytes: Buffer;
  width: number;
  height: number;
}

/**
 * One pushed picture checked before it is kept: a complete baseline or progressive JPEG
 * (start and end markers, a frame header) of a sensible size. Throws CameramonitError saying
 * what to fix: NO_FRAME 400, NOT_JPEG 415, FRAME_TRUNCATED 422, FRAME_TOO_SMALL / FRAME_TOO_BIG 422.
 * `which` names the frame in messages ("frame 3 of this request").
 */
export function checkPushedFrame(bytes: Buffer, which: string): CheckedFrame {
  if (bytes.length === 0) throw new CameramonitError('NO_FRAME', `${which} is empty: send one JPEG picture as the body (Content-Type: image/jpeg)`, 400);
  if (bytes.length > maxFrameBytes) throw new CameramonitError('FRAME_TOO_BIG', `${which} is ${Math.round(bytes.length / 1048576)} MB; one picture may be at most ${maxFrameBytes / 1048576} MB`, 413);
  const facts = readImageFacts(bytes);
  if (!facts || facts.contentType !== 'image/jpeg') {
    const what = facts?.contentType === 'image/png' ? 'a PNG picture' : 'not a JPEG picture';
    throw new CameramonitError('NOT_JPEG', `${which} is ${what}; push JPEG pictures (they start with the bytes FF D8)`, 415);
  }
  if (!hasEndMarker(bytes)) throw new CameramonitError('FRAME_TRUNCATED', `${which} is cut short (no JPEG end marker FF D9); send the whole picture`, 422);
  const { width, height } = facts;
  if (width < minFrameSide || height < minFrameSide) {
    throw new CameramonitError('FRAME_TOO_SMALL', `${which} is ${width}x${height}; pictures must be at least ${minFrameSide}x${minFrameSide} pixels`, 422);
  }
  if (width > maxFrameSide || height > maxFrameSide) {
    throw new CameramonitError('FRAME_TOO_BIG', `${which} is ${width}x${height}; pictures may be at most ${maxFrameSide}x${maxFrameSide} pixels`, 422);
  }
  return { bytes, width, height };
}

/** The JPEG end-of-image marker, allowing for the padding some cameras add after it. */
function hasEndMarker(bytes: Buffer): boolean {
  let end = bytes.length;
  while (end > 2 && (bytes[end - 1] === 0x00 || bytes[end - 1] === 0x0a || bytes[end - 1] === 0x0d) && bytes.length - end < 64) end -= 1;
  return end >= 4 && bytes[end - 2] === 0xff && bytes[end - 1] === 0xd9;
}

/** The video size of a push: the size asked, else the first frame's, both even (what H.264 needs). */
export function videoSizeFor(asked: { width: number | null; height: number | null }, firstFrame: { width: number; height: number }): { width: number; height: number } {
  const even = (n: number) => Math.max(minFrameSide, Math.floor(n / 2) * 2);
  if (asked.width && asked.height) return { width: even(asked.width), height: even(asked.height) };
  return { width: even(firstFrame.width), height: even(firstFrame.height) };
}

/**
 * The time a frame was taken, as the device says (`capturedAt`, ISO 8601), when it is believable:
 * within a day before and five minutes after the time it arrived. Otherwise the arrival time,
 * with a warning the caller passes on (a camera whose clock is wrong still gets its clip).
 */
export function captureTime(capturedAt: string | undefined, receivedAt: Date): { at: Date; warning: string | null } {
  if (capturedAt === undefined || capturedAt === '') return { at: receivedAt, warning: null };
  const parsed = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)$/.test(capturedAt) ? new Date(capturedAt) : new Date(Number.NaN);
  if (Number.isNaN(parsed.getTime())) {
    return { at: receivedAt, warning: `capturedAt "${capturedAt.slice(0, 40)}" is not an ISO 8601 time with a zone (2026-11-22T10:15:05.250Z); the time the frame arrived is used` };
  }
  const aheadMs = parsed.getTime() - receivedAt.getTime();
  if (aheadMs > 5 * 60_000 || aheadMs < -24 * 3600_000) {
    return { at: receivedAt, warning: `capturedAt ${parsed.toISOString()} is not within a day of the server's time (${receivedAt.toISOString()}); check the device's clock. The time the frame arrived is used` };
  }
  return { at: parsed, warning: null };
}
