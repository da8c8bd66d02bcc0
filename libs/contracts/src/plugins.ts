/**
 * Analyser plugins: the protocol between the plugin host (apps/plugin-host) and a plugin process,
 * spoken over MQTT as plain JSON. A plugin uses @cameramonit/plugin-sdk, which speaks it for it.
 * Documented for plugin authors in docs/plugins.md.
 *
 * Per plugin `<name>` (the host passes the exact topics to the process in its environment):
 * - `cameramonit/plugins/<name>/ready`   plugin -> host: connected and subscribed ({@link PluginReady})
 * - `cameramonit/plugins/<name>/request` host -> plugin: one event to look at ({@link PluginRequest})
 * - `cameramonit/plugins/<name>/result`  plugin -> host: the answer to one request ({@link PluginResult})
 * Messages are `{"pattern": <topic>, "data": <payload>}` like every bus message; a bare payload is accepted too.
 * With INSTANCE_ID set (several platforms on one broker) `<name>` is `<instance>.<name>`.
 */

/** Plugin names: lower-case letters, digits and dashes; they are part of MQTT topics. */
export const PLUGIN_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,39}$/;

export type PluginTopic = `cameramonit/plugins/${string}/${'ready' | 'request' | 'result'}`;

export function pluginTopics(name: string): { ready: PluginTopic; request: PluginTopic; result: PluginTopic } {
  return {
    ready: `cameramonit/plugins/${name}/ready`,
    request: `cameramonit/plugins/${name}/request`,
    result: `cameramonit/plugins/${name}/result`,
  };
}

/** The environment the host gives a plugin process (and nothing of the platform's secrets). */
export const PluginEnv = {
  mqttUrl: 'CAMERAMONIT_MQTT_URL',
  name: 'CAMERAMONIT_PLUGIN_NAME',
  clientId: 'CAMERAMONIT_PLUGIN_CLIENT_ID',
  readyTopic: 'CAMERAMONIT_PLUGIN_READY_TOPIC',
  requestTopic: 'CAMERAMONIT_PLUGIN_REQUEST_TOPIC',
  resultTopic: 'CAMERAMONIT_PLUGIN_RESULT_TOPIC',
} as const;

/** Set to "1" by the host: the plugin's standard input is a pipe from the host; when it closes the host is gone and the plugin stops. */
export const PLUGIN_STDIN_WATCH_ENV = 'CAMERAMONIT_PLUGIN_STDIN_WATCH';

/** A box in normalised coordinates of the frame: 0..1 from the left and top edges. */
export interface NormalisedBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export type PluginImageType = 'image/jpeg' | 'image/png';

/** An image in a request or a result: base64 of a JPEG or PNG file. */
export interface PluginImage {
  contentType: PluginImageType;
  width: number;
  height: number;
  /** base64 of the file's bytes */
  data: string;
}

export type PluginEventKind = 'object' | 'motion' | 'loitering';
export type PluginReturnKind = 'objects' | 'events' | 'features' | 'images';

/** The `cameramonit` key of a plugin's package.json, checked and with every default filled in. */
export interface PluginManifest {
  /** from `cameramonit.name`, else the package name (scope dropped): the plugin's id, in topics */
  name: string;
  version: string;
  description: string;
  /** which events it is sent */
  consumes: {
    kinds: PluginEventKind[];
    /** COCO labels; null = every label */
    labels: string[] | null;
    /** the best moment's crop around the object's box */
    crop: { format: 'jpeg' | 'png'; maxSize: number; margin: number } | null;
    /** the whole frame of the best moment (the event's snapshot, with its box drawn) */
    snapshot: boolean;
    /** frames of the event from the clip */
    frames: { fps: number; maxFrames: number; maxWidth: number } | null;
    /** a signed link to the whole clip (the plugin downloads it over HTTP) */
    clipUrl: boolean;
  };
  returns: PluginReturnKind[];
  limits: {
    /** no answer in this time: the request fails and the plugin is restarted */
    timeoutSec: number;
    /** largest result message */
    maxResultKb: number;
    /** more messages than this in a minute (on its topics) stops the plugin */
    maxMessagesPerMinute: number;
    /** more stdout + stderr than this in a minute stops the plugin */
    maxOutputKbPerMinute: number;
  };
}

/** plugin -> host: the plugin is connected and subscribed to its request topic. */
export interface PluginReady {
  plugin: string;
  pid: number;
  sdkVersion: string;
}

/** host -> plugin: one event to look at. */
export interface PluginRequest {
  requestId: string;
  plugin: string;
  /** answer before this time (ISO); later answers are ignored and the plugin is restarted */
  deadline: string;
  event: {
    id: string;
    cameraId: string;
    cameraName: string;
    clipId: string;
    kind: string;
    label: string;
    count: number;
    confidence: number;
    direction: string;
    startedAt: string;
    endedAt: string;
    /** offsets in the clip, seconds */
    startSec: number;
    endSec: number;
    summary: { en: string; pl: string };
    /** the most confident object's box, normalised; null when the event has none (motion) */
    box: NormalisedBox | null;
  };
  /** with `consumes.crop`: the crop, and where it is in the frame (normalised) */
  crop?: PluginImage & { box: NormalisedBox };
  /** with `consumes.snapshot` */
  snapshot?: PluginImage;
  /** with `consumes.frames`: seconds from the clip's start */
  frames?: (PluginImage & { sec: number })[];
  /** with `consumes.clipUrl`: HTTP(S) link, valid for an hour, supports range requests */
  clipUrl?: string;
}

export interface PluginResultObject {
  label: string;
  confidence: number;
  box: NormalisedBox;
  /** seconds from the clip's start; default the event's best moment */
  sec?: number;
}

export interface PluginResultEvent {
  /** short object/situation name, e.g. "helmet" or "delivery" */
  label: string;
  summary: { en: string; pl: string };
  /** seconds from the clip's start; default the source event's */
  startSec?: number;
  endSec?: number;
  confidence?: number;
}

export interface PluginResultImage {
  contentType: PluginImageType;
  /** base64 */
  data: string;
  caption?: string;
}

/** plugin -> host: the answer to one request. */
export interface PluginResult {
  requestId: string;
  /** false: the plugin could not do it (with `error`); nothing is stored */
  ok?: boolean;
  error?: string;
  objects?: PluginResultObject[];
  events?: PluginResultEvent[];
  /** key -> value, e.g. { clothingColour: "red" } */
  features?: Record<string, string | number | boolean>;
  images?: PluginResultImage[];
}

/** What the host accepts in one result. */
export const PluginResultLimits = {
  maxObjects: 50,
  maxEvents: 10,
  maxFeatures: 20,
  featureKey: /^[A-Za-z][A-Za-z0-9_.-]{0,59}$/,
  maxFeatureValueLength: 200,
  maxImages: 4,
  maxImageBytes: 512 * 1024,
  maxCaptionLength: 200,
  maxLabelLength: 40,
  maxSummaryLength: 500,
} as const;

/** The kinds of a stored event: the engine's, and 'plugin' for events a plugin returned. */
export type StoredEventKind = PluginEventKind | 'plugin';

export type PluginState = 'starting' | 'ready' | 'restarting' | 'failed' | 'stopped' | 'invalid';

/** One plugin as the status API shows it (GET /api/plugins on the plugin host). */
export interface PluginStatus {
  name: string;
  version: string | null;
  description: string | null;
  /** the folder it was found in */
  dir: string;
  state: PluginState;
  pid: number | null;
  restarts: number;
  lastError: string | null;
  /** problems of an invalid manifest */
  problems: string[];
  counts: { requests: number; succeeded: number; failed: number; timedOut: number; crashes: number; messages: number; outputBytes: number };
  consumes: PluginManifest['consumes'] | null;
  returns: PluginReturnKind[];
}
