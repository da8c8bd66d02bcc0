import { Module } from '@nestjs/common';
import { AdminController } from './admin.controller.js';
import { IntegrationsController } from './integrations.controller.js';
import { IntegrationsService } from './integrations.service.js';
import { ProjectsService } from './projects.service.js';

@Module({ controllers: [AdminController, IntegrationsController], providers: [ProjectsService, IntegrationsService] })
export class AdminModule {}
