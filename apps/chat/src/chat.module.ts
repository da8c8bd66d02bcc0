import { Module } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '@cameramonit/config';
import { APP_CONFIG, LoginController, RecorderDirectory, VisionModelAccess } from '@cameramonit/server';
import { ChatBusHandlers } from './bus.handlers.js';
import { CamerasService } from './cameras.service.js';
import { ChatController, MediaController } from './chat.controller.js';
import { ChatGateway } from './chat.gateway.js';
import { MessagesService } from './messages.service.js';
import { NamesController } from './names.controller.js';
import { NamesService } from './names.service.js';
import { PeriodSummaryService } from './period-summary.service.js';
import { LiveProxyController } from './live.proxy.controller.js';
import { LiveRelay } from './live.relay.js';
import { RecordingsController } from './recordings.controller.js';
import { RecordingsService } from './recordings.service.js';
import { PushProxyController } from './push.proxy.controller.js';

@Module({
  controllers: [LoginController, ChatController, MediaController, NamesController, PushProxyController, LiveProxyController, RecordingsController, ChatBusHandlers],
  providers: [
    CamerasService,
    RecordingsService,
    LiveRelay,
    RecorderDirectory,
    MessagesService,
    NamesService,
    ChatGateway,
    {
      provide: PeriodSummaryService,
      inject: [getDataSourceToken(), APP_CONFIG],
      useFactory: (db: DataSource, config: AppConfig) => new PeriodSummaryService(db, new VisionModelAccess(db, config.secretsKey)),
    },
  ],
})
export class ChatModule {}
