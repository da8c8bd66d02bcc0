/**
 * Pure builder of the ffmpeg command line for frames of a part of a video as JPEG files.
 * FfmpegDriver runs it. (One frame, cropped: buildFrameImageArgs.)
 */
import { formatSeconds } from './ffmpeg-args.builder.js';
import { MediaErrorCode, mediaError } from './media.errors.js';

export interface VideoFramesOptions {
  startSec: number;
  durationSec: number;
  fps: number;
  /** scale down to at most this width (never up) */
  maxWidth: number;
  maxFrames: number;
}

const commonArgs = ['-hide_banner', '-nostdin', '-v', 'error', '-y'];

/** JPEG frames of a part of a video at `fps`, at most `maxFrames`, into files named by `outputPattern` (with %03d). */
export function buildVideoFramesArgs(input: string, outputPattern: string, options: VideoFramesOptions): string[] {
  if (!(options.fps > 0 && options.fps <= 30)) throw mediaError(MediaErrorCode.invalidArgument, `fps must be between 0 and 30, got ${options.fps}`);
  if (!(options.maxFrames >= 1)) throw mediaError(MediaErrorCode.invalidArgument, `maxFrames must be at least 1, got ${options.maxFrames}`);
  if (!outputPattern.includes('%03d')) throw mediaError(MediaErrorCode.invalidArgument, 'the output pattern needs %03d');
  return [
    ...commonArgs,
    '-ss',
    formatSeconds(options.startSec),
    '-t',
    formatSeconds(Math.max(0.1, options.durationSec)),
    '-i',
    input,
    '-map',
    '0:v:0',
    '-an',
    '-vf',
    `fps=${options.fps},scale=w='min(${options.maxWidth},iw)':h=-2`,
    '-frames:v',
    String(Math.floor(options.maxFrames)),
    '-c:v',
    'mjpeg',
    '-q:v',
    '3',
    '-f',
    'image2',
    outputPattern,
  ];
}
