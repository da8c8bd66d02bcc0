import { join } from 'node:path';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { SecretBox, TokenService } from '@cameramonit/auth';
import { BusClient, OutboxService } from '@cameramonit/bus';
import { Topics, recordedSourceKinds, recorderOf, type CameraSourceKind, type CameraStatusPayload } from '@cameramonit/contracts';
import type { AppConfig } from '@cameramonit/config';
import { CameraEntity, CameraRecordingEntity, ProjectEntity, type RecorderEntity } from '@cameramonit/db';
import { FfmpegDriver, redactAddress, type CameraStreamInput } from '@cameramonit/media';
import { APP_CONFIG, FtpRecordingStore, LocalRecordingStore, StorageClient, WebDavRecordingStore, type RecordingStore } from '@cameramonit/server';
import { cameraFileToLoop } from './camera-file.js';
import { ClipSpool, type SpooledClip } from './clip-spool.js';
import { ClipUploader } from './clip-uploader.js';
import { CameraStreamRecorder, defaultRecorderTimings, type CameraRecordingSpec, type RecordingStatus } from './camera-stream.recorder.js';
import type { LiveHub } from './live-hub.js';
import { LiveTranscoders, type LiveTranscoder } from './live-transcoder.js';

const reconcileEveryMs = 3000;

/** What the API shows of one camera's recording. */
export interface RecordingView {
  cameraId: string;
  name: string;
  kind: CameraSourceKind;
  /** the address without credentials */
  url: string;
  state: RecordingStatus['state'];
  message: string | null;
  since: string;
  pid: number | null;
  codec: string | null;
  width: number | null;
  height: number | null;
  /** the browser can play its live view without re-encoding */
  livePlayable: boolean;
  /** its live view is being re-encoded to H.264 now (a codec browsers cannot play, no sub-stream: LIVE_TRANSCODE_CAMERAS) */
  liveReencoded: boolean;
  viewers: number;
  clipsWritten: number;
  clipsWaiting: number;
  restarts: number;
  lastFragmentAt: string | null;
  /** the camera's sub-stream, recorded for the analysis (null: none, or not used: motion-only recording) */
  subStream: SubStreamView | null;
}

export interface SubStreamView {
  url: string;
  state: RecordingStatus['state'];
  message: string | null;
  since: string;
  pid: number | null;
  width: number | null;
  height: number | null;
  clipsWritten: number;
  restarts: number;
}

/**
 * Records every enabled camera that has a source (RTSP, MJPEG, snapshot URL, webcam, looped
 * file): one CameraStreamRecorder each, started, restarted and stopped as the cameras table
 * changes (looked at every few seconds and whenever the admin app says a camera changed), so no
 * restart is ever needed. Finished clips go to storage through the ClipUploader; the cameras'
 * states are kept in camera_recordings and told to the chat (camera/status, through the outbox)
 * when they matter to people: offline, back online, wrong password, no such stream. An RTSP
 * camera with a sub-stream (recorded continuously) gets a second recorder for it: its clips
 * (source "substream") are what the analysis looks at, the main stream's are what people watch;
 * the sub-stream's ups and downs go to the log, not the thread (the main stream speaks for the camera).
 */
@Injectable()
export class RecordingSupervisor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RecordingSupervisor.name);
  private readonly ffmpeg = new FfmpegDriver();
  private readonly box: SecretBox;
  readonly spool: ClipSpool;
  readonly uploader: ClipUploader;
  private readonly recorders = new Map<string, { recorder: CameraStreamRecorder; fingerprint: string }>();
  private readonly subRecorders = new Map<string, { recorder: CameraStreamRecorder; fingerprint: string }>();
  /** cameras whose live picture is re-encoded to H.264 now (LIVE_TRANSCODE_CAMERAS) */
  private readonly transcoders: LiveTranscoders;
  private timer: NodeJS.Timeout | null = null;
  private reconciling: Promise<void> | null = null;
  private again = false;
  private stopping = false;
  /** the last time each camera's clip was stored, for the chat's "recording" line */
  private readonly lastStored = new Map<string, number>();
  private readonly store: RecordingStore;
  /** how clips reach storage (RECORDER_STORE) */
  readonly storeKind: AppConfig['recorder']['store']['kind'];
  /** clip latencies (finished in the spool -> stored), ms, the last 200 */
  readonly latencies: number[] = [];

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly outbox: OutboxService,
    tokens: TokenService,
    bus: BusClient,
  ) {
    this.box = new SecretBox(config.secretsKey);
    this.transcoders = new LiveTranscoders(this.ffmpeg, config.recorder.liveTranscodeCameras, (message) => this.logger.log(message));
    this.spool = new ClipSpool(join(config.dataDir, 'recorder', 'spool'));
    this.store = recordingStore(config, tokens, bus);
    this.storeKind = config.recorder.store.kind;
    this.logger.log(`Clips go to storage over ${config.recorder.store.kind === 'local' ? `its folder ${config.recorder.store.url}` : `${config.recorder.store.kind.toUpperCase()} at ${config.recorder.store.url}`} (RECORDER_STORE)`);
    this.uploader = new ClipUploader(this.store, this.spool, config.recorder.spoolMaxBytes, {
      stored: (clip, stored, latencyMs) => {
        this.latencies.push(latencyMs);
        if (this.latencies.length > 200) this.latencies.shift();
        if (clip.source === 'substream') return;
        this.lastStored.set(clip.cameraId, Date.now());
        if (stored.created) void this.db.getRepository(CameraRecordingEntity).update({ cameraId: clip.cameraId }, { lastClipAt: clip.startedAt, updatedAt: new Date() }).catch(() => undefined);
      },
      dropped: (clip, reason) => this.logger.warn(`Dropped the clip of ${clip.projectSlug}/${clip.cameraSlug} from ${clip.startedAt.toISOString()}: ${reason}`),
      log: (level, message) => (level === 'warn' ? this.logger.warn(message) : this.logger.log(message)),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    // clips of a recorder that stopped (or was killed) go first, in order
    const left = await this.spool.recover();
    if (left.length > 0) this.logger.log(`${left.length} clip(s) left in the spool by the last run: sending them to storage`);
    for (const clip of left) this.uploader.add(clip);
    await this.reconcile();
    this.timer = setInterval(() => void this.reconcile(), reconcileEveryMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await this.reconciling;
    this.transcoders.stopAll('the recorder is stopping');
    await Promise.all([...this.recorders.values(), ...this.subRecorders.values()].map(({ recorder }) => recorder.stop()));
    this.recorders.clear();
    this.subRecorders.clear();
    this.uploader.stop();
    await this.store.close?.();
  }

  /**
   * The camera's live picture re-encoded to H.264 (its codec is one browsers cannot play and it has
   * no H.264 sub-stream): the one running, else a new one; 'busy' when LIVE_TRANSCODE_CAMERAS are
   * re-encoded already, 'off' when that is 0.
   */
  liveTranscoder(cameraId: string, source: LiveHub, codec: string): LiveTranscoder | 'busy' | 'off' {
    return this.transcoders.for(cameraId, this.recorderOf(cameraId)?.spec.name ?? cameraId, source, codec);
  }

  /** The recorder of a camera's sub-stream, when it has one. */
  subRecorderOf(cameraId: string): CameraStreamRecorder | null {
    return this.subRecorders.get(cameraId)?.recorder ?? null;
  }

  recorderOf(cameraId: string): CameraStreamRecorder | null {
    return this.recorders.get(cameraId)?.recorder ?? null;
  }

  /** Look at the cameras now (the admin app said one changed). */
  reconcile(): Promise<void> {
    if (this.reconciling) {
      this.again = true;
      return this.reconciling;
    }
    this.reconciling = this.reconcileOnce()
      .catch((error: unknown) => this.logger.warn(`Looking at the cameras failed: ${(error as Error).message}`))
      .finally(() => {
        this.reconciling = null;
        if (this.again && !this.stopping) {
          this.again = false;
          void this.reconcile();
        }
      });
    return this.reconciling;
  }

  views(): RecordingView[] {
    return [...this.recorders.values()].map(({ recorder }) => this.view(recorder));
  }

  view(recorder: CameraStreamRecorder): RecordingView {
    const status = recorder.currentStatus;
    const info = recorder.streamInfo;
    return {
      cameraId: recorder.spec.cameraId,
      name: recorder.spec.name,
      kind: recorder.spec.input.kind,
      url: redactAddress(recorder.spec.input.url),
      state: status.state,
      message: status.message,
      since: status.since.toISOString(),
      pid: recorder.pid ?? null,
      codec: info?.codec ?? null,
      width: info?.width ?? null,
      height: info?.height ?? null,
      // an H.265 camera is watched live in its H.264 sub-stream, when it has one
      livePlayable: (recorder.live.info?.browserPlayable ?? false) || (this.subRecorderOf(recorder.spec.cameraId)?.live.info?.browserPlayable ?? false),
      liveReencoded: this.transcoders.isRunning(recorder.spec.cameraId),
      viewers: recorder.live.viewerCount,
      clipsWritten: recorder.clipsWritten,
      clipsWaiting: this.uploader.backlog(recorder.spec.cameraId),
      restarts: recorder.restarts,
      lastFragmentAt: recorder.lastFragmentAtMs ? new Date(recorder.lastFragmentAtMs).toISOString() : null,
      subStream: this.subView(recorder.spec.cameraId),
    };
  }

  private subView(cameraId: string): SubStreamView | null {
    const recorder = this.subRecorders.get(cameraId)?.recorder;
    if (!recorder) return null;
    const status = recorder.currentStatus;
    return {
      url: redactAddress(recorder.spec.input.url),
      state: status.state,
      message: status.message,
      since: status.since.toISOString(),
      pid: recorder.pid ?? null,
      width: recorder.streamInfo?.width ?? null,
      height: recorder.streamInfo?.height ?? null,
      clipsWritten: recorder.clipsWritten,
      restarts: recorder.restarts,
    };
  }

  private async reconcileOnce(): Promise<void> {
    if (this.stopping) return;
    const cameras = await this.db.getRepository(CameraEntity).find();
    const projects = new Map((await this.db.getRepository(ProjectEntity).find()).map((project) => [project.id, project]));
    const wanted = new Map<string, CameraRecordingSpec>();
    const wantedSub = new Map<string, CameraRecordingSpec>();
    for (const camera of cameras) {
      if (!camera.enabled || !recordedSourceKinds.includes(camera.sourceKind) || !camera.sourceUrl) continue;
      // another recorder's camera (a webcam on the machine it is plugged into)
      if (recorderOf(camera) !== this.config.recorder.id) continue;
      const project = projects.get(camera.projectId);
      if (!project) continue;
      const spec = this.specOf(camera, project);
      if (!spec) continue;
      wanted.set(camera.id, spec);
      // motion-only recording keeps what the analysis of the main clips says had motion: no sub-stream there
      if (camera.sourceKind === 'rtsp' && camera.subStreamUrl && camera.recordMode === 'continuous') {
        wantedSub.set(camera.id, { ...spec, name: `${spec.name} (sub-stream)`, input: { ...spec.input, url: camera.subStreamUrl }, source: 'substream' });
      }
    }
    for (const [cameraId, running] of [...this.subRecorders]) {
      const spec = wantedSub.get(cameraId);
      if (spec && fingerprintOf(spec) === running.fingerprint) continue;
      this.subRecorders.delete(cameraId);
      await running.recorder.stop();
      this.logger.log(`Camera ${running.recorder.spec.name}: recording stopped`);
    }
    // stop what is no longer wanted (disabled, deleted, source removed) or changed
    for (const [cameraId, running] of [...this.recorders]) {
      const spec = wanted.get(cameraId);
      if (spec && fingerprintOf(spec) === running.fingerprint) continue;
      this.recorders.delete(cameraId);
      await running.recorder.stop();
      const camera = cameras.find((c) => c.id === cameraId);
      const deleted = !camera;
      const movedTo = camera && recorderOf(camera) !== this.config.recorder.id ? recorderOf(camera) : null;
      this.logger.log(`Camera ${running.recorder.spec.name}: recording stopped (${deleted ? 'deleted' : movedTo ? `now recorded by the recorder ${movedTo}` : spec ? 'settings changed' : 'disabled or no source'})`);
      if (movedTo) {
        // its state is the other recorder's to keep now; clips of it still waiting here go to storage
        continue;
      } else if (deleted) {
        await this.uploader.forget(cameraId);
        await this.db.getRepository(CameraRecordingEntity).delete({ cameraId });
      } else if (!spec) {
        await this.saveStatus(running.recorder.spec, { state: 'stopped', message: null, since: new Date() }, running.recorder.currentStatus);
      }
    }
    for (const [cameraId, spec] of wanted) {
      if (this.recorders.has(cameraId) || this.stopping) continue;
      const stored = await this.db.getRepository(CameraRecordingEntity).findOneBy({ cameraId });
      // what this recorder last said (it restarted): go on from there; another recorder's state (the camera was moved here) is not this one's
      const own = stored && (stored.recorderId === null || stored.recorderId === this.config.recorder.id);
      const initial: RecordingStatus | null = stored && own && stored.state !== 'stopped' ? { state: stored.state, message: stored.message, since: stored.since } : null;
      const recorder = new CameraStreamRecorder(
        spec,
        this.ffmpeg,
        this.spool,
        {
          onClip: (clip: SpooledClip) => this.uploader.add(clip),
          onStatus: (status, previous) => void this.saveStatus(spec, status, previous).catch((error: unknown) => this.logger.warn(`Saving the state of camera ${spec.name} failed: ${(error as Error).message}`)),
          log: (level, message) => (level === 'warn' ? this.logger.warn(message) : this.logger.log(message)),
        },
        this.timings(),
        initial,
      );
      this.recorders.set(cameraId, { recorder, fingerprint: fingerprintOf(spec) });
      this.logger.log(`Camera ${spec.name}: recording ${spec.input.kind} ${redactAddress(spec.input.url)} in clips of ${spec.clipSec} s`);
      recorder.start();
    }
    for (const [cameraId, spec] of wantedSub) {
      if (this.subRecorders.has(cameraId) || this.stopping) continue;
      const recorder = new CameraStreamRecorder(
        spec,
        this.ffmpeg,
        this.spool,
        {
          onClip: (clip: SpooledClip) => this.uploader.add(clip),
          onStatus: (status, previous) => {
            if (status.state === previous.state) return;
            const line = `Camera ${spec.name}: ${previous.state} -> ${status.state}${status.message ? ` (${status.message})` : ''}${status.state === 'online' ? '' : '; its main stream\'s clips are analysed meanwhile'}`;
            if (status.state === 'online') this.logger.log(line);
            else this.logger.warn(line);
          },
          log: (level, message) => (level === 'warn' ? this.logger.warn(message) : this.logger.log(message)),
        },
        this.timings(),
        null,
      );
      this.subRecorders.set(cameraId, { recorder, fingerprint: fingerprintOf(spec) });
      this.logger.log(`Camera ${spec.name}: recording ${redactAddress(spec.input.url)} for the analysis in clips of ${spec.clipSec} s`);
      recorder.start();
    }
  }

  private timings(): typeof defaultRecorderTimings {
    return {
      ...defaultRecorderTimings,
      stallSec: this.config.recorder.stallSeconds,
      settingsRetrySec: this.config.recorder.settingsRetrySeconds,
      offlineGraceSec: this.config.recorder.offlineGraceSeconds,
    };
  }

  private specOf(camera: CameraEntity, project: ProjectEntity): CameraRecordingSpec | null {
    let password: string | null = null;
    if (camera.sourcePasswordSealed) {
      try {
        password = this.box.open(camera.sourcePasswordSealed);
      } catch {
        this.logger.warn(`Camera ${camera.name}: its password cannot be opened with this SECRETS_KEY; set it again on the admin page`);
        return null;
      }
    }
    const url = camera.sourceUrl as string;
    const kind = camera.sourceKind as CameraStreamInput['kind'];
    const input: CameraStreamInput = { kind, url, username: camera.sourceUsername, password, transport: camera.sourceTransport };
    if (kind === 'file') {
      // relative to where the platform runs (npm start: the repository), so the demo can loop fixtures/vtest.avi; only inside CAMERA_FILES_DIR
      const { file, problem } = cameraFileToLoop(url, this.config.cameraFilesDir);
      if (file === null) {
        this.logger.warn(`Camera ${camera.name}: ${problem}`);
        return null;
      }
      input.url = file;
      // H.264 MP4/MKV could be copied, but a looped file's key frames are its own; encoding gives one a second
      input.encode = true;
      input.maxWidth = 1280;
    }
    const spec: CameraRecordingSpec = { cameraId: camera.id, projectSlug: project.slug, cameraSlug: camera.slug, name: camera.name, input, clipSec: camera.bufferSeconds };
    if (kind === 'webcam') {
      input.captureSize = camera.captureSize;
      input.captureFps = camera.captureFps;
    }
    if (kind === 'snapshot') {
      input.snapshotFps = camera.snapshotFps;
      spec.snapshot = { url, username: camera.sourceUsername, password, fps: camera.snapshotFps };
      input.username = null;
      input.password = null;
    }
    return spec;
  }

  /**
   * The cameras of another recorder that stopped saying it is there (its machine is off, or off the
   * network): nobody records them, so they are offline, said once in their threads. The main
   * recorder looks (RecorderPresenceService); the lost recorder sets them online again when it is back.
   */
  async reportLostRecorder(lost: Pick<RecorderEntity, 'recorderId' | 'hostname' | 'lastSeenAt'>): Promise<void> {
    const cameras = await this.db.getRepository(CameraEntity).findBy({ recorderId: lost.recorderId, enabled: true });
    for (const camera of cameras) {
      const row = await this.db.getRepository(CameraRecordingEntity).findOneBy({ cameraId: camera.id });
      if (!row || (row.state !== 'online' && row.state !== 'starting')) continue;
      const message = `its recorder ${lost.recorderId} (${lost.hostname}) stopped answering (is that machine on, and on the network?)`;
      const spec = { cameraId: camera.id, name: camera.name } as CameraRecordingSpec;
      await this.saveStatus(spec, { state: 'offline', message, since: lost.lastSeenAt }, { state: row.state, message: row.message, since: row.since }, lost.recorderId);
    }
  }

  /** Keeps the state and, when it matters to people, tells the chat through the outbox. */
  /** `recorderId`: whose state it is (this recorder's, or a lost one's that the main recorder reports) */
  private async saveStatus(spec: CameraRecordingSpec, status: RecordingStatus, previous: RecordingStatus, recorderId = this.config.recorder.id): Promise<void> {
    const recorder = this.recorders.get(spec.cameraId)?.recorder;
    const info = recorder?.streamInfo;
    await this.db.transaction(async (manager) => {
      const repository = manager.getRepository(CameraRecordingEntity);
      const row = await repository.findOneBy({ cameraId: spec.cameraId });
      const storedPrevious = row ? { state: row.state, since: row.since } : { state: previous.state, since: previous.since };
      const fields = {
        state: status.state,
        message: status.message,
        since: status.since,
        codec: info?.codec ?? row?.codec ?? null,
        width: info?.width ?? row?.width ?? null,
        height: info?.height ?? row?.height ?? null,
        recorderId,
        updatedAt: new Date(),
      };
      if (row) await repository.update({ id: row.id }, fields);
      else await repository.insert({ cameraId: spec.cameraId, lastClipAt: null, ...fields });
      if (!tellPeople(storedPrevious.state, status.state)) return;
      const payload: CameraStatusPayload = {
        cameraId: spec.cameraId,
        cameraName: spec.name,
        state: status.state,
        previousState: storedPrevious.state,
        message: status.message,
        since: status.since.toISOString(),
        outageSec: status.state === 'online' && storedPrevious.state !== 'starting' ? Math.max(0, Math.round((status.since.getTime() - storedPrevious.since.getTime()) / 1000)) : null,
      };
      await this.outbox.add(manager, Topics.cameraStatus, payload);
    });
    void this.outbox.flush();
    const line = `Camera ${spec.name}: ${previous.state} -> ${status.state}${status.message ? ` (${status.message})` : ''}`;
    if (status.state === 'online') this.logger.log(line);
    else this.logger.warn(line);
  }
}

/** Transitions a person wants to read in the camera's thread. */
function tellPeople(from: RecordingStatus['state'], to: RecordingStatus['state']): boolean {
  if (from === to || to === 'starting' || to === 'stopped') return false;
  if (to === 'online') return from !== 'stopped';
  return true;
}

/** What makes a recording restart when it changes. */
function fingerprintOf(spec: CameraRecordingSpec): string {
  return JSON.stringify([spec.input, spec.snapshot ?? null, spec.clipSec, spec.projectSlug, spec.cameraSlug, spec.name, spec.source ?? 'recording']);
}

/** The way the recorder's clips reach storage (RECORDER_STORE). */
function recordingStore(config: AppConfig, tokens: TokenService, bus: BusClient): RecordingStore {
  const { kind, url } = config.recorder.store;
  switch (kind) {
    case 'webdav':
      return new WebDavRecordingStore(url, tokens, 'recorder');
    case 'ftp':
      return new FtpRecordingStore(url, tokens, 'recorder');
    case 'local':
      return new LocalRecordingStore(url, bus);
    default:
      return new StorageClient(config.storageUrl, tokens, 'recorder');
  }
}
