import { Module } from '@nestjs/common';
import { PushController } from './push.controller.js';
import { PushService } from './push.service.js';

/** Pushed frames (docs/pushed-frames.md): devices and browsers POST JPEGs, the recorder makes clips of them. */
@Module({ controllers: [PushController], providers: [PushService] })
export class PushModule {}
