import { Module } from '@nestjs/common';
import { PluginHostService } from './plugin-host.service.js';
import { PluginsController } from './plugins.controller.js';

@Module({ controllers: [PluginsController], providers: [PluginHostService] })
export class PluginHostModule {}
