import { Body, Controller, Get, Post } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { CurrentUser, Permission, RequirePermission, type AuthUser } from '@cameramonit/auth';
import { Topics } from '@cameramonit/contracts';
import { RegistryService, type RegistryCameraView } from './registry.service.js';

export class RegisterCameraDto {
  @IsString()
  @MinLength(1)
  @MaxLength(120)
  name: string;

  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  address: string;

  @IsOptional()
  @IsString()
  @MaxLength(120)
  username?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  password?: string;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  notes?: string;
}

@ApiTags('installer')
@ApiBearerAuth()
@Controller('api/registry')
export class InstallerController {
  constructor(private readonly registry: RegistryService) {}

  @RequirePermission(Permission.registryRead)
  @Get('cameras')
  list(): Promise<RegistryCameraView[]> {
    return this.registry.list();
  }

  @RequirePermission(Permission.registryWrite)
  @Post('cameras')
  register(@Body() body: RegisterCameraDto, @CurrentUser() user: AuthUser): Promise<RegistryCameraView> {
    return this.registry.register({ ...body, channel: 'api' }, user.id);
  }

  @MessagePattern(Topics.registryListCameras)
  listOverBus(): Promise<RegistryCameraView[]> {
    return this.registry.list();
  }
}
