import { Module } from '@nestjs/common';
import { LoginController } from '@cameramonit/server';
import { ChatBusHandlers } from './bus.handlers.js';
import { CamerasService } from './cameras.service.js';
import { ChatController, MediaController } from './chat.controller.js';
import { ChatGateway } from './chat.gateway.js';
import { MessagesService } from './messages.service.js';

@Module({
  controllers: [LoginController, ChatController, MediaController, ChatBusHandlers],
  providers: [CamerasService, MessagesService, ChatGateway],
})
export class ChatModule {}
