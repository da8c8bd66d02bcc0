import { Module } from '@nestjs/common';
import { AdminController } from './admin.controller.js';
import { ProjectsService } from './projects.service.js';

@Module({ controllers: [AdminController], providers: [ProjectsService] })
export class AdminModule {}
