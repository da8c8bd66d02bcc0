import { Controller, Get } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { DataSource } from 'typeorm';
import { Permission, RequirePermission } from '@cameramonit/auth';
import { BusClient } from '@cameramonit/bus';
import { Topics } from '@cameramonit/contracts';
import { CameraEntity } from '@cameramonit/db';

interface RegistryCamera {
  id: string;
  name: string;
  address: string;
}

export interface SourceView {
  cameraId: string;
  camera: string;
  address: string | null;
  /** stage 1 ingests uploads only; live recording of sources is the live-cameras issue */
  state: 'uploads-only';
}

/** Camera ingest. Stage 1: the cameras and the registry addresses they will be recorded from. */
@ApiTags('recorder')
@ApiBearerAuth()
@Controller('api')
export class RecorderController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly bus: BusClient,
  ) {}

  @RequirePermission(Permission.projectsManage)
  @Get('sources')
  async sources(): Promise<SourceView[]> {
    const [cameras, registry] = await Promise.all([
      this.db.getRepository(CameraEntity).find({ order: { createdAt: 'ASC' } }),
      this.bus.request<RegistryCamera[]>(Topics.registryListCameras, {}),
    ]);
    const byId = new Map(registry.map((r) => [r.id, r]));
    const byName = new Map(registry.map((r) => [r.name, r]));
    return cameras.map((camera) => {
      const source = (camera.registryCameraId ? byId.get(camera.registryCameraId) : undefined) ?? byName.get(camera.slug);
      return { cameraId: camera.id, camera: camera.name, address: source?.address ?? null, state: 'uploads-only' };
    });
  }
}
