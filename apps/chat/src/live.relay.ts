import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Socket } from 'socket.io';
import { TokenService, type AuthUser } from '@cameramonit/auth';
import { BusClient } from '@cameramonit/bus';
import { CameramonitError, Topics, type LiveWatchedPayload } from '@cameramonit/contracts';
import { RecorderDirectory } from '@cameramonit/server';
import { CamerasService } from './cameras.service.js';

/** Chunks a viewer may have unacknowledged before the relay stops reading from the recorder. */
const window = 8;
/** Most live streams one browser tab may watch at once (the grid shows 16). */
const maxStreamsPerSocket = 16;
/** The worker is told this often which cameras are watched (it lets a camera go after 12 s without word). */
const watchedEveryMs = 4000;

interface Relay {
  abort: AbortController;
}

/**
 * Live pictures over the chat's socket.io connection: a browser asks for a camera (`live:watch`),
 * the relay checks that its user may see it, reads the recorder's fragmented MP4 and sends it on
 * in chunks (`live:start`, `live:data`, `live:end`). One WebSocket carries any number of cameras,
 * so a grid of 16 is not held up by the browser's six HTTP connections per host. Chunks are
 * acknowledged; past a small window the relay stops reading, the recorder then skips fragments for
 * this viewer (never holding up the camera or the other viewers). While a camera is watched, the
 * video-to-text worker is told so (Topics.liveWatched) and sends the detector's boxes of its live
 * key frames (Topics.liveBoxes, relayed by the gateway as `live:boxes`).
 */
@Injectable()
export class LiveRelay implements OnApplicationShutdown {
  private readonly logger = new Logger(LiveRelay.name);
  private readonly streams = new WeakMap<Socket, Map<string, Relay>>();
  /** viewers per camera now */
  private readonly viewers = new Map<string, number>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly cameras: CamerasService,
    private readonly tokens: TokenService,
    private readonly recorders: RecorderDirectory,
    private readonly bus: BusClient,
  ) {
    this.heartbeat = setInterval(() => {
      for (const cameraId of this.viewers.keys()) this.tellWatched(cameraId);
    }, watchedEveryMs);
    this.heartbeat.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.heartbeat);
  }

  private tellWatched(cameraId: string): void {
    const payload: LiveWatchedPayload = { cameraId };
    void this.bus.publish(Topics.liveWatched, payload).catch(() => undefined);
  }

  async watch(socket: Socket, user: AuthUser, cameraId: unknown, streamId: unknown, stream: 'main' | 'sub' = 'main'): Promise<void> {
    if (typeof cameraId !== 'string' || typeof streamId !== 'string' || streamId.length > 64) {
      socket.emit('live:end', { streamId, code: 'INVALID_REQUEST', message: 'live:watch needs {cameraId, streamId}' });
      return;
    }
    const streams = this.streams.get(socket) ?? new Map<string, Relay>();
    this.streams.set(socket, streams);
    this.stop(socket, streamId);
    if (streams.size >= maxStreamsPerSocket) {
      socket.emit('live:end', { streamId, code: 'TOO_MANY_STREAMS', message: `At most ${maxStreamsPerSocket} live pictures at once` });
      return;
    }
    try {
      await this.cameras.visible(user, cameraId);
    } catch {
      socket.emit('live:end', { streamId, code: 'NOT_FOUND', message: 'No such camera that you may see' });
      return;
    }
    const relay: Relay = { abort: new AbortController() };
    streams.set(streamId, relay);
    const watching = this.viewers.get(cameraId) ?? 0;
    this.viewers.set(cameraId, watching + 1);
    if (watching === 0) this.tellWatched(cameraId);
    void this.pump(socket, cameraId, streamId, stream, relay).finally(() => {
      if (streams.get(streamId) === relay) streams.delete(streamId);
      const left = (this.viewers.get(cameraId) ?? 1) - 1;
      if (left > 0) this.viewers.set(cameraId, left);
      else this.viewers.delete(cameraId);
    });
  }

  stop(socket: Socket, streamId: unknown): void {
    if (typeof streamId !== 'string') return;
    const streams = this.streams.get(socket);
    streams?.get(streamId)?.abort.abort();
    streams?.delete(streamId);
  }

  stopAll(socket: Socket): void {
    for (const relay of this.streams.get(socket)?.values() ?? []) relay.abort.abort();
    this.streams.delete(socket);
  }

  private async pump(socket: Socket, cameraId: string, streamId: string, stream: 'main' | 'sub', relay: Relay): Promise<void> {
    const signal = relay.abort.signal;
    let upstream: Response;
    try {
      // the sub-stream when asked for and the camera has one; the recorder gives the main stream otherwise
      upstream = await fetch(await this.recorders.liveUrl(cameraId, stream), { headers: { authorization: `Bearer ${this.tokens.serviceToken('chat', 600)}` }, signal });
    } catch (error) {
      const unknown = error instanceof CameramonitError ? error : null;
      if (!signal.aborted) socket.emit('live:end', { streamId, code: unknown?.code ?? 'RECORDER_UNAVAILABLE', message: unknown?.message ?? 'The recorder cannot be reached; the live picture is not available right now' });
      return;
    }
    if (!upstream.ok || !upstream.body) {
      const body = (await upstream.json().catch(() => ({}))) as { code?: string; message?: string };
      socket.emit('live:end', { streamId, code: body.code ?? 'LIVE_UNAVAILABLE', message: body.message ?? `The recorder answered ${upstream.status}`, status: upstream.status });
      return;
    }
    socket.emit('live:start', { streamId, cameraId, codec: upstream.headers.get('x-codec'), size: upstream.headers.get('x-video-size'), stream: upstream.headers.get('x-stream') });
    const reader = upstream.body.getReader();
    let inFlight = 0;
    let release: (() => void) | null = null;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done || signal.aborted || socket.disconnected) break;
        inFlight++;
        socket.timeout(15_000).emit('live:data', { streamId, chunk: Buffer.from(value) }, () => {
          inFlight--;
          release?.();
        });
        while (inFlight >= window && !signal.aborted && socket.connected) {
          await new Promise<void>((resolve) => {
            release = resolve;
            setTimeout(resolve, 1000);
          });
          release = null;
        }
      }
    } catch (error) {
      if (!signal.aborted) this.logger.debug(`Live relay of camera ${cameraId} ended: ${(error as Error).message}`);
    } finally {
      await reader.cancel().catch(() => undefined);
    }
    if (!signal.aborted && socket.connected) socket.emit('live:end', { streamId, code: 'STREAM_ENDED', message: 'The stream ended (the camera or the recorder restarted)' });
  }
}
