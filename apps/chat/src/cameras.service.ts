import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Between, Brackets, In, IsNull, type DataSource } from 'typeorm';
import { can, Permission, TokenService, type AuthUser } from '@cameramonit/auth';
import { AnalysisEntity, CameraEntity, CameraGrantEntity, CameraRecordingEntity, DetectedObjectEntity, ChatMessageEntity, ClipEntity, EventEntity, loadEventEnrichments, ProjectEntity, type EventEnrichment } from '@cameramonit/db';
import { storeUrlPath } from '@cameramonit/server';
import { recordedSourceKinds } from '@cameramonit/contracts';
import type { CameraLiveView, CameraView, EventView, MessageView } from './chat.types.js';

export interface EventQuery {
  from?: Date | null;
  to?: Date | null;
  labels?: string[];
  limit?: number;
}

/** What a user may see: cameras (all for admins/managers, else granted ones), their events and threads. */
@Injectable()
export class CamerasService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly tokens: TokenService,
  ) {}

  async visibleCameraIds(user: AuthUser): Promise<string[]> {
    if (can(user.role, Permission.camerasReadAll)) {
      return (await this.db.getRepository(CameraEntity).find({ select: { id: true } })).map((c) => c.id);
    }
    return (await this.db.getRepository(CameraGrantEntity).find({ where: { userId: user.id } })).map((g) => g.cameraId);
  }

  async list(user: AuthUser): Promise<CameraView[]> {
    const ids = await this.visibleCameraIds(user);
    if (!ids.length) return [];
    const cameras = await this.db.getRepository(CameraEntity).find({ where: { id: In(ids) }, order: { name: 'ASC' } });
    const projects = new Map((await this.db.getRepository(ProjectEntity).find()).map((p) => [p.id, p]));
    const last = (await this.db
      .getRepository(EventEntity)
      .createQueryBuilder('e')
      .select('e.cameraId', 'cameraId')
      .addSelect('MAX(e.startedAt)', 'lastAt')
      .where('e.cameraId IN (:...ids)', { ids })
      .groupBy('e.cameraId')
      .getRawMany()) as { cameraId: string; lastAt: string | Date | null }[];
    const lastByCamera = new Map(last.map((row) => [row.cameraId, row.lastAt]));
    const recordings = new Map((await this.db.getRepository(CameraRecordingEntity).find({ where: { cameraId: In(ids) } })).map((row) => [row.cameraId, row]));
    return cameras.map((camera) => {
      const project = projects.get(camera.projectId);
      const lastAt = lastByCamera.get(camera.id);
      return {
        id: camera.id,
        name: camera.name,
        slug: camera.slug,
        projectName: project?.name ?? '',
        projectSlug: project?.slug ?? '',
        lastEventAt: lastAt ? toUtcDate(lastAt).toISOString() : null,
        live: this.liveView(camera, recordings.get(camera.id) ?? null),
      };
    });
  }

  /** How a live camera's recording goes, from the recorder's row (null: not a live camera). */
  liveView(camera: CameraEntity, recording: CameraRecordingEntity | null): CameraLiveView | null {
    // a recorder reads its video: a live camera
    if (!recordedSourceKinds.includes(camera.sourceKind)) return null;
    const state = !camera.enabled ? 'stopped' : (recording?.state ?? 'starting');
    return {
      state,
      message: recording?.message ?? null,
      since: (recording?.since ?? camera.createdAt).toISOString(),
      codec: recording?.codec ?? null,
      width: recording?.width ?? null,
      height: recording?.height ?? null,
      playable: recording?.codec ? /^avc[13]\./.test(recording.codec) : false,
      bufferSeconds: camera.bufferSeconds,
    };
  }

  /** The camera and its project, or 404 when it does not exist or the user may not see it. */
  async visible(user: AuthUser, cameraId: string): Promise<{ camera: CameraEntity; project: ProjectEntity }> {
    const ids = await this.visibleCameraIds(user);
    const camera = ids.includes(cameraId) ? await this.db.getRepository(CameraEntity).findOneBy({ id: cameraId }) : null;
    const project = camera ? await this.db.getRepository(ProjectEntity).findOneBy({ id: camera.projectId }) : null;
    if (!camera || !project) throw new NotFoundException(`No camera ${cameraId} that you may see`);
    return { camera, project };
  }

  async events(cameraId: string, query: EventQuery): Promise<EventEntity[]> {
    const qb = this.db.getRepository(EventEntity).createQueryBuilder('e').where('e.cameraId = :cameraId', { cameraId });
    if (query.from) qb.andWhere('e.endedAt >= :from', { from: query.from });
    if (query.to) qb.andWhere('e.startedAt <= :to', { to: query.to });
    if (query.labels?.length) qb.andWhere('e.label IN (:...labels)', { labels: query.labels });
    return qb.orderBy('e.startedAt', 'DESC').limit(Math.min(query.limit ?? 100, 500)).getMany();
  }

  async eventsByIds(ids: string[]): Promise<EventEntity[]> {
    return ids.length ? this.db.getRepository(EventEntity).findBy({ id: In(ids) }) : [];
  }

  /**
   * For events of sub-stream clips: the main-stream clip holding the second before the event (where
   * playback starts), and where in it. Not for a camera whose main stream browsers cannot play
   * (H.265): its events play in the sub-stream clip they were found in.
   */
  private async mainClipsOf(events: EventEntity[], clips: ClipEntity[]): Promise<Map<string, { path: string; offsetSec: number }>> {
    const subClipIds = new Set(clips.filter((clip) => clip.source === 'substream').map((clip) => clip.id));
    const found = new Map<string, { path: string; offsetSec: number }>();
    const fromSub = events.filter((e) => subClipIds.has(e.clipId));
    const cameraIds = [...new Set(fromSub.map((e) => e.cameraId))];
    const codecs = new Map((cameraIds.length ? await this.db.getRepository(CameraRecordingEntity).findBy({ cameraId: In(cameraIds) }) : []).map((row) => [row.cameraId, row.codec]));
    for (const cameraId of cameraIds.filter((id) => /^avc[13]/.test(codecs.get(id) ?? 'avc1'))) {
      const own = fromSub.filter((e) => e.cameraId === cameraId);
      const moments = own.map((e) => e.startedAt.getTime() - 1000);
      // one read per camera: its main clips around the events (a clip is minutes long at most)
      const mains = await this.db.getRepository(ClipEntity).find({
        select: { id: true, path: true, startedAt: true, durationSec: true },
        where: { cameraId, source: 'recording', deletedAt: IsNull(), startedAt: Between(new Date(Math.min(...moments) - 3600_000), new Date(Math.max(...moments))) },
        order: { startedAt: 'ASC' },
        take: 5000,
      });
      for (const event of own) {
        const moment = event.startedAt.getTime() - 1000;
        const main = mains.find((clip) => clip.startedAt.getTime() <= moment && clip.startedAt.getTime() + clip.durationSec * 1000 > moment);
        if (main) found.set(event.id, { path: main.path, offsetSec: (moment - main.startedAt.getTime()) / 1000 });
      }
    }
    return found;
  }

  async eventViews(events: EventEntity[]): Promise<EventView[]> {
    const clipIds = [...new Set(events.map((e) => e.clipId))];
    const clips = clipIds.length ? await this.db.getRepository(ClipEntity).findBy({ id: In(clipIds) }) : [];
    const analyses = clipIds.length ? await this.db.getRepository(AnalysisEntity).findBy({ clipId: In(clipIds) }) : [];
    const clipPath = new Map(clips.map((c) => [c.id, c.path]));
    for (const a of analyses) if (a.playablePath) clipPath.set(a.clipId, a.playablePath);
    // an event found in a camera's sub-stream plays in its main stream (what people watch), at the same moment
    const mainClips = await this.mainClipsOf(events, clips);
    const enrichments = await loadEventEnrichments(this.db, events.map((e) => e.id));
    const boxes = await this.objectBoxes(events, analyses);
    return events.map((e) => ({
      id: e.id,
      cameraId: e.cameraId,
      label: e.label,
      kind: e.kind,
      count: e.count,
      direction: e.direction,
      confidence: e.confidence,
      startedAt: e.startedAt.toISOString(),
      endedAt: e.endedAt.toISOString(),
      summary: e.summary,
      summaryPl: e.summaryPl,
      snapshotUrl: this.mediaUrl(e.snapshotPath),
      animationUrl: this.mediaUrl(e.animationPath),
      clipUrl: this.mediaUrl(mainClips.get(e.id)?.path ?? clipPath.get(e.clipId) ?? null),
      clipOffsetSec: mainClips.get(e.id)?.offsetSec ?? Math.max(0, e.startSec - 1),
      descriptionStatus: e.descriptionStatus,
      title: e.title,
      description: e.description,
      descriptionPl: e.descriptionPl,
      threatLevel: e.threatLevel,
      descriptionError: e.descriptionError,
      boxes: boxes.get(e.id) ?? [],
      ...this.pluginParts(enrichments.get(e.id)),
    }));
  }

  /** Where the event's objects were at their best moment, as fractions of the picture (0..1), for drawing over a live view. */
  private async objectBoxes(events: EventEntity[], analyses: AnalysisEntity[]): Promise<Map<string, EventView['boxes']>> {
    const ids = events.map((e) => e.id);
    const found = new Map<string, EventView['boxes']>();
    if (!ids.length) return found;
    const frames = new Map(analyses.map((a) => [a.clipId, a]));
    const objects = await this.db.getRepository(DetectedObjectEntity).find({ where: { eventId: In(ids) }, take: 2000 });
    for (const object of objects) {
      const frame = frames.get(object.clipId);
      if (!object.eventId || !frame?.frameWidth || !frame.frameHeight) continue;
      try {
        const box = JSON.parse(object.box) as { x: number; y: number; width: number; height: number };
        const list = found.get(object.eventId) ?? [];
        const round = (value: number) => Math.round(value * 10_000) / 10_000;
        list.push({ label: object.label, x: round(box.x / frame.frameWidth), y: round(box.y / frame.frameHeight), width: round(box.width / frame.frameWidth), height: round(box.height / frame.frameHeight) });
        found.set(object.eventId, list);
      } catch {
        // a box written by an older version: nothing to draw
      }
    }
    return found;
  }

  /** What analyser plugins added (the plugin host writes it; see docs/plugins.md). */
  private pluginParts(enrichment: EventEnrichment | undefined): Pick<EventView, 'features' | 'images' | 'plugin'> {
    return {
      features: (enrichment?.features ?? []).map(({ plugin, key, value }) => ({ plugin, key, value })),
      images: (enrichment?.images ?? []).map((i) => ({ plugin: i.plugin, url: this.mediaUrl(i.path) as string, caption: i.caption, width: i.width, height: i.height })),
      plugin: enrichment?.source?.plugin ?? null,
    };
  }

  /** The camera's thread: events and messages merged in time order, oldest first. */
  async thread(cameraId: string, before: Date | null, limit: number): Promise<MessageView[]> {
    const eventsQb = this.db.getRepository(EventEntity).createQueryBuilder('e').where('e.cameraId = :cameraId', { cameraId });
    const messagesQb = this.db.getRepository(ChatMessageEntity).createQueryBuilder('m').where('m.cameraId = :cameraId', { cameraId });
    if (before) {
      eventsQb.andWhere('e.startedAt < :before', { before });
      messagesQb.andWhere(new Brackets((w) => w.where('m.createdAt < :before', { before })));
    }
    const [events, messages] = await Promise.all([
      eventsQb.orderBy('e.startedAt', 'DESC').limit(limit).getMany(),
      messagesQb.orderBy('m.createdAt', 'DESC').limit(limit).getMany(),
    ]);
    const referenced = messages.flatMap((m) => parseIds(m.eventIds));
    const allEvents = new Map((await this.eventViews([...events, ...(await this.eventsByIds(referenced.filter((id) => !events.some((e) => e.id === id))))])).map((v) => [v.id, v]));
    const views: MessageView[] = [
      ...events.map((e) => this.eventMessage(allEvents.get(e.id) as EventView)),
      ...messages.map((m) => this.messageView(m, allEvents)),
    ];
    return views.sort((a, b) => a.createdAt.localeCompare(b.createdAt)).slice(-limit);
  }

  eventMessage(event: EventView): MessageView {
    return { id: `event:${event.id}`, kind: 'event', createdAt: event.startedAt, text: event.description ?? event.summary, author: null, event };
  }

  messageView(message: ChatMessageEntity, events: Map<string, EventView>): MessageView {
    const eventIds = parseIds(message.eventIds);
    return {
      id: message.id,
      kind: message.kind,
      createdAt: message.createdAt.toISOString(),
      text: message.text,
      author: message.authorName,
      ...(eventIds.length ? { eventIds, events: eventIds.map((id) => events.get(id)).filter((v): v is EventView => !!v) } : {}),
    };
  }

  /** A browser-loadable link to a stored file: signed, expiring, served by /media. */
  mediaUrl(storePath: string | null): string | null {
    if (!storePath) return null;
    const path = storeUrlPath(storePath);
    const { exp, sig } = this.tokens.signMedia(path);
    return `/media/${path}?exp=${exp}&sig=${sig}`;
  }
}

function parseIds(json: string | null): string[] {
  if (!json) return [];
  try {
    const ids = JSON.parse(json) as unknown;
    return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
  } catch {
    return [];
  }
}

/** MAX() over a datetime comes back as a string without zone on some drivers; it is UTC. */
function toUtcDate(value: string | Date): Date {
  if (value instanceof Date) return value;
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value.replace(' ', 'T')}Z`);
}
