import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { SecretBox } from '@cameramonit/auth';
import { CameramonitError } from '@cameramonit/contracts';
import type { AppConfig } from '@cameramonit/config';
import { RegistryCameraEntity } from '@cameramonit/db';
import { APP_CONFIG, REGISTRY_DB } from '@cameramonit/server';

/** A registry camera as shown to people: never the password. */
export interface RegistryCameraView {
  id: string;
  name: string;
  address: string;
  username: string | null;
  hasPassword: boolean;
  channel: string;
  createdAt: string;
}

/** The installer's camera registry, in its own database; passwords sealed with SECRETS_KEY. */
@Injectable()
export class RegistryService implements OnApplicationBootstrap {
  private readonly logger = new Logger(RegistryService.name);
  private readonly box: SecretBox;

  constructor(
    @InjectDataSource(REGISTRY_DB) private readonly db: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.box = new SecretBox(config.secretsKey);
  }

  async onApplicationBootstrap(): Promise<void> {
    const cameras = this.db.getRepository(RegistryCameraEntity);
    if ((await cameras.count()) > 0) return;
    await this.register({ name: 'demo', address: 'file:fixtures/vtest.avi', channel: 'seed', notes: 'The demo camera: a video file played as a camera.' }, null);
    this.logger.log('Registered the demo camera');
  }

  async register(
    input: { name: string; address: string; username?: string; password?: string; channel: string; notes?: string },
    createdBy: string | null,
  ): Promise<RegistryCameraView> {
    if (/^[a-z]+:\/\/[^/]*:[^/]*@/i.test(input.address)) {
      throw new CameramonitError('CREDENTIALS_IN_ADDRESS', 'Put the user and password in their own fields, not in the address', 400);
    }
    const cameras = this.db.getRepository(RegistryCameraEntity);
    const saved = await cameras.save(
      cameras.create({
        name: input.name,
        address: input.address,
        username: input.username ?? null,
        passwordSealed: input.password ? this.box.seal(input.password) : null,
        channel: input.channel,
        createdBy,
        notes: input.notes ?? null,
      }),
    );
    return view(saved);
  }

  async list(): Promise<RegistryCameraView[]> {
    return (await this.db.getRepository(RegistryCameraEntity).find({ order: { createdAt: 'ASC' } })).map(view);
  }

  /** The clear password, for the recorder only (never returned over HTTP). */
  async credentials(id: string): Promise<{ username: string | null; password: string | null } | null> {
    const camera = await this.db.getRepository(RegistryCameraEntity).findOneBy({ id });
    if (!camera) return null;
    return { username: camera.username, password: camera.passwordSealed ? this.box.open(camera.passwordSealed) : null };
  }
}

function view(camera: RegistryCameraEntity): RegistryCameraView {
  return {
    id: camera.id,
    name: camera.name,
    address: camera.address,
    username: camera.username,
    hasPassword: !!camera.passwordSealed,
    channel: camera.channel,
    createdAt: camera.createdAt.toISOString(),
  };
}
