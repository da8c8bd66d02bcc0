import { CameramonitError } from '@cameramonit/contracts';

/**
 * Recorded clips carry their start time: in the request (`startedAt`, ISO 8601) or in the file
 * name the way ffmpeg's segment muxer writes it with `-strftime 1`
 * (`%Y%m%dT%H%M%SZ.mp4`, also `2026-11-22T10-15-00.250Z.mp4`, `20261122_101500.mp4`: UTC).
 */
const NAME_TIME = /(\d{4})-?(\d{2})-?(\d{2})[T_ ]?(\d{2})[-:]?(\d{2})[-:]?(\d{2})(?:[.,](\d{1,3}))?Z?/;

/** The start time in a recording's file name (UTC), or null when it has none. */
export function startTimeFromName(fileName: string): Date | null {
  const match = NAME_TIME.exec(fileName);
  if (!match) return null;
  const [y, mo, d, h, mi, s] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const ms = match[7] ? Number(match[7].padEnd(3, '0')) : 0;
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms));
  // Date.UTC rolls 2026-13-40 over into another date: refuse what does not read back the same
  if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || date.getUTCHours() !== h || date.getUTCMinutes() !== mi || date.getUTCSeconds() !== s) return null;
  return date;
}

/** The start time in the name of a clip written into a recordings folder (WebDAV, FTP, the store's folder); 400 RECORDING_START_MISSING without one. */
export function requireStartInName(fileName: string): Date {
  const startedAt = startTimeFromName(fileName);
  if (!startedAt) {
    throw new CameramonitError('RECORDING_START_MISSING', `Name a recorded clip by its start time in UTC, e.g. 20261204T190530.250Z.mp4 (not "${fileName}")`, 400);
  }
  return startedAt;
}

/** The start of a recorded clip: the explicit ISO time if given, else the time in its name; null if neither is usable. */
export function recordingStart(startedAt: string | undefined, fileName: string): Date | null {
  if (startedAt !== undefined && startedAt !== '') {
    const date = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})$/.test(startedAt) ? new Date(startedAt) : null;
    return date && !Number.isNaN(date.getTime()) ? date : null;
  }
  return startTimeFromName(fileName);
}
