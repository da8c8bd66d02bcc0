import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { Permission, RequirePermission } from '@cameramonit/auth';
import { BusClient } from '@cameramonit/bus';
import {
  CameramonitError,
  parseCameraSource,
  Topics,
  type BusReply,
  type CameraSourceView,
  type DiscoveredOnvifDevice,
  type OnvifDeviceDescription,
  type OnvifDiscoverRequest,
  type OnvifInspectRequest,
} from '@cameramonit/contracts';
import { ProjectsService } from './projects.service.js';

export class AdminOnvifDiscoverDto {
  @ApiPropertyOptional({ example: 3000, description: 'how long to listen for answers, ms (500..15000, default 3000)' })
  @IsOptional()
  @IsInt()
  @Min(500)
  @Max(15_000)
  timeoutMs?: number;

  @ApiPropertyOptional({ example: '192.168.1.64', description: 'probe this host (host or host:port) instead of the installer\'s local network' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  address?: string;
}

export class AdminOnvifInspectDto {
  @ApiProperty({ example: '192.168.1.64:80' })
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  address: string;

  @ApiPropertyOptional({ example: 'admin' })
  @IsOptional()
  @IsString()
  @MaxLength(120)
  username?: string;

  @ApiPropertyOptional({ description: "the camera's password: used for this request (and stored sealed when a camera is made), never shown" })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  password?: string;
}

export class CameraFromOnvifDto extends AdminOnvifInspectDto {
  @ApiProperty({ example: 'gate' })
  @Matches(/^[a-z0-9][a-z0-9-]{0,62}$/, { message: 'slug must be lower-case letters, digits and dashes (1-63), starting with a letter or digit' })
  slug: string;

  @ApiProperty({ example: 'Gate' })
  @IsString()
  @MinLength(1)
  @MaxLength(120)
  name: string;

  @ApiPropertyOptional({ description: 'profile recorded (main stream); default: the largest picture' })
  @IsOptional()
  @IsString()
  @MaxLength(120)
  mainProfileToken?: string;

  @ApiPropertyOptional({ description: 'profile used for analysis and live boxes (sub-stream); default: the smallest other picture; "" for none' })
  @IsOptional()
  @IsString()
  @MaxLength(120)
  subProfileToken?: string;

  @ApiPropertyOptional({ enum: ['tcp', 'udp'], default: 'tcp' })
  @IsOptional()
  @IsIn(['tcp', 'udp'])
  transport?: 'tcp' | 'udp';
}

/**
 * "Find cameras on the network" for admins (docs/onvif.md): asks the installer app, which runs on
 * the cameras' network, over the bus; a picked profile becomes a camera with its source filled in.
 */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('api')
export class OnvifDiscoveryController {
  constructor(
    private readonly bus: BusClient,
    private readonly projects: ProjectsService,
  ) {}

  @RequirePermission(Permission.projectsManage)
  @Post('discovery/onvif')
  @HttpCode(200)
  @ApiOperation({ summary: "Find ONVIF cameras on the installer's network (or at one address)" })
  async discover(@Body() body: AdminOnvifDiscoverDto): Promise<{ devices: DiscoveredOnvifDevice[] }> {
    const request: OnvifDiscoverRequest = { timeoutMs: body.timeoutMs, address: body.address };
    return { devices: await this.ask<DiscoveredOnvifDevice[]>(Topics.onvifDiscover, request, (body.timeoutMs ?? 3000) + 10_000) };
  }

  @RequirePermission(Permission.projectsManage)
  @Post('discovery/onvif/inspect')
  @HttpCode(200)
  @ApiOperation({ summary: "A camera's profiles: name, resolution, codec, stream and snapshot URIs (without credentials); 401 for a wrong password" })
  inspect(@Body() body: AdminOnvifInspectDto): Promise<OnvifDeviceDescription> {
    return this.inspectCamera(body);
  }

  @RequirePermission(Permission.projectsManage)
  @Post('projects/:id/cameras/onvif')
  @ApiOperation({ summary: 'Add a camera from an ONVIF device: its main profile is recorded, its sub profile analysed; credentials stored sealed' })
  async create(@Param('id', ParseUUIDPipe) projectId: string, @Body() body: CameraFromOnvifDto): Promise<{ camera: { id: string; projectId: string; slug: string; name: string }; source: CameraSourceView; device: OnvifDeviceDescription }> {
    const device = await this.inspectCamera(body);
    const pick = (token: string | null | undefined, role: string) => {
      if (!token) return null;
      const profile = device.profiles.find((p) => p.token === token);
      if (!profile?.streamUri) {
        const known = device.profiles.filter((p) => p.streamUri).map((p) => p.token).join(', ') || 'none';
        throw new CameramonitError('UNKNOWN_PROFILE', `The camera has no stream profile "${token}" for the ${role} (profiles with a stream: ${known})`, 400);
      }
      return profile;
    };
    const main = pick(body.mainProfileToken ?? device.mainProfileToken, 'main stream');
    if (!main) throw new CameramonitError('NO_STREAM', 'The camera offers no RTSP stream profile', 422);
    const sub = pick(body.subProfileToken === undefined ? device.subProfileToken : body.subProfileToken || null, 'sub-stream');
    const sourceInput = {
      kind: 'rtsp',
      url: main.streamUri,
      subStreamUrl: sub && sub.streamUri !== main.streamUri ? sub.streamUri : null,
      transport: body.transport ?? 'tcp',
      username: body.username || null,
      password: body.password || null,
    };
    // checked before the camera is made (a bad address from the device is a 400, not a half-made camera)
    parseCameraSource(sourceInput);
    const camera = await this.projects.addCamera(projectId, { slug: body.slug, name: body.name, source: sourceInput });
    const source = camera.source;
    return { camera: { id: camera.id, projectId: camera.projectId, slug: camera.slug, name: camera.name }, source, device };
  }

  private inspectCamera(body: AdminOnvifInspectDto): Promise<OnvifDeviceDescription> {
    const request: OnvifInspectRequest = { address: body.address, username: body.username, password: body.password };
    return this.ask<OnvifDeviceDescription>(Topics.onvifInspect, request, 40_000);
  }

  private async ask<T>(topic: (typeof Topics)['onvifDiscover' | 'onvifInspect'], request: object, timeoutMs: number): Promise<T> {
    const reply = await this.bus.request<BusReply<T>>(topic, request, timeoutMs);
    if (!reply || typeof reply !== 'object') throw new CameramonitError('INSTALLER_UNAVAILABLE', 'The installer app gave no answer; is it running?', 503);
    if (!reply.ok) throw new CameramonitError(reply.code, reply.message, reply.httpStatus);
    return reply.value;
  }
}
