import { Logger } from '@nestjs/common';
import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway, WebSocketServer, type OnGatewayConnection, type OnGatewayDisconnect, type OnGatewayInit } from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';
import { TokenService, type AuthUser } from '@cameramonit/auth';
import type { LiveBoxesPayload } from '@cameramonit/contracts';
import { CamerasService } from './cameras.service.js';
import type { MessageView } from './chat.types.js';
import { LiveRelay } from './live.relay.js';

const room = (cameraId: string) => `camera:${cameraId}`;

/**
 * Live side of the chat: a socket joins one room per camera its user may see;
 * new messages (events, answers, errors) and analysis progress go to the camera's room.
 */
@WebSocketGateway({ cors: { origin: true } })
export class ChatGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger(ChatGateway.name);
  @WebSocketServer() server: Server;

  constructor(
    private readonly tokens: TokenService,
    private readonly cameras: CamerasService,
    private readonly live: LiveRelay,
  ) {}

  afterInit(server: Server): void {
    server.use((socket, next) => {
      const token = (socket.handshake.auth as { token?: unknown })?.token;
      const user = typeof token === 'string' ? this.tokens.verify(token) : null;
      if (!user) return next(new Error('unauthorized'));
      (socket.data as { user?: unknown }).user = user;
      next();
    });
  }

  async handleConnection(socket: Socket): Promise<void> {
    const user = (socket.data as { user?: Parameters<CamerasService['visibleCameraIds']>[0] }).user;
    if (!user) return void socket.disconnect(true);
    const ids = await this.cameras.visibleCameraIds(user);
    await socket.join(ids.map(room));
    this.logger.debug(`${user.email} connected, ${ids.length} camera(s)`);
  }

  handleDisconnect(socket: Socket): void {
    this.live.stopAll(socket);
  }

  /** A camera's live picture over this socket (live.js, grid.js): {cameraId, streamId, stream?: 'sub' (its sub-stream, when it has one: the grid)}. */
  @SubscribeMessage('live:watch')
  async watchLive(@ConnectedSocket() socket: Socket, @MessageBody() body: { cameraId?: unknown; streamId?: unknown; stream?: unknown }): Promise<void> {
    const user = (socket.data as { user?: AuthUser }).user;
    if (!user) return;
    await this.live.watch(socket, user, body?.cameraId, body?.streamId, body?.stream === 'sub' ? 'sub' : 'main');
  }

  @SubscribeMessage('live:stop')
  stopLive(@ConnectedSocket() socket: Socket, @MessageBody() body: { streamId?: unknown }): void {
    this.live.stop(socket, body?.streamId);
  }

  /** What the detector found in the newest key frame of a camera someone watches live. */
  liveBoxes(payload: LiveBoxesPayload): void {
    this.server.to(room(payload.cameraId)).emit('live:boxes', payload);
  }

  message(cameraId: string, message: MessageView): void {
    this.server.to(room(cameraId)).emit('message', { cameraId, message });
  }

  /** A message changed in place (an event got its description): clients replace it, same position. */
  messageUpdated(cameraId: string, message: MessageView): void {
    this.server.to(room(cameraId)).emit('message-updated', { cameraId, message });
  }

  progress(cameraId: string, payload: object): void {
    this.server.to(room(cameraId)).emit('progress', { cameraId, ...payload });
  }

  /** Events that no longer exist (a re-analysis removed them): open threads drop their messages. */
  eventsRemoved(cameraId: string, eventIds: string[]): void {
    this.server.to(room(cameraId)).emit('events-removed', { cameraId, eventIds });
  }

  /** A live camera's recording state changed: lists and live views show it at once. */
  cameraStatus(cameraId: string, status: { state: string; message: string | null; since: string }): void {
    this.server.to(room(cameraId)).emit('camera-status', { cameraId, ...status });
  }

}
