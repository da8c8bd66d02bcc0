import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { Controller, Get, Param, ParseUUIDPipe, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentUser, Permission, RequirePermission, TokenService, type AuthUser } from '@cameramonit/auth';
import { CameramonitError } from '@cameramonit/contracts';
import { RecorderDirectory } from '@cameramonit/server';
import { CamerasService } from './cameras.service.js';

/**
 * A camera's live picture through the chat's public port: who may see the camera is checked
 * here; the recorder (on its own host, maybe) serves the fragmented MP4, passed on as it comes.
 */
@ApiTags('live')
@ApiBearerAuth()
@Controller('api')
export class LiveProxyController {
  constructor(
    private readonly cameras: CamerasService,
    private readonly tokens: TokenService,
    private readonly recorders: RecorderDirectory,
  ) {}

  @RequirePermission(Permission.camerasRead)
  @Get('cameras/:id/live.mp4')
  @ApiProduces('video/mp4')
  @ApiOperation({
    summary: 'The live picture as fragmented MP4 (H.264 as the camera sends it) for a MediaSource player; X-Codec gives the codec string. 503 when the camera is not streaming; a camera in a codec browsers cannot play (H.265) is shown in its H.264 sub-stream or re-encoded to H.264 by its recorder (X-Stream: reencoded; 503 LIVE_REENCODING_BUSY when it re-encodes LIVE_TRANSCODE_CAMERAS cameras already, 415 when that is 0)',
  })
  @ApiQuery({ name: 'stream', required: false, enum: ['main', 'sub'], description: "sub: the camera's sub-stream (smaller; a grid of many cameras); an H.265 camera is shown in its H.264 sub-stream anyway. X-Stream says which it is" })
  async live(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Query('stream') stream: string | undefined, @Req() request: Request, @Res() response: Response): Promise<void> {
    await this.cameras.visible(user, id);
    const abort = new AbortController();
    request.on('close', () => abort.abort());
    let upstream: globalThis.Response;
    const url = await this.recorders.liveUrl(id, stream === 'sub' ? 'sub' : 'main');
    try {
      upstream = await fetch(url, {
        headers: { authorization: `Bearer ${this.tokens.serviceToken('chat', 600)}` },
        signal: abort.signal,
      });
    } catch {
      throw new CameramonitError('RECORDER_UNAVAILABLE', 'The recorder cannot be reached; the live picture is not available right now', 503);
    }
    if (!upstream.ok || !upstream.body) {
      const body = (await upstream.json().catch(() => ({}))) as { code?: string; message?: string };
      throw new CameramonitError(body.code ?? 'LIVE_UNAVAILABLE', body.message ?? `The recorder answered ${upstream.status}`, upstream.status === 200 ? 502 : upstream.status);
    }
    response.status(200);
    for (const name of ['content-type', 'x-codec', 'x-video-size', 'x-stream', 'x-key-frame-interval']) {
      const value = upstream.headers.get(name);
      if (value) response.setHeader(name, value);
    }
    response.setHeader('cache-control', 'no-store');
    response.flushHeaders();
    const body = Readable.fromWeb(upstream.body as WebReadableStream<Uint8Array>);
    body.on('error', () => response.end());
    response.on('close', () => body.destroy());
    body.pipe(response);
  }
}
