import { Module } from '@nestjs/common';
import { InstallerController } from './installer.controller.js';
import { RegistryService } from './registry.service.js';

@Module({ controllers: [InstallerController], providers: [RegistryService] })
export class InstallerModule {}
