import { Body, Controller, Delete, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiPropertyOptional, ApiProperty, ApiQuery, ApiTags } from '@nestjs/swagger';
import { IsInt, IsNumber, IsOptional, Max, Min } from 'class-validator';
import type { Request } from 'express';
import { can, CurrentUser, Permission, RequirePermission, type AuthUser } from '@cameramonit/auth';
import { CameramonitError } from '@cameramonit/contracts';
import { readPictures } from './frame-body.reader.js';
import { PushService } from './push.service.js';
import type { PushCaller, PushView } from './push.types.js';

export class StartPushDto {
  @ApiProperty({ example: 5, minimum: 0.5, maximum: 30, description: 'frames per second of the video the frames make' })
  @IsNumber()
  @Min(0.5)
  @Max(30)
  fps: number;

  @ApiPropertyOptional({ example: 640, description: 'size of the video; frames of another size are fitted in. Default: the first frame\'s size' })
  @IsOptional()
  @IsInt()
  @Min(32)
  @Max(4096)
  width?: number;

  @ApiPropertyOptional({ example: 480 })
  @IsOptional()
  @IsInt()
  @Min(32)
  @Max(4096)
  height?: number;
}

export class FinishPushDto {
  @ApiPropertyOptional({ example: 30, maximum: 120, description: 'wait up to this long for the analysis, to answer its events too (default 0: answer once the clip is stored)' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(120)
  waitForAnalysisSec?: number;
}

/**
 * Pushed frames (docs/pushed-frames.md): a device that can only POST JPEGs, or a browser's webcam,
 * starts a push, POSTs frames and finishes; the recorder makes a clip of them. A device sends its
 * camera's push token as the bearer token (made by an admin: POST /api/cameras/{id}/push-tokens on
 * the admin app); a person sends their login token (needs videos:upload and the camera).
 */
@ApiTags('pushed frames')
@ApiBearerAuth()
@Controller('api')
export class PushController {
  constructor(private readonly pushes: PushService) {}

  @RequirePermission(Permission.videosUpload)
  @Post('cameras/:cameraId/pushes')
  @ApiOperation({ summary: 'Start a push: frames POSTed next become one clip of the camera at this fps (one open push per camera)' })
  async start(@CurrentUser() user: AuthUser, @Param('cameraId', ParseUUIDPipe) cameraId: string, @Body() body: StartPushDto): Promise<PushView> {
    return this.pushes.start(await this.caller(user), cameraId, body);
  }

  @RequirePermission(Permission.videosUpload)
  @Post('pushes/:pushId/frames')
  @HttpCode(200)
  @ApiConsumes('image/jpeg', 'multipart/form-data')
  @ApiBody({ description: 'one JPEG (Content-Type: image/jpeg), or several as multipart/form-data file parts in order (a text field capturedAt before a file gives its capture time)' })
  @ApiQuery({ name: 'capturedAt', required: false, description: 'ISO 8601 capture time of the (first) frame; also the X-Captured-At header' })
  @ApiOperation({ summary: 'Add frames to a push (all or none: a bad frame refuses the request, nothing kept is lost)' })
  async frames(
    @CurrentUser() user: AuthUser,
    @Param('pushId', ParseUUIDPipe) pushId: string,
    @Query('capturedAt') capturedAtQuery: string | undefined,
    @Headers('x-captured-at') capturedAtHeader: string | undefined,
    @Req() request: Request,
  ): Promise<PushView> {
    const caller = await this.caller(user);
    const current = await this.pushes.get(caller, pushId);
    const pictures = await readPictures(request, {
      maxBytes: Math.max(1, current.limits.maxBytes - current.totalBytes),
      maxPictures: Math.max(1, current.limits.maxFrames - current.frameCount),
      capturedAt: capturedAtQuery ?? capturedAtHeader,
    });
    return this.pushes.addFrames(caller, pushId, pictures);
  }

  @RequirePermission(Permission.videosUpload)
  @Post('pushes/:pushId/finish')
  @HttpCode(201)
  @ApiOperation({ summary: 'Finish: the frames become an H.264 MP4 clip, stored and analysed; answers its link (and, when waited for, its events)' })
  async finish(@CurrentUser() user: AuthUser, @Param('pushId', ParseUUIDPipe) pushId: string, @Body() body: FinishPushDto): Promise<PushView> {
    return this.pushes.finish(await this.caller(user), pushId, body.waitForAnalysisSec ?? 0);
  }

  @RequirePermission(Permission.videosUpload)
  @Get('pushes/:pushId')
  @ApiOperation({ summary: 'A push: its frames, then its clip link, analysis and events' })
  async get(@CurrentUser() user: AuthUser, @Param('pushId', ParseUUIDPipe) pushId: string): Promise<PushView> {
    return this.pushes.get(await this.caller(user), pushId);
  }

  @RequirePermission(Permission.videosUpload)
  @Delete('pushes/:pushId')
  @ApiOperation({ summary: 'Cancel a push: nothing is stored, its frames are deleted' })
  async cancel(@CurrentUser() user: AuthUser, @Param('pushId', ParseUUIDPipe) pushId: string): Promise<PushView> {
    return this.pushes.cancel(await this.caller(user), pushId);
  }

  private async caller(user: AuthUser): Promise<PushCaller> {
    if (user.role === 'device') {
      const match = /^push-token:([0-9a-f-]{36})$/i.exec(user.id);
      if (!match?.[1]) throw new CameramonitError('PUSH_TOKEN_INVALID', 'This device token is not a push token', 401);
      return this.pushes.device(match[1]);
    }
    return { kind: 'user', userId: user.id, principal: user.id, name: user.displayName || user.email, seesAllCameras: can(user.role, Permission.camerasReadAll) };
  }
}
