import { CameramonitError } from './errors.js';
import type { ClipSource } from './topics.js';

/**
 * Which of a camera's recorded streams to play: its main stream (the timeline's: recordings and
 * pushed frames), or its sub-stream (smaller, H.264 where the main stream is H.265 and a browser
 * cannot play that).
 */
export type PlaybackStream = 'main' | 'sub';

/** The clips each stream is made of. */
export const playbackSources: Readonly<Record<PlaybackStream, readonly ClipSource[]>> = {
  main: ['recording', 'push'],
  sub: ['substream'],
};

/** A `stream` query value: absent is the main stream; anything but 'main' or 'sub' is INVALID_STREAM (400). */
export function parsePlaybackStream(value: unknown): PlaybackStream {
  if (value === undefined || value === null || value === '' || value === 'main') return 'main';
  if (value === 'sub') return 'sub';
  throw new CameramonitError('INVALID_STREAM', "stream must be 'main' or 'sub'", 400);
}
