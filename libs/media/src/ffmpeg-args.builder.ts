/**
 * Pure builders of ffmpeg / ffprobe command lines. Nothing here spawns anything, so unit tests can
 * assert the exact arguments. FfmpegDriver is the only place that runs them.
 */
import { MediaErrorCode, mediaError } from './media.errors.js';
import type {
  AnimationOptions,
  FrameImageOptions,
  FrameReaderOptions,
  Mp4TranscodeOptions,
  OverlayBox,
  SnapshotOptions,
} from './media.types.js';

const commonArgs = ['-hide_banner', '-nostdin', '-v', 'error'];

/** Seconds as ffmpeg likes them: plain decimal, at most millisecond precision, no exponent. */
export function formatSeconds(sec: number): string {
  const rounded = Math.round(Math.max(0, sec) * 1000) / 1000;
  return rounded.toFixed(3).replace(/\.?0+$/, '') || '0';
}

/** A number for filter arguments: up to 6 decimals, trailing zeros dropped. */
function formatNumber(value: number): string {
  const text = value.toFixed(6).replace(/\.?0+$/, '');
  return text === '-0' || text === '' ? '0' : text;
}

function requirePositive(name: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0) {
    throw mediaError(MediaErrorCode.invalidArgument, `${name} must be a positive number, got ${value}`);
  }
}

function requireEvenSize(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 2) {
    throw mediaError(MediaErrorCode.invalidArgument, `${name} must be an integer of at least 2 pixels, got ${value}`);
  }
}

export function buildProbeArgs(file: string): string[] {
  return ['-hide_banner', '-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file];
}

/** Decode the first video frame into a 16x16 gray thumbnail (256 bytes on stdout): proves the video decodes. */
export function buildDecodeCheckArgs(file: string): string[] {
  return [
    ...commonArgs,
    '-i',
    file,
    '-map',
    '0:v:0',
    '-frames:v',
    '1',
    '-vf',
    'scale=16:16',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'gray',
    'pipe:1',
  ];
}
export const decodeCheckBytes = 16 * 16;

/** Raw RGB frames at a fixed rate and size on stdout, exactly width*height*3 bytes each. */
export function buildFrameReaderArgs(file: string, options: FrameReaderOptions): string[] {
  requirePositive('fps', options.fps);
  requireEvenSize('width', options.width);
  requireEvenSize('height', options.height);
  const seek = options.startSec && options.startSec > 0 ? ['-ss', formatSeconds(options.startSec)] : [];
  const limit = options.durationSec !== undefined ? ['-t', formatSeconds(options.durationSec)] : [];
  if (options.decodeThreads !== undefined && !(Number.isInteger(options.decodeThreads) && options.decodeThreads >= 1)) {
    throw mediaError(MediaErrorCode.invalidArgument, `decodeThreads must be a positive integer, got ${options.decodeThreads}`);
  }
  const threads = options.decodeThreads !== undefined ? ['-threads', String(options.decodeThreads)] : [];
  const keyFramesOnly = options.keyFrames !== undefined;
  if (keyFramesOnly && (seek.length > 0 || limit.length > 0)) {
    throw mediaError(MediaErrorCode.invalidArgument, 'keyFrames reads the whole file: startSec and durationSec cannot be given with it');
  }
  return [
    ...commonArgs,
    ...seek,
    ...limit,
    ...threads,
    // only the key frames are decoded, and each is passed on as it is (no frame rate to fill)
    ...(keyFramesOnly ? ['-skip_frame', 'nokey'] : []),
    '-i',
    file,
    '-map',
    '0:v:0',
    '-an',
    '-sn',
    '-vf',
    keyFramesOnly ? `scale=${options.width}:${options.height}:flags=area` : `fps=${formatNumber(options.fps)},scale=${options.width}:${options.height}:flags=area`,
    ...(keyFramesOnly ? ['-fps_mode', 'passthrough'] : []),
    ...frameOutputFormat(options.queueFrames),
    'pipe:1',
  ];
}

/**
 * ffmpeg decoding only the key frames of fragmented MP4 on stdin, scaled to width x height, written
 * on stdout as PPM pictures (RGB, a short header each) the moment each is decoded. PPM through
 * image2pipe, not raw video: the raw video muxer held each frame back until the next one came (a
 * whole key-frame interval late). The `showinfo` filter says each picture's timestamp (its
 * fragment's own decode time) on stderr, at `-v info`. Used for a camera's live picture
 * (FfmpegDriver.readLiveKeyFrames: when each was taken) and for its recorded clips, one after the
 * other in one ffmpeg kept running (KeyFrameDecoder: which clip each belongs to).
 */
export function buildKeyFrameStreamArgs(width: number, height: number): string[] {
  return buildLivePictureArgs(width, height, null);
}

/**
 * As buildKeyFrameStreamArgs; with `everySec`, every picture is decoded and, besides the key
 * frames, one is written whenever `everySec` has passed since the last one written: a camera whose
 * key frames are far apart is still looked at that often (at the cost of decoding all its pictures).
 */
export function buildLivePictureArgs(width: number, height: number, everySec: number | null): string[] {
  requireEvenSize('width', width);
  requireEvenSize('height', height);
  if (everySec !== null && !(everySec > 0 && everySec <= 60)) throw mediaError(MediaErrorCode.invalidArgument, `everySec must be between 0 and 60, got ${everySec}`);
  const select = everySec === null ? '' : `select='eq(pict_type\\,I)+gte(t-prev_selected_t\\,${formatSeconds(everySec)})',`;
  return [
    '-hide_banner', '-nostdin', '-nostats', '-v', 'info',
    '-threads', '1',
    ...(everySec === null ? ['-skip_frame', 'nokey'] : []),
    '-probesize', '32768',
    '-analyzeduration', '0',
    // the timestamps are the fragments' own decode times, not moved by an edit list
    '-copyts',
    '-ignore_editlist', '1',
    '-f', 'mp4',
    '-i', 'pipe:0',
    '-map', '0:v:0',
    '-an',
    '-sn',
    '-vf', `${select}scale=${width}:${height}:flags=area,showinfo`,
    '-fps_mode', 'passthrough',
    '-f', 'image2pipe',
    '-c:v', 'ppm',
    'pipe:1',
  ];
}

/**
 * ffmpeg re-encoding a camera's live picture for browsers that cannot play its codec (H.265): the
 * camera's fragmented MP4 on stdin, H.264 as fragmented MP4 on stdout (a fragment per key frame,
 * one a second), at most `maxWidth` wide, encoded for the least delay.
 */
export function buildLiveTranscodeArgs(maxWidth: number): string[] {
  requireEvenSize('maxWidth', maxWidth);
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'error',
    '-probesize', '32768',
    '-analyzeduration', '0',
    '-f', 'mp4',
    '-i', 'pipe:0',
    '-map', '0:v:0',
    '-an', '-sn', '-dn',
    '-vf', `scale='min(${maxWidth},iw)':-2`,
    '-c:v', 'libx264',
    '-preset', 'ultrafast',
    '-tune', 'zerolatency',
    '-pix_fmt', 'yuv420p',
    '-force_key_frames', 'expr:gte(t,n_forced*1)',
    '-f', 'mp4',
    '-movflags', '+frag_keyframe+empty_moov+default_base_moof',
    'pipe:1',
  ];
}

/** Raw RGB frames straight to the pipe, or through ffmpeg's fifo muxer with a queue of `queueFrames`. */
function frameOutputFormat(queueFrames: number | undefined): string[] {
  if (queueFrames === undefined) return ['-f', 'rawvideo', '-pix_fmt', 'rgb24'];
  if (!Number.isInteger(queueFrames) || queueFrames < 1) {
    throw mediaError(MediaErrorCode.invalidArgument, `queueFrames must be a positive integer, got ${queueFrames}`);
  }
  return ['-pix_fmt', 'rgb24', '-c:v', 'rawvideo', '-f', 'fifo', '-fifo_format', 'rawvideo', '-queue_size', String(queueFrames), '-attempt_recovery', '0'];
}

/**
 * A drawbox filter for a box given in the pixels of another frame size: the position is written
 * relative to the input size (iw/ih), so it is right whatever the video's real resolution is.
 */
export function buildDrawboxFilter(overlay: OverlayBox, thickness = 3): string {
  const { box, frameWidth, frameHeight } = overlay;
  requirePositive('frameWidth', frameWidth);
  requirePositive('frameHeight', frameHeight);
  const x = Math.max(0, box.x) / frameWidth;
  const y = Math.max(0, box.y) / frameHeight;
  const w = Math.max(0, Math.min(box.width, frameWidth - Math.max(0, box.x))) / frameWidth;
  const h = Math.max(0, Math.min(box.height, frameHeight - Math.max(0, box.y))) / frameHeight;
  const color = overlay.color ?? 'red';
  return (
    `drawbox=x=iw*${formatNumber(x)}:y=ih*${formatNumber(y)}` +
    `:w=iw*${formatNumber(w)}:h=ih*${formatNumber(h)}:color=${color}:t=${thickness}`
  );
}

/** One JPEG frame at a time, optionally scaled and with boxes drawn. */
export function buildSnapshotArgs(file: string, outputFile: string, options: SnapshotOptions): string[] {
  const filters: string[] = [];
  if (options.width !== undefined) {
    requireEvenSize('width', options.width);
    filters.push(`scale=${options.width}:-2`);
  }
  for (const overlay of options.boxes ?? []) filters.push(buildDrawboxFilter(overlay));
  const quality = Math.min(31, Math.max(2, Math.round(options.quality ?? 3)));
  return [
    ...commonArgs,
    '-ss',
    formatSeconds(options.atSec),
    '-i',
    file,
    '-map',
    '0:v:0',
    '-frames:v',
    '1',
    ...(filters.length > 0 ? ['-vf', filters.join(',')] : []),
    '-c:v',
    'mjpeg',
    '-q:v',
    String(quality),
    '-f',
    'image2',
    '-update',
    '1',
    '-y',
    outputFile,
  ];
}

/**
 * The part of a frame to cut, as fractions of the frame (x, y, width, height in 0..1): the box
 * grown by `margin` of its size on every side, at least `minFraction` of the frame each way,
 * kept inside the frame.
 */
export function cropFractions(
  crop: NonNullable<FrameImageOptions['crop']>,
  margin = 0.15,
  minFraction = 0.08,
): { x: number; y: number; width: number; height: number } {
  const { box, frameWidth, frameHeight } = crop;
  requirePositive('frameWidth', frameWidth);
  requirePositive('frameHeight', frameHeight);
  const grow = (start: number, size: number, total: number) => {
    const wanted = Math.min(1, Math.max(minFraction, (size * (1 + 2 * margin)) / total));
    const centre = (start + size / 2) / total;
    const from = Math.min(Math.max(0, centre - wanted / 2), 1 - wanted);
    return [from, wanted] as const;
  };
  const [x, width] = grow(box.x, box.width, frameWidth);
  const [y, height] = grow(box.y, box.height, frameHeight);
  return { x, y, width, height };
}

/** One frame as a JPEG or PNG: cut to a box (relative to the input size, whatever its resolution), scaled down to fit maxSide. */
export function buildFrameImageArgs(file: string, outputFile: string, options: FrameImageOptions): string[] {
  requirePositive('maxSide', options.maxSide);
  const filters: string[] = [];
  if (options.crop) {
    const c = cropFractions(options.crop, options.margin ?? 0.15);
    filters.push(`crop=iw*${formatNumber(c.width)}:ih*${formatNumber(c.height)}:iw*${formatNumber(c.x)}:ih*${formatNumber(c.y)}`);
  }
  const side = Math.round(options.maxSide);
  filters.push(`scale='min(${side},iw)':'min(${side},ih)':force_original_aspect_ratio=decrease:force_divisible_by=2`);
  const quality = Math.min(31, Math.max(2, Math.round(options.quality ?? 4)));
  return [
    ...commonArgs,
    '-ss',
    formatSeconds(options.atSec),
    '-i',
    file,
    '-map',
    '0:v:0',
    '-frames:v',
    '1',
    '-vf',
    filters.join(','),
    ...(options.format === 'png' ? ['-c:v', 'png', '-pix_fmt', 'rgb24'] : ['-c:v', 'mjpeg', '-q:v', String(quality)]),
    '-f',
    'image2',
    '-update',
    '1',
    '-y',
    outputFile,
  ];
}

/** A looping animation (GIF with its own palette, or animated WebP) small enough for a chat message. */
export function buildAnimationArgs(file: string, outputFile: string, options: AnimationOptions): string[] {
  requirePositive('durationSec', options.durationSec);
  const width = options.width ?? 320;
  requireEvenSize('width', width);
  const fps = options.fps ?? 8;
  requirePositive('fps', fps);
  const input = [
    ...commonArgs,
    '-ss',
    formatSeconds(options.startSec),
    '-t',
    formatSeconds(options.durationSec),
    '-i',
    file,
  ];
  const resize = `fps=${formatNumber(fps)},scale=${width}:-2:flags=lanczos`;
  if ((options.format ?? 'gif') === 'webp') {
    const quality = Math.min(100, Math.max(0, Math.round(options.webpQuality ?? 60)));
    return [
      ...input,
      '-map',
      '0:v:0',
      '-an',
      '-vf',
      resize,
      '-c:v',
      'libwebp',
      '-lossless',
      '0',
      '-q:v',
      String(quality),
      '-loop',
      '0',
      '-f',
      'webp',
      '-y',
      outputFile,
    ];
  }
  const maxColors = Math.min(256, Math.max(2, Math.round(options.maxColors ?? 128)));
  return [
    ...input,
    '-filter_complex',
    `[0:v:0]${resize},split[frames][paletteinput];` +
      `[paletteinput]palettegen=max_colors=${maxColors}:stats_mode=diff[palette];` +
      `[frames][palette]paletteuse=dither=bayer:bayer_scale=4:diff_mode=rectangle`,
    '-an',
    '-loop',
    '0',
    '-f',
    'gif',
    '-y',
    outputFile,
  ];
}

/** A browser-playable H.264/AAC MP4 with the index at the front (+faststart); progress on stdout. */
export function buildMp4TranscodeArgs(file: string, outputFile: string, options: Mp4TranscodeOptions = {}): string[] {
  const seek = options.startSec && options.startSec > 0 ? ['-ss', formatSeconds(options.startSec)] : [];
  const limit = options.durationSec !== undefined ? ['-t', formatSeconds(options.durationSec)] : [];
  let scale = 'scale=trunc(iw/2)*2:trunc(ih/2)*2';
  if (options.maxWidth !== undefined) {
    requireEvenSize('maxWidth', options.maxWidth);
    // the comma inside min() must be escaped for the filter-graph parser
    scale = `scale=w=trunc(min(iw\\,${options.maxWidth})/2)*2:h=-2`;
  }
  if (options.height !== undefined) {
    requireEvenSize('height', options.height);
    if (options.height % 2 !== 0) throw mediaError(MediaErrorCode.invalidArgument, `height must be even for H.264, got ${options.height}`);
    scale = `scale=w=-2:h=${options.height}`;
  }
  const audio = options.keepAudio === false ? ['-an'] : ['-map', '0:a:0?', '-c:a', 'aac', '-b:a', '128k'];
  return [
    ...commonArgs,
    ...seek,
    ...limit,
    '-i',
    file,
    '-map',
    '0:v:0',
    ...audio,
    '-vf',
    scale,
    '-c:v',
    'libx264',
    '-preset',
    options.preset ?? 'veryfast',
    '-crf',
    String(options.crf ?? 23),
    '-pix_fmt',
    'yuv420p',
    '-movflags',
    '+faststart',
    '-progress',
    'pipe:1',
    '-nostats',
    '-f',
    'mp4',
    '-y',
    outputFile,
  ];
}

/** Reads one line of `-progress pipe:1` output; returns the processed seconds, or null for other keys. */
export function parseProgressLine(line: string): number | null {
  const match = /^out_time_(?:us|ms)=(\d+)\s*$/.exec(line.trim());
  if (!match) return null;
  // ffmpeg writes microseconds under both keys (out_time_ms is misnamed)
  return Number(match[1]) / 1_000_000;
}
