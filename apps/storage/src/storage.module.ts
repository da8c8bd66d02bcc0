import { Module } from '@nestjs/common';
import type { AppConfig } from '@cameramonit/config';
import { APP_CONFIG } from '@cameramonit/server';
import { CLIP_EXPORT_OPTIONS, ClipExportService, type ClipExportOptions } from './clip-export.service.js';
import { ClipIngestService } from './clip-ingest.service.js';
import { ExportController } from './export.controller.js';
import { ClipStore } from './file-servers/index.js';
import { FileServersService } from './file-servers.service.js';
import { FREE_SPACE_READER, statfsFreeSpace } from './free-space.reader.js';
import { RETENTION_OPTIONS, RetentionService, type RetentionOptions } from './retention.service.js';
import { BusCredentialsVerifier, CameraAccessPolicy, CameraUploadPolicy } from './platform-access.js';
import { StorageController } from './storage.controller.js';
import { RecordingIngestController } from './recording-ingest.controller.js';

@Module({
  controllers: [StorageController, ExportController, RecordingIngestController],
  providers: [
    { provide: ClipStore, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new ClipStore({ root: config.storageDir }) },
    { provide: CameraUploadPolicy, inject: [APP_CONFIG, CameraAccessPolicy], useFactory: (config: AppConfig, access: CameraAccessPolicy) => new CameraUploadPolicy(config.maxUploadBytes, access) },
    CameraAccessPolicy,
    BusCredentialsVerifier,
    ClipIngestService,
    FileServersService,
    { provide: RETENTION_OPTIONS, inject: [APP_CONFIG], useFactory: (config: AppConfig): RetentionOptions => ({ ...config.retention }) },
    { provide: FREE_SPACE_READER, useValue: statfsFreeSpace },
    RetentionService,
    { provide: CLIP_EXPORT_OPTIONS, useValue: {} satisfies ClipExportOptions },
    ClipExportService,
  ],
})
export class StorageModule {}
