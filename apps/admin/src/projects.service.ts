import { ConflictException, Inject, Injectable, Logger, NotFoundException, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '@cameramonit/config';
import { cocoLabels, defaultCameraAnalysisSettings, parseCameraAnalysisSettings, type CameraAnalysisSettings } from '@cameramonit/contracts';
import { CameraEntity, ProjectEntity } from '@cameramonit/db';
import { APP_CONFIG } from '@cameramonit/server';

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

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** First start: a demo project with one camera, "demo". */
  async onApplicationBootstrap(): Promise<void> {
    if ((await this.db.getRepository(ProjectEntity).count()) > 0) return;
    const project = await this.createProject('demo', 'Demo');
    await this.addCamera(project.id, { slug: 'demo', name: 'demo' });
    this.logger.log('Created the demo project with the camera "demo"');
  }

  listProjects(): Promise<ProjectEntity[]> {
    return this.db.getRepository(ProjectEntity).find({ order: { createdAt: 'ASC' } });
  }

  async createProject(slug: string, name: string): Promise<ProjectEntity> {
    const projects = this.db.getRepository(ProjectEntity);
    if (await projects.existsBy({ slug })) throw new ConflictException(`A project "${slug}" exists already`);
    return projects.save(projects.create({ slug, name }));
  }

  async listCameras(projectId: string): Promise<CameraEntity[]> {
    await this.project(projectId);
    return this.db.getRepository(CameraEntity).find({ where: { projectId }, order: { createdAt: 'ASC' } });
  }

  async addCamera(projectId: string, input: CameraSettings & { slug: string; name: string; registryCameraId?: string }): Promise<CameraEntity> {
    await this.project(projectId);
    const cameras = this.db.getRepository(CameraEntity);
    if (await cameras.existsBy({ projectId, slug: input.slug })) throw new ConflictException(`The project has a camera "${input.slug}" already`);
    return cameras.save(
      cameras.create({
        projectId,
        slug: input.slug,
        name: input.name,
        registryCameraId: input.registryCameraId ?? null,
        bufferSeconds: input.bufferSeconds ?? 5,
        maxRecordMinutes: input.maxRecordMinutes ?? 60,
        animationSeconds: input.animationSeconds ?? 4,
        enabled: input.enabled ?? true,
      }),
    );
  }

  async updateCamera(id: string, settings: CameraSettings): Promise<CameraEntity> {
    const cameras = this.db.getRepository(CameraEntity);
    const camera = await cameras.findOneBy({ id });
    if (!camera) throw new NotFoundException(`No camera ${id}`);
    Object.assign(camera, Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)));
    return cameras.save(camera);
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
