/**
 * Recorders: one recorder app per machine that has cameras to record (the server, and any box a
 * webcam is plugged into). Each says every few seconds, in the `recorders` table, who it is, where
 * the other apps reach it and which video devices it has; cameras name the recorder that records
 * them (CameraSourceView.recorder, null: the main one). docs/live-cameras.md, "Webcams and several recorders".
 */

/** A local video device of a recorder's machine (a webcam, a capture card). */
export interface VideoDeviceView {
  /** /dev/video0 */
  path: string;
  /** what its driver calls it ("HD Pro Webcam C920", "vivid-000-vid-cap") */
  name: string;
}

/** A recorder as the admin API shows it. */
export interface RecorderView {
  /** RECORDER_ID */
  id: string;
  /** where the other apps reach its HTTP API (RECORDER_PUBLIC_URL) */
  url: string;
  hostname: string;
  /** its video devices that capture video */
  devices: VideoDeviceView[];
  startedAt: string;
  lastSeenAt: string;
  /** it said it is there within recorderOnlineWithinMs */
  online: boolean;
  /** enabled cameras with a source that it records */
  cameras: number;
}

/** How often a recorder says it is there. */
export const recorderHeartbeatMs = 5_000;
/** A recorder not heard of for this long is shown offline. */
export const recorderOnlineWithinMs = 20_000;
