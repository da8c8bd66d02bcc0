import type { Box } from '@cameramonit/contracts';

/** What ffprobe tells about a video file, checked and normalised. */
export interface VideoInfo {
  file: string;
  sizeBytes: number;
  /** container, as ffprobe names it (e.g. "avi", "mov,mp4,m4a,3gp,3g2,mj2") */
  formatName: string;
  /** seconds, from the container or stream header; 0 when it does not say (raw H.264, a live-written MKV) */
  durationSec: number;
  /** picture size as displayed (rotation applied): the size of decoded frames, snapshots and animations */
  width: number;
  height: number;
  /** degrees the stored picture is turned for display (phone videos): 0, 90, 180 or 270 */
  rotation: number;
  /** picture size as stored in the stream, before rotation */
  codedWidth: number;
  codedHeight: number;
  /** average frame rate of the first video stream; 0 when unknown */
  fps: number;
  /** codec of the first video stream (e.g. "h264", "msmpeg4v3") */
  codec: string;
  hasVideoStream: boolean;
  hasAudioStream: boolean;
  /**
   * Times of the key frames, seconds from the first frame, when the probe read them for free (the
   * recorder's fragmented MP4 starts a fragment at every key frame); absent when unknown.
   */
  keyFrameSecs?: number[];
}

/** One decoded frame, packed RGB (3 bytes per pixel, rows top to bottom). */
export interface VideoFrame {
  /** 0-based index among the frames read (at the reader's fps) */
  index: number;
  /** time of the frame in seconds from the clip start */
  sec: number;
  width: number;
  height: number;
  rgb: Uint8Array;
}

/** A key frame of a live picture (FfmpegDriver.readLiveKeyFrames). */
export interface LiveKeyFrame extends VideoFrame {
  /** when the picture was taken, on this machine's clock (ms since the epoch, give or take the stream's least delay); null when its stream's time is not known */
  takenAtMs: number | null;
}

export interface FrameReaderOptions {
  /** frames per second to sample (ffmpeg `fps` filter) */
  fps: number;
  /** output size in pixels (each frame is scaled to exactly this size) */
  width: number;
  height: number;
  /** start reading at this second (default 0) */
  startSec?: number;
  /** read at most this many seconds */
  durationSec?: number;
  /** stop with FFMPEG_TIMEOUT when ffmpeg sends nothing for this long while we wait (default 60 s) */
  idleTimeoutMs?: number;
  /**
   * let ffmpeg decode up to this many frames ahead of the reader (its fifo muxer, a queue in a
   * thread of its own), so decoding goes on while the reader's process is busy with a frame
   * (default: none, ffmpeg waits on the pipe)
   */
  queueFrames?: number;
  /**
   * decoder threads (ffmpeg `-threads`; default: ffmpeg's choice, one per core). One thread costs
   * the least CPU per frame: for many short clips decoded side by side, where the cores are busy anyway
   */
  decodeThreads?: number;
  /**
   * Decode only the key frames (ffmpeg `-skip_frame nokey`), which are at these seconds: a frame is
   * yielded for each, with its time from this list, instead of frames at `fps` (`startSec` and
   * `durationSec` must not be given). About half the decoding of a clip whose key frames come every
   * second, for a look at a scene where nothing moves. More frames than listed is CORRUPT_VIDEO.
   */
  keyFrames?: readonly number[];
  /**
   * With `keyFrames`: the clip is the next of a continuous stream of fragmented MP4 clips (a
   * camera's recording), named by this key. Its key frames are decoded by one ffmpeg kept running
   * for the stream (KeyFrameDecoders) instead of one started per clip: starting Debian's ffmpeg
   * costs about 0.06 s of CPU, as much as decoding five 720p key frames. Clips that are not
   * fragmented MP4, or whose pictures are reordered (B-frames), are read the usual way.
   */
  continuing?: string;
  signal?: AbortSignal;
}

/** A box to draw, in the pixels of a frame of size `frameWidth` x `frameHeight` (e.g. the analysis frame). */
export interface OverlayBox {
  box: Box;
  frameWidth: number;
  frameHeight: number;
  /** ffmpeg colour name or 0xRRGGBB (default "red") */
  color?: string;
}

export interface SnapshotOptions {
  atSec: number;
  /** output width in pixels, height keeps the aspect ratio (default: the video's width) */
  width?: number;
  boxes?: OverlayBox[];
  /** mjpeg quality 2 (best) .. 31 (default 3) */
  quality?: number;
}

export type StillFormat = 'jpeg' | 'png';

/** One frame as a JPEG or PNG, optionally cut to a box (with a margin), scaled down to fit `maxSide` (never up). */
export interface FrameImageOptions {
  atSec: number;
  /** the part to keep, in the pixels of a frame of size frameWidth x frameHeight (e.g. the analysis frame) */
  crop?: { box: Box; frameWidth: number; frameHeight: number };
  /** added around the crop box on every side, as a fraction of its size (default 0.15) */
  margin?: number;
  /** the longer side of the output is at most this many pixels */
  maxSide: number;
  /** mjpeg quality 2 (best) .. 31 (default 4); PNG is lossless */
  quality?: number;
  /** default jpeg */
  format?: StillFormat;
}

export type AnimationFormat = 'gif' | 'webp';

export interface AnimationOptions {
  startSec: number;
  durationSec: number;
  format?: AnimationFormat;
  /** output width in pixels (default 320) */
  width?: number;
  /** animation frame rate (default 8) */
  fps?: number;
  /** GIF palette size 2..256 (default 128) */
  maxColors?: number;
  /** WebP quality 0..100 (default 60) */
  webpQuality?: number;
}

export interface Mp4TranscodeOptions {
  startSec?: number;
  durationSec?: number;
  /** scale down to at most this width (never up) */
  maxWidth?: number;
  /** scale to exactly this height (up or down), the width keeping the aspect ratio; wins over maxWidth (e.g. 720 for a 720p copy) */
  height?: number;
  /** x264 constant rate factor (default 23) */
  crf?: number;
  /** x264 preset (default "veryfast") */
  preset?: string;
  /** keep the audio track, as AAC (default true) */
  keepAudio?: boolean;
}

/** Progress of a long ffmpeg job. */
export interface MediaProgress {
  /** 0..1 */
  fraction: number;
  processedSec: number;
  totalSec: number;
}
export type MediaProgressListener = (progress: MediaProgress) => void;
