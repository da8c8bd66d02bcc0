import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { In, IsNull, LessThan, MoreThan, type DataSource } from 'typeorm';
import { can, Permission, TokenService, type AuthUser } from '@cameramonit/auth';
import { CameramonitError, playbackSources, type PlaybackStream } from '@cameramonit/contracts';
import type { AppConfig } from '@cameramonit/config';
import { AnalysisEntity, CameraEntity, ClipEntity, ClipShareEntity, EventEntity } from '@cameramonit/db';
import { APP_CONFIG } from '@cameramonit/server';
import { CamerasService } from './cameras.service.js';

export type { PlaybackStream } from '@cameramonit/contracts';
/** Two clips closer than this are one recorded span on the timeline. */
const joinGapSec = 1.5;
/** The longest range one timeline, export or share may cover. */
export const maxRangeHours = 24;
const maxExportHours = 6;

export interface RecordedSpan {
  from: string;
  to: string;
}

export interface TimelineView {
  from: string;
  to: string;
  spans: RecordedSpan[];
  clipCount: number;
  events: { id: string; label: string; kind: string; startedAt: string; endedAt: string; summary: string; summaryPl: string }[];
}

export interface ClipAtView {
  clip: { id: string; startedAt: string; durationSec: number; url: string };
  /** the stream the clip is of */
  stream: PlaybackStream;
  /** where in the clip `time` is (0 when time fell in a gap and the next clip is played) */
  offsetSec: number;
  /** when the next recorded clip starts (play it when this one ends), or null */
  next: string | null;
}

export interface ShareView {
  id: string;
  cameraId: string;
  from: string;
  to: string;
  expiresAt: string;
  title: string | null;
  revoked: boolean;
  views: number;
  createdAt: string;
}

const clipEnd = (clip: Pick<ClipEntity, 'startedAt' | 'durationSec'>) => clip.startedAt.getTime() + clip.durationSec * 1000;

/**
 * A camera's recordings for people: the timeline (recorded spans and events), the clip at a
 * moment (for playing across clip boundaries), signed links to a time range exported as one MP4
 * (made by the storage app), and share links for people without an account.
 */
@Injectable()
export class RecordingsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly cameras: CamerasService,
    private readonly tokens: TokenService,
  ) {}

  static checkRange(from: Date, to: Date, maxHours: number): void {
    if (!Number.isFinite(from.getTime()) || !Number.isFinite(to.getTime())) throw new CameramonitError('INVALID_RANGE', 'from and to must be ISO times, e.g. 2026-12-04T10:00:00Z', 400);
    if (to <= from) throw new CameramonitError('INVALID_RANGE', 'to must be later than from', 400);
    if (to.getTime() - from.getTime() > maxHours * 3600_000) throw new CameramonitError('INVALID_RANGE', `a range may cover at most ${maxHours} h`, 400);
  }

  /** Clips of the camera's timeline that overlap [from, to], oldest first. */
  async clips(cameraId: string, from: Date, to: Date, stream: PlaybackStream = 'main'): Promise<ClipEntity[]> {
    const clips = await this.db.getRepository(ClipEntity).find({
      select: { id: true, startedAt: true, durationSec: true, path: true },
      // clips are short: the one that started before `from` and still runs is within the margin
      // the main stream is the camera's own timeline (not uploads, which are videos of their own); the sub-stream is played where a browser cannot play the main one (H.265)
      where: { cameraId, source: In([...playbackSources[stream]]), deletedAt: IsNull(), startedAt: MoreThan(new Date(from.getTime() - 15 * 60_000)) },
      order: { startedAt: 'ASC' },
      take: 40_000,
    });
    return clips.filter((clip) => clip.startedAt < to && clipEnd(clip) > from.getTime());
  }

  async timeline(cameraId: string, from: Date, to: Date): Promise<TimelineView> {
    RecordingsService.checkRange(from, to, maxRangeHours);
    const clips = await this.clips(cameraId, from, to);
    const spans: { from: number; to: number }[] = [];
    for (const clip of clips) {
      const start = Math.max(clip.startedAt.getTime(), from.getTime());
      const end = Math.min(clipEnd(clip), to.getTime());
      const last = spans.at(-1);
      if (last && start - last.to <= joinGapSec * 1000) last.to = Math.max(last.to, end);
      else spans.push({ from: start, to: end });
    }
    const events = await this.db.getRepository(EventEntity).find({
      where: { cameraId, startedAt: LessThan(to), endedAt: MoreThan(from) },
      order: { startedAt: 'ASC' },
      take: 2000,
    });
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      spans: spans.map((span) => ({ from: new Date(span.from).toISOString(), to: new Date(span.to).toISOString() })),
      clipCount: clips.length,
      events: events.map((event) => ({ id: event.id, label: event.label, kind: event.kind, startedAt: event.startedAt.toISOString(), endedAt: event.endedAt.toISOString(), summary: event.summary, summaryPl: event.summaryPl })),
    };
  }

  /**
   * The recorded clip at `time`, or the next one when `time` is in a gap (within 10 min); of the
   * camera's sub-stream when asked (a browser that cannot play the main stream's H.265).
   */
  async clipAt(cameraId: string, time: Date, stream: PlaybackStream = 'main'): Promise<ClipAtView> {
    if (!Number.isFinite(time.getTime())) throw new CameramonitError('INVALID_RANGE', 'time must be an ISO time', 400);
    const clips = await this.clips(cameraId, new Date(time.getTime() - 1), new Date(time.getTime() + 10 * 60_000), stream);
    const index = clips.findIndex((clip) => clipEnd(clip) > time.getTime());
    const clip = clips[index];
    if (!clip) {
      throw new CameramonitError('NO_RECORDING', stream === 'sub' ? "Nothing of the camera's sub-stream was recorded at that time" : 'Nothing was recorded at that time', 404);
    }
    const offsetSec = Math.max(0, (time.getTime() - clip.startedAt.getTime()) / 1000);
    const analysis = await this.db.getRepository(AnalysisEntity).findOne({ select: { playablePath: true }, where: { clipId: clip.id } });
    // 'playable': an H.264 copy made earlier (an upload in another format), else the clip as an export of its own, re-encoded when it is played
    const url =
      stream === 'playable' && !analysis?.playablePath
        ? (await this.exportLink(cameraId, clip.startedAt, new Date(clipEnd(clip) - 1), 'playable')).url
        : (this.cameras.mediaUrl(analysis?.playablePath ?? clip.path) as string);
    const following = clips[index + 1] ?? (await this.clips(cameraId, new Date(clipEnd(clip)), new Date(clipEnd(clip) + 10 * 60_000), stream))[0];
    return {
      clip: { id: clip.id, startedAt: clip.startedAt.toISOString(), durationSec: clip.durationSec, url },
      stream,
      offsetSec: Math.round(offsetSec * 1000) / 1000,
      next: following && following.id !== clip.id ? new Date(Math.max(following.startedAt.getTime(), clipEnd(clip) + 1)).toISOString() : null,
    };
  }

  /**
   * A signed link to [from, to] of the camera as one MP4 (the storage app concatenates the clips;
   * valid for an hour). 404 NO_RECORDING when nothing was recorded then.
   */
  async exportLink(cameraId: string, from: Date, to: Date, stream: PlaybackStream = 'main'): Promise<{ url: string; startedAt: string; durationSec: number; expiresAt: string; stream: PlaybackStream }> {
    RecordingsService.checkRange(from, to, maxExportHours);
    const clips = await this.clips(cameraId, from, to, stream);
    if (clips.length === 0) throw new CameramonitError('NO_RECORDING', stream === 'sub' ? "The camera's sub-stream recorded nothing in that time" : 'Nothing was recorded in that time', 404);
    const path = exportPath(cameraId, from, to, stream);
    const { exp, sig } = this.tokens.signMedia(path, 3600);
    const startedAt = Math.max(clips[0].startedAt.getTime(), from.getTime());
    const covered = clips.reduce((sum, clip) => sum + Math.max(0, Math.min(clipEnd(clip), to.getTime()) - Math.max(clip.startedAt.getTime(), from.getTime())), 0);
    return { url: `/${path}?exp=${exp}&sig=${sig}`, startedAt: new Date(startedAt).toISOString(), durationSec: Math.round(covered / 100) / 10, expiresAt: new Date(exp * 1000).toISOString(), stream };
  }

  /** Checks a signed export link; the camera, range and stream it is for. */
  verifyExport(cameraId: string, range: string, exp: number, sig: string): { from: Date; to: Date; stream: PlaybackStream } {
    const path = `exports/${cameraId}/${range}`;
    if (!this.tokens.verifyMedia(path, exp, sig)) throw new CameramonitError('BAD_MEDIA_LINK', 'This link is invalid or has expired; make a new one', 403);
    return parseRange(range);
  }

  async createShare(user: AuthUser, cameraId: string, input: { from: Date; to: Date; hours: number; title?: string | null }): Promise<ShareView & { url: string }> {
    RecordingsService.checkRange(input.from, input.to, maxExportHours);
    if ((await this.clips(cameraId, input.from, input.to)).length === 0) throw new CameramonitError('NO_RECORDING', 'Nothing was recorded in that time: there is nothing to share', 404);
    const secret = randomBytes(24).toString('base64url');
    const row = await this.db.getRepository(ClipShareEntity).save({
      tokenHash: hashToken(secret),
      cameraId,
      fromAt: input.from,
      toAt: input.to,
      expiresAt: new Date(Date.now() + input.hours * 3600_000),
      title: input.title?.trim() || null,
      createdBy: user.id,
      revokedAt: null,
      views: 0,
    });
    return { ...shareView(row), url: `${this.config.publicUrl.replace(/\/$/, '')}/share/${secret}` };
  }

  async shares(cameraId: string): Promise<ShareView[]> {
    const rows = await this.db.getRepository(ClipShareEntity).find({ where: { cameraId }, order: { createdAt: 'DESC' }, take: 200 });
    return rows.map(shareView);
  }

  async revokeShare(user: AuthUser, id: string): Promise<void> {
    const row = await this.db.getRepository(ClipShareEntity).findOneBy({ id });
    if (!row) throw new CameramonitError('SHARE_NOT_FOUND', 'No such share link', 404);
    await this.cameras.visible(user, row.cameraId);
    if (row.createdBy !== user.id && !can(user.role, Permission.camerasReadAll)) throw new CameramonitError('SHARE_NOT_YOURS', 'Only the person who made the link, or a manager, can revoke it', 403);
    await this.db.getRepository(ClipShareEntity).update({ id }, { revokedAt: new Date() });
  }

  /** A share link's row, if it may still be watched; 404 unknown, 410 expired or revoked. */
  async openShare(secret: string, countView = false): Promise<{ share: ClipShareEntity; cameraName: string; hasSubStream: boolean }> {
    const row = /^[A-Za-z0-9_-]{20,64}$/.test(secret) ? await this.db.getRepository(ClipShareEntity).findOneBy({ tokenHash: hashToken(secret) }) : null;
    if (!row) throw new CameramonitError('SHARE_NOT_FOUND', 'This link does not exist', 404);
    if (row.revokedAt) throw new CameramonitError('SHARE_REVOKED', 'This link was revoked by the person who shared it', 410);
    if (row.expiresAt.getTime() <= Date.now()) throw new CameramonitError('SHARE_EXPIRED', `This link expired on ${row.expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`, 410);
    const camera = await this.db.getRepository(CameraEntity).findOneBy({ id: row.cameraId });
    if (!camera) throw new CameramonitError('SHARE_NOT_FOUND', 'The camera of this link no longer exists', 404);
    if (countView) await this.db.getRepository(ClipShareEntity).increment({ id: row.id }, 'views', 1);
    return { share: row, cameraName: camera.name, hasSubStream: Boolean(camera.subStreamUrl) };
  }
}

/** The signed path of an export: the range, and "-sub" or "-playable" for those streams (so the signature covers the stream too). */
export function exportPath(cameraId: string, from: Date, to: Date, stream: PlaybackStream = 'main'): string {
  return `exports/${cameraId}/${from.getTime()}-${to.getTime()}${stream === 'main' ? '' : `-${stream}`}.mp4`;
}

export function parseRange(range: string): { from: Date; to: Date; stream: PlaybackStream } {
  const match = /^(\d{1,15})-(\d{1,15})(?:-(sub|playable))?\.mp4$/.exec(range);
  if (!match) throw new CameramonitError('BAD_MEDIA_LINK', 'This link is not an export link', 400);
  return { from: new Date(Number(match[1])), to: new Date(Number(match[2])), stream: (match[3] as PlaybackStream | undefined) ?? 'main' };
}

function hashToken(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

function shareView(row: ClipShareEntity): ShareView {
  return {
    id: row.id,
    cameraId: row.cameraId,
    from: row.fromAt.toISOString(),
    to: row.toAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    title: row.title,
    revoked: row.revokedAt !== null,
    views: row.views,
    createdAt: row.createdAt.toISOString(),
  };
}
