import { Controller, Logger } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CameramonitError, recordedStreamOfName, Topics, type BusReply, type RecordingIngested, type RecordingIngestRequest } from '@cameramonit/contracts';
import { ClipIngestService } from './clip-ingest.service.js';
import { parseRecordingPath, RECORDINGS_FOLDER_NAME } from './file-servers/index.js';
import { requireStartInName } from './recording-name.js';

/**
 * A recorder on the same disk as the clip store (RECORDER_STORE_URL=file://<STORAGE_DIR>) puts its
 * clip into /<project>/<camera>/recordings/<start time>.mp4 itself and asks here, over the bus, to
 * register it: the same checks and answer as PUT /recordings, without sending the bytes.
 */
@Controller()
export class RecordingIngestController {
  private readonly logger = new Logger('RecordingIngest');

  constructor(private readonly ingest: ClipIngestService) {}

  @MessagePattern(Topics.storageIngestRecording)
  async ingestOverBus(@Payload() request: RecordingIngestRequest): Promise<BusReply<RecordingIngested>> {
    try {
      const storePath = `/${request?.projectSlug}/${request?.cameraSlug}/${RECORDINGS_FOLDER_NAME}/${request?.fileName}`;
      const target = typeof request?.fileName === 'string' && !request.fileName.includes('/') ? parseRecordingPath(storePath) : null;
      if (!target) throw new CameramonitError('BAD_PATH', `Not a recorded clip of a camera: ${storePath}`, 400);
      const { clip, created } = await this.ingest.ingestRecording({ ...target, startedAt: requireStartInName(target.fileName), source: recordedStreamOfName(target.fileName) });
      return { ok: true, value: { clipId: clip.id, startedAt: clip.startedAt.toISOString(), durationSec: clip.durationSec, created } };
    } catch (error) {
      if (error instanceof CameramonitError) return { ok: false, code: error.code, message: error.message, httpStatus: error.httpStatus };
      this.logger.error(`Registering a recorded clip failed: ${(error as Error).stack ?? String(error)}`);
      return { ok: false, code: 'STORAGE_FAILED', message: `Storage could not register the clip: ${(error as Error).message}`, httpStatus: 500 };
    }
  }
}
