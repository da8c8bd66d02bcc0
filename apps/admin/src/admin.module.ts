import { Module } from '@nestjs/common';
import { LoginController } from '@cameramonit/server';
import { AdminController } from './admin.controller.js';
import { AnalysisSettingsController } from './analysis-settings.controller.js';
import { CameraPreviewService } from './camera-preview.service.js';
import { ProjectsService } from './projects.service.js';

@Module({ controllers: [LoginController, AdminController, AnalysisSettingsController], providers: [ProjectsService, CameraPreviewService] })
export class AdminModule {}
