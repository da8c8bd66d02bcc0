import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { can, Permission, TokenService } from '@cameramonit/auth';
import { BusClient } from '@cameramonit/bus';
import { Topics, type Role, type VerifiedUser, type VerifyPasswordRequest } from '@cameramonit/contracts';
import { CameraEntity, CameraGrantEntity, ProjectEntity } from '@cameramonit/db';
import type { CredentialsVerifier, FileServerUser, ReadPolicy, UploadPolicy } from './file-servers/index.js';

const CACHE_MS = 60_000;

/**
 * FTP/WebDAV logins are platform accounts, checked by the manager app over the bus. WebDAV
 * clients send their credentials with every request, so a success is remembered for a minute
 * (keyed by a hash, never the password); failures are always asked again. Platform services
 * log in as `<service>@service` with a service token (JWT_SECRET) as the password.
 */
@Injectable()
export class BusCredentialsVerifier implements CredentialsVerifier {
  private readonly cache = new Map<string, { user: FileServerUser; until: number }>();

  constructor(
    private readonly bus: BusClient,
    private readonly tokens: TokenService,
  ) {}

  async verify(email: string, password: string): Promise<FileServerUser | null> {
    // a platform service (the recorder writing its clips over WebDAV or FTP) logs in as
    // <service>@service with a service token as its password: checked here, never over the bus
    if (email.endsWith('@service')) return this.verifyService(email, password);
    const key = createHash('sha256').update(`${email}\n${password}`).digest('base64');
    const hit = this.cache.get(key);
    if (hit && hit.until > Date.now()) return hit.user;
    const verified = await this.bus.request<VerifiedUser | null, VerifyPasswordRequest>(Topics.authVerifyPassword, { email, password });
    if (!verified) {
      this.cache.delete(key);
      return null;
    }
    const user = { id: verified.id, email: verified.email, role: verified.role };
    if (this.cache.size > 1000) this.cache.clear();
    this.cache.set(key, { user, until: Date.now() + CACHE_MS });
    return user;
  }

  private verifyService(email: string, token: string): FileServerUser | null {
    const user = this.tokens.verify(token);
    if (!user || user.role !== 'service' || user.email !== email) return null;
    return { id: user.id, email: user.email, role: user.role };
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
