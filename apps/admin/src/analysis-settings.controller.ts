import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Put, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiProduces, ApiProperty, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Permission, RequirePermission } from '@cameramonit/auth';
import type { CameraAnalysisSettings } from '@cameramonit/contracts';
import { CameraPreviewService } from './camera-preview.service.js';
import { ProjectsService, type AnalysisSettingsView } from './projects.service.js';

const point = { type: 'array', items: { type: 'number', minimum: 0, maximum: 1 }, minItems: 2, maxItems: 2, example: [0.25, 0.5] };
const polygon = { type: 'array', items: point, minItems: 3, maxItems: 64, description: 'points [x, y] as fractions of the picture (0..1 from the top left)' };

/** CameraAnalysisSettings as OpenAPI sees it (the validator is parseCameraAnalysisSettings). */
const settingsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    classes: { type: 'array', items: { type: 'string' }, example: ['person', 'car'], description: 'COCO labels to detect' },
    minConfidence: { type: 'number', minimum: 0.05, maximum: 0.99, example: 0.4 },
    zones: {
      type: 'array',
      maxItems: 16,
      items: {
        type: 'object',
        required: ['name', 'polygon'],
        properties: { name: { type: 'string', example: 'gate' }, polygon, loiterSec: { type: 'number', nullable: true, minimum: 1, description: 'staying longer than this in the zone is a loitering event' } },
      },
    },
    masks: { type: 'array', maxItems: 16, items: polygon, description: 'areas ignored entirely' },
    motionSensitivity: { type: 'integer', minimum: 1, maximum: 10, example: 5 },
    motionEvents: { type: 'boolean', description: 'also report motion no object explains' },
    fps: { type: 'number', nullable: true, minimum: 0.5, maximum: 30, description: "null = the platform's ANALYSIS_FPS" },
    width: { type: 'integer', nullable: true, minimum: 160, maximum: 1920, description: "null = the platform's ANALYSIS_WIDTH" },
    prompt: { type: 'string', nullable: true, maxLength: 2000, description: 'what the vision model should pay attention to' },
  },
};

export class AnalysisSettingsResponse implements AnalysisSettingsView {
  @ApiProperty() cameraId: string;
  @ApiProperty({ type: Object, description: 'the settings the next clip is analysed with' }) settings: CameraAnalysisSettings;
  @ApiProperty({ description: 'true while the camera uses the defaults' }) isDefault: boolean;
  @ApiProperty({ type: Object }) defaults: CameraAnalysisSettings;
  @ApiProperty({ type: Object, description: "the platform's fps and width, used where the camera leaves them null" }) platform: { fps: number; width: number };
  @ApiProperty({ type: [String], description: 'every class the detector knows (COCO)' }) classes: string[];
}

@ApiTags('admin')
@ApiBearerAuth()
@Controller('api/cameras')
export class AnalysisSettingsController {
  constructor(
    private readonly projects: ProjectsService,
    private readonly previews: CameraPreviewService,
  ) {}

  @RequirePermission(Permission.projectsManage)
  @Get(':id/analysis-settings')
  @ApiOperation({ summary: "A camera's analysis settings (classes, confidence, zones, masks, motion, fps, width, prompt)" })
  @ApiOkResponse({ type: AnalysisSettingsResponse })
  get(@Param('id', ParseUUIDPipe) id: string): Promise<AnalysisSettingsView> {
    return this.projects.analysisSettings(id);
  }

  @RequirePermission(Permission.projectsManage)
  @Put(':id/analysis-settings')
  @ApiOperation({ summary: "Replace a camera's analysis settings (fields left out take the defaults); the next clip uses them. 400 lists every problem" })
  @ApiBody({ schema: settingsSchema })
  @ApiOkResponse({ type: AnalysisSettingsResponse })
  replace(@Param('id', ParseUUIDPipe) id: string, @Body() body: unknown): Promise<AnalysisSettingsView> {
    return this.projects.setAnalysisSettings(id, body, 'replace');
  }

  @RequirePermission(Permission.projectsManage)
  @Patch(':id/analysis-settings')
  @ApiOperation({ summary: "Change some of a camera's analysis settings (the others stay); the next clip uses them" })
  @ApiBody({ schema: settingsSchema })
  @ApiOkResponse({ type: AnalysisSettingsResponse })
  change(@Param('id', ParseUUIDPipe) id: string, @Body() body: unknown): Promise<AnalysisSettingsView> {
    return this.projects.setAnalysisSettings(id, body, 'merge');
  }

  @RequirePermission(Permission.projectsManage)
  @Get(':id/preview')
  @ApiOperation({ summary: "The camera's latest picture (JPEG) to draw zones and masks on; 404 before it has any video" })
  @ApiProduces('image/jpeg')
  async preview(@Param('id', ParseUUIDPipe) id: string, @Res() response: Response): Promise<void> {
    const jpeg = await this.previews.preview(id);
    response.status(200).setHeader('content-type', 'image/jpeg').setHeader('cache-control', 'private, no-cache').end(jpeg);
  }
}
