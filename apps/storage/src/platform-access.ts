import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { can, Permission } from '@cameramonit/auth';
import { BusClient } from '@cameramonit/bus';
import { Topics, type Role, type VerifiedUser, type VerifyPasswordRequest } from '@cameramonit/contracts';
import { CameraEntity, CameraGrantEntity, ProjectEntity } from '@cameramonit/db';
import type { CredentialsVerifier, FileServerUser, ReadPolicy, UploadPolicy } from './file-servers/index.js';

/** FTP/WebDAV logins are platform accounts, checked by the manager app over the bus. */
@Injectable()
export class BusCredentialsVerifier implements CredentialsVerifier {
  constructor(private readonly bus: BusClient) {}

  async verify(email: string, password: string): Promise<FileServerUser | null> {
    const user = await this.bus.request<VerifiedUser | null, VerifyPasswordRequest>(Topics.authVerifyPassword, { email, password });
    return user ? { id: user.id, email: user.email, role: user.role } : null;
  }
}

/** Who may see and upload to which camera folder: the same rules as the chat. */
@Injectable()
export class CameraAccessPolicy implements ReadPolicy {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async camera(projectSlug: string, cameraSlug: string): Promise<{ project: ProjectEntity; camera: CameraEntity } | null> {
    const project = await this.db.getRepository(ProjectEntity).findOneBy({ slug: projectSlug });
    const camera = project ? await this.db.getRepository(CameraEntity).findOneBy({ projectId: project.id, slug: cameraSlug }) : null;
    return project && camera ? { project, camera } : null;
  }

  async canSeeCamera(user: FileServerUser, cameraId: string): Promise<boolean> {
    const role = user.role as Role;
    if (can(role, Permission.camerasReadAll)) return true;
    return this.db.getRepository(CameraGrantEntity).existsBy({ userId: user.id, cameraId });
  }

  async canRead(user: FileServerUser, projectSlug: string, cameraSlug?: string): Promise<boolean> {
    const role = user.role as Role;
    if (can(role, Permission.camerasReadAll)) return true;
    if (cameraSlug === undefined) {
      const project = await this.db.getRepository(ProjectEntity).findOneBy({ slug: projectSlug });
      if (!project) return false;
      const cameras = await this.db.getRepository(CameraEntity).findBy({ projectId: project.id });
      const grants = await this.db.getRepository(CameraGrantEntity).findBy({ userId: user.id });
      return cameras.some((c) => grants.some((g) => g.cameraId === c.id));
    }
    const found = await this.camera(projectSlug, cameraSlug);
    return !!found && (await this.canSeeCamera(user, found.camera.id));
  }
}

export class CameraUploadPolicy implements UploadPolicy {
  constructor(
    readonly maxUploadBytes: number,
    private readonly access: CameraAccessPolicy,
  ) {}

  async canUpload(user: FileServerUser, projectSlug: string, cameraSlug: string): Promise<boolean> {
    if (!can(user.role as Role, Permission.videosUpload)) return false;
    const found = await this.access.camera(projectSlug, cameraSlug);
    return !!found && (await this.access.canSeeCamera(user, found.camera.id));
  }
}
