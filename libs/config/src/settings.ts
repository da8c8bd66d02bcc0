/**
 * Every setting of the platform, in one place. The loader validates the environment against
 * this list; `.env.example` and the README's settings table are generated from it
 * (`npm run gen:settings`).
 */
export type SettingType = 'string' | 'url' | 'int' | 'port' | 'number' | 'bool' | 'email';

export interface SettingSpec {
  type: SettingType;
  /** default as it would be written in the environment; undefined = no default (optional) */
  default?: string;
  /** a secret: never printed, never logged */
  secret?: boolean;
  description: string;
  /** for url settings: the allowed schemes */
  schemes?: readonly string[];
  min?: number;
  max?: number;
}

export const Settings = {
  DATA_DIR: { type: 'string', default: 'data', description: 'Folder for the embedded databases, secrets file and local clip storage.' },
  DATABASE_URL: {
    type: 'url',
    schemes: ['sqlite', 'mysql', 'mariadb'],
    secret: true,
    description: 'Platform database: `mysql://user:pass@host:3306/cameramonit` (MariaDB) or `sqlite:<file>`. Default: `sqlite:` DATA_DIR/platform.sqlite.',
  },
  REGISTRY_DATABASE_URL: {
    type: 'url',
    schemes: ['sqlite', 'mysql', 'mariadb'],
    secret: true,
    description: "The installer's camera registry database. Default: `sqlite:data/registry.sqlite`, or for MariaDB the platform database's server with `_registry` added to its name.",
  },
  MQTT_URL: {
    type: 'url',
    schemes: ['mqtt', 'mqtts', 'tcp', 'ws', 'wss'],
    secret: true,
    description: 'MQTT broker all apps talk through. Unset: `npm start` runs an embedded broker (aedes) on MQTT_EMBEDDED_PORT.',
  },
  MQTT_EMBEDDED_PORT: { type: 'port', default: '18830', description: 'Port of the embedded MQTT broker that `npm start` runs when MQTT_URL is unset.' },
  JWT_SECRET: { type: 'string', secret: true, description: 'Key that signs access tokens and media links. Unset: `npm start` generates one and keeps it in DATA_DIR/secrets.json.' },
  SECRETS_KEY: { type: 'string', secret: true, description: 'Key (any length, hashed to 256 bits) that encrypts camera passwords and tokens at rest. Unset: generated like JWT_SECRET.' },
  ACCESS_TOKEN_TTL_HOURS: { type: 'int', default: '12', min: 1, max: 24 * 90, description: 'How long a login stays valid.' },
  CAMERAMONIT_ADMIN_EMAIL: { type: 'email', default: 'admin@cameramonit.local', description: 'Email of the first admin, created on first start.' },
  CAMERAMONIT_ADMIN_PASSWORD: { type: 'string', secret: true, description: 'Password of the first admin. Unset: a random one is generated and printed once.' },
  BIND_HOST: { type: 'string', default: '127.0.0.1', description: 'Address every server listens on (0.0.0.0 in containers).' },
  PUBLIC_URL: { type: 'url', default: 'http://localhost:3000', schemes: ['http', 'https'], description: 'Address people open the chat at; used in links in emails and messages.' },
  CHAT_PORT: { type: 'port', default: '3000', description: 'Chat app: web UI, REST API (/api, /api/docs), socket.io.' },
  MANAGER_PORT: { type: 'port', default: '3001', description: 'Manager app: users and login.' },
  ADMIN_PORT: { type: 'port', default: '3002', description: 'Admin app: projects and cameras.' },
  INSTALLER_PORT: { type: 'port', default: '3003', description: 'Installer app: camera registry, ONVIF discovery (docs/onvif.md).' },
  RECORDER_PORT: { type: 'port', default: '3004', description: 'Recorder app: live cameras (recording, live view: docs/live-cameras.md) and pushed frames (docs/pushed-frames.md).' },
  VIDEO_TO_TEXT_PORT: { type: 'port', default: '3005', description: 'Video-to-text worker: health and progress.' },
  STORAGE_PORT: { type: 'port', default: '3006', description: 'Storage app: HTTP file API with range requests.' },
  NOTIFIER_PORT: { type: 'port', default: '3007', description: 'Notifier app: health and delivery ledger.' },
  PLUGIN_HOST_PORT: { type: 'port', default: '3008', description: 'Plugin host: status of the analyser plugins (GET /api/plugins, /api/docs).' },
  WEBDAV_PORT: { type: 'port', default: '3080', description: 'Storage app: WebDAV server.' },
  FTP_PORT: { type: 'port', default: '2121', description: 'Storage app: FTP server.' },
  FTP_PASSIVE_HOST: { type: 'string', default: '127.0.0.1', description: 'Address the FTP server announces for passive data connections.' },
  FTP_PASSIVE_PORTS: { type: 'string', default: '30000-30100', description: 'Port range for FTP passive data connections.' },
  STORAGE_URL: { type: 'url', default: 'http://127.0.0.1:3006', schemes: ['http', 'https'], description: "Where the other apps reach the storage app's HTTP file API." },
  STORAGE_DIR: { type: 'string', description: 'Folder of the clip store. Default: DATA_DIR/storage.' },
  RECORDER_URL: {
    type: 'url',
    schemes: ['http', 'https'],
    description: "Where the chat app reaches the recorder's HTTP API (live view, pushed frames). Default: http://127.0.0.1:RECORDER_PORT.",
  },
  RECORDER_ID: {
    type: 'string',
    default: 'main',
    description: 'Recorder: who this recorder is (lower-case letters, digits, dashes). It records the cameras that name it as their recorder; `main` also records those that name none. Run a second recorder, with its own id, on a machine a webcam is plugged into (docs/live-cameras.md, "Webcams and several recorders").',
  },
  RECORDER_PUBLIC_URL: {
    type: 'url',
    schemes: ['http', 'https'],
    description: "Recorder: where the other apps reach this recorder's HTTP API (its cameras' live pictures); it says so in the database. Default: RECORDER_URL.",
  },
  PUSH_MAX_FRAMES: { type: 'int', default: '3000', min: 1, max: 100000, description: 'Most JPEG frames one push may hold (docs/pushed-frames.md); more get 413.' },
  PUSH_MAX_MB: { type: 'int', default: '300', min: 1, max: 10240, description: 'Most bytes of JPEG frames one push may hold, in MB; more get 413.' },
  ONVIF_DISCOVERY_MULTICAST: {
    type: 'bool',
    default: 'true',
    description: "Installer app: ONVIF discovery may send WS-Discovery probes to the local network's multicast group (239.255.255.250:3702). false: only probes to an address given in the request (docs/onvif.md).",
  },
  PUSH_IDLE_SECONDS: { type: 'int', default: '120', min: 5, max: 86400, description: 'A push that gets no frame and is not finished for this long expires; its frames are deleted.' },
  DEMO_CAMERA_FILE: { type: 'string', default: 'fixtures/vtest.avi', description: 'Video the first start loops as the live camera "demo live" of the demo project (relative to the working directory, inside CAMERA_FILES_DIR). `none`: no live demo camera.' },
  CAMERA_FILES_DIR: { type: 'string', default: 'fixtures', description: 'Folder (relative to the working directory) whose videos can be looped as "file" cameras; a file camera pointing anywhere else is refused (400) and not recorded.' },
  RECORDER_STORE: {
    type: 'string',
    default: 'http',
    description:
      "Recorder: how its clips reach the storage app. http: storage's HTTP API at STORAGE_URL; webdav: its WebDAV server (STORAGE_URL's host, WEBDAV_PORT); ftp: its FTP server (STORAGE_URL's host, FTP_PORT); local: the recorder writes into STORAGE_DIR itself and storage registers the clip over the bus (same disk).",
  },
  RECORDER_SPOOL_MAX_MB: { type: 'int', default: '2048', min: 10, description: "Recorder: most megabytes of clips kept on the recorder's disk while the storage app cannot take them; past it the oldest waiting clips are dropped." },
  RECORDER_STALL_SECONDS: { type: 'int', default: '15', min: 3, max: 600, description: 'Recorder: a camera whose ffmpeg sends nothing for this long is restarted (watchdog).' },
  RECORDER_SETTINGS_RETRY_SECONDS: { type: 'int', default: '300', min: 5, max: 86400, description: 'Recorder: a camera that refused the password or has no such stream is tried again after this long (or at once when its settings change).' },
  RECORDER_OFFLINE_GRACE_SECONDS: { type: 'int', default: '6', min: 0, max: 600, description: "Recorder: a camera that drops and is back within this long is not reported offline in its thread." },
  RECORDER_LOST_SECONDS: {
    type: 'int',
    default: '30',
    min: 20,
    max: 3600,
    description: "Main recorder: another recorder (RECORDER_ID) not heard of for this long (each says it is there every 5 s, and shows offline after 20 s) has its cameras set offline, said once in their threads.",
  },
  LIVE_TRANSCODE_CAMERAS: {
    type: 'int',
    default: '2',
    min: 0,
    max: 16,
    description:
      "Recorder: most cameras whose live picture is re-encoded to H.264 at once, for cameras in a codec browsers cannot play (H.265) that have no H.264 sub-stream; only while someone watches (a 1080p camera at 15 fps: about a sixth of a core here, more for busier pictures). 0: never (their live view answers 415).",
  },
  RETENTION_SWEEP_SECONDS: { type: 'int', default: '30', min: 1, max: 86400, description: 'Storage: how often recorded clips past their retention are deleted (and the disk guard runs).' },
  STORAGE_MIN_FREE_MB: { type: 'int', default: '1024', min: 0, description: 'Storage: when the clip store\'s disk has less free space than this, the oldest clips are deleted first, whatever their retention.' },
  MAX_UPLOAD_MB: { type: 'int', default: '2048', min: 1, description: 'Largest video accepted by upload (web, WebDAV, FTP); larger ones get 413 / 552.' },
  VIDEO_TO_TEXT_WORKERS: { type: 'int', default: '1', min: 1, max: 16, description: 'Video-to-text worker processes `npm start` runs; each analyses one clip at a time, so on a machine with more cores more cameras keep up (worker k > 1 answers on VIDEO_TO_TEXT_PORT + 100 * (k - 1)).' },
  ANALYSIS_FPS: { type: 'number', default: '5', min: 0.5, max: 30, description: 'Frames per second the analysis looks at.' },
  ANALYSIS_WIDTH: { type: 'int', default: '640', min: 160, max: 1920, description: 'Width (px) frames are scaled to for analysis.' },
  LIVE_BOXES_CAMERAS: {
    type: 'int',
    default: '4',
    min: 0,
    max: 16,
    description: "Most cameras whose live picture gets the detector's boxes (of its key frames, and a picture between them where they are more than 1.2 s apart: about one detector run a second each, while someone watches it); 0: none (the live picture then shows the boxes of recent events only).",
  },
  ANALYSIS_KEYFRAME_WATCH: {
    type: 'bool',
    default: 'true',
    description: "A recorded clip that follows a quiet one (nothing moved at its end) is first looked at on its key frames only (about half the decoding); any sign of life there and it is analysed at ANALYSIS_FPS from its start (docs/video-analysis.md). false: every clip at ANALYSIS_FPS.",
  },
  ANALYSIS_BEHIND_SECONDS: {
    type: 'number',
    default: '3',
    min: 0,
    max: 3600,
    description:
      "A recorded clip that waited longer than this in the worker's queue (more cameras busy than the worker keeps up with) is analysed on its key frames only: about half the work, so events keep coming within seconds; the log says how many. 0: every clip in full, however late. Cameras recording around motion or reporting motion events are always analysed in full.",
  },
  DETECTOR_INPUT_SIZE: { type: 'int', default: '320', min: 128, max: 512, description: 'Working size of the object detector (multiple of 32; smaller is faster, 512 is the model default).' },
  DETECTOR_MIN_CONFIDENCE: { type: 'number', default: '0.4', min: 0.05, max: 0.99, description: 'Detections below this confidence are ignored.' },
  PLUGINS_DIR: {
    type: 'string',
    default: 'plugins',
    description: 'Folder of analyser plugins (relative to the working directory; `npm start` runs from the repo root): each sub-folder, or npm package in its node_modules, with a `cameramonit` key in its package.json. See docs/plugins.md.',
  },
  SMTP_URL: {
    type: 'url',
    schemes: ['smtp', 'smtps'],
    secret: true,
    description: 'SMTP server for email notifications, e.g. `smtp://user:pass@mail.example.com:587`. Unset: emails are written to the log.',
  },
  MAIL_FROM: { type: 'string', default: 'Cameramonit <cameramonit@localhost>', description: 'Sender of notification emails.' },
  LOG_LEVEL: { type: 'string', default: 'log', description: 'Lowest level logged: error, warn, log, debug or verbose.' },
} as const satisfies Record<string, SettingSpec>;

export type SettingName = keyof typeof Settings;
