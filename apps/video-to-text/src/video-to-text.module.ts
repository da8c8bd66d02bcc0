import { Module } from '@nestjs/common';
import { ClipAnalysisService } from './clip-analysis.service.js';
import { VideoToTextController } from './video-to-text.controller.js';

@Module({ controllers: [VideoToTextController], providers: [ClipAnalysisService] })
export class VideoToTextModule {}
