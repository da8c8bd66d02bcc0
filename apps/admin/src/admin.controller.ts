import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { Permission, RequirePermission } from '@cameramonit/auth';
import type { CameraEntity, ProjectEntity } from '@cameramonit/db';
import { ProjectsService } from './projects.service.js';

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
  listCameras(@Param('id', ParseUUIDPipe) id: string): Promise<CameraEntity[]> {
    return this.projects.listCameras(id);
  }

  @RequirePermission(Permission.projectsManage)
  @Post('projects/:id/cameras')
  addCamera(@Param('id', ParseUUIDPipe) id: string, @Body() body: CreateCameraDto): Promise<CameraEntity> {
    return this.projects.addCamera(id, body);
  }

  @RequirePermission(Permission.projectsManage)
  @Patch('cameras/:id')
  updateCamera(@Param('id', ParseUUIDPipe) id: string, @Body() body: CameraSettingsDto): Promise<CameraEntity> {
    return this.projects.updateCamera(id, body);
  }
}
