import { CameramonitError } from '@cameramonit/contracts';

/** Stable codes of the errors libs/media throws (CameramonitError.code). */
export const MediaErrorCode = {
  ffmpegNotFound: 'FFMPEG_NOT_FOUND',
  fileNotFound: 'FILE_NOT_FOUND',
  emptyFile: 'EMPTY_FILE',
  notVideo: 'NOT_VIDEO',
  corruptVideo: 'CORRUPT_VIDEO',
  noVideoStream: 'NO_VIDEO_STREAM',
  videoTooSmall: 'VIDEO_TOO_SMALL',
  timeout: 'FFMPEG_TIMEOUT',
  ffmpegFailed: 'FFMPEG_FAILED',
  invalidArgument: 'INVALID_MEDIA_ARGUMENT',
} as const;
export type MediaErrorCode = (typeof MediaErrorCode)[keyof typeof MediaErrorCode];

/** HTTP status for each code: bad input is the caller's problem (4xx), a broken toolchain is ours (5xx). */
const httpStatusByCode: Record<MediaErrorCode, number> = {
  FFMPEG_NOT_FOUND: 500,
  FILE_NOT_FOUND: 404,
  EMPTY_FILE: 422,
  NOT_VIDEO: 415,
  CORRUPT_VIDEO: 422,
  NO_VIDEO_STREAM: 422,
  VIDEO_TOO_SMALL: 422,
  FFMPEG_TIMEOUT: 504,
  FFMPEG_FAILED: 500,
  INVALID_MEDIA_ARGUMENT: 400,
};

export function mediaError(code: MediaErrorCode, message: string): CameramonitError {
  return new CameramonitError(code, message, httpStatusByCode[code]);
}
