import { Body, Controller, Delete, Get, Inject, NotFoundException, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { IsNull, type DataSource } from 'typeorm';
import { CurrentUser, Permission, RequirePermission, TokenService, type AuthUser } from '@cameramonit/auth';
import type { AppConfig } from '@cameramonit/config';
import { CameraEntity, CameraPushTokenEntity, ProjectEntity } from '@cameramonit/db';
import { APP_CONFIG } from '@cameramonit/server';

/** Push tokens last until revoked (or JWT_SECRET changes): ten years. */
const pushTokenTtlSeconds = 10 * 365 * 24 * 3600;

export class CreatePushTokenDto {
  @ApiProperty({ example: 'Gate ESP32' })
  @IsString()
  @MinLength(1)
  @MaxLength(120)
  name: string;
}

export interface PushTokenView {
  id: string;
  cameraId: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/**
 * A camera's push tokens (docs/pushed-frames.md): what a device that can only POST JPEGs holds.
 * The token is shown once, when it is made; only its id is kept (it is a signed token of role
 * `device`, bound to this camera by the recorder, which refuses revoked ones).
 */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('api')
export class PushTokensController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly tokens: TokenService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @RequirePermission(Permission.projectsManage)
  @Post('cameras/:id/push-tokens')
  @ApiOperation({ summary: 'Make a push token for a device of this camera; the token is in this answer only' })
  async create(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) cameraId: string, @Body() body: CreatePushTokenDto): Promise<PushTokenView & { token: string; pushUrl: string }> {
    const camera = await this.db.getRepository(CameraEntity).findOneBy({ id: cameraId });
    if (!camera) throw new NotFoundException(`No camera ${cameraId}`);
    const project = await this.db.getRepository(ProjectEntity).findOneBy({ id: camera.projectId });
    const repository = this.db.getRepository(CameraPushTokenEntity);
    const saved = await repository.save(repository.create({ cameraId, name: body.name, createdBy: user.id, lastUsedAt: null, revokedAt: null }));
    const token = this.tokens.sign(
      { id: `push-token:${saved.id}`, email: `push-token@${project?.slug ?? 'project'}.${camera.slug}`, displayName: body.name, role: 'device' },
      pushTokenTtlSeconds,
    );
    return { ...view(saved), token, pushUrl: `${this.config.publicUrl}/api/cameras/${cameraId}/pushes` };
  }

  @RequirePermission(Permission.projectsManage)
  @Get('cameras/:id/push-tokens')
  @ApiOperation({ summary: "A camera's push tokens (never the tokens themselves)" })
  async list(@Param('id', ParseUUIDPipe) cameraId: string): Promise<PushTokenView[]> {
    return (await this.db.getRepository(CameraPushTokenEntity).find({ where: { cameraId }, order: { createdAt: 'ASC' } })).map(view);
  }

  @RequirePermission(Permission.projectsManage)
  @Delete('push-tokens/:tokenId')
  @ApiOperation({ summary: 'Revoke a push token: the device is refused from its next request on' })
  async revoke(@Param('tokenId', ParseUUIDPipe) tokenId: string): Promise<PushTokenView> {
    const repository = this.db.getRepository(CameraPushTokenEntity);
    await repository.update({ id: tokenId, revokedAt: IsNull() }, { revokedAt: new Date() });
    const token = await repository.findOneBy({ id: tokenId });
    if (!token) throw new NotFoundException(`No push token ${tokenId}`);
    return view(token);
  }
}

function view(token: CameraPushTokenEntity): PushTokenView {
  return {
    id: token.id,
    cameraId: token.cameraId,
    name: token.name,
    createdAt: token.createdAt.toISOString(),
    lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
    revokedAt: token.revokedAt?.toISOString() ?? null,
  };
}
