import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Body, Controller, Delete, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsDateString, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { Request, Response } from 'express';
import { CurrentUser, Permission, Public, RequirePermission, TokenService, type AuthUser } from '@cameramonit/auth';
import { CameramonitError, parsePlaybackStream, playbackStreams } from '@cameramonit/contracts';
import type { AppConfig } from '@cameramonit/config';
import { APP_CONFIG, StorageClient } from '@cameramonit/server';
import { CamerasService } from './cameras.service.js';
import { RecordingsService, type ClipAtView, type PlaybackStream, type ShareView, type TimelineView } from './recordings.service.js';
import { pipeUpstream } from './upstream.pipe.js';

const publicDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'public');

export class RangeQuery {
  @ApiProperty({ example: '2026-12-04T09:00:00Z' })
  @IsDateString()
  from: string;

  @ApiProperty({ example: '2026-12-04T10:00:00Z' })
  @IsDateString()
  to: string;
}

export class TimeQuery {
  @ApiProperty({ example: '2026-12-04T09:30:12Z' })
  @IsDateString()
  time: string;

  @ApiPropertyOptional({ enum: playbackStreams, description: "sub: the camera's sub-stream (H.264 where the main stream is H.265 and the browser cannot play it); playable: the main stream re-encoded to H.264 when it is in another codec (an H.265 camera without a sub-stream); default main" })
  @IsOptional()
  @IsIn(playbackStreams, { message: "stream must be 'main', 'sub' or 'playable'" })
  stream?: PlaybackStream;
}

export class ExportDto extends RangeQuery {
  @ApiPropertyOptional({ enum: playbackStreams, description: "sub: the camera's sub-stream (H.264 where the main stream is H.265 and the browser cannot play it); playable: the main stream re-encoded to H.264 when it is in another codec (an H.265 camera without a sub-stream); default main" })
  @IsOptional()
  @IsIn(playbackStreams, { message: "stream must be 'main', 'sub' or 'playable'" })
  stream?: PlaybackStream;
}

export class ShareDto extends RangeQuery {
  @ApiPropertyOptional({ default: 24, minimum: 1, maximum: 720, description: 'how long the link works' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(720)
  hours?: number;

  @ApiPropertyOptional({ example: 'The delivery at the gate' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  title?: string;
}

/** A camera's recordings: timeline, playback across clips, export as one MP4, share links. */
@ApiTags('recordings')
@ApiBearerAuth()
@Controller()
export class RecordingsController {
  private readonly storage: StorageClient;

  constructor(
    private readonly recordings: RecordingsService,
    private readonly cameras: CamerasService,
    tokens: TokenService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    // exports may take a while to make: the storage app answers when the MP4 is ready
    this.storage = new StorageClient(config.storageUrl, tokens, 'chat');
  }

  @RequirePermission(Permission.camerasRead)
  @Get('api/cameras/:id/recordings')
  @ApiOperation({ summary: 'The recorded spans (clips closer than 1.5 s joined) and the events of a time range (at most 24 h), for a timeline' })
  async timeline(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Query() query: RangeQuery): Promise<TimelineView> {
    await this.cameras.visible(user, id);
    return this.recordings.timeline(id, new Date(query.from), new Date(query.to));
  }

  @RequirePermission(Permission.camerasRead)
  @Get('api/cameras/:id/recordings/at')
  @ApiOperation({ summary: 'The recorded clip at a moment (or the next one after a gap) with a playable link, the offset in it, and when the next clip starts; of the sub-stream with stream=sub' })
  async at(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Query() query: TimeQuery): Promise<ClipAtView> {
    await this.cameras.visible(user, id);
    return this.recordings.clipAt(id, new Date(query.time), query.stream ?? 'main');
  }

  @RequirePermission(Permission.camerasRead)
  @Post('api/cameras/:id/exports')
  @HttpCode(200)
  @ApiOperation({ summary: 'A link (valid 1 h) to a time range of the camera (at most 6 h) as one MP4, cut from its recorded clips without re-encoding' })
  async export(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() body: ExportDto): Promise<{ url: string; startedAt: string; durationSec: number; expiresAt: string; stream: PlaybackStream }> {
    await this.cameras.visible(user, id);
    return this.recordings.exportLink(id, new Date(body.from), new Date(body.to), body.stream ?? 'main');
  }

  @Public()
  @Get('exports/:cameraId/:range')
  @ApiOperation({ summary: 'The MP4 of an export link (the signature is the permission); Range requests work; ?download=1 saves it' })
  async exportFile(
    @Param('cameraId', ParseUUIDPipe) cameraId: string,
    @Param('range') range: string,
    @Query('exp') exp: string,
    @Query('sig') sig: string,
    @Query('download') download: string | undefined,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const { from, to, stream } = this.recordings.verifyExport(cameraId, range, Number(exp), String(sig ?? ''));
    const name = download ? `camera-${from.toISOString().replace(/[:.]/g, '-')}${stream === 'main' ? '' : `-${stream}`}.mp4` : null;
    await this.sendExport(request, response, cameraId, from, to, name, stream);
  }

  @RequirePermission(Permission.camerasRead)
  @Post('api/cameras/:id/shares')
  @ApiOperation({ summary: 'A link to a time range (at most 6 h) that anyone can watch, without an account, until it expires (default 24 h)' })
  async share(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() body: ShareDto): Promise<ShareView & { url: string }> {
    await this.cameras.visible(user, id);
    return this.recordings.createShare(user, id, { from: new Date(body.from), to: new Date(body.to), hours: body.hours ?? 24, title: body.title ?? null });
  }

  @RequirePermission(Permission.camerasRead)
  @Get('api/cameras/:id/shares')
  @ApiOperation({ summary: "The camera's share links (their secrets are not kept: only who made them, the range and until when)" })
  async shares(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string): Promise<ShareView[]> {
    await this.cameras.visible(user, id);
    return this.recordings.shares(id);
  }

  @RequirePermission(Permission.camerasRead)
  @Delete('api/shares/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a share link at once' })
  revoke(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.recordings.revokeShare(user, id);
  }

  /** The page a share link opens: a player and what is being shared; expired links get a page that says so. */
  @Public()
  @Get('share/:token')
  async sharePage(@Param('token') token: string, @Res() response: Response): Promise<void> {
    const page = await readFile(join(publicDir, 'share.html'), 'utf8');
    let status = 200;
    let data: object;
    try {
      const { share, cameraName, hasSubStream } = await this.recordings.openShare(token, true);
      data = {
        camera: cameraName,
        title: share.title,
        from: share.fromAt.toISOString(),
        to: share.toAt.toISOString(),
        expiresAt: share.expiresAt.toISOString(),
        video: `/share/${token}/video.mp4`,
        // where the browser cannot play the main stream (H.265), the page plays this instead
        subVideo: hasSubStream ? `/share/${token}/video.mp4?stream=sub` : null,
        // without a sub-stream: the main stream re-encoded to H.264 when it is in another codec
        playableVideo: `/share/${token}/video.mp4?stream=playable`,
      };
    } catch (error) {
      if (!(error instanceof CameramonitError)) throw error;
      status = error.httpStatus;
      data = { error: error.message, code: error.code };
    }
    response.status(status).type('html').setHeader('cache-control', 'no-store');
    // the data goes in as JSON in a script element of type application/json: never as markup
    response.send(page.replace('{{SHARE_JSON}}', JSON.stringify(data).replace(/</g, '\\u003c')));
  }

  @Public()
  @Get('share/:token/video.mp4')
  async shareVideo(@Param('token') token: string, @Query('stream') stream: string | undefined, @Req() request: Request, @Res() response: Response): Promise<void> {
    const playback = parsePlaybackStream(stream);
    const { share } = await this.recordings.openShare(token);
    await this.sendExport(request, response, share.cameraId, share.fromAt, share.toAt, null, playback);
  }

  private async sendExport(request: Request, response: Response, cameraId: string, from: Date, to: Date, downloadName: string | null, stream: PlaybackStream = 'main'): Promise<void> {
    let upstream: globalThis.Response;
    try {
      upstream = await this.storage.getExport(cameraId, from, to, request.headers.range, stream);
    } catch {
      throw new CameramonitError('STORAGE_UNAVAILABLE', 'The storage app cannot be reached right now; try again in a moment', 503);
    }
    if (!upstream.ok) {
      const body = (await upstream.json().catch(() => ({}))) as { code?: string; message?: string };
      throw new CameramonitError(body.code ?? 'EXPORT_FAILED', body.message ?? `Storage answered ${upstream.status}`, upstream.status);
    }
    const extra: Record<string, string> = { 'cache-control': 'private, max-age=600' };
    for (const name of ['x-export-started-at', 'x-export-duration-sec', 'x-export-gaps']) {
      const value = upstream.headers.get(name);
      if (value) extra[name] = value;
    }
    if (downloadName) extra['content-disposition'] = `attachment; filename="${downloadName}"`;
    await pipeUpstream(request, response, upstream, extra);
  }
}
