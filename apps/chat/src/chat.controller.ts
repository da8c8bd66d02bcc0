import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Query, Req, Res, UnauthorizedException } from '@nestjs/common';
import { ApiBearerAuth, ApiConsumes, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDateString, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import type { Request, Response } from 'express';
import { bearerToken, CurrentUser, Permission, Public, RequirePermission, TokenService, type AuthUser } from '@cameramonit/auth';
import { CameramonitError } from '@cameramonit/contracts';
import type { AppConfig } from '@cameramonit/config';
import { APP_CONFIG } from '@cameramonit/server';
import { CamerasService } from './cameras.service.js';
import type { CameraView, EventView, MessageView } from './chat.types.js';
import { MessagesService } from './messages.service.js';
import { forwardMultipartUpload } from './upload.forwarder.js';
import { pipeUpstream } from './upstream.pipe.js';

export class EventsQuery {
  @ApiPropertyOptional({ description: 'ISO time: events that end at or after it' })
  @IsOptional()
  @IsDateString()
  from?: string;

  @ApiPropertyOptional({ description: 'ISO time: events that start at or before it' })
  @IsOptional()
  @IsDateString()
  to?: string;

  @ApiPropertyOptional({ description: 'object label, e.g. person, car, truck' })
  @IsOptional()
  @Matches(/^[a-z ]{1,40}$/, { message: 'label must be a lower-case object name such as person or car' })
  label?: string;

  @ApiPropertyOptional({ default: 100, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

export class ThreadQuery {
  @ApiPropertyOptional({ description: 'ISO time: messages before it (older page)' })
  @IsOptional()
  @IsDateString()
  before?: string;

  @ApiPropertyOptional({ default: 50, maximum: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}

export class QuestionDto {
  @ApiProperty({ example: 'what happened in the last hour?' })
  @IsString()
  @MinLength(1, { message: 'Type a question' })
  @MaxLength(500)
  text: string;
}

export class EventFeatureResponse {
  @ApiProperty({ example: 'clothing-colour' }) plugin: string;
  @ApiProperty({ example: 'clothingColour' }) key: string;
  @ApiProperty({ example: 'red' }) value: string;
}

export class EventImageResponse {
  @ApiProperty({ example: 'clothing-colour' }) plugin: string;
  @ApiProperty({ description: 'signed media link' }) url: string;
  @ApiProperty({ nullable: true, type: String }) caption: string | null;
  @ApiProperty() width: number;
  @ApiProperty() height: number;
}

export class EventResponse {
  @ApiProperty() id: string;
  @ApiProperty() cameraId: string;
  @ApiProperty({ example: 'person' }) label: string;
  @ApiProperty({ example: 'object' }) kind: string;
  @ApiProperty() count: number;
  @ApiProperty() direction: string;
  @ApiProperty() confidence: number;
  @ApiProperty() startedAt: string;
  @ApiProperty() endedAt: string;
  @ApiProperty() summary: string;
  @ApiProperty() summaryPl: string;
  @ApiProperty({ nullable: true, type: String }) snapshotUrl: string | null;
  @ApiProperty({ nullable: true, type: String }) animationUrl: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'plays with HTTP range requests; start at clipOffsetSec' }) clipUrl: string | null;
  @ApiProperty() clipOffsetSec: number;
  @ApiProperty({ enum: ['none', 'pending', 'done', 'failed'], description: "the vision model's description: none = local text only" }) descriptionStatus: string;
  @ApiProperty({ nullable: true, type: String, description: "the model's title" }) title: string | null;
  @ApiProperty({ nullable: true, type: String, description: "the model's summary in English (summary keeps the local text)" }) description: string | null;
  @ApiProperty({ nullable: true, type: String, description: "the model's summary in Polish" }) descriptionPl: string | null;
  @ApiProperty({ nullable: true, enum: ['none', 'low', 'medium', 'high'] }) threatLevel: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'why the description failed (the event keeps its local text)' }) descriptionError: string | null;
  @ApiProperty({ type: [EventFeatureResponse], description: 'what analyser plugins found (e.g. clothingColour)' }) features: EventFeatureResponse[];
  @ApiProperty({ type: [EventImageResponse], description: 'annotated images analyser plugins made' }) images: EventImageResponse[];
  @ApiProperty({ nullable: true, type: String, description: 'for an event an analyser plugin returned (kind "plugin"): its name' }) plugin: string | null;
  @ApiProperty({ type: Object, isArray: true, description: "its objects' boxes at their best moment, fractions of the picture: {label, x, y, width, height}" }) boxes: object[];
}

export class AnswerResponse {
  @ApiProperty() answer: string;
  @ApiProperty({ type: [EventResponse] }) events: EventResponse[];
}

@ApiTags('chat')
@ApiBearerAuth()
@Controller('api')
export class ChatController {
  constructor(
    private readonly cameras: CamerasService,
    private readonly messages: MessagesService,
    private readonly tokens: TokenService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @RequirePermission(Permission.camerasRead)
  @Get('cameras')
  @ApiOperation({ summary: 'The cameras you may see' })
  list(@CurrentUser() user: AuthUser): Promise<CameraView[]> {
    return this.cameras.list(user);
  }

  @RequirePermission(Permission.camerasRead)
  @Get('cameras/:id/events')
  @ApiOperation({ summary: "A camera's events, newest first" })
  @ApiOkResponse({ type: [EventResponse] })
  async events(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Query() query: EventsQuery): Promise<EventView[]> {
    await this.cameras.visible(user, id);
    const events = await this.cameras.events(id, {
      from: query.from ? new Date(query.from) : null,
      to: query.to ? new Date(query.to) : null,
      labels: query.label ? [query.label] : [],
      limit: query.limit,
    });
    return this.cameras.eventViews(events);
  }

  @RequirePermission(Permission.camerasRead)
  @Get('cameras/:id/thread')
  @ApiOperation({ summary: "A camera's chat thread (events, questions, answers, notices), oldest first" })
  async thread(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Query() query: ThreadQuery): Promise<{ messages: MessageView[] }> {
    await this.cameras.visible(user, id);
    return { messages: await this.cameras.thread(id, query.before ? new Date(query.before) : null, query.limit ?? 50) };
  }

  @RequirePermission(Permission.questionsAsk)
  @Post('cameras/:id/questions')
  @HttpCode(200)
  @ApiOperation({ summary: 'Ask the camera, in English or Polish: "what happened in the last hour?", "ile osób przeszło?"' })
  @ApiOkResponse({ type: AnswerResponse })
  async ask(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() body: QuestionDto): Promise<{ answer: string; events: EventView[] }> {
    const { camera } = await this.cameras.visible(user, id);
    const { answer, events } = await this.messages.ask(user, id, camera.name, body.text);
    return { answer, events };
  }

  @RequirePermission(Permission.videosUpload)
  @Post('cameras/:id/uploads')
  @ApiConsumes('multipart/form-data')
  @ApiOperation({ summary: 'Upload a video to the camera (multipart field "file"); it is stored as a clip and analysed' })
  async upload(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    const { camera, project } = await this.cameras.visible(user, id);
    const bearer = bearerToken(request.headers.authorization);
    if (!bearer) throw new UnauthorizedException('Log in first');
    const result = await forwardMultipartUpload(request, {
      storageUrl: this.config.storageUrl,
      projectSlug: project.slug,
      cameraSlug: camera.slug,
      bearer,
      maxBytes: this.config.maxUploadBytes,
    });
    response.status(result.status).json(result.body);
  }
}

/** Stored files for browsers (<img>, <video>): the link's signature is the permission. Range requests pass through. */
@ApiTags('chat')
@Controller('media')
export class MediaController {
  constructor(
    private readonly tokens: TokenService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Public()
  @Get('*path')
  async media(@Req() request: Request, @Res() response: Response, @Query('exp') exp: string, @Query('sig') sig: string): Promise<void> {
    const path = request.path.replace(/^\/media\//, '');
    if (!this.tokens.verifyMedia(path, Number(exp), String(sig ?? ''))) {
      throw new CameramonitError('BAD_MEDIA_LINK', 'This media link is invalid or has expired; reload the page', 403);
    }
    const upstream = await fetch(`${this.config.storageUrl}/files/${path}`, {
      headers: {
        authorization: `Bearer ${this.tokens.serviceToken('chat', 300)}`,
        ...(request.headers.range ? { range: request.headers.range } : {}),
      },
    });
    await pipeUpstream(request, response, upstream, { 'cache-control': 'private, max-age=3600' });
  }
}
