/**
 * Pure interpretation of ffprobe's JSON and of a file's first bytes. FfmpegDriver.probe() runs the
 * tools; these functions decide what the answer means, so bad-input handling is unit-testable.
 */
import type { CameramonitError } from '@cameramonit/contracts';
import { MediaErrorCode, mediaError } from './media.errors.js';
import type { VideoInfo } from './media.types.js';

interface ProbeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  duration?: string;
  nb_frames?: string;
  bit_rate?: string;
  disposition?: { attached_pic?: number };
  tags?: { rotate?: string };
  side_data_list?: { side_data_type?: string; rotation?: number }[];
}
interface ProbeFormat {
  format_name?: string;
  duration?: string;
  size?: string;
}
interface ProbeJson {
  streams?: ProbeStream[];
  format?: ProbeFormat;
}

/** Demuxers that read things that are not video (ANSI art for .txt files, still images). */
const nonVideoFormats = new Set(['tty', 'image2', 'png', 'apng', 'gif_pipe', 'webp_pipe', 'lavfi', 'mpjpeg']);
const stillImageCodecs = new Set(['ansi', 'png', 'mjpeg', 'bmp', 'webp', 'tiff', 'gif']);

/** "30000/1001" -> 29.97; "0/0", "" or garbage -> 0. */
export function parseFrameRate(text: string | undefined): number {
  if (!text) return 0;
  const [numerator, denominator = '1'] = text.split('/');
  const value = Number(numerator) / Number(denominator);
  return Number.isFinite(value) && value > 0 ? value : 0;
}

/** Smallest picture (each side, as displayed) worth analysing: the detector finds nothing in less. */
export const minVideoSidePx = 32;

/**
 * How far the picture is turned for display, from the display matrix (phones) or the older
 * `rotate` tag: 0, 90, 180 or 270 degrees (ffprobe's sign: counter-clockwise positive).
 * ffmpeg applies it when decoding, so frames come out in the displayed orientation.
 */
export function displayRotation(stream: Pick<ProbeStream, 'tags' | 'side_data_list'>): number {
  const matrix = stream.side_data_list?.find((data) => data.side_data_type === 'Display Matrix' && typeof data.rotation === 'number');
  let degrees = matrix?.rotation;
  if (degrees === undefined && stream.tags?.rotate !== undefined) {
    // the tag is clockwise, the display matrix counter-clockwise
    const tag = Number(stream.tags.rotate);
    if (Number.isFinite(tag)) degrees = -tag;
  }
  if (degrees === undefined || !Number.isFinite(degrees)) return 0;
  const quarter = Math.round(degrees / 90) * 90;
  return ((quarter % 360) + 360) % 360;
}

function parsePositive(text: string | undefined): number {
  const value = Number(text);
  return Number.isFinite(value) && value > 0 ? value : 0;
}

function isStillImageFormat(formatName: string): boolean {
  return formatName.split(',').some((name) => nonVideoFormats.has(name) || name.endsWith('_pipe'));
}

/**
 * Turn ffprobe's JSON into VideoInfo, or the error that tells the user what is wrong with the file.
 * `sizeBytes` is the file's real size, used to spot a truncated copy whose header promises more.
 */
export function interpretProbeOutput(file: string, sizeBytes: number, json: string): VideoInfo {
  let parsed: ProbeJson;
  try {
    parsed = JSON.parse(json) as ProbeJson;
  } catch {
    throw mediaError(MediaErrorCode.notVideo, `${file}: ffprobe could not describe this file; it is not a video.`);
  }
  const streams = parsed.streams ?? [];
  const formatName = parsed.format?.format_name ?? '';
  const video = streams.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1);
  const hasAudioStream = streams.some((s) => s.codec_type === 'audio');

  if (!video) {
    if (hasAudioStream) {
      throw mediaError(MediaErrorCode.noVideoStream, `${file} has sound but no picture (no video stream); upload a video file.`);
    }
    const kinds = [...new Set(streams.map((s) => s.codec_type ?? 'unknown'))];
    if (kinds.length > 0) {
      throw mediaError(MediaErrorCode.noVideoStream, `${file} has no picture, only ${kinds.join(' and ')} data (no video stream); upload a video file.`);
    }
    throw mediaError(MediaErrorCode.notVideo, `${file} contains no video or audio streams; it is not a video.`);
  }
  const codec = video.codec_name ?? 'unknown';
  const fps = parseFrameRate(video.avg_frame_rate) || parseFrameRate(video.r_frame_rate);
  const frameCount = parsePositive(video.nb_frames);
  const durationSec =
    parsePositive(parsed.format?.duration) || parsePositive(video.duration) || (fps > 0 ? frameCount / fps : 0);

  if (isStillImageFormat(formatName) || (stillImageCodecs.has(codec) && durationSec === 0)) {
    throw mediaError(MediaErrorCode.notVideo, `${file} is a still image or text (${formatName}), not a video.`);
  }
  const codedWidth = video.width ?? 0;
  const codedHeight = video.height ?? 0;
  if (codedWidth <= 0 || codedHeight <= 0) {
    throw mediaError(MediaErrorCode.corruptVideo, `${file}: the video stream has no picture size; the file is damaged.`);
  }
  const rotation = displayRotation(video);
  const turned = rotation === 90 || rotation === 270;
  const width = turned ? codedHeight : codedWidth;
  const height = turned ? codedWidth : codedHeight;
  if (width < minVideoSidePx || height < minVideoSidePx) {
    throw mediaError(
      MediaErrorCode.videoTooSmall,
      `${file}: the picture is only ${width}x${height} pixels; videos of at least ${minVideoSidePx}x${minVideoSidePx} can be analysed.`,
    );
  }
  const truncation = detectTruncation(file, sizeBytes, durationSec, fps, frameCount, streams);
  if (truncation) throw truncation;

  return {
    file,
    sizeBytes,
    formatName,
    durationSec,
    width,
    height,
    rotation,
    codedWidth,
    codedHeight,
    fps,
    codec,
    hasVideoStream: true,
    hasAudioStream,
  };
}

/**
 * A truncated copy (an interrupted upload) keeps a header that promises more than the file holds:
 * more frames than the playable duration has, or more stream bytes than the file has.
 */
function detectTruncation(
  file: string,
  sizeBytes: number,
  durationSec: number,
  fps: number,
  frameCount: number,
  streams: ProbeStream[],
): CameramonitError | null {
  const message = (detail: string) =>
    mediaError(
      MediaErrorCode.corruptVideo,
      `${file} looks truncated or damaged (${detail}); upload the complete file again.`,
    );
  if (frameCount > 0 && fps > 0) {
    const promisedSec = frameCount / fps;
    if (promisedSec > durationSec * 1.5 + 1) {
      return message(`header lists ${frameCount} frames = ${promisedSec.toFixed(1)} s, only ${durationSec.toFixed(1)} s readable`);
    }
  }
  const streamBitsPerSec = streams.reduce((sum, s) => sum + parsePositive(s.bit_rate), 0);
  if (streamBitsPerSec > 0 && durationSec > 0 && sizeBytes > 0) {
    const promisedBytes = (streamBitsPerSec * durationSec) / 8;
    if (promisedBytes > sizeBytes * 1.3 + 64 * 1024) {
      return message(`streams need about ${Math.round(promisedBytes / 1024)} KiB, the file has ${Math.round(sizeBytes / 1024)} KiB`);
    }
  }
  return null;
}

/**
 * Does the file start like a media container? Used when ffprobe fails, to tell a damaged video
 * (CORRUPT_VIDEO) from something that never was one (NOT_VIDEO).
 */
export function looksLikeVideoContainer(head: Uint8Array): boolean {
  const ascii = (from: number, to: number) => String.fromCharCode(...head.subarray(from, to));
  if (head.length < 4) return false;
  if (head.length >= 12 && ascii(4, 8) === 'ftyp') return true; // MP4 / MOV / 3GP
  if (head.length >= 8 && ['moov', 'mdat', 'wide', 'free', 'skip'].includes(ascii(4, 8))) return true; // old QuickTime
  if (ascii(0, 4) === 'RIFF' && head.length >= 12 && ['AVI ', 'AVIX'].includes(ascii(8, 12))) return true;
  if (head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3) return true; // Matroska / WebM
  if (ascii(0, 3) === 'FLV') return true;
  if (ascii(0, 4) === 'OggS') return true;
  if (head[0] === 0x00 && head[1] === 0x00 && head[2] === 0x01 && (head[3] === 0xba || head[3] === 0xb3)) return true; // MPEG-PS / ES
  if (head.length > 188 && head[0] === 0x47 && head[188] === 0x47) return true; // MPEG-TS sync bytes
  if (head[0] === 0x30 && head[1] === 0x26 && head[2] === 0xb2 && head[3] === 0x75) return true; // ASF / WMV
  return false;
}

/** The last meaningful line of a tool's stderr, for error messages. */
export function lastStderrLine(stderr: string): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !/^Last message repeated/.test(line));
  return lines.at(-1) ?? '';
}
