/**
 * Pure builders of the ffmpeg command lines that join a camera's clips into one MP4 (an export of
 * a time range), and of the ffprobe line that finds a clip's key frames. FfmpegDriver runs them.
 *
 * ffmpeg's concat demuxer reads a list file (`file '<path>'` lines, optionally `inpoint` and
 * `outpoint`). It runs with `-safe 0` because the paths are absolute; every path is checked here to
 * be absolute and free of line breaks, and quoted the way the demuxer reads quotes, so a list is
 * never more or other than the files the caller built.
 */
import { isAbsolute } from 'node:path';
import { MediaErrorCode, mediaError } from './media.errors.js';
import { lastStderrLine } from './probe-result.parser.js';

/** One clip in a concat list, with where to start and stop reading it. */
export interface ConcatPiece {
  /** absolute path of the clip (built by the caller, never a user's text) */
  file: string;
  /**
   * start at this time of the file's own timeline (its timestamps, not seconds from its start);
   * with stream copy it must be a key frame's time, else the frames before it come along
   */
  inpointSec?: number;
  /** stop before this time of the file's own timeline */
  outpointSec?: number;
}

/** What the joined video is made of: the clips' own packets, or a new H.264 encoding. */
export type ConcatOutput =
  /** stream copy: no decoding, as fast as the disk; every clip must have the same codec and picture size */
  | { mode: 'copy' }
  /** decoded and encoded again with libx264 at one size (clips of another size fitted in, aspect kept, padded black) */
  | { mode: 'encode'; width: number; height: number; preset?: string; crf?: number };

// eslint-disable-next-line no-control-regex
const LINE_BREAKS_AND_CONTROLS = /[\u0000-\u001f\u007f]/;

/**
 * A path as a quoted token of a concat list: `'...'`, each `'` in it written `'\''` (close the
 * quotes, an escaped quote, open them again). Throws for relative paths (the list is read with
 * `-safe 0`, so only absolute paths the caller built may be in it) and for control characters
 * (a line break would start a new directive).
 */
export function quoteConcatPath(path: string): string {
  if (!isAbsolute(path)) throw mediaError(MediaErrorCode.invalidArgument, `a concat list takes absolute paths only, got ${JSON.stringify(path)}`);
  if (LINE_BREAKS_AND_CONTROLS.test(path)) throw mediaError(MediaErrorCode.invalidArgument, `a path in a concat list cannot hold line breaks or control characters: ${JSON.stringify(path)}`);
  return `'${path.replace(/'/g, "'\\''")}'`;
}

/** Seconds for a concat list: microseconds, as ffmpeg keeps times, so a key frame's time read by ffprobe is that key frame again. */
export function formatConcatSeconds(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) throw mediaError(MediaErrorCode.invalidArgument, `a time in a concat list must be a number of seconds of at least 0, got ${sec}`);
  return (Math.round(sec * 1e6) / 1e6).toFixed(6).replace(/\.?0+$/, '') || '0';
}

/** The text of a concat list file (ffconcat version 1.0) for the pieces, in order. */
export function buildConcatList(pieces: readonly ConcatPiece[]): string {
  if (pieces.length === 0) throw mediaError(MediaErrorCode.invalidArgument, 'a concat list needs at least one file');
  const lines = ['ffconcat version 1.0'];
  for (const piece of pieces) {
    lines.push(`file ${quoteConcatPath(piece.file)}`);
    if (piece.inpointSec !== undefined) lines.push(`inpoint ${formatConcatSeconds(piece.inpointSec)}`);
    if (piece.outpointSec !== undefined) {
      if (piece.inpointSec !== undefined && piece.outpointSec <= piece.inpointSec) {
        throw mediaError(MediaErrorCode.invalidArgument, `the outpoint (${piece.outpointSec} s) of ${piece.file} must come after its inpoint (${piece.inpointSec} s)`);
      }
      lines.push(`outpoint ${formatConcatSeconds(piece.outpointSec)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** A concat list as an input: the list file read by the concat demuxer, only local files allowed. */
function concatInput(listFile: string): string[] {
  if (!isAbsolute(listFile)) throw mediaError(MediaErrorCode.invalidArgument, `the concat list must be given by its absolute path, got ${JSON.stringify(listFile)}`);
  return ['-f', 'concat', '-safe', '0', '-protocol_whitelist', 'file', '-i', listFile];
}

function requireEvenSide(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 16 || value > 8192 || value % 2 !== 0) {
    throw mediaError(MediaErrorCode.invalidArgument, `${name} must be an even number of pixels from 16 to 8192, got ${value}`);
  }
}

/**
 * One MP4 (+faststart: playable while it loads, seekable with range requests) from concat lists.
 * copy: exactly one list, its clips' video packets copied. encode: one list per run of clips that
 * share codec and size; each run is decoded by its own concat demuxer (a demuxer cannot switch
 * codecs), scaled into width x height, and the runs are joined by the concat filter into one
 * libx264 stream. Video only: the recorder keeps no sound.
 */
export function buildConcatToMp4Args(listFiles: readonly string[], outputFile: string, output: ConcatOutput): string[] {
  if (listFiles.length === 0) throw mediaError(MediaErrorCode.invalidArgument, 'at least one concat list is needed');
  // -xerror: a clip that cannot be opened (deleted meanwhile) fails the join instead of silently shortening it
  const head = ['-hide_banner', '-nostdin', '-v', 'error', '-xerror', '-y'];
  const tail = ['-movflags', '+faststart', '-f', 'mp4', outputFile];
  if (output.mode === 'copy') {
    if (listFiles.length !== 1) throw mediaError(MediaErrorCode.invalidArgument, `stream copy joins one list; ${listFiles.length} lists need encoding`);
    return [...head, ...concatInput(listFiles[0] as string), '-map', '0:v:0', '-an', '-sn', '-dn', '-c:v', 'copy', ...tail];
  }
  const { width, height } = output;
  requireEvenSide('width', width);
  requireEvenSide('height', height);
  const crf = output.crf ?? 23;
  if (!Number.isInteger(crf) || crf < 0 || crf > 51) throw mediaError(MediaErrorCode.invalidArgument, `crf must be a whole number from 0 to 51, got ${crf}`);
  const preset = output.preset ?? 'veryfast';
  if (!/^[a-z]+$/.test(preset)) throw mediaError(MediaErrorCode.invalidArgument, `preset must be an x264 preset name, got ${JSON.stringify(preset)}`);
  const fit = `scale=${width}:${height}:force_original_aspect_ratio=decrease,pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1,format=yuv420p`;
  const fitted = listFiles.map((_, index) => `[${index}:v:0]${fit}[v${index}]`);
  const joined = `${listFiles.map((_, index) => `[v${index}]`).join('')}concat=n=${listFiles.length}:v=1:a=0[video]`;
  return [
    ...head,
    ...listFiles.flatMap((listFile) => concatInput(listFile)),
    '-filter_complex',
    [...fitted, joined].join(';'),
    '-map',
    '[video]',
    '-c:v',
    'libx264',
    '-preset',
    preset,
    '-crf',
    String(crf),
    '-pix_fmt',
    'yuv420p',
    ...tail,
  ];
}

/** ffprobe: the first video stream's packets (time and flags: K = key frame) and the file's start time, as JSON. */
export function buildKeyFrameProbeArgs(file: string): string[] {
  return ['-hide_banner', '-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time,flags:format=start_time', '-of', 'json', file];
}

/** Where a clip's timeline starts and where its key frames are (seconds of its own timeline, ascending). */
export interface KeyFrameTimes {
  startSec: number;
  keyFrameSecs: number[];
}

/** Reads buildKeyFrameProbeArgs' output. Packets without a time (N/A) are left out. */
export function parseKeyFrameProbe(json: string): KeyFrameTimes {
  let parsed: { packets?: { pts_time?: string; flags?: string }[]; format?: { start_time?: string } };
  try {
    parsed = JSON.parse(json) as typeof parsed;
  } catch {
    throw mediaError(MediaErrorCode.notVideo, 'ffprobe did not describe the packets of the clip');
  }
  const keyFrameSecs = (parsed.packets ?? [])
    .filter((packet) => packet.flags?.includes('K') && packet.pts_time !== undefined)
    .map((packet) => Number(packet.pts_time))
    .filter((sec) => Number.isFinite(sec))
    .sort((a, b) => a - b);
  const start = Number(parsed.format?.start_time);
  return { startSec: Number.isFinite(start) ? start : (keyFrameSecs[0] ?? 0), keyFrameSecs };
}

/**
 * Where to start reading a clip so that stream copy begins cleanly as close to `offsetSec` (seconds
 * from the clip's start) as it can: the last key frame at or before it, else the first one.
 * Returns a time of the clip's own timeline.
 */
export function keyFrameAtOrBefore(times: KeyFrameTimes, offsetSec: number): number {
  const wanted = times.startSec + Math.max(0, offsetSec);
  let chosen = times.keyFrameSecs[0] ?? times.startSec;
  // a thousandth of a millisecond of slack: ffprobe prints times to the microsecond
  for (const sec of times.keyFrameSecs) if (sec <= wanted + 1e-6) chosen = sec;
  return chosen;
}

/**
 * Why a join failed, from ffmpeg's stderr. A clip that cannot be opened is named (ffmpeg's last
 * line then blames the list file, which is there).
 */
export function concatFailureReason(stderr: string): string {
  // ffmpeg prints the path as it is, quotes and all: it ends at the line's last quote
  const missing = /Impossible to open '(.*)'\s*$/m.exec(stderr);
  if (missing) return `the clip ${missing[1]} cannot be opened (deleted meanwhile?)`;
  return lastStderrLine(stderr);
}
