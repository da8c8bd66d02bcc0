import { CameramonitError } from './errors.js';
import type { ClipSource } from './topics.js';

/**
 * Which of a camera's recorded streams to play: its main stream (the timeline's: recordings and
 * pushed frames), its sub-stream (smaller, H.264 where the main stream is H.265 and a browser
 * cannot play that), or 'playable': the main stream's clips re-encoded to H.264 when they are in a
 * codec browsers cannot play (an H.265 camera without a sub-stream), when they are played.
 */
export type PlaybackStream = 'main' | 'sub' | 'playable';

export const playbackStreams: readonly PlaybackStream[] = ['main', 'sub', 'playable'];

/** The clips each stream is made of. */
export const playbackSources: Readonly<Record<PlaybackStream, readonly ClipSource[]>> = {
  main: ['recording', 'push'],
  sub: ['substream'],
  playable: ['recording', 'push'],
};

/** A `stream` query value: absent is the main stream; anything but 'main', 'sub' or 'playable' is INVALID_STREAM (400). */
export function parsePlaybackStream(value: unknown): PlaybackStream {
  if (value === undefined || value === null || value === '') return 'main';
  if (playbackStreams.includes(value as PlaybackStream)) return value as PlaybackStream;
  throw new CameramonitError('INVALID_STREAM', "stream must be 'main', 'sub' or 'playable'", 400);
}
