/**
 * Pure builders of ffmpeg command lines for still images: a crop of a picture, frames of a part
 * of a video. FfmpegDriver runs them.
 */
import { formatSeconds } from './ffmpeg-args.builder.js';
import { MediaErrorCode, mediaError } from './media.errors.js';

export type StillFormat = 'jpeg' | 'png';

/** A rectangle in the pixels of the source picture. */
export interface PixelRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ImageCropOptions {
  /** the part of the picture to keep, in its pixels */
  crop: PixelRect;
  /** scale down so that neither side exceeds this (never up) */
  maxSize: number;
  format: StillFormat;
}

export interface VideoFramesOptions {
  startSec: number;
  durationSec: number;
  fps: number;
  /** scale down to at most this width (never up) */
  maxWidth: number;
  maxFrames: number;
}

const commonArgs = ['-hide_banner', '-nostdin', '-v', 'error', '-y'];

function encoderArgs(format: StillFormat): string[] {
  return format === 'png' ? ['-c:v', 'png', '-pix_fmt', 'rgb24'] : ['-c:v', 'mjpeg', '-q:v', '3'];
}

/** One picture (a JPEG/PNG file, or a video's first frame) cropped and scaled into one JPEG or PNG. */
export function buildImageCropArgs(input: string, output: string, options: ImageCropOptions): string[] {
  const { crop, maxSize } = options;
  const x = Math.max(0, Math.round(crop.x));
  const y = Math.max(0, Math.round(crop.y));
  const w = Math.round(crop.width);
  const h = Math.round(crop.height);
  if (!(w >= 2 && h >= 2)) throw mediaError(MediaErrorCode.invalidArgument, `a crop must be at least 2x2 pixels, got ${w}x${h}`);
  if (!(maxSize >= 16)) throw mediaError(MediaErrorCode.invalidArgument, `maxSize must be at least 16 pixels, got ${maxSize}`);
  const scale = `scale=w='min(${maxSize},iw)':h='min(${maxSize},ih)':force_original_aspect_ratio=decrease`;
  return [...commonArgs, '-i', input, '-frames:v', '1', '-vf', `crop=${w}:${h}:${x}:${y},${scale}`, ...encoderArgs(options.format), '-f', 'image2', output];
}

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
    ...encoderArgs('jpeg'),
    '-f',
    'image2',
    outputPattern,
  ];
}
