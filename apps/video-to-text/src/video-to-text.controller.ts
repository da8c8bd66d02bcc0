import { Controller, Get } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { DataSource } from 'typeorm';
import { Permission, RequirePermission } from '@cameramonit/auth';
import { Topics, type ClipStoredPayload, type LiveWatchedPayload } from '@cameramonit/contracts';
import { AnalysisEntity } from '@cameramonit/db';
import { ClipAnalysisService } from './clip-analysis.service.js';
import { LiveLookService } from './live-look.service.js';

@ApiTags('video-to-text')
@ApiBearerAuth()
@Controller()
export class VideoToTextController {
  constructor(
    private readonly analysis: ClipAnalysisService,
    private readonly liveLook: LiveLookService,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  /** Someone watches a camera's live picture: its key frames get the detector's boxes while they do. */
  @EventPattern(Topics.liveWatched)
  liveWatched(@Payload() payload: LiveWatchedPayload): void {
    if (typeof payload?.cameraId === 'string' && /^[0-9a-f-]{36}$/i.test(payload.cameraId)) this.liveLook.watched(payload.cameraId);
  }

  @EventPattern(Topics.clipStored)
  clipStored(@Payload() payload: ClipStoredPayload): void {
    if (typeof payload?.clipId === 'string') this.analysis.enqueue(payload.clipId);
  }

  @RequirePermission(Permission.projectsManage)
  @Get('api/analyses')
  recent(): Promise<AnalysisEntity[]> {
    return this.db.getRepository(AnalysisEntity).find({ order: { createdAt: 'DESC' }, take: 100 });
  }
}
