import { Module } from '@nestjs/common';
import { LoginController } from '@cameramonit/server';
import { AdminController } from './admin.controller.js';
import { AnalysisSettingsController } from './analysis-settings.controller.js';
import { CameraPreviewService } from './camera-preview.service.js';
import { IntegrationsController } from './integrations.controller.js';
import { IntegrationsService } from './integrations.service.js';
import { OnvifDiscoveryController } from './onvif-discovery.controller.js';
import { ProjectsService } from './projects.service.js';
import { PushTokensController } from './push-tokens.controller.js';

@Module({
  controllers: [LoginController, AdminController, AnalysisSettingsController, IntegrationsController, PushTokensController, OnvifDiscoveryController],
  providers: [ProjectsService, CameraPreviewService, IntegrationsService],
})
export class AdminModule {}
