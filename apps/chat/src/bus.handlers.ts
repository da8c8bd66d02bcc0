import { Controller, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ClipEntity, EventEntity } from '@cameramonit/db';
import { Topics, type CameraStatusPayload, type LiveBoxesPayload, type AnalysisCompletedPayload, type AnalysisFailedPayload, type AnalysisProgressPayload, type EventCreatedPayload, type EventUpdatedPayload, type ReanalysisCompletedPayload, type UploadRejectedPayload } from '@cameramonit/contracts';
import { CamerasService } from './cameras.service.js';
import { ChatGateway } from './chat.gateway.js';
import { MessagesService } from './messages.service.js';

/** What the chat hears on the bus; the database is read for the details. */
@Controller()
export class ChatBusHandlers {
  private readonly logger = new Logger(ChatBusHandlers.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly cameras: CamerasService,
    private readonly messages: MessagesService,
    private readonly gateway: ChatGateway,
  ) {}

  /** The detector's boxes of a watched camera's newest live key frame: to whoever may see the camera. */
  @EventPattern(Topics.liveBoxes)
  liveBoxes(@Payload() payload: LiveBoxesPayload): void {
    if (typeof payload?.cameraId !== 'string' || !Array.isArray(payload.boxes)) return;
    this.gateway.liveBoxes(payload);
  }

  @EventPattern(Topics.eventCreated)
  async eventCreated(@Payload() payload: EventCreatedPayload): Promise<void> {
    const event = await this.db.getRepository(EventEntity).findOneBy({ id: String(payload?.eventId) });
    if (!event) return this.logger.warn(`event.created for unknown event ${payload?.eventId}`);
    const [view] = await this.cameras.eventViews([event]);
    if (view) this.gateway.message(event.cameraId, this.cameras.eventMessage(view));
  }

  /** An event changed (described, continued, re-analysed): its message is replaced in place, never posted twice. */
  @EventPattern(Topics.eventUpdated)
  async eventUpdated(@Payload() payload: EventUpdatedPayload): Promise<void> {
    const event = await this.db.getRepository(EventEntity).findOneBy({ id: String(payload?.eventId) });
    if (!event) return this.logger.warn(`event.updated for unknown event ${payload?.eventId}`);
    const [view] = await this.cameras.eventViews([event]);
    if (view) this.gateway.messageUpdated(event.cameraId, this.cameras.eventMessage(view));
  }

  @EventPattern(Topics.analysisFailed)
  async analysisFailed(@Payload() payload: AnalysisFailedPayload): Promise<void> {
    if (!payload?.cameraId) return;
    const name = payload.originalName ? `"${payload.originalName}"` : 'a clip';
    await this.messages.post(payload.cameraId, 'error', `Could not analyse ${name}: ${payload.message}`, `analysis-failed:${payload.clipId}`);
  }

  @EventPattern(Topics.analysisCompleted)
  async analysisCompleted(@Payload() payload: AnalysisCompletedPayload): Promise<void> {
    // a recorded clip (main or sub-stream) is one of many a minute: its events speak for it
    if (!payload?.cameraId || payload.source === 'recording' || payload.source === 'substream') return;
    const name = payload.originalName ? `"${payload.originalName}"` : 'a clip';
    const minutes = Math.floor(payload.durationSec / 60);
    const length = minutes ? `${minutes} min ${Math.round(payload.durationSec % 60)} s` : `${Math.round(payload.durationSec)} s`;
    const found = payload.eventCount === 0 ? 'nothing to report' : payload.eventCount === 1 ? '1 event' : `${payload.eventCount} events`;
    await this.messages.post(payload.cameraId, 'system', `Analysed ${name} (${length}): ${found}.`, `analysis-done:${payload.clipId}`);
  }

  /** A re-analysis replaced a range's events: its report is one message, the events it removed leave open threads. */
  @EventPattern(Topics.reanalysisCompleted)
  async reanalysisCompleted(@Payload() payload: ReanalysisCompletedPayload): Promise<void> {
    if (!payload?.cameraId || !payload.reanalysisId) return;
    if (payload.removedEventIds?.length) this.gateway.eventsRemoved(payload.cameraId, payload.removedEventIds);
    await this.messages.post(payload.cameraId, payload.status === 'failed' ? 'error' : 'system', payload.text, `reanalysis:${payload.reanalysisId}`);
  }

  /** A live camera went offline, came back, or refuses its password: one message in its thread per change. */
  @EventPattern(Topics.cameraStatus)
  async cameraStatus(@Payload() payload: CameraStatusPayload): Promise<void> {
    if (!payload?.cameraId || !payload.state) return;
    const text = cameraStatusText(payload);
    if (!text) return;
    const kind = payload.state === 'online' ? 'system' : 'error';
    // one message per change, also when the bus says it twice (dedupe keys are at most 80 characters)
    await this.messages.post(payload.cameraId, kind, text, `cs:${payload.cameraId}:${payload.state}:${Date.parse(payload.since) || payload.since}`.slice(0, 80));
    this.gateway.cameraStatus(payload.cameraId, { state: payload.state, message: payload.message, since: payload.since });
  }

  @EventPattern(Topics.uploadRejected)
  async uploadRejected(@Payload() payload: UploadRejectedPayload): Promise<void> {
    if (!payload?.cameraId) return;
    await this.messages.post(payload.cameraId, 'error', `Upload of "${payload.originalName}" refused: ${payload.message}`);
  }

  @EventPattern(Topics.analysisProgress)
  async analysisProgress(@Payload() payload: AnalysisProgressPayload): Promise<void> {
    if (!payload?.cameraId) return;
    const clip = await this.db.getRepository(ClipEntity).findOneBy({ id: payload.clipId });
    // a live camera's clips come every few seconds: their events speak for them, not a progress bar each
    if (clip?.source === 'recording' || clip?.source === 'substream') return;
    this.gateway.progress(payload.cameraId, { clipId: payload.clipId, progress: payload.progress, stage: payload.stage, originalName: clip?.originalName ?? null });
  }
}

/** "2 min 5 s", "45 s", "3 h 10 min" */
export function outageText(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  const minutes = Math.floor((s % 3600) / 60);
  return `${Math.floor(s / 3600)} h${minutes ? ` ${minutes} min` : ''}`;
}

/** What the camera's thread says about a change of its recording. */
export function cameraStatusText(payload: CameraStatusPayload): string | null {
  const reason = payload.message ? `: ${payload.message}` : '';
  switch (payload.state) {
    case 'online':
      if (payload.previousState === 'starting') return 'Recording started: the camera is online.';
      return payload.outageSec !== null ? `Back online after ${outageText(payload.outageSec)}; recording again.` : 'Back online; recording again.';
    case 'offline':
      return `Camera offline${reason}. Trying to reconnect.`;
    case 'auth-failed':
      return `Cannot record${reason}.`;
    case 'not-found':
      return `Cannot record${reason}.`;
    default:
      return null;
  }
}
