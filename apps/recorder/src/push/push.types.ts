import type { PushStatus } from '@cameramonit/db';

/** Who is pushing: a person (user token with videos:upload) or a device (a camera's push token). */
export type PushCaller =
  | { kind: 'user'; userId: string; principal: string; name: string; seesAllCameras: boolean }
  | { kind: 'device'; tokenId: string; cameraId: string; principal: string; name: string };

export interface PushEventView {
  id: string;
  label: string;
  count: number;
  summary: string;
  startedAt: string;
  endedAt: string;
  /** signed link (chat's /media), null when the event has no snapshot yet */
  snapshotUrl: string | null;
}

/** A push as its API shows it (docs/pushed-frames.md). */
export interface PushView {
  pushId: string;
  cameraId: string;
  cameraName: string;
  status: PushStatus;
  fps: number;
  /** the video's size: asked at start, else the first frame's; null before the first frame */
  width: number | null;
  height: number | null;
  frameCount: number;
  totalBytes: number;
  /** frames of another size than the video's, fitted in (aspect kept, black bars) */
  resizedFrames: number;
  /** length of the video the frames make: frameCount / fps */
  durationSec: number;
  /** capture time of the first frame: the clip's start */
  startedAt: string | null;
  /** while recording: when it expires unless a frame or finish arrives */
  expiresAt: string | null;
  limits: { maxFrames: number; maxBytes: number; idleSeconds: number };
  clip: { clipId: string; url: string; durationSec: number; startedAt: string } | null;
  analysis: { status: string; progress: number; eventCount: number; errorCode: string | null; error: string | null } | null;
  events: PushEventView[];
  /** the camera's thread in the chat */
  threadUrl: string;
  error: { code: string; message: string } | null;
  /** things the caller should fix that did not stop the push (a device clock far off) */
  warnings: string[];
}
