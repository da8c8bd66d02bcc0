import { Controller, Get, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Permission, RequirePermission } from '@cameramonit/auth';
import { Topics, type EventCreatedPayload, type PluginState, type PluginStatus } from '@cameramonit/contracts';
import { PluginHostService } from './plugin-host.service.js';

class PluginCountsResponse {
  @ApiProperty({ description: 'requests sent' }) requests: number;
  @ApiProperty({ description: 'answers accepted' }) succeeded: number;
  @ApiProperty({ description: 'requests that failed (error answer, invalid answer, timeout, crash)' }) failed: number;
  @ApiProperty({ description: 'requests not answered in time (the plugin was restarted)' }) timedOut: number;
  @ApiProperty() crashes: number;
  @ApiProperty({ description: 'messages received on its topics' }) messages: number;
  @ApiProperty({ description: 'bytes of stdout + stderr' }) outputBytes: number;
}

export class PluginStatusResponse {
  @ApiProperty({ example: 'clothing-colour' }) name: string;
  @ApiProperty({ nullable: true, type: String, example: '1.0.0' }) version: string | null;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty({ description: 'the folder it was found in' }) dir: string;
  @ApiProperty({ enum: ['starting', 'ready', 'restarting', 'failed', 'stopped', 'invalid'] }) state: PluginState;
  @ApiProperty({ nullable: true, type: Number }) pid: number | null;
  @ApiProperty() restarts: number;
  @ApiProperty({ nullable: true, type: String, description: 'why it last failed, was restarted or stopped' }) lastError: string | null;
  @ApiProperty({ type: [String], description: 'what is wrong with an invalid manifest' }) problems: string[];
  @ApiProperty({ type: PluginCountsResponse }) counts: PluginCountsResponse;
  @ApiPropertyOptional({ nullable: true, type: Object, description: 'the manifest: which events and pictures it is sent' }) consumes: PluginStatus['consumes'];
  @ApiProperty({ type: [String], example: ['features', 'images'] }) returns: string[];
}

/** The plugin host's API and what it hears on the bus. */
@ApiTags('plugins')
@ApiBearerAuth()
@Controller()
export class PluginsController {
  private readonly logger = new Logger(PluginsController.name);

  constructor(private readonly host: PluginHostService) {}

  @RequirePermission(Permission.pluginsRead)
  @Get('api/plugins')
  @ApiOperation({ summary: 'The analyser plugins found in PLUGINS_DIR: state, restarts, last error, counts (invalid ones with their problems)' })
  @ApiOkResponse({ type: [PluginStatusResponse] })
  plugins(): PluginStatus[] {
    return this.host.status();
  }

  @EventPattern(Topics.eventCreated)
  async eventCreated(@Payload() payload: EventCreatedPayload): Promise<void> {
    if (typeof payload?.eventId !== 'string') return;
    await this.host.eventCreated(payload.eventId).catch((error: unknown) => this.logger.warn(`event ${payload.eventId}: ${(error as Error).message}`));
  }
}
