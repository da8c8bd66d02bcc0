import { Module } from '@nestjs/common';
import { RecorderController } from './recorder.controller.js';

@Module({ controllers: [RecorderController] })
export class RecorderModule {}
