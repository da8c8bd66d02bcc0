import { Module } from '@nestjs/common';
import { AnalysisEngine } from './analysis-engine.service.js';
import { ClipAnalysisService } from './clip-analysis.service.js';
import { VideoToTextController } from './video-to-text.controller.js';

@Module({ controllers: [VideoToTextController], providers: [AnalysisEngine, ClipAnalysisService] })
export class VideoToTextModule {}
