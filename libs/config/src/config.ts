import { isAbsolute, resolve } from 'node:path';
import { Settings, type SettingName, type SettingSpec } from './settings.js';

type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export interface DatabaseTarget {
  kind: 'sqlite' | 'mysql';
  /** sqlite: absolute file path; mysql: the URL */
  location: string;
  /** mysql: database name */
  database?: string;
}

/** The validated configuration, read once at boot. */
export interface AppConfig {
  dataDir: string;
  database: DatabaseTarget;
  registryDatabase: DatabaseTarget;
  mqttUrl: string | undefined;
  mqttEmbeddedPort: number;
  jwtSecret: string;
  secretsKey: string;
  accessTokenTtlHours: number;
  adminEmail: string;
  adminPassword: string | undefined;
  bindHost: string;
  publicUrl: string;
  ports: {
    chat: number;
    manager: number;
    admin: number;
    installer: number;
    recorder: number;
    videoToText: number;
    storage: number;
    notifier: number;
    pluginHost: number;
    webdav: number;
    ftp: number;
  };
  ftpPassiveHost: string;
  ftpPassivePorts: { min: number; max: number };
  storageUrl: string;
  storageDir: string;
  /** the recorder's HTTP API, for the chat's proxy of pushed frames */
  recorderUrl: string;
  /** pushed frames: bounds of one push and how long an unfinished one is kept */
  push: { maxFrames: number; maxBytes: number; idleSeconds: number };
  /** the file the live demo camera loops (null: none) */
  demoCameraFile: string | null;
  /** absolute folder whose videos 'file' cameras may loop */
  cameraFilesDir: string;
  /** live recording: spool bound, watchdog, retry of wrong settings, offline grace */
  recorder: {
    /** how clips reach storage (RECORDER_STORE) and where: STORAGE_URL, the WebDAV or FTP server on its host, or STORAGE_DIR */
    store: { kind: 'http' | 'webdav' | 'ftp' | 'local'; url: string };
    /** RECORDER_ID: the cameras it records are those naming it (main: and those naming none) */
    id: string;
    /** RECORDER_PUBLIC_URL: where the other apps reach this recorder */
    publicUrl: string;
    spoolMaxBytes: number;
    stallSeconds: number;
    settingsRetrySeconds: number;
    offlineGraceSeconds: number;
    /** RECORDER_LOST_SECONDS: the main recorder sets another recorder's cameras offline when it was not heard of for this long */
    lostSeconds: number;
    /** LIVE_TRANSCODE_CAMERAS: most cameras re-encoded to H.264 at once for live viewers (codecs browsers cannot play, no H.264 sub-stream) */
    liveTranscodeCameras: number;
  };
  /** storage: how often retention runs, free space kept on the clip store's disk */
  retention: { sweepSeconds: number; minFreeBytes: number };
  /** ONVIF discovery: whether multicast probes may go onto the local network */
  onvifDiscoveryMulticast: boolean;
  maxUploadBytes: number;
  analysis: { fps: number; width: number; keyFrameWatch: boolean; behindSeconds: number; detectorInputSize: number; minConfidence: number; workers: number; liveBoxesCameras: number };
  /** absolute folder of analyser plugins */
  pluginsDir: string;
  smtpUrl: string | undefined;
  mailFrom: string;
  logLevel: 'error' | 'warn' | 'log' | 'debug' | 'verbose';
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;

function check(name: string, spec: SettingSpec, raw: string, problems: string[]): void {
  const fail = (what: string) => problems.push(`${name} ${what} (got ${spec.secret ? 'a value' : JSON.stringify(raw)})`);
  switch (spec.type) {
    case 'port': {
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 1 || n > 65535) fail('must be a port number 1-65535');
      break;
    }
    case 'int':
    case 'number': {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n) || (spec.type === 'int' && !Number.isInteger(n))) {
        fail(`must be ${spec.type === 'int' ? 'a whole number' : 'a number'}`);
      } else if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
        fail(`must be between ${spec.min ?? '-inf'} and ${spec.max ?? 'inf'}`);
      }
      break;
    }
    case 'bool':
      if (!['true', 'false', '1', '0', 'yes', 'no'].includes(raw.toLowerCase())) fail('must be true or false');
      break;
    case 'email':
      if (!EMAIL.test(raw)) fail('must be an email address');
      break;
    case 'url': {
      const scheme = raw.split(':')[0]?.toLowerCase() ?? '';
      if (spec.schemes && !spec.schemes.includes(scheme)) fail(`must start with ${spec.schemes.map((s) => `${s}:`).join(' or ')}`);
      else if (scheme !== 'sqlite' && !URL.canParse(raw)) fail('must be a valid URL');
      break;
    }
    case 'string':
      break;
  }
}

function parseDatabase(url: string, dataDir: string, cwd: string): DatabaseTarget {
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    return { kind: 'sqlite', location: isAbsolute(file) ? file : resolve(cwd, file) };
  }
  const parsed = new URL(url);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  return { kind: 'mysql', location: url, database };
}

function registryFrom(platform: DatabaseTarget, dataDir: string): DatabaseTarget {
  if (platform.kind === 'sqlite') return { kind: 'sqlite', location: resolve(dataDir, 'registry.sqlite') };
  const url = new URL(platform.location);
  const database = `${platform.database ?? 'cameramonit'}_registry`;
  url.pathname = `/${database}`;
  return { kind: 'mysql', location: url.toString(), database };
}

/** Where the recorder's clips go: storage's HTTP API, its WebDAV or FTP server (on STORAGE_URL's host), or its folder. */
function recorderStoreTarget(kind: AppConfig['recorder']['store']['kind'], values: Record<SettingName, string | undefined>, dataDir: string, cwd: string): AppConfig['recorder']['store'] {
  const storageUrl = new URL(values.STORAGE_URL as string);
  switch (kind) {
    case 'webdav':
      return { kind, url: `http://${storageUrl.hostname}:${values.WEBDAV_PORT}` };
    case 'ftp':
      return { kind, url: `ftp://${storageUrl.hostname}:${values.FTP_PORT}` };
    case 'local':
      return { kind, url: values.STORAGE_DIR ? resolve(cwd, values.STORAGE_DIR) : resolve(dataDir, 'storage') };
    default:
      return { kind: 'http', url: storageUrl.toString().replace(/\/$/, '') };
  }
}

/** Validate the environment into a typed config; throws ConfigError naming every problem. */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): AppConfig {
  const problems: string[] = [];
  const values = {} as Record<SettingName, string | undefined>;
  for (const [name, spec] of Object.entries(Settings) as [SettingName, SettingSpec][]) {
    const raw = env[name];
    const value = raw === undefined || raw === '' ? spec.default : raw;
    if (value !== undefined) check(name, spec, value, problems);
    values[name] = value;
  }
  const jwtSecret = values.JWT_SECRET;
  const secretsKey = values.SECRETS_KEY;
  if (!jwtSecret) problems.push('JWT_SECRET is required (npm start generates one; set it when running an app on its own)');
  else if (jwtSecret.length < 16) problems.push('JWT_SECRET must be at least 16 characters');
  if (!secretsKey) problems.push('SECRETS_KEY is required (npm start generates one; set it when running an app on its own)');
  const passivePorts = /^(\d+)-(\d+)$/.exec(values.FTP_PASSIVE_PORTS ?? '');
  if (!passivePorts || Number(passivePorts[1]) > Number(passivePorts[2])) problems.push('FTP_PASSIVE_PORTS must be a range like 30000-30100');
  const level = values.LOG_LEVEL ?? 'log';
  if (!['error', 'warn', 'log', 'debug', 'verbose'].includes(level)) problems.push(`LOG_LEVEL must be error, warn, log, debug or verbose (got ${JSON.stringify(level)})`);
  const recorderStore = values.RECORDER_STORE ?? 'http';
  const recorderId = values.RECORDER_ID ?? 'main';
  if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(recorderId)) problems.push(`RECORDER_ID must be lower-case letters, digits and dashes (1-40), starting with a letter or digit (got ${JSON.stringify(recorderId)})`);
  if (!['http', 'webdav', 'ftp', 'local'].includes(recorderStore)) problems.push(`RECORDER_STORE must be http, webdav, ftp or local (got ${JSON.stringify(recorderStore)})`);
  if (problems.length) throw new ConfigError(problems);

  const dataDir = resolve(cwd, values.DATA_DIR ?? 'data');
  const num = (name: SettingName) => Number(values[name]);
  const database: DatabaseTarget = values.DATABASE_URL
    ? parseDatabase(values.DATABASE_URL, dataDir, cwd)
    : { kind: 'sqlite', location: resolve(dataDir, 'platform.sqlite') };
  const registryDatabase = values.REGISTRY_DATABASE_URL
    ? parseDatabase(values.REGISTRY_DATABASE_URL, dataDir, cwd)
    : registryFrom(database, dataDir);
  return {
    dataDir,
    database,
    registryDatabase,
    mqttUrl: values.MQTT_URL,
    mqttEmbeddedPort: num('MQTT_EMBEDDED_PORT'),
    jwtSecret: jwtSecret as string,
    secretsKey: secretsKey as string,
    accessTokenTtlHours: num('ACCESS_TOKEN_TTL_HOURS'),
    adminEmail: values.CAMERAMONIT_ADMIN_EMAIL as string,
    adminPassword: values.CAMERAMONIT_ADMIN_PASSWORD,
    bindHost: values.BIND_HOST as string,
    publicUrl: (values.PUBLIC_URL as string).replace(/\/$/, ''),
    ports: {
      chat: num('CHAT_PORT'),
      manager: num('MANAGER_PORT'),
      admin: num('ADMIN_PORT'),
      installer: num('INSTALLER_PORT'),
      recorder: num('RECORDER_PORT'),
      videoToText: num('VIDEO_TO_TEXT_PORT'),
      storage: num('STORAGE_PORT'),
      notifier: num('NOTIFIER_PORT'),
      pluginHost: num('PLUGIN_HOST_PORT'),
      webdav: num('WEBDAV_PORT'),
      ftp: num('FTP_PORT'),
    },
    ftpPassiveHost: values.FTP_PASSIVE_HOST as string,
    ftpPassivePorts: { min: Number(passivePorts?.[1]), max: Number(passivePorts?.[2]) },
    storageUrl: (values.STORAGE_URL as string).replace(/\/$/, ''),
    storageDir: values.STORAGE_DIR ? resolve(cwd, values.STORAGE_DIR) : resolve(dataDir, 'storage'),
    recorderUrl: (values.RECORDER_URL ?? `http://127.0.0.1:${num('RECORDER_PORT')}`).replace(/\/$/, ''),
    onvifDiscoveryMulticast: ['true', '1', 'yes'].includes(String(values.ONVIF_DISCOVERY_MULTICAST).toLowerCase()),
    push: { maxFrames: num('PUSH_MAX_FRAMES'), maxBytes: num('PUSH_MAX_MB') * 1024 * 1024, idleSeconds: num('PUSH_IDLE_SECONDS') },
    cameraFilesDir: resolve(cwd, values.CAMERA_FILES_DIR ?? 'fixtures'),
    demoCameraFile: !values.DEMO_CAMERA_FILE || values.DEMO_CAMERA_FILE.trim().toLowerCase() === 'none' ? null : values.DEMO_CAMERA_FILE.trim(),
    recorder: {
      store: recorderStoreTarget(recorderStore as AppConfig['recorder']['store']['kind'], values, dataDir, cwd),
      id: recorderId,
      publicUrl: (values.RECORDER_PUBLIC_URL ?? values.RECORDER_URL ?? `http://127.0.0.1:${num('RECORDER_PORT')}`).replace(/\/$/, ''),
      spoolMaxBytes: num('RECORDER_SPOOL_MAX_MB') * 1024 * 1024,
      stallSeconds: num('RECORDER_STALL_SECONDS'),
      settingsRetrySeconds: num('RECORDER_SETTINGS_RETRY_SECONDS'),
      offlineGraceSeconds: num('RECORDER_OFFLINE_GRACE_SECONDS'),
      lostSeconds: num('RECORDER_LOST_SECONDS'),
      liveTranscodeCameras: num('LIVE_TRANSCODE_CAMERAS'),
    },
    retention: { sweepSeconds: num('RETENTION_SWEEP_SECONDS'), minFreeBytes: num('STORAGE_MIN_FREE_MB') * 1024 * 1024 },
    maxUploadBytes: num('MAX_UPLOAD_MB') * 1024 * 1024,
    analysis: {
      fps: num('ANALYSIS_FPS'),
      width: num('ANALYSIS_WIDTH'),
      keyFrameWatch: ['true', '1', 'yes'].includes(String(values.ANALYSIS_KEYFRAME_WATCH).toLowerCase()),
      behindSeconds: num('ANALYSIS_BEHIND_SECONDS'),
      detectorInputSize: num('DETECTOR_INPUT_SIZE'),
      minConfidence: num('DETECTOR_MIN_CONFIDENCE'),
      workers: num('VIDEO_TO_TEXT_WORKERS'),
      liveBoxesCameras: num('LIVE_BOXES_CAMERAS'),
    },
    pluginsDir: resolve(cwd, values.PLUGINS_DIR ?? 'plugins'),
    smtpUrl: values.SMTP_URL,
    mailFrom: values.MAIL_FROM as string,
    logLevel: level as AppConfig['logLevel'],
  };
}

/** Names of the settings whose values must never be printed. */
export const secretSettingNames: readonly string[] = Object.entries(Settings)
  .filter(([, spec]) => 'secret' in spec && spec.secret)
  .map(([name]) => name);

/** Replace every secret value (and credentials in URLs) in a text, for logs. */
export function redact(text: string, env: Env = process.env): string {
  let out = text.replace(/(\w+:\/\/)([^:@/\s]+):([^@/\s]+)@/g, '$1$2:***@');
  for (const name of secretSettingNames) {
    const value = env[name];
    if (value && value.length >= 4) out = out.split(value).join('***');
  }
  return out;
}
