import { Module } from '@nestjs/common';
import { AnalysisEngine } from './analysis-engine.service.js';
import { ClipAnalysisService } from './clip-analysis.service.js';
import { ReanalysisController } from './reanalysis.controller.js';
import { ReanalysisService } from './reanalysis.service.js';
import { VideoToTextController } from './video-to-text.controller.js';

@Module({ controllers: [VideoToTextController, ReanalysisController], providers: [AnalysisEngine, ClipAnalysisService, ReanalysisService] })
export class VideoToTextModule {}
