import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsDateString, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { Permission, RequirePermission } from '@cameramonit/auth';
import { IntegrationsService, type ProjectUsage, type VisionModelIntegrationView } from './integrations.service.js';

export class VisionModelOptionsDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 8, default: 4, description: 'images per event: object crops plus one context frame' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(8)
  maxImages?: number;

  @ApiPropertyOptional({ minimum: 5, maximum: 300, default: 60, description: 'seconds one call may take' })
  @IsOptional()
  @IsInt()
  @Min(5)
  @Max(300)
  timeoutSec?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 6, default: 3, description: 'calls per event (with backoff) before it is marked failed' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(6)
  maxAttempts?: number;
}

export class VisionModelIntegrationDto {
  @ApiProperty({ example: 'http://127.0.0.1:11434/v1', description: 'OpenAI-compatible API root: https://api.openai.com/v1, Ollama http://host:11434/v1, vLLM, LM Studio' })
  @IsString()
  @MinLength(8)
  @MaxLength(500)
  baseUrl: string;

  @ApiProperty({ example: 'gpt-4o-mini', description: 'a model that takes images (llava:13b, qwen2.5vl, gpt-4o-mini...)' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  model: string;

  @ApiPropertyOptional({ nullable: true, type: String, description: 'write-only: stored encrypted, never shown; omit to keep the stored key, null or "" to remove it (local servers need none)' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  apiKey?: string | null;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({ type: VisionModelOptionsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => VisionModelOptionsDto)
  options?: VisionModelOptionsDto;
}

export class VisionModelIntegrationResponse {
  @ApiProperty() projectId: string;
  @ApiProperty({ example: 'vision-model' }) kind: string;
  @ApiProperty() baseUrl: string;
  @ApiProperty() model: string;
  @ApiProperty({ description: 'whether a key is stored (the key itself is never returned)' }) hasApiKey: boolean;
  @ApiProperty() enabled: boolean;
  @ApiProperty({ type: VisionModelOptionsDto }) options: VisionModelOptionsDto;
  @ApiProperty() updatedAt: string;
}

export class UsageQuery {
  @ApiPropertyOptional({ description: 'ISO time: calls at or after it' })
  @IsOptional()
  @IsDateString()
  from?: string;

  @ApiPropertyOptional({ description: 'ISO time: calls before it' })
  @IsOptional()
  @IsDateString()
  to?: string;
}

export class UsageTotalsResponse {
  @ApiProperty() calls: number;
  @ApiProperty() promptTokens: number;
  @ApiProperty() completionTokens: number;
  @ApiProperty() totalTokens: number;
}

export class UsageResponse {
  @ApiProperty() projectId: string;
  @ApiProperty({ nullable: true, type: String }) from: string | null;
  @ApiProperty({ nullable: true, type: String }) to: string | null;
  @ApiProperty({ type: UsageTotalsResponse }) totals: UsageTotalsResponse;
  @ApiProperty({ description: 'calls per outcome: ok, timeout, rate-limited, server-error, connection-failed, malformed, rejected', type: 'object', additionalProperties: { type: 'number' } })
  byOutcome: Record<string, number>;
  @ApiProperty({ description: 'event descriptions and period summaries', type: 'object', additionalProperties: { $ref: '#/components/schemas/UsageTotalsResponse' } })
  byPurpose: Record<string, UsageTotalsResponse>;
  @ApiProperty({ type: [UsageTotalsResponse] }) byModel: (UsageTotalsResponse & { model: string })[];
}

@ApiTags('admin')
@ApiBearerAuth()
@Controller('api/projects/:id')
export class IntegrationsController {
  constructor(private readonly integrations: IntegrationsService) {}

  @RequirePermission(Permission.projectsManage)
  @Get('integrations/vision-model')
  @ApiOperation({ summary: "The project's vision model (OpenAI-compatible endpoint) that describes its events; 404 when it has none" })
  @ApiOkResponse({ type: VisionModelIntegrationResponse })
  getVisionModel(@Param('id', ParseUUIDPipe) id: string): Promise<VisionModelIntegrationView> {
    return this.integrations.getVisionModel(id);
  }

  @RequirePermission(Permission.projectsManage)
  @Put('integrations/vision-model')
  @ApiOperation({ summary: 'Set the vision model: base URL, model, API key (write-only, encrypted at rest), enabled, options' })
  @ApiOkResponse({ type: VisionModelIntegrationResponse })
  putVisionModel(@Param('id', ParseUUIDPipe) id: string, @Body() body: VisionModelIntegrationDto): Promise<VisionModelIntegrationView> {
    return this.integrations.putVisionModel(id, body);
  }

  @RequirePermission(Permission.projectsManage)
  @Delete('integrations/vision-model')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove the vision model (events keep the local text)' })
  @ApiNoContentResponse()
  async deleteVisionModel(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.integrations.deleteVisionModel(id);
  }

  @RequirePermission(Permission.projectsManage)
  @Get('usage')
  @ApiOperation({ summary: "Calls and tokens of the project's model (event descriptions, period summaries), by outcome, purpose and model" })
  @ApiOkResponse({ type: UsageResponse })
  usage(@Param('id', ParseUUIDPipe) id: string, @Query() query: UsageQuery): Promise<ProjectUsage> {
    return this.integrations.usage(id, query.from ? new Date(query.from) : null, query.to ? new Date(query.to) : null);
  }
}
