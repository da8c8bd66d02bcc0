import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { CurrentUser, Permission, RequirePermission, type AuthUser } from '@cameramonit/auth';
import { CameramonitError, Topics, type BusReply, type DiscoveredOnvifDevice, type OnvifDeviceDescription, type OnvifDiscoverRequest, type OnvifInspectRequest } from '@cameramonit/contracts';
import { RegistryService, type RegistryCameraView } from '../registry.service.js';
import { OnvifDiscoveryService } from './onvif-discovery.service.js';

export class OnvifDiscoverDto {
  @ApiPropertyOptional({ example: 3000, description: 'how long to listen for answers, ms (500..15000, default 3000)' })
  @IsOptional()
  @IsInt()
  @Min(500)
  @Max(15_000)
  timeoutMs?: number;

  @ApiPropertyOptional({ example: '192.168.1.64', description: 'probe this host (host or host:port; port 3702) instead of the multicast group: cameras on another subnet' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  address?: string;
}

export class OnvifInspectDto {
  @ApiProperty({ example: '192.168.1.64:80', description: 'host, host:port or the device service URL a discovery answered' })
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  address: string;

  @ApiPropertyOptional({ example: 'admin' })
  @IsOptional()
  @IsString()
  @MaxLength(120)
  username?: string;

  @ApiPropertyOptional({ description: "the camera's password; used for this request only, never stored or shown" })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  password?: string;

  @ApiPropertyOptional({ example: 8000, description: 'ms per request to the camera (1000..30000)' })
  @IsOptional()
  @IsInt()
  @Min(1000)
  @Max(30_000)
  timeoutMs?: number;
}

export class RegisterOnvifCameraDto extends OnvifInspectDto {
  @ApiProperty({ example: 'Garden gate' })
  @IsString()
  @MinLength(1)
  @MaxLength(120)
  name: string;

  @ApiPropertyOptional({ description: 'the profile whose stream is recorded; default: the largest picture' })
  @IsOptional()
  @IsString()
  @MaxLength(120)
  profileToken?: string;
}

/**
 * ONVIF discovery on the installer's network (docs/onvif.md): find cameras, read their profiles and
 * stream addresses with their credentials, register one in the registry. The admin app asks the
 * same over the bus.
 */
@ApiTags('installer')
@ApiBearerAuth()
@Controller('api')
export class OnvifController {
  constructor(
    private readonly onvif: OnvifDiscoveryService,
    private readonly registry: RegistryService,
  ) {}

  @RequirePermission(Permission.registryWrite)
  @Post('discovery/onvif')
  @HttpCode(200)
  @ApiOperation({ summary: 'Find ONVIF cameras: a WS-Discovery probe on the local network (or to one address); address, name, hardware, whether credentials are needed' })
  async discover(@Body() body: OnvifDiscoverDto): Promise<{ devices: DiscoveredOnvifDevice[] }> {
    return { devices: await this.onvif.discover(body) };
  }

  @RequirePermission(Permission.registryWrite)
  @Post('discovery/onvif/inspect')
  @HttpCode(200)
  @ApiOperation({ summary: "One camera's information and profiles (name, resolution, codec, stream and snapshot URIs without credentials); 401 for a wrong password" })
  inspect(@Body() body: OnvifInspectDto): Promise<OnvifDeviceDescription> {
    return this.onvif.inspect(body);
  }

  @RequirePermission(Permission.registryWrite)
  @Post('registry/cameras/onvif')
  @ApiOperation({ summary: 'Register a discovered camera: its profile\'s stream becomes the address, the credentials are stored sealed' })
  async register(@Body() body: RegisterOnvifCameraDto, @CurrentUser() user: AuthUser): Promise<{ camera: RegistryCameraView; device: OnvifDeviceDescription }> {
    const device = await this.onvif.inspect(body);
    const token = body.profileToken ?? device.mainProfileToken;
    const profile = device.profiles.find((p) => p.token === token);
    if (!profile?.streamUri) {
      const known = device.profiles.filter((p) => p.streamUri).map((p) => p.token).join(', ') || 'none';
      throw new CameramonitError('UNKNOWN_PROFILE', `The camera has no stream profile "${token ?? ''}" (profiles with a stream: ${known})`, 400);
    }
    const sub = device.profiles.find((p) => p.token === device.subProfileToken && p.token !== profile.token);
    const notes = [
      `ONVIF ${[device.manufacturer, device.model].filter(Boolean).join(' ') || 'camera'} at ${device.address}, profile ${profile.name} (${profile.width ?? '?'}x${profile.height ?? '?'} ${profile.encoding ?? ''})`.trim(),
      sub?.streamUri ? `sub stream: ${sub.streamUri}` : null,
      profile.snapshotUri ? `snapshot: ${profile.snapshotUri}` : null,
    ].filter(Boolean).join('; ');
    const camera = await this.registry.register({ name: body.name, address: profile.streamUri, username: body.username, password: body.password, channel: 'onvif', notes }, user.id);
    return { camera, device };
  }

  @MessagePattern(Topics.onvifDiscover)
  discoverOverBus(@Payload() request: OnvifDiscoverRequest): Promise<BusReply<DiscoveredOnvifDevice[]>> {
    return this.onvif.reply(() => this.onvif.discover(request ?? {}));
  }

  @MessagePattern(Topics.onvifInspect)
  inspectOverBus(@Payload() request: OnvifInspectRequest): Promise<BusReply<OnvifDeviceDescription>> {
    return this.onvif.reply(() => this.onvif.inspect(request));
  }
}
