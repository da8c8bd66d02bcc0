import { Controller, Get, Logger, Param, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Permission, RequirePermission } from '@cameramonit/auth';
import { CameramonitError, parsePlaybackStream } from '@cameramonit/contracts';
import { ClipExportService } from './clip-export.service.js';
import { parseExportRange } from './export-plan.js';
import { serveFile } from './file-servers/index.js';

/** Errors the caller made or can act on; their messages are for it. */
const CALLER_ERRORS = new Set(['INVALID_RANGE', 'INVALID_STREAM', 'NO_RECORDING', 'UNKNOWN_CAMERA']);

@ApiTags('storage')
@ApiBearerAuth()
@Controller()
export class ExportController {
  private readonly logger = new Logger('Exports');

  constructor(private readonly exports: ClipExportService) {}

  /**
   * A camera's recording of a time range as one MP4 (docs/retention-and-export.md), with range
   * requests: a browser's <video> seeks in it. Made on the first request, kept a while for the next.
   */
  @RequirePermission(Permission.storageAll)
  @Get('exports/:cameraId')
  @ApiOperation({ summary: "A camera's recorded clips of a time range (at most 6 h) as one MP4, served with ranges; services only. Headers x-export-started-at, x-export-duration-sec, x-export-gaps" })
  @ApiQuery({ name: 'from', required: true, description: 'ISO 8601 time with a zone: the start of the range' })
  @ApiQuery({ name: 'to', required: true, description: 'ISO 8601 time with a zone: the end of the range' })
  @ApiQuery({ name: 'stream', required: false, enum: ['main', 'sub', 'playable'], description: "sub: the camera's sub-stream clips (H.264 where the main stream is H.265); playable: the main stream's, re-encoded to H.264 (at most 1280 wide) when in another codec; default main" })
  async export(
    @Param('cameraId') cameraId: string,
    @Query('from') fromText: string | undefined,
    @Query('to') toText: string | undefined,
    @Query('stream') streamText: string | undefined,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    try {
      const { from, to } = parseExportRange(fromText, toText);
      const prepared = await this.exports.prepare(cameraId, from, to, parsePlaybackStream(streamText));
      response.setHeader('x-export-started-at', prepared.startedAt.toISOString());
      response.setHeader('x-export-duration-sec', prepared.durationSec.toFixed(3));
      // pauses over a second (the camera was offline) are left out: the video is shorter than the range
      response.setHeader('x-export-gaps', String(prepared.gaps));
      response.setHeader('Content-Disposition', `inline; filename="${prepared.storePath.slice(prepared.storePath.lastIndexOf('/') + 1)}"`);
      response.setHeader('Cache-Control', 'private, no-transform');
      await serveFile(await this.exports.store(), prepared.storePath, request, response);
    } catch (error) {
      this.sendError(response, error);
    }
  }

  /**
   * The platform's JSON errors, {statusCode, code, message}. What the caller can act on (the range,
   * the camera, nothing recorded) is said; anything else is EXPORT_FAILED (500) here and in full in
   * the log, since ffmpeg's words name the server's folders.
   */
  private sendError(response: Response, error: unknown): void {
    if (response.headersSent) {
      response.destroy();
      return;
    }
    if (error instanceof CameramonitError && CALLER_ERRORS.has(error.code)) {
      response.status(error.httpStatus).json({ statusCode: error.httpStatus, code: error.code, message: error.message });
      return;
    }
    const cause = error instanceof CameramonitError ? error.code : 'an unexpected error';
    this.logger.error(`Export failed (${cause}): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    response.status(500).json({ statusCode: 500, code: 'EXPORT_FAILED', message: `The export could not be made (${cause}); the details were logged` });
  }
}
