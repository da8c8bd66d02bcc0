import { Controller, Get, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Permission, RequirePermission } from '@cameramonit/auth';
import { CameramonitError } from '@cameramonit/contracts';
import type { LiveHub, LiveStreamInfo, LiveViewer } from './live-hub.js';
import { RecordingSupervisor, type RecordingView } from './recording.supervisor.js';

/** Most bytes waiting for one live viewer before it skips fragments (a slow connection never holds up the camera). */
const viewerBufferBytes = 4 * 1024 * 1024;

/**
 * The recorder's live cameras: their recording state, and the live picture as fragmented MP4
 * (the camera's own H.264, not re-encoded) for MediaSource players. People reach the live
 * picture through the chat app (GET /api/cameras/:id/live.mp4 there checks who may see the camera).
 */
@ApiTags('live cameras')
@ApiBearerAuth()
@Controller('api')
export class LiveController {
  constructor(private readonly supervisor: RecordingSupervisor) {}

  @RequirePermission(Permission.camerasReadAll)
  @Get('recordings')
  @ApiOperation({ summary: 'Every camera being recorded: state (online, offline, auth-failed...), codec, clips written and waiting, restarts' })
  recordings(): { cameras: RecordingView[]; storage: { via: string; failingSince: string | null; lastError: string | null; clipsWaiting: number; bytesWaiting: number; clipsStored: number; clipsDropped: number; latencyMs: { p50: number | null; p95: number | null } } } {
    const uploader = this.supervisor.uploader;
    const sorted = [...this.supervisor.latencies].sort((a, b) => a - b);
    const pick = (q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : null);
    return {
      cameras: this.supervisor.views(),
      storage: {
        // how clips reach storage (RECORDER_STORE): http, webdav, ftp or local
        via: this.supervisor.storeKind,
        failingSince: uploader.storageFailingSince ? new Date(uploader.storageFailingSince).toISOString() : null,
        lastError: uploader.lastError,
        clipsWaiting: uploader.backlog(),
        bytesWaiting: uploader.backlogBytes(),
        clipsStored: uploader.stored,
        clipsDropped: uploader.droppedCount,
        latencyMs: { p50: pick(0.5), p95: pick(0.95) },
      },
    };
  }

  @RequirePermission(Permission.camerasReadAll)
  @Get('cameras/:id/recording')
  @ApiOperation({ summary: "One camera's recording state" })
  recording(@Param('id', ParseUUIDPipe) id: string): RecordingView {
    const recorder = this.supervisor.recorderOf(id);
    if (!recorder) throw new CameramonitError('NOT_RECORDING', 'This camera is not being recorded (no source, or disabled)', 404);
    return this.supervisor.view(recorder);
  }

  @RequirePermission(Permission.projectsManage)
  @Post('cameras/:id/recording/retry')
  @ApiOperation({ summary: 'Try to reach the camera now instead of waiting for the next attempt' })
  retry(@Param('id', ParseUUIDPipe) id: string): RecordingView {
    const recorder = this.supervisor.recorderOf(id);
    if (!recorder) throw new CameramonitError('NOT_RECORDING', 'This camera is not being recorded (no source, or disabled)', 404);
    recorder.retryNow();
    return this.supervisor.view(recorder);
  }

  @RequirePermission(Permission.camerasReadAll)
  @Get('cameras/:id/live.mp4')
  @ApiProduces('video/mp4')
  @ApiOperation({
    summary:
      "The live picture: fragmented MP4 (init segment, the fragments since the newest key frame, then each as it comes: one at every key frame and every half second between) until the client goes away; X-Codec says the MediaSource codec, X-Key-Frame-Interval the seconds between its key frames (when known), X-Stream which of the camera's streams it is (main; sub: its sub-stream, asked for with ?stream=sub or given when browsers cannot play the main stream's codec; reencoded: the main stream re-encoded to H.264, for a camera in a codec browsers cannot play without an H.264 sub-stream, LIVE_TRANSCODE_CAMERAS at a time, 503 LIVE_REENCODING_BUSY beyond)",
  })
  @ApiQuery({ name: 'stream', required: false, enum: ['main', 'sub'] })
  async live(@Param('id', ParseUUIDPipe) id: string, @Query('stream') stream: string | undefined, @Req() request: Request, @Res() response: Response): Promise<void> {
    const source = await this.liveSource(id, stream);
    // the client went away while a re-encoding started
    if (response.destroyed || response.socket?.destroyed) return;
    const { playing, which } = source;
    response.status(200);
    response.setHeader('content-type', 'video/mp4');
    response.setHeader('cache-control', 'no-store');
    response.setHeader('x-codec', playing.codec);
    response.setHeader('x-video-size', `${playing.width}x${playing.height}`);
    response.setHeader('x-stream', which);
    // how far apart its key frames are (the worker looks at pictures between them when they are far apart)
    const keyFrameInterval = source.hub.keyFrameIntervalSec;
    if (keyFrameInterval !== null) response.setHeader('x-key-frame-interval', keyFrameInterval.toFixed(3));
    response.flushHeaders();
    const viewer: LiveViewer = {
      write: (bytes) => {
        if (response.writableLength > viewerBufferBytes) return false;
        response.write(bytes);
        return response.writableLength <= viewerBufferBytes;
      },
      end: () => response.end(),
    };
    if (!source.join(viewer)) {
      response.end();
      return;
    }
    const leave = () => source.leave(viewer);
    request.on('close', leave);
    response.on('close', leave);
  }

  /**
   * The stream a browser is shown: the main one; the sub-stream when asked for or when browsers
   * cannot play the main one's codec (H.265); without a sub-stream, the main one re-encoded to H.264.
   */
  private async liveSource(id: string, stream: string | undefined): Promise<{ join: (viewer: LiveViewer) => boolean; leave: (viewer: LiveViewer) => void; playing: LiveStreamInfo; which: 'main' | 'sub' | 'reencoded'; hub: LiveHub }> {
    const main = this.supervisor.recorderOf(id);
    const subLive = this.supervisor.subRecorderOf(id)?.live;
    const subInfo = subLive?.info?.browserPlayable ? subLive.info : null;
    const of = (hub: LiveHub, playing: LiveStreamInfo, which: 'main' | 'sub') => ({ join: (viewer: LiveViewer) => hub.join(viewer), leave: (viewer: LiveViewer) => hub.leave(viewer), playing, which, hub });
    if (stream === 'sub' && subLive && subInfo) return of(subLive, subInfo, 'sub');
    const info = main?.live.info;
    if (!main || !info) {
      const state = main?.currentStatus;
      throw new CameramonitError('LIVE_UNAVAILABLE', state ? `No live picture: the camera is ${state.state}${state.message ? ` (${state.message})` : ''}` : 'No live picture: this camera is not being recorded', 503);
    }
    if (info.browserPlayable) return of(main.live, info, 'main');
    if (subLive && subInfo) return of(subLive, subInfo, 'sub');
    const transcoder = this.supervisor.liveTranscoder(id, main.live, info.codec);
    if (transcoder === 'off') {
      throw new CameramonitError('LIVE_CODEC_UNSUPPORTED', `The camera sends ${info.codec}, which browsers cannot play without re-encoding, and re-encoding is off (LIVE_TRANSCODE_CAMERAS=0); its recordings are kept as they are (give the camera an H.264 sub-stream to watch it live)`, 415);
    }
    if (transcoder === 'busy') {
      throw new CameramonitError('LIVE_REENCODING_BUSY', `The camera sends ${info.codec}, which browsers cannot play: its live picture has to be re-encoded, and this recorder re-encodes as many cameras as it may already (LIVE_TRANSCODE_CAMERAS); close another H.265 camera's live view, or give this camera an H.264 sub-stream`, 503);
    }
    const playing = (await transcoder.ready) ? transcoder.hub.info : null;
    if (!playing) throw new CameramonitError('LIVE_UNAVAILABLE', `No live picture: re-encoding the camera's ${info.codec} to H.264 did not start; try again`, 503);
    return { join: (viewer) => transcoder.join(viewer), leave: (viewer) => transcoder.leave(viewer), playing, which: 'reencoded', hub: transcoder.hub };
  }
}
