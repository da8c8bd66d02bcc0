import { ConflictException, Inject, Injectable, Logger, NotFoundException, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { SecretBox } from '@cameramonit/auth';
import { OutboxService } from '@cameramonit/bus';
import type { AppConfig } from '@cameramonit/config';
import {
  CameramonitError,
  cocoLabels,
  defaultCameraAnalysisSettings,
  mainRecorderId,
  parseCameraAnalysisSettings,
  parseCameraSource,
  recordedSourceKinds,
  recorderOf,
  recorderOnlineWithinMs,
  resolveCameraFile,
  Topics,
  type CameraAnalysisSettings,
  type CameraChangedPayload,
  type CameraLiveState,
  type CameraSourceView,
  type RecorderView,
  type VideoDeviceView,
} from '@cameramonit/contracts';
import { CameraEntity, CameraRecordingEntity, ProjectEntity, RecorderEntity } from '@cameramonit/db';
import { APP_CONFIG } from '@cameramonit/server';

/** A camera as the admin API shows it: its settings, its source without the password, and how its recording goes. */
export interface CameraView {
  id: string;
  projectId: string;
  slug: string;
  name: string;
  registryCameraId: string | null;
  bufferSeconds: number;
  maxRecordMinutes: number;
  animationSeconds: number;
  enabled: boolean;
  createdAt: Date;
  /** flat copies of source.kind, source.url, source.subStreamUrl (older clients read these) */
  sourceKind: CameraSourceView['kind'];
  sourceUrl: string | null;
  subStreamUrl: string | null;
  source: CameraSourceView;
  /** the recorder's state of it (null: never recorded) */
  recording: { state: CameraLiveState; message: string | null; since: Date; lastClipAt: Date | null; codec: string | null; width: number | null; height: number | null } | null;
}

/** The camera's source as stored, shown without its password. */
export function sourceViewOf(camera: CameraEntity): CameraSourceView {
  return {
    kind: camera.sourceKind,
    url: camera.sourceUrl,
    subStreamUrl: camera.subStreamUrl,
    transport: camera.sourceTransport,
    username: camera.sourceUsername,
    hasPassword: camera.sourcePasswordSealed !== null,
    snapshotFps: camera.snapshotFps,
    captureSize: camera.captureSize,
    captureFps: camera.captureFps,
    recordMode: camera.recordMode,
    motionPaddingSec: camera.motionPaddingSec,
    eventRetentionDays: camera.eventRetentionDays,
    recorder: camera.recorderId,
  };
}

export interface CameraSettings {
  name?: string;
  bufferSeconds?: number;
  maxRecordMinutes?: number;
  animationSeconds?: number;
  enabled?: boolean;
}

export interface AnalysisSettingsView {
  cameraId: string;
  settings: CameraAnalysisSettings;
  isDefault: boolean;
  defaults: CameraAnalysisSettings;
  platform: { fps: number; width: number };
  classes: string[];
}

/** The stored settings, or the defaults when there are none or they no longer pass the validator. */
function storedSettings(camera: CameraEntity): CameraAnalysisSettings {
  try {
    return parseCameraAnalysisSettings(camera.analysisSettings === null ? null : (JSON.parse(camera.analysisSettings) as unknown));
  } catch {
    return parseCameraAnalysisSettings(null);
  }
}

/** Projects and their cameras: the admin app owns `projects` and `cameras`. */
@Injectable()
export class ProjectsService implements OnApplicationBootstrap {
  private readonly logger = new Logger(ProjectsService.name);

  private readonly box: SecretBox;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly outbox: OutboxService,
  ) {
    this.box = new SecretBox(config.secretsKey);
  }

  /**
   * First start: a demo project with the camera "demo" (drop videos on it; its events are emailed
   * to the first admin) and, unless DEMO_CAMERA_FILE is empty, the live camera "demo-live" that
   * loops that file as if it were an IP camera (recorded, analysed, watchable live; nobody is emailed).
   */
  async onApplicationBootstrap(): Promise<void> {
    if ((await this.db.getRepository(ProjectEntity).count()) > 0) return;
    const project = await this.createProject('demo', 'Demo');
    await this.addCamera(project.id, { slug: 'demo', name: 'demo' });
    const demoFile = this.config.demoCameraFile;
    let looping = false;
    if (demoFile) {
      try {
        await this.addCamera(project.id, { slug: 'demo-live', name: 'demo live', source: { kind: 'file', url: demoFile } });
        looping = true;
      } catch (error) {
        this.logger.warn(`No live demo camera: ${(error as Error).message}`);
      }
    }
    this.logger.log(`Created the demo project with the camera "demo"${looping ? ` and the live camera "demo live" (looping ${demoFile})` : ''}`);
  }

  listProjects(): Promise<ProjectEntity[]> {
    return this.db.getRepository(ProjectEntity).find({ order: { createdAt: 'ASC' } });
  }

  async createProject(slug: string, name: string): Promise<ProjectEntity> {
    const projects = this.db.getRepository(ProjectEntity);
    if (await projects.existsBy({ slug })) throw new ConflictException(`A project "${slug}" exists already`);
    return projects.save(projects.create({ slug, name }));
  }

  /** The recorders that ever said they are there (RecorderPresenceService), main first, with how many cameras each records. */
  async listRecorders(): Promise<RecorderView[]> {
    const rows = await this.db.getRepository(RecorderEntity).find({ order: { recorderId: 'ASC' } });
    const cameras = await this.db.getRepository(CameraEntity).find({ select: { id: true, enabled: true, sourceKind: true, sourceUrl: true, recorderId: true } });
    const now = Date.now();
    return rows
      .map((row) => ({
        id: row.recorderId,
        url: row.url,
        hostname: row.hostname,
        devices: parseDevices(row.devices),
        startedAt: row.startedAt.toISOString(),
        lastSeenAt: row.lastSeenAt.toISOString(),
        online: now - row.lastSeenAt.getTime() < recorderOnlineWithinMs,
        cameras: cameras.filter((camera) => camera.enabled && camera.sourceUrl && recordedSourceKinds.includes(camera.sourceKind) && recorderOf(camera) === row.recorderId).length,
      }))
      .sort((a, b) => Number(b.id === mainRecorderId) - Number(a.id === mainRecorderId));
  }

  async listCameras(projectId: string): Promise<CameraView[]> {
    await this.project(projectId);
    return this.views(await this.db.getRepository(CameraEntity).find({ where: { projectId }, order: { createdAt: 'ASC' } }));
  }

  async cameraView(id: string): Promise<CameraView> {
    const [view] = await this.views([await this.camera(id)]);
    return view;
  }

  /**
   * A new camera. `source` (optional) is checked by parseCameraSource (400 listing every problem);
   * its password is sealed. The recorder hears of it (camera/changed) and starts recording it.
   */
  async addCamera(projectId: string, input: CameraSettings & { slug: string; name: string; registryCameraId?: string; source?: unknown }): Promise<CameraView> {
    await this.project(projectId);
    const parsed = input.source === undefined ? null : parseCameraSource(input.source);
    if (parsed) this.requireAllowedFile(parsed.source);
    const cameras = this.db.getRepository(CameraEntity);
    if (await cameras.existsBy({ projectId, slug: input.slug })) throw new ConflictException(`The project has a camera "${input.slug}" already`);
    const camera = await this.db.transaction(async (manager) => {
      const saved = await manager.getRepository(CameraEntity).save(
        manager.getRepository(CameraEntity).create({
          projectId,
          slug: input.slug,
          name: input.name,
          registryCameraId: input.registryCameraId ?? null,
          bufferSeconds: input.bufferSeconds ?? 5,
          maxRecordMinutes: input.maxRecordMinutes ?? 60,
          animationSeconds: input.animationSeconds ?? 4,
          enabled: input.enabled ?? true,
          ...(parsed ? this.sourceColumns(parsed.source, parsed.password, null) : {}),
        }),
      );
      await this.announce(manager, saved.id, 'created');
      return saved;
    });
    void this.outbox.flush();
    return (await this.views([camera]))[0];
  }

  async updateCamera(id: string, settings: CameraSettings): Promise<CameraView> {
    const camera = await this.camera(id);
    Object.assign(camera, Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)));
    await this.db.transaction(async (manager) => {
      await manager.getRepository(CameraEntity).save(camera);
      await this.announce(manager, camera.id, 'updated');
    });
    void this.outbox.flush();
    return (await this.views([camera]))[0];
  }

  /**
   * Where the camera's video comes from (docs/live-cameras.md). `replace`: fields left out take the
   * defaults; `merge`: they keep their values (and an omitted password stays as it is). The
   * recorder picks the change up at once.
   */
  async setSource(id: string, body: unknown, mode: 'replace' | 'merge'): Promise<CameraView> {
    const camera = await this.camera(id);
    const current = sourceViewOf(camera);
    const { source, password } = parseCameraSource(body ?? {}, mode === 'merge' ? current : undefined);
    this.requireAllowedFile(source);
    const columns = this.sourceColumns(source, password === undefined && mode === 'replace' ? null : password, camera.sourcePasswordSealed);
    Object.assign(camera, columns);
    await this.db.transaction(async (manager) => {
      await manager.getRepository(CameraEntity).update({ id }, columns);
      await this.announce(manager, id, 'updated');
    });
    void this.outbox.flush();
    this.logger.log(`Source of camera ${camera.name} (${camera.id}) set to ${source.kind}${source.url ? ` ${source.url}` : ''}`);
    return (await this.views([camera]))[0];
  }

  /** A 'file' camera loops a video inside CAMERA_FILES_DIR, nothing else on the machine (400 INVALID_CAMERA_SOURCE). */
  private requireAllowedFile(source: CameraSourceView): void {
    if (source.kind !== 'file' || !source.url) return;
    const { problem } = resolveCameraFile(source.url, this.config.cameraFilesDir);
    if (problem) throw new CameramonitError('INVALID_CAMERA_SOURCE', `Invalid camera source: ${problem}`, 400);
  }

  /** Deletes a camera: the recorder stops it, storage deletes its clips at its next retention round. */
  async deleteCamera(id: string): Promise<void> {
    const camera = await this.camera(id);
    await this.db.transaction(async (manager) => {
      await manager.getRepository(CameraEntity).delete({ id });
      await this.announce(manager, id, 'deleted');
    });
    void this.outbox.flush();
    this.logger.log(`Deleted camera ${camera.name} (${camera.id})`);
  }

  private sourceColumns(source: CameraSourceView, password: string | null | undefined, sealedNow: string | null): Partial<CameraEntity> {
    return {
      sourceKind: source.kind,
      sourceUrl: source.url,
      subStreamUrl: source.subStreamUrl,
      sourceTransport: source.transport,
      sourceUsername: source.username,
      sourcePasswordSealed: password === undefined ? sealedNow : password === null ? null : this.box.seal(password),
      snapshotFps: source.snapshotFps,
      captureSize: source.captureSize,
      captureFps: source.captureFps,
      recordMode: source.recordMode,
      motionPaddingSec: source.motionPaddingSec,
      eventRetentionDays: source.eventRetentionDays,
      recorderId: source.recorder,
    };
  }

  private async announce(manager: EntityManager, cameraId: string, change: CameraChangedPayload['change']): Promise<void> {
    const payload: CameraChangedPayload = { cameraId, change };
    await this.outbox.add(manager, Topics.cameraChanged, payload);
  }

  private async views(cameras: CameraEntity[]): Promise<CameraView[]> {
    const ids = cameras.map((camera) => camera.id);
    const recordings = ids.length ? await this.db.getRepository(CameraRecordingEntity).find({ where: ids.map((cameraId) => ({ cameraId })) }) : [];
    const byCamera = new Map(recordings.map((row) => [row.cameraId, row]));
    return cameras.map((camera) => {
      const recording = byCamera.get(camera.id);
      const source = sourceViewOf(camera);
      return {
        id: camera.id,
        projectId: camera.projectId,
        slug: camera.slug,
        name: camera.name,
        registryCameraId: camera.registryCameraId,
        bufferSeconds: camera.bufferSeconds,
        maxRecordMinutes: camera.maxRecordMinutes,
        animationSeconds: camera.animationSeconds,
        enabled: camera.enabled,
        createdAt: camera.createdAt,
        sourceKind: source.kind,
        sourceUrl: source.url,
        subStreamUrl: source.subStreamUrl,
        source,
        recording: recording
          ? { state: recording.state, message: recording.message, since: recording.since, lastClipAt: recording.lastClipAt, codec: recording.codec, width: recording.width, height: recording.height }
          : null,
      };
    });
  }

  /** The camera's analysis settings as the worker will use them, with what the page needs to edit them. */
  async analysisSettings(cameraId: string): Promise<AnalysisSettingsView> {
    return this.settingsView(await this.camera(cameraId));
  }

  /**
   * Checks the body with the one validator (400 listing every problem) and stores it; the worker
   * reads it for every clip, so the camera's next clip uses it. `replace`: fields left out take
   * the defaults; `merge`: they keep their current values.
   */
  async setAnalysisSettings(cameraId: string, body: unknown, mode: 'replace' | 'merge'): Promise<AnalysisSettingsView> {
    const camera = await this.camera(cameraId);
    const base = mode === 'merge' ? storedSettings(camera) : defaultCameraAnalysisSettings;
    const settings = parseCameraAnalysisSettings(body ?? {}, base);
    camera.analysisSettings = JSON.stringify(settings);
    await this.db.getRepository(CameraEntity).update({ id: camera.id }, { analysisSettings: camera.analysisSettings });
    this.logger.log(`Analysis settings of camera ${camera.name} (${camera.id}) changed`);
    return this.settingsView(camera);
  }

  private settingsView(camera: CameraEntity): AnalysisSettingsView {
    return {
      cameraId: camera.id,
      settings: storedSettings(camera),
      isDefault: camera.analysisSettings === null,
      defaults: parseCameraAnalysisSettings(null),
      platform: { fps: this.config.analysis.fps, width: this.config.analysis.width },
      classes: [...cocoLabels],
    };
  }

  private async camera(id: string): Promise<CameraEntity> {
    const camera = await this.db.getRepository(CameraEntity).findOneBy({ id });
    if (!camera) throw new NotFoundException(`No camera ${id}`);
    return camera;
  }

  private async project(id: string): Promise<ProjectEntity> {
    const project = await this.db.getRepository(ProjectEntity).findOneBy({ id });
    if (!project) throw new NotFoundException(`No project ${id}`);
    return project;
  }
}

function parseDevices(json: string): VideoDeviceView[] {
  try {
    const devices = JSON.parse(json) as unknown;
    return Array.isArray(devices) ? devices.filter((d): d is VideoDeviceView => typeof d?.path === 'string' && typeof d?.name === 'string') : [];
  } catch {
    return [];
  }
}
