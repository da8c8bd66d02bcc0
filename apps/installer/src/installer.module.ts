import { Module } from '@nestjs/common';
import { InstallerController } from './installer.controller.js';
import { OnvifDiscoveryService } from './onvif/onvif-discovery.service.js';
import { OnvifController } from './onvif/onvif.controller.js';
import { RegistryService } from './registry.service.js';

@Module({ controllers: [InstallerController, OnvifController], providers: [RegistryService, OnvifDiscoveryService] })
export class InstallerModule {}
