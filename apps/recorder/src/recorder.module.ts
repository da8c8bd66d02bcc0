import { Module } from '@nestjs/common';
import { LiveModule } from './live/live.module.js';
import { PushModule } from './push/push.module.js';
import { RecorderController } from './recorder.controller.js';

@Module({ imports: [PushModule, LiveModule], controllers: [RecorderController] })
export class RecorderModule {}
