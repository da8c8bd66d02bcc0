import { PassThrough, Readable } from 'node:stream';
import { Body, Controller, Delete, Get, Inject, Param, ParseUUIDPipe, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Permission, RequirePermission } from '@cameramonit/auth';
import { CameramonitError } from '@cameramonit/contracts';
import type { AppConfig } from '@cameramonit/config';
import { APP_CONFIG } from '@cameramonit/server';

/**
 * Pushed frames through the chat's public port (docs/pushed-frames.md): the browser page
 * "Record from this browser" and devices outside the LAN call these; they are passed as they are
 * (bearer token, body streamed, answer) to the recorder, which checks everything.
 */
@ApiTags('pushed frames')
@ApiBearerAuth()
@Controller('api')
export class PushProxyController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @RequirePermission(Permission.videosUpload)
  @Post('cameras/:id/pushes')
  @ApiOperation({ summary: 'Start a push of JPEG frames to the camera {fps, width?, height?} (served by the recorder)' })
  start(@Param('id', ParseUUIDPipe) id: string, @Body() body: unknown, @Req() request: Request, @Res() response: Response): Promise<void> {
    return this.forward(request, response, `/api/cameras/${id}/pushes`, JSON.stringify(body ?? {}));
  }

  @RequirePermission(Permission.videosUpload)
  @Post('pushes/:pushId/frames')
  @ApiConsumes('image/jpeg', 'multipart/form-data')
  @ApiOperation({ summary: 'Add frames to a push: one JPEG, or several as multipart (served by the recorder)' })
  frames(@Param('pushId', ParseUUIDPipe) pushId: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    return this.forward(request, response, `/api/pushes/${pushId}/frames`, 'stream');
  }

  @RequirePermission(Permission.videosUpload)
  @Post('pushes/:pushId/finish')
  @ApiOperation({ summary: 'Finish a push: its clip is assembled, stored and analysed (served by the recorder)' })
  finish(@Param('pushId', ParseUUIDPipe) pushId: string, @Body() body: unknown, @Req() request: Request, @Res() response: Response): Promise<void> {
    return this.forward(request, response, `/api/pushes/${pushId}/finish`, JSON.stringify(body ?? {}));
  }

  @RequirePermission(Permission.videosUpload)
  @Get('pushes/:pushId')
  @ApiOperation({ summary: 'A push, its clip, analysis and events (served by the recorder)' })
  get(@Param('pushId', ParseUUIDPipe) pushId: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    return this.forward(request, response, `/api/pushes/${pushId}`, null);
  }

  @RequirePermission(Permission.videosUpload)
  @Delete('pushes/:pushId')
  @ApiOperation({ summary: 'Cancel a push; its frames are deleted (served by the recorder)' })
  cancel(@Param('pushId', ParseUUIDPipe) pushId: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    return this.forward(request, response, `/api/pushes/${pushId}`, null);
  }

  private async forward(request: Request, response: Response, path: string, body: string | 'stream' | null): Promise<void> {
    const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
    const headers: Record<string, string> = { accept: 'application/json' };
    for (const name of ['authorization', 'x-captured-at']) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    let payload: BodyInit | undefined;
    let bodyStream: PassThrough | null = null;
    if (body === 'stream') {
      const type = request.headers['content-type'];
      if (typeof type === 'string') headers['content-type'] = type;
      // a JSON or form body was read by the body parser already: the recorder answers what it expects instead
      if (!request.readableEnded) {
        const length = request.headers['content-length'];
        if (typeof length === 'string') headers['content-length'] = length;
        // through a pass-through: when the recorder answers before the body ends (413), only it is dropped,
        // not the client's connection (a reset would lose the answer)
        bodyStream = new PassThrough();
        request.pipe(bodyStream);
        payload = Readable.toWeb(bodyStream) as ReadableStream<Uint8Array>;
      }
    } else if (body !== null) {
      headers['content-type'] = 'application/json';
      payload = body;
    }
    let upstream: globalThis.Response;
    try {
      upstream = await fetch(`${this.config.recorderUrl}${path}${query}`, { method: request.method, headers, body: payload, duplex: 'half' } as RequestInit);
    } catch (error) {
      await dropRestOfBody(request, bodyStream);
      throw new CameramonitError('RECORDER_UNAVAILABLE', `The recorder is not reachable right now (${(error as Error).message}); try again in a moment`, 503);
    }
    const answer = Buffer.from(await upstream.arrayBuffer());
    await dropRestOfBody(request, bodyStream);
    response.status(upstream.status);
    response.setHeader('content-type', upstream.headers.get('content-type') ?? 'application/json');
    response.send(answer);
  }
}

/** Reads and drops what is left of a request body (bounded in time), so the answer reaches the client. */
async function dropRestOfBody(request: Request, piped: PassThrough | null): Promise<void> {
  if (request.readableEnded) return;
  if (piped) {
    request.unpipe(piped);
    piped.destroy();
  }
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      request.socket.destroy();
      resolve();
    }, 15_000);
    timer.unref();
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    request.once('end', done);
    request.once('close', done);
    request.resume();
  });
}
