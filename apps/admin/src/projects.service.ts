import { ConflictException, Injectable, Logger, NotFoundException, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { CameraEntity, ProjectEntity } from '@cameramonit/db';

export interface CameraSettings {
  name?: string;
  bufferSeconds?: number;
  maxRecordMinutes?: number;
  animationSeconds?: number;
  enabled?: boolean;
}

/** Projects and their cameras: the admin app owns `projects` and `cameras`. */
@Injectable()
export class ProjectsService implements OnApplicationBootstrap {
  private readonly logger = new Logger(ProjectsService.name);

  constructor(@InjectDataSource() private readonly db: DataSource) {}

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

  private async project(id: string): Promise<ProjectEntity> {
    const project = await this.db.getRepository(ProjectEntity).findOneBy({ id });
    if (!project) throw new NotFoundException(`No project ${id}`);
    return project;
  }
}
