import { Module } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { TokenService } from '@cameramonit/auth';
import { OutboxService } from '@cameramonit/bus';
import type { AppConfig } from '@cameramonit/config';
import { APP_CONFIG, RecorderDirectory, StorageClient, VisionModelAccess } from '@cameramonit/server';
import { AnalysisEngine } from './analysis-engine.service.js';
import { ClipAnalysisService } from './clip-analysis.service.js';
import { LiveLookService } from './live-look.service.js';
import { EventDescriptionHandlers } from './event-description.handlers.js';
import { EventDescriptionService } from './event-description.service.js';
import { ReanalysisController } from './reanalysis.controller.js';
import { ReanalysisService } from './reanalysis.service.js';
import { VideoToTextController } from './video-to-text.controller.js';

@Module({
  controllers: [VideoToTextController, ReanalysisController, EventDescriptionHandlers],
  providers: [
    AnalysisEngine,
    ClipAnalysisService,
    LiveLookService,
    RecorderDirectory,
    ReanalysisService,
    {
      provide: EventDescriptionService,
      inject: [getDataSourceToken(), OutboxService, APP_CONFIG, TokenService],
      useFactory: (db: DataSource, outbox: OutboxService, config: AppConfig, tokens: TokenService) =>
        new EventDescriptionService(db, outbox, new VisionModelAccess(db, config.secretsKey), new StorageClient(config.storageUrl, tokens, 'video-to-text')),
    },
  ],
})
export class VideoToTextModule {}
