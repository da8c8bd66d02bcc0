import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsObject, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { Permission, RequirePermission } from '@cameramonit/auth';
import type { RecorderView } from '@cameramonit/contracts';
import type { ProjectEntity } from '@cameramonit/db';
import { ProjectsService, type CameraView } from './projects.service.js';

/** CameraSourceInput as OpenAPI sees it (the validator is parseCameraSource, which lists every problem). */
const sourceSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    kind: { type: 'string', enum: ['none', 'rtsp', 'mjpeg', 'snapshot', 'webcam', 'file', 'push'], description: 'where the video comes from' },
    url: { type: 'string', nullable: true, example: 'rtsp://192.168.1.20:554/stream1', description: 'credentials written into it are moved to username/password' },
    subStreamUrl: { type: 'string', nullable: true, description: 'rtsp: a smaller stream of the same camera' },
    transport: { type: 'string', enum: ['tcp', 'udp'] },
    username: { type: 'string', nullable: true },
    password: { type: 'string', nullable: true, description: 'stored encrypted, never shown back; null removes it, leaving it out keeps it (PATCH)' },
    snapshotFps: { type: 'number', minimum: 0.1, maximum: 30 },
    captureSize: { type: 'string', nullable: true, example: '1280x720', description: "webcams: the picture size asked of the device (GET /api/recorders); null: the device's current one" },
    captureFps: { type: 'number', nullable: true, minimum: 1, maximum: 60, description: "webcams: frames per second asked of the device; null: the device's current rate" },
    recordMode: { type: 'string', enum: ['continuous', 'motion'], description: 'motion: only clips near motion are kept' },
    motionPaddingSec: { type: 'integer', minimum: 0, maximum: 120 },
    eventRetentionDays: { type: 'integer', minimum: 0, maximum: 3650, description: 'clips that hold events are kept this long beyond the ring of maxRecordMinutes' },
    recorder: { type: 'string', nullable: true, example: 'front-desk', description: 'RECORDER_ID of the recorder that records it (GET /api/recorders); null: the main one. A webcam is recorded by the recorder of the machine it is plugged into' },
  },
};

const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;
const SLUG_MESSAGE = 'slug must be lower-case letters, digits and dashes (1-63), starting with a letter or digit';

export class CreateProjectDto {
  @Matches(SLUG, { message: SLUG_MESSAGE })
  slug: string;

  @IsString()
  @MinLength(1)
  @MaxLength(120)
  name: string;
}

export class CameraSettingsDto {
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(120)
  name?: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(600)
  bufferSeconds?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(60 * 24 * 365)
  maxRecordMinutes?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(30)
  animationSeconds?: number;

  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class CreateCameraDto extends CameraSettingsDto {
  @Matches(SLUG, { message: SLUG_MESSAGE })
  slug: string;

  @IsString()
  @MinLength(1)
  @MaxLength(120)
  declare name: string;

  @IsOptional()
  @IsUUID()
  registryCameraId?: string;

  @ApiPropertyOptional({ description: 'where its video comes from (see PUT /api/cameras/{id}/source)', type: Object })
  @IsOptional()
  @IsObject()
  source?: Record<string, unknown>;
}

export class CameraResponse {
  @ApiProperty() id: string;
  @ApiProperty() projectId: string;
  @ApiProperty() slug: string;
  @ApiProperty() name: string;
  @ApiProperty() bufferSeconds: number;
  @ApiProperty() maxRecordMinutes: number;
  @ApiProperty() animationSeconds: number;
  @ApiProperty() enabled: boolean;
  @ApiProperty({ type: Object, description: 'the source without its password (hasPassword says whether one is stored)' }) source: object;
  @ApiProperty({ type: Object, nullable: true, description: "the recorder's state: online, offline, auth-failed, not-found, starting, stopped" }) recording: object | null;
}

@ApiTags('admin')
@ApiBearerAuth()
@Controller('api')
export class AdminController {
  constructor(private readonly projects: ProjectsService) {}

  @RequirePermission(Permission.projectsManage)
  @Get('projects')
  listProjects(): Promise<ProjectEntity[]> {
    return this.projects.listProjects();
  }

  @RequirePermission(Permission.projectsManage)
  @Post('projects')
  createProject(@Body() body: CreateProjectDto): Promise<ProjectEntity> {
    return this.projects.createProject(body.slug, body.name);
  }

  @RequirePermission(Permission.projectsManage)
  @Get('projects/:id/cameras')
  @ApiOperation({ summary: "A project's cameras, with their sources (no passwords) and recording state" })
  listCameras(@Param('id', ParseUUIDPipe) id: string): Promise<CameraView[]> {
    return this.projects.listCameras(id);
  }

  @RequirePermission(Permission.projectsManage)
  @Post('projects/:id/cameras')
  @ApiOperation({ summary: 'Add a camera; with a source it is recorded at once' })
  addCamera(@Param('id', ParseUUIDPipe) id: string, @Body() body: CreateCameraDto): Promise<CameraView> {
    return this.projects.addCamera(id, body);
  }

  @RequirePermission(Permission.projectsManage)
  @Get('recorders')
  @ApiOperation({ summary: 'The recorders (RECORDER_ID), where they are, their video devices (for webcams) and how many cameras each records' })
  listRecorders(): Promise<RecorderView[]> {
    return this.projects.listRecorders();
  }

  @RequirePermission(Permission.projectsManage)
  @Get('cameras/:id')
  @ApiOperation({ summary: 'One camera' })
  camera(@Param('id', ParseUUIDPipe) id: string): Promise<CameraView> {
    return this.projects.cameraView(id);
  }

  @RequirePermission(Permission.projectsManage)
  @Patch('cameras/:id')
  @ApiOperation({ summary: 'Change name, buffer seconds, minutes kept, animation seconds; enable or disable it (the recorder follows at once)' })
  updateCamera(@Param('id', ParseUUIDPipe) id: string, @Body() body: CameraSettingsDto): Promise<CameraView> {
    return this.projects.updateCamera(id, body);
  }

  @RequirePermission(Permission.projectsManage)
  @Put('cameras/:id/source')
  @ApiBody({ schema: sourceSchema })
  @ApiOperation({ summary: "Set where the camera's video comes from; fields left out take their defaults (and no password)" })
  putSource(@Param('id', ParseUUIDPipe) id: string, @Body() body: unknown): Promise<CameraView> {
    return this.projects.setSource(id, body, 'replace');
  }

  @RequirePermission(Permission.projectsManage)
  @Patch('cameras/:id/source')
  @ApiBody({ schema: sourceSchema })
  @ApiOperation({ summary: "Change part of the camera's source; fields left out (the password too) keep their values" })
  patchSource(@Param('id', ParseUUIDPipe) id: string, @Body() body: unknown): Promise<CameraView> {
    return this.projects.setSource(id, body, 'merge');
  }

  @RequirePermission(Permission.projectsManage)
  @Delete('cameras/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a camera: its recording stops, its clips are deleted by storage' })
  deleteCamera(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.projects.deleteCamera(id);
  }
}
