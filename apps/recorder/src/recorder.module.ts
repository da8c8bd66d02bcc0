import { Module } from '@nestjs/common';
import { PushModule } from './push/push.module.js';
import { RecorderController } from './recorder.controller.js';

@Module({ imports: [PushModule], controllers: [RecorderController] })
export class RecorderModule {}
