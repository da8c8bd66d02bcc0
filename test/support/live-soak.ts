import type { DatabaseTarget } from '@cameramonit/config';
import { login, startPlatform, waitFor, type RunningPlatform } from './platform.harness.js';
import { longCameraVideo, startRtspServer, type RunningRtspServer } from './rtsp-server.js';

/** What the live-cameras end-to-end test needs of the soak (serialisable: a global setup hands it over). */
export interface LiveSoakInfo {
  /** when the soak camera was added (its clips are checked from a little after this) */
  startedAtMs: number;
  cameraId: string;
  projectId: string;
  rtspUrl: string;
  rtspPort: number;
  rtspUser: string;
  rtspPassword: string;
  urls: RunningPlatform['urls'];
  ports: Record<string, number>;
  adminEmail: string;
  adminPassword: string;
  dataDir: string;
  database: DatabaseTarget;
}

export interface RunningLiveSoak {
  info: LiveSoakInfo;
  platform: RunningPlatform;
  rtsp: RunningRtspServer;
  stop(): Promise<void>;
}

/** Length of the soak camera's picture: longer than any test run that records it. */
const soakMinutes = 30;

/**
 * The platform of the live-cameras test with one live camera ("gate": a real RTSP server with a
 * password, 640x360 H.264 at 10 fps, a key frame a second, clips of 10 s) recording from the start. It runs on
 * its own embedded MQTT broker even when the other tests share Mosquitto, so it can run beside
 * them (vitest's global setup starts it before the other end-to-end tests, and the live test,
 * which runs last, reads 5 and more minutes of its recording).
 */
export async function startLiveSoak(portBase = 30_000): Promise<RunningLiveSoak> {
  const video = await longCameraVideo({ minutes: soakMinutes, width: 640, height: 360, fps: 10 });
  const rtspUser = 'viewer';
  const rtspPassword = 'p@ss:w0rd/$(id)';
  const rtsp = await startRtspServer({ file: video, username: rtspUser, password: rtspPassword });
  const platform = await startPlatform({
    portBase,
    externalBroker: false,
    // it records beside the other end-to-end platforms, on its own broker and ports
    exclusive: false,
    env: {
      // the recorder hands its clips to storage over WebDAV (RECORDER_STORE), as when storage is on another host
      RECORDER_STORE: 'webdav',
      // a camera that drops is called offline 4 s after it went quiet; wrong settings are retried after 60 s
      RECORDER_OFFLINE_GRACE_SECONDS: '4',
      RECORDER_SETTINGS_RETRY_SECONDS: '60',
      RECORDER_STALL_SECONDS: '8',
      RETENTION_SWEEP_SECONDS: '3600',
      // one H.265 camera re-encoded for live viewers at a time: the second is refused (LIVE_REENCODING_BUSY)
      LIVE_TRANSCODE_CAMERAS: '1',
    },
  }).catch(async (error: unknown) => {
    await rtsp.stop();
    throw error;
  });
  try {
    const admin = await login(platform.urls.chat, platform.adminEmail, platform.adminPassword);
    const call = async <T>(path: string, body: object): Promise<T> => {
      const response = await fetch(`${platform.urls.admin}${path}`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    };
    const project = await call<{ id: string }>('/api/projects', { slug: 'home', name: 'Home' });
    // the analysis of the soak camera is kept light (it records for the whole test run)
    const camera = await call<{ id: string }>(`/api/projects/${project.id}/cameras`, {
      slug: 'gate',
      name: 'Gate',
      // 10 s clips: half the analyses of 5 s ones while it records beside the other tests
      bufferSeconds: 10,
      maxRecordMinutes: 60,
      source: { kind: 'rtsp', url: rtsp.url, username: rtspUser, password: rtspPassword, transport: 'tcp' },
    });
    const settings = await fetch(`${platform.urls.admin}/api/cameras/${camera.id}/analysis-settings`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ fps: 2, width: 320 }),
    });
    if (!settings.ok) throw new Error(`analysis settings: ${settings.status} ${await settings.text()}`);
    const startedAtMs = Date.now();
    await waitFor('the soak camera to record', async () => {
      const response = await fetch(`${platform.urls.recorder}/api/cameras/${camera.id}/recording`, { headers: { authorization: `Bearer ${admin}` } });
      return response.ok && ((await response.json()) as { state: string }).state === 'online';
    }, 60_000);
    const info: LiveSoakInfo = {
      startedAtMs,
      cameraId: camera.id,
      projectId: project.id,
      rtspUrl: rtsp.url,
      rtspPort: rtsp.port,
      rtspUser,
      rtspPassword,
      urls: platform.urls,
      ports: platform.ports,
      adminEmail: platform.adminEmail,
      adminPassword: platform.adminPassword,
      dataDir: platform.dataDir,
      database: platform.database,
    };
    return {
      info,
      platform,
      rtsp,
      async stop() {
        await platform.stop();
        await rtsp.stop();
      },
    };
  } catch (error) {
    await platform.stop();
    await rtsp.stop();
    throw error;
  }
}
