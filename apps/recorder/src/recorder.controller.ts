import { Controller, Get } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { DataSource } from 'typeorm';
import { Permission, RequirePermission } from '@cameramonit/auth';
import { BusClient } from '@cameramonit/bus';
import { Topics } from '@cameramonit/contracts';
import { CameraEntity } from '@cameramonit/db';
import { redactAddress } from '@cameramonit/media';
import type { RecordingState } from './live/camera-stream.recorder.js';
import { RecordingSupervisor } from './live/recording.supervisor.js';

interface RegistryCamera {
  id: string;
  name: string;
  address: string;
}

export interface SourceView {
  cameraId: string;
  camera: string;
  /** the camera's source kind (rtsp, mjpeg, snapshot, webcam, file, push, none) */
  kind: string;
  /** the address it is recorded from (without credentials), else the installer's registry address */
  address: string | null;
  /** recording state of a recorded camera; push: it sends frames itself; uploads-only: no source; disabled */
  state: RecordingState | 'push' | 'uploads-only' | 'disabled';
}

/** Camera ingest: every camera, where its video comes from and how its recording goes. */
@ApiTags('recorder')
@ApiBearerAuth()
@Controller('api')
export class RecorderController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly bus: BusClient,
    private readonly supervisor: RecordingSupervisor,
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
      const recorder = this.supervisor.recorderOf(camera.id);
      const state: SourceView['state'] = !camera.enabled ? 'disabled' : recorder ? recorder.currentStatus.state : camera.sourceKind === 'push' ? 'push' : 'uploads-only';
      return { cameraId: camera.id, camera: camera.name, kind: camera.sourceKind, address: camera.sourceUrl ? redactAddress(camera.sourceUrl) : (source?.address ?? null), state };
    });
  }
}
