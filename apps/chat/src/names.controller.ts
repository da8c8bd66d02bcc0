import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { CurrentUser, Permission, RequirePermission, type AuthUser } from '@cameramonit/auth';
import { CamerasService } from './cameras.service.js';
import { NamesService, type ObjectNameView } from './names.service.js';

export class CreateObjectNameDto {
  @ApiProperty({ example: 'the postman' })
  @IsString()
  @MinLength(1)
  @MaxLength(80)
  name: string;

  @ApiProperty({ example: 'person', description: 'the COCO class the detector sees it as' })
  @IsString()
  @MinLength(1)
  @MaxLength(40)
  label: string;

  @ApiProperty({ example: 'blue jacket, yellow shoulder bag, comes around 10:00', description: 'how to recognise it' })
  @IsString()
  @MaxLength(500)
  description: string;
}

export class UpdateObjectNameDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(80)
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(40)
  label?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;
}

export class ObjectNameResponse {
  @ApiProperty() id: string;
  @ApiProperty() cameraId: string;
  @ApiProperty() name: string;
  @ApiProperty() label: string;
  @ApiProperty() description: string;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
}

/**
 * The supervisor's names for a camera's known objects ("the postman", "our van"). In the chat app:
 * supervisors work in the chat, and it already knows which cameras each user may see.
 */
@ApiTags('chat')
@ApiBearerAuth()
@Controller('api/cameras/:id/names')
export class NamesController {
  constructor(
    private readonly cameras: CamerasService,
    private readonly names: NamesService,
  ) {}

  @RequirePermission(Permission.camerasRead)
  @Get()
  @ApiOperation({ summary: "The camera's named objects" })
  @ApiOkResponse({ type: [ObjectNameResponse] })
  async list(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string): Promise<ObjectNameView[]> {
    await this.cameras.visible(user, id);
    return this.names.list(id);
  }

  @RequirePermission(Permission.namesManage)
  @Post()
  @ApiOperation({ summary: 'Name a known object of the camera; the vision model uses the name when it recognises it' })
  @ApiCreatedResponse({ type: ObjectNameResponse })
  async create(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() body: CreateObjectNameDto): Promise<ObjectNameView> {
    await this.cameras.visible(user, id);
    return this.names.create(id, body, user.id);
  }

  @RequirePermission(Permission.namesManage)
  @Patch(':nameId')
  @ApiOperation({ summary: 'Change a named object' })
  @ApiOkResponse({ type: ObjectNameResponse })
  async update(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Param('nameId', ParseUUIDPipe) nameId: string, @Body() body: UpdateObjectNameDto): Promise<ObjectNameView> {
    await this.cameras.visible(user, id);
    return this.names.update(id, nameId, body);
  }

  @RequirePermission(Permission.namesManage)
  @Delete(':nameId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Forget a named object' })
  @ApiNoContentResponse()
  async remove(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Param('nameId', ParseUUIDPipe) nameId: string): Promise<void> {
    await this.cameras.visible(user, id);
    await this.names.remove(id, nameId);
  }
}
