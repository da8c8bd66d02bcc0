/** What the chat API and socket send to the web UI (apps/chat/public/app.js). */
export interface EventView {
  id: string;
  cameraId: string;
  label: string;
  kind: string;
  count: number;
  direction: string;
  confidence: number;
  startedAt: string;
  endedAt: string;
  summary: string;
  summaryPl: string;
  snapshotUrl: string | null;
  animationUrl: string | null;
  clipUrl: string | null;
  clipOffsetSec: number;
  /** the vision model's description: none (local text only), pending, done, failed */
  descriptionStatus: string;
  /** the model's title, when described */
  title: string | null;
  /** the model's summary in English / Polish (the local summary stays in summary / summaryPl) */
  description: string | null;
  descriptionPl: string | null;
  threatLevel: string | null;
  /** why the model's description failed (the event keeps its local text) */
  descriptionError: string | null;
  /** what analyser plugins found, e.g. {plugin: 'clothing-colour', key: 'clothingColour', value: 'red'} */
  features: EventFeatureView[];
  /** annotated images analyser plugins made */
  images: EventImageView[];
  /** for an event an analyser plugin returned: the plugin's name */
  plugin: string | null;
  /** its objects' boxes at their best moment, as fractions of the picture (0..1) */
  boxes: { label: string; x: number; y: number; width: number; height: number }[];
}

export interface EventFeatureView {
  plugin: string;
  key: string;
  value: string;
}

export interface EventImageView {
  plugin: string;
  url: string;
  caption: string | null;
  width: number;
  height: number;
}

export interface MessageView {
  id: string;
  kind: 'event' | 'question' | 'answer' | 'system' | 'error';
  createdAt: string;
  text: string;
  author: string | null;
  event?: EventView;
  eventIds?: string[];
  events?: EventView[];
}

export interface CameraView {
  id: string;
  name: string;
  slug: string;
  projectName: string;
  projectSlug: string;
  lastEventAt: string | null;
  /** a live camera (recorded from its own source): how its recording goes; null for upload-only and push cameras */
  live: CameraLiveView | null;
}

export interface CameraLiveView {
  /** starting, online, offline, auth-failed, not-found, stopped */
  state: string;
  message: string | null;
  since: string;
  /** MediaSource codec of its stream (avc1...), null before it streamed */
  codec: string | null;
  width: number | null;
  height: number | null;
  /** the browser can show its live picture (H.264) */
  playable: boolean;
  /** the camera's clip length (buffer seconds) */
  bufferSeconds: number;
}
