import { Column, Entity } from 'typeorm';
import { BaseEntity } from './columns.js';

/** Owned by the installer app, in its own database: a camera as the installer registered it. */
@Entity('registry_cameras')
export class RegistryCameraEntity extends BaseEntity {
  @Column({ type: 'varchar', length: 120 })
  name: string;

  /** stream or device address, without credentials (rtsp://host:554/path, http://..., file path) */
  @Column({ type: 'varchar', length: 1024 })
  address: string;

  @Column({ type: 'varchar', length: 120, nullable: true })
  username: string | null;

  /** AES-256-GCM sealed password (see @cameramonit/auth SecretBox), never the clear text */
  @Column({ type: 'text', nullable: true })
  passwordSealed: string | null;

  @Column({ type: 'varchar', length: 40 })
  channel: string;

  @Column({ type: 'varchar', length: 36, nullable: true })
  createdBy: string | null;

  @Column({ type: 'text', nullable: true })
  notes: string | null;
}

export const registryEntities = [RegistryCameraEntity];
