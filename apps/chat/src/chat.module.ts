import { Module } from '@nestjs/common';
import { ChatBusHandlers } from './bus.handlers.js';
import { CamerasService } from './cameras.service.js';
import { ChatController, MediaController } from './chat.controller.js';
import { ChatGateway } from './chat.gateway.js';
import { MessagesService } from './messages.service.js';
import { NamesController } from './names.controller.js';
import { NamesService } from './names.service.js';

@Module({
  controllers: [ChatController, MediaController, NamesController, ChatBusHandlers],
  providers: [CamerasService, MessagesService, NamesService, ChatGateway],
})
export class ChatModule {}
