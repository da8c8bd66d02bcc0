import { randomUUID } from 'node:crypto';
import { extname } from 'node:path';
import { All, Controller, Inject, Logger, Param, Put, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentUser, Permission, RequirePermission, type AuthUser } from '@cameramonit/auth';
import { CameramonitError } from '@cameramonit/contracts';
import type { AppConfig } from '@cameramonit/config';
import { APP_CONFIG } from '@cameramonit/server';
import { ClipIngestService } from './clip-ingest.service.js';
import { ClipStore, createHttpFileHandler, discardRequestBody, receiveRequestBody, RECORDINGS_FOLDER_NAME, sendHttpError, SLUG_PATTERN, UPLOAD_FOLDER_NAME, type HttpFileHandler } from './file-servers/index.js';
import { recordingStart } from './recording-name.js';
import { CameraUploadPolicy } from './platform-access.js';

@ApiTags('storage')
@ApiBearerAuth()
@Controller()
export class StorageController {
  private readonly files: HttpFileHandler;
  private readonly logger = new Logger('StorageHttp');

  constructor(
    private readonly store: ClipStore,
    private readonly ingest: ClipIngestService,
    private readonly uploadPolicy: CameraUploadPolicy,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.files = createHttpFileHandler({ store, mountPath: '/files', allowPut: true, logger: this.logger });
  }

  /** Service access to every stored file: GET/HEAD with ranges, PUT of artifacts (atomic). */
  @RequirePermission(Permission.storageAll)
  @All('files/*path')
  @ApiOperation({ summary: 'GET/HEAD (with Range) or PUT a stored file; services only' })
  files_(@Req() request: Request, @Res() response: Response): Promise<void> {
    return this.files(request, response);
  }

  /** A user's upload of a video to a camera (the chat's drag and drop goes through here). */
  @RequirePermission(Permission.videosUpload)
  @Put('uploads/:project/:camera/:name')
  @ApiOperation({ summary: 'Upload a video (raw body) to a camera; it is checked, stored as a clip and analysed' })
  async upload(
    @CurrentUser() user: AuthUser,
    @Param('project') project: string,
    @Param('camera') camera: string,
    @Param('name') name: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const storePath = `/${project}/${camera}/${UPLOAD_FOLDER_NAME}/${name}`;
    try {
      const account = { id: user.id, email: user.email, role: user.role };
      if (!(await this.uploadPolicy.canUpload(account, project, camera))) {
        throw new CameramonitError('UPLOAD_FORBIDDEN', `You may not upload to ${project}/${camera}`, 403);
      }
      const declared = Number(request.headers['content-length'] ?? NaN);
      const limit = this.config.maxUploadBytes;
      if (declared > limit) throw new CameramonitError('UPLOAD_TOO_LARGE', `The file is larger than the limit of ${Math.round(limit / 1048576)} MB`, 413);
      const writer = await this.store.createWriteStream(storePath, { maxBytes: limit, overwrite: true });
      await receiveRequestBody(request, response, writer);
      const stored = writer.stored;
      if (!stored) throw new CameramonitError('UPLOAD_INCOMPLETE', 'The upload did not complete', 400);
      const clip = await this.ingest.ingest({ user: account, projectSlug: project, cameraSlug: camera, fileName: name, storePath: stored.storePath, sizeBytes: stored.sizeBytes });
      response.status(202).json({ clipId: clip.id, message: `Received ${name}; analysing it now` });
    } catch (error) {
      sendHttpError(response, error, this.logger);
      discardRequestBody(request);
    }
  }

  /**
   * A recorded clip of a camera (the recorder, with a service token): raw body, start time in
   * `?startedAt=` (ISO 8601 with a zone) or in the file name (`20261122T101500Z.mp4`). See
   * docs/recorded-clips.md.
   */
  @RequirePermission(Permission.storageAll)
  @Put('recordings/:project/:camera/:name')
  @ApiOperation({ summary: 'Store a recorded clip (raw body) with its start time; services only. 201 new clip, 200 the same start time was stored already' })
  @ApiQuery({ name: 'startedAt', required: false, description: "ISO 8601 time of the clip's first frame; default: the time in the file name" })
  @ApiQuery({ name: 'source', required: false, enum: ['recording', 'substream', 'push'], description: 'recording (default): cut from the camera\'s stream; substream: from its sub-stream, for the analysis only; push: assembled from pushed JPEG frames (analysed on its own, announced in the thread)' })
  @ApiQuery({ name: 'uploadedBy', required: false, description: 'push: the user id of the person who recorded it' })
  async recording(
    @Param('project') project: string,
    @Param('camera') camera: string,
    @Param('name') name: string,
    @Query('startedAt') startedAtText: string | undefined,
    @Query('source') sourceText: string | undefined,
    @Query('uploadedBy') uploadedByText: string | undefined,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    try {
      if (!SLUG_PATTERN.test(project) || !SLUG_PATTERN.test(camera)) throw new CameramonitError('UNKNOWN_CAMERA', `There is no camera ${project}/${camera}`, 404);
      const source = sourceText ?? 'recording';
      if (source !== 'recording' && source !== 'substream' && source !== 'push') throw new CameramonitError('INVALID_SOURCE', 'source must be "recording", "substream" or "push"', 400);
      const uploadedBy = uploadedByText && /^[0-9a-f-]{36}$/i.test(uploadedByText) ? uploadedByText : null;
      const startedAt = recordingStart(startedAtText, name);
      if (!startedAt) {
        throw new CameramonitError('RECORDING_START_MISSING', 'Say when the clip starts: ?startedAt=2026-11-22T10:15:00.000Z, or a file name like 20261122T101500Z.mp4 (UTC)', 400);
      }
      // each request its own staging file: two recordings of one name may arrive at once
      const staging = `/${project}/${camera}/${RECORDINGS_FOLDER_NAME}/${randomUUID()}${extname(name).slice(0, 16)}`;
      const writer = await this.store.createWriteStream(staging, { maxBytes: this.config.maxUploadBytes, overwrite: false });
      await receiveRequestBody(request, response, writer);
      const stored = writer.stored;
      if (!stored) throw new CameramonitError('UPLOAD_INCOMPLETE', 'The upload did not complete', 400);
      const { clip, created } = await this.ingest.ingestRecording({ projectSlug: project, cameraSlug: camera, fileName: name, storePath: stored.storePath, startedAt, source, uploadedBy });
      response.status(created ? 201 : 200).json({ clipId: clip.id, startedAt: clip.startedAt.toISOString(), durationSec: clip.durationSec, created });
    } catch (error) {
      // a service reads the platform's JSON errors: {statusCode, code, message}; the recorder keeps the clip and tries again
      const known = error instanceof CameramonitError;
      if (!known) this.logger.error(`Storing recording ${project}/${camera}/${name} failed: ${(error as Error)?.stack ?? String(error)}`);
      if (!response.headersSent) {
        const failure = known ? error : new CameramonitError('STORAGE_FAILED', `Storage could not store the clip: ${(error as Error)?.message ?? String(error)}`, 500);
        response.status(failure.httpStatus).json({ statusCode: failure.httpStatus, code: failure.code, message: failure.message });
      } else {
        response.destroy();
      }
      discardRequestBody(request);
    }
  }
}
