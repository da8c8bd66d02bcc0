import { Body, Controller, Get, HttpCode, NotFoundException, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsDateString } from 'class-validator';
import { CurrentUser, Permission, RequirePermission, type AuthUser } from '@cameramonit/auth';
import type { CameraAnalysisSettings } from '@cameramonit/contracts';
import type { ReanalysisEntity, ReanalysisStatus } from '@cameramonit/db';
import type { ReanalysisReport } from './reanalysis-report.js';
import { ReanalysisService } from './reanalysis.service.js';

export class StartReanalysisDto {
  @ApiProperty({ example: '2026-11-22T10:00:00Z', description: 'start of the range (ISO 8601); clips overlapping the range are re-analysed' })
  @IsDateString({}, { message: 'from must be an ISO 8601 time such as 2026-11-22T10:00:00Z' })
  from: string;

  @ApiProperty({ example: '2026-11-22T12:00:00Z', description: 'end of the range (ISO 8601)' })
  @IsDateString({}, { message: 'to must be an ISO 8601 time such as 2026-11-22T12:00:00Z' })
  to: string;
}

export class ReanalysisView {
  @ApiProperty() id: string;
  @ApiProperty() cameraId: string;
  @ApiProperty() from: string;
  @ApiProperty() to: string;
  @ApiProperty({ enum: ['queued', 'running', 'done', 'failed'] }) status: ReanalysisStatus;
  @ApiProperty({ description: '0..1' }) progress: number;
  @ApiProperty() clipCount: number;
  @ApiProperty() clipsDone: number;
  @ApiPropertyOptional({ nullable: true, type: Object, description: 'the settings it runs with' }) settings: CameraAnalysisSettings | null;
  @ApiPropertyOptional({
    nullable: true,
    type: Object,
    description: 'when done: event counts before/after by kind and label, added, removed and changed events (matched by label and time overlap), the settings used',
  })
  report: ReanalysisReport | null;
  @ApiPropertyOptional({ nullable: true, type: String }) error: string | null;
  @ApiProperty() createdAt: string;
  @ApiPropertyOptional({ nullable: true, type: String }) finishedAt: string | null;
}

@ApiTags('video-to-text')
@ApiBearerAuth()
@Controller('api')
export class ReanalysisController {
  constructor(private readonly reanalyses: ReanalysisService) {}

  @RequirePermission(Permission.analysisRerun)
  @Post('cameras/:id/reanalyses')
  @HttpCode(202)
  @ApiOperation({ summary: "Re-run the analysis of the camera's clips in a time range with its current settings; 409 while another of the camera runs" })
  @ApiAcceptedResponse({ type: ReanalysisView })
  async start(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) cameraId: string, @Body() body: StartReanalysisDto): Promise<ReanalysisView> {
    return view(await this.reanalyses.start(cameraId, new Date(body.from), new Date(body.to), user.id));
  }

  @RequirePermission(Permission.analysisRerun)
  @Get('reanalyses/:id')
  @ApiOperation({ summary: 'A re-analysis: status, progress, and its report when done' })
  @ApiOkResponse({ type: ReanalysisView })
  async get(@Param('id', ParseUUIDPipe) id: string): Promise<ReanalysisView> {
    const found = await this.reanalyses.get(id);
    if (!found) throw new NotFoundException(`No re-analysis ${id}`);
    return view(found);
  }
}

function view(row: ReanalysisEntity): ReanalysisView {
  return {
    id: row.id,
    cameraId: row.cameraId,
    from: row.fromAt.toISOString(),
    to: row.toAt.toISOString(),
    status: row.status,
    progress: row.progress,
    clipCount: row.clipCount,
    clipsDone: row.clipsDone,
    settings: row.settings ? (JSON.parse(row.settings) as CameraAnalysisSettings) : null,
    report: row.report ? (JSON.parse(row.report) as ReanalysisReport) : null,
    error: row.error,
    createdAt: row.createdAt.toISOString(),
    finishedAt: row.finishedAt ? row.finishedAt.toISOString() : null,
  };
}
