/**
 * Pure builder of the ffmpeg command line that assembles numbered JPEG frames into one H.264 MP4
 * (pushed frames: a device or a browser POSTs JPEGs, the platform makes a clip of them).
 * FfmpegDriver runs it.
 */
import { MediaErrorCode, mediaError } from './media.errors.js';

export interface FramesToVideoOptions {
  /** frames per second of the video: frame n is shown at n / fps */
  fps: number;
  /** size of the video (even); frames of another size are scaled into it, aspect kept, padded black */
  width: number;
  height: number;
  /** how many frames the folder holds (frame-000001.jpg ... frame-<count>.jpg) */
  frameCount: number;
}

/** The file name of frame `index` (1-based) in a frames folder, as the builder's pattern reads it. */
export function frameFileName(index: number): string {
  return `frame-${String(index).padStart(6, '0')}.jpg`;
}
/** ffmpeg's image2 sequence pattern matching frameFileName() (ffmpeg expands it; no shell is involved). */
export const framePattern = 'frame-%06d.jpg';

const maxSide = 4096;

function requireVideoSide(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 32 || value > maxSide || value % 2 !== 0) {
    throw mediaError(MediaErrorCode.invalidArgument, `${name} must be an even number of pixels from 32 to ${maxSide}, got ${value}`);
  }
}

/**
 * `framesDir/frame-%06d.jpg` at `fps` -> H.264 MP4 (yuv420p, faststart) of exactly width x height:
 * every frame scaled to fit (aspect kept) and centred on black, so a device that changes its
 * picture size mid-way still gives one clean clip. A key frame every 2 s.
 */
export function buildFramesToMp4Args(framesDir: string, outputFile: string, options: FramesToVideoOptions): string[] {
  const { fps, width, height, frameCount } = options;
  if (!Number.isFinite(fps) || fps < 0.5 || fps > 30) throw mediaError(MediaErrorCode.invalidArgument, `fps must be from 0.5 to 30, got ${fps}`);
  requireVideoSide('width', width);
  requireVideoSide('height', height);
  if (!Number.isInteger(frameCount) || frameCount < 1) throw mediaError(MediaErrorCode.invalidArgument, `frameCount must be at least 1, got ${frameCount}`);
  // ffmpeg reads % in the input name as part of the sequence pattern
  if (framesDir.includes('%')) throw mediaError(MediaErrorCode.invalidArgument, `the frames folder must not contain "%": ${framesDir}`);
  const rate = String(Math.round(fps * 1000) / 1000);
  const fit = `scale=${width}:${height}:force_original_aspect_ratio=decrease:flags=bicubic`;
  const pad = `pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2:color=black`;
  return [
    '-hide_banner',
    '-nostdin',
    '-v',
    'error',
    '-y',
    '-f',
    'image2',
    '-framerate',
    rate,
    '-start_number',
    '1',
    '-i',
    `${framesDir.replace(/\/+$/, '')}/${framePattern}`,
    '-frames:v',
    String(frameCount),
    '-vf',
    `${fit},${pad},setsar=1,format=yuv420p`,
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-crf',
    '23',
    '-g',
    String(Math.max(1, Math.round(fps * 2))),
    '-r',
    rate,
    '-movflags',
    '+faststart',
    '-f',
    'mp4',
    outputFile,
  ];
}
