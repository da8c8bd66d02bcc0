import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CameraEntity, openPlatformDatabase } from '@cameramonit/db';
import { FfmpegDriver } from '@cameramonit/media';
import { launchChromium, openAdminPage } from '../support/browser.js';
import { startFakeOnvifDevice, type FakeOnvifDevice } from '../support/onvif-device.fake.js';
import { fixture, login, startPlatform, waitFor, type RunningPlatform } from '../support/platform.harness.js';
import { cameraVideo, startRtspServer, type RunningRtspServer } from '../support/rtsp-server.js';

interface PushView {
  pushId: string;
  status: string;
  fps: number;
  width: number | null;
  height: number | null;
  frameCount: number;
  resizedFrames: number;
  durationSec: number;
  startedAt: string | null;
  clip: { clipId: string; url: string; durationSec: number; startedAt: string } | null;
  analysis: { status: string; eventCount: number } | null;
  events: { label: string; summary: string; snapshotUrl: string | null }[];
  error: { code: string; message: string } | null;
  warnings: string[];
}
interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
}
interface ThreadMessage {
  kind: string;
  text: string;
  event?: { label: string; clipUrl: string | null };
}

const ffmpeg = new FfmpegDriver();

/**
 * The ways cameras come in that are not a stream the recorder pulls (docs/pushed-frames.md,
 * docs/onvif.md): a device pushing JPEGs with a push token, the chat's "Record from this browser"
 * page in Chromium with its fake webcam, and ONVIF discovery through the admin API. One platform.
 */
describe('intake: pushed frames, the browser webcam, ONVIF discovery', () => {
  let platform: RunningPlatform;
  let admin: string;
  let projectId: string;
  let cameraId: string;
  let otherCameraId: string;
  let deviceToken: string;
  let deviceTokenId: string;
  let workDir: string;
  let frames: Buffer[];

  const chat = (path: string) => `${platform.urls.chat}${path}`;
  const bearer = (token: string, extra: Record<string, string> = {}) => ({ authorization: `Bearer ${token}`, ...extra });
  async function json<T>(response: Response): Promise<T> {
    return (await response.json()) as T;
  }
  async function adminPost<T>(path: string, body: unknown): Promise<T> {
    const response = await fetch(`${platform.urls.admin}${path}`, { method: 'POST', headers: bearer(admin, { 'content-type': 'application/json' }), body: JSON.stringify(body) });
    expect(response.status, `${path}: ${await response.clone().text()}`).toBe(201);
    return json<T>(response);
  }
  const startPush = (token: string, camera: string, body: object = { fps: 5 }) =>
    fetch(chat(`/api/cameras/${camera}/pushes`), { method: 'POST', headers: bearer(token, { 'content-type': 'application/json' }), body: JSON.stringify(body) });
  const postFrame = (token: string, pushId: string, bytes: Buffer, headers: Record<string, string> = {}) =>
    fetch(chat(`/api/pushes/${pushId}/frames`), { method: 'POST', headers: bearer(token, { 'content-type': 'image/jpeg', ...headers }), body: new Uint8Array(bytes) });
  const postFrames = (token: string, pushId: string, pictures: Buffer[]) => {
    const form = new FormData();
    for (const [index, picture] of pictures.entries()) form.append('frame', new Blob([new Uint8Array(picture)], { type: 'image/jpeg' }), `f${index}.jpg`);
    return fetch(chat(`/api/pushes/${pushId}/frames`), { method: 'POST', headers: bearer(token), body: form });
  };
  const finish = (token: string, pushId: string, waitForAnalysisSec = 0) =>
    fetch(chat(`/api/pushes/${pushId}/finish`), { method: 'POST', headers: bearer(token, { 'content-type': 'application/json' }), body: JSON.stringify({ waitForAnalysisSec }) });
  const getPush = async (token: string, pushId: string) => json<PushView>(await fetch(chat(`/api/pushes/${pushId}`), { headers: bearer(token) }));

  beforeAll(async () => {
    platform = await startPlatform({ portBase: 28500, env: { PUSH_MAX_FRAMES: '40', PUSH_MAX_MB: '8', PUSH_IDLE_SECONDS: '6' } });
    admin = await login(platform.urls.chat, platform.adminEmail, platform.adminPassword);
    projectId = (await adminPost<{ id: string }>('/api/projects', { slug: 'intake', name: 'Intake' })).id;
    cameraId = (await adminPost<{ id: string }>(`/api/projects/${projectId}/cameras`, { slug: 'doorbell', name: 'Doorbell' })).id;
    otherCameraId = (await adminPost<{ id: string }>(`/api/projects/${projectId}/cameras`, { slug: 'porch', name: 'Porch' })).id;
    const made = await adminPost<{ id: string; token: string }>(`/api/cameras/${cameraId}/push-tokens`, { name: 'Doorbell ESP32' });
    deviceToken = made.token;
    deviceTokenId = made.id;
    // 6 s of vtest.avi at 5 fps as JPEGs: people walking, as a device would send them
    workDir = await mkdtemp(join(tmpdir(), 'cm-intake-e2e-'));
    const files = await ffmpeg.writeVideoFrames(fixture('vtest.avi'), join(workDir, 'frames'), { startSec: 0, durationSec: 6, fps: 5, maxWidth: 768, maxFrames: 30 });
    frames = await Promise.all(files.map((file) => readFile(file)));
    expect(frames).toHaveLength(30);
  });

  afterAll(async () => {
    await platform?.stop();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  describe('pushed frames', () => {
    it('a device pushes JPEGs of people with its push token: one clip, stored, analysed, a person event, answered with its link', async () => {
      const started = await startPush(deviceToken, cameraId);
      expect(started.status, await started.clone().text()).toBe(201);
      const push = await json<PushView>(started);
      expect(push).toMatchObject({ status: 'recording', fps: 5, frameCount: 0 });

      // ten frames one by one (the first with the device's capture time), twenty as two multipart requests
      const capturedAt = new Date(Date.now() - 8_000).toISOString();
      for (const [index, frame] of frames.slice(0, 10).entries()) {
        const response = await postFrame(deviceToken, push.pushId, frame, index === 0 ? { 'x-captured-at': capturedAt } : {});
        expect(response.status, await response.clone().text()).toBe(200);
      }
      for (const part of [frames.slice(10, 20), frames.slice(20, 30)]) {
        const response = await postFrames(deviceToken, push.pushId, part);
        expect(response.status, await response.clone().text()).toBe(200);
      }
      const before = await getPush(deviceToken, push.pushId);
      expect(before).toMatchObject({ frameCount: 30, width: 768, height: 576, durationSec: 6, startedAt: capturedAt, resizedFrames: 0 });

      const finished = await finish(deviceToken, push.pushId, 120);
      expect(finished.status, await finished.clone().text()).toBe(201);
      const done = await json<PushView>(finished);
      expect(done.status).toBe('stored');
      expect(done.clip?.startedAt).toBe(capturedAt);
      expect(done.analysis?.status).toBe('done');
      expect(done.events.map((e) => e.label)).toContain('person');

      // the link plays: an H.264 MP4 of 6 s at the size of the frames
      expect(done.clip?.url.startsWith(platform.urls.chat)).toBe(true);
      const media = await fetch(done.clip?.url as string);
      expect(media.status).toBe(200);
      const file = join(workDir, 'pushed.mp4');
      await writeFile(file, Buffer.from(await media.arrayBuffer()));
      const info = await ffmpeg.probe(file);
      expect(info).toMatchObject({ codec: 'h264', width: 768, height: 576, fps: 5 });
      expect(info.durationSec).toBeCloseTo(6, 0);

      // the camera's thread says it was analysed and shows the person event
      const thread = await json<{ messages: ThreadMessage[] }>(await fetch(chat(`/api/cameras/${cameraId}/thread`), { headers: bearer(admin) }));
      expect(thread.messages.some((m) => m.kind === 'system' && /Analysed "push-doorbell-esp32-.*\.mp4" \(6 s\)/.test(m.text))).toBe(true);
      expect(thread.messages.some((m) => m.kind === 'event' && m.event?.label === 'person')).toBe(true);

      // finishing again answers the same clip; the push is closed for frames
      expect((await json<PushView>(await finish(deviceToken, push.pushId))).clip?.clipId).toBe(done.clip?.clipId);
      expect((await json<ErrorBody>(await postFrame(deviceToken, push.pushId, frames[0] as Buffer))).code).toBe('PUSH_FINISHED');
      // nothing of the push is left on the recorder's disk
      expect(existsSync(join(platform.dataDir, 'pushes', push.pushId))).toBe(false);
    });

    it('refuses bad frames with a reason and keeps what it had; fits a frame of another size in', async () => {
      const push = await json<PushView>(await startPush(deviceToken, cameraId, { fps: 2, width: 640, height: 480 }));
      expect((await postFrame(deviceToken, push.pushId, frames[0] as Buffer)).status).toBe(200);

      const text = await postFrame(deviceToken, push.pushId, Buffer.from('hello, I am not a picture'));
      expect(text.status).toBe(415);
      expect(await json<ErrorBody>(text)).toMatchObject({ code: 'NOT_JPEG', message: expect.stringMatching(/not a JPEG/) });
      const cut = await postFrame(deviceToken, push.pushId, (frames[1] as Buffer).subarray(0, 2000));
      expect(cut.status).toBe(422);
      expect((await json<ErrorBody>(cut)).code).toBe('FRAME_TRUNCATED');
      const oneBadOfTwo = await postFrames(deviceToken, push.pushId, [frames[2] as Buffer, Buffer.from('GIF89a not a jpeg')]);
      expect(oneBadOfTwo.status).toBe(415);
      expect((await json<ErrorBody>(oneBadOfTwo)).message).toMatch(/frame 2 of this request/);
      expect((await getPush(deviceToken, push.pushId)).frameCount).toBe(1);

      // a smaller picture (the device changed its resolution): fitted into 640x480
      const small = await ffmpeg.writeVideoFrames(fixture('vtest.avi'), join(workDir, 'small'), { startSec: 3, durationSec: 1, fps: 1, maxWidth: 320, maxFrames: 1 });
      expect((await postFrame(deviceToken, push.pushId, await readFile(small[0] as string))).status).toBe(200);
      expect(await getPush(deviceToken, push.pushId)).toMatchObject({ frameCount: 2, resizedFrames: 2, width: 640, height: 480 });

      // one push at a time per camera
      const second = await startPush(deviceToken, cameraId);
      expect(second.status).toBe(409);
      expect(await json<ErrorBody>(second)).toMatchObject({ code: 'PUSH_IN_PROGRESS', message: expect.stringMatching(/Doorbell ESP32/) });

      // too large a request: refused before it is read
      const huge = await postFrame(deviceToken, push.pushId, Buffer.alloc(9 * 1024 * 1024, 0xff));
      expect(huge.status).toBe(413);
      expect((await json<ErrorBody>(huge)).code).toBe('PUSH_TOO_LARGE');
      // too many frames (PUSH_MAX_FRAMES is 40 here): 39 more do not fit
      const many = await postFrames(deviceToken, push.pushId, [...frames, ...frames.slice(0, 9)]);
      expect(many.status).toBe(413);
      expect((await json<ErrorBody>(many)).code).toBe('PUSH_TOO_MANY_FRAMES');
      expect((await getPush(deviceToken, push.pushId)).frameCount).toBe(2);

      const finished = await json<PushView>(await finish(deviceToken, push.pushId));
      expect(finished).toMatchObject({ status: 'stored', frameCount: 2 });
      expect(finished.clip?.durationSec).toBeCloseTo(1, 0);
    });

    it('says what is wrong: finishing with no frames, a push never finished (expires, frames deleted), tokens and cameras', async () => {
      const empty = await json<PushView>(await startPush(deviceToken, cameraId));
      const nothing = await finish(deviceToken, empty.pushId);
      expect(nothing.status).toBe(422);
      expect(await json<ErrorBody>(nothing)).toMatchObject({ code: 'PUSH_EMPTY', message: expect.stringMatching(/POST at least one JPEG/) });

      // never finished: after PUSH_IDLE_SECONDS (6 s here) it expires and its frames are deleted
      expect((await postFrame(deviceToken, empty.pushId, frames[0] as Buffer)).status).toBe(200);
      expect(existsSync(join(platform.dataDir, 'pushes', empty.pushId, 'frame-000001.jpg'))).toBe(true);
      await waitFor('the idle push to expire', async () => (await getPush(deviceToken, empty.pushId)).status === 'expired', 30_000, 1_000);
      expect(existsSync(join(platform.dataDir, 'pushes', empty.pushId))).toBe(false);
      const late = await postFrame(deviceToken, empty.pushId, frames[1] as Buffer);
      expect(late.status).toBe(410);
      expect((await json<ErrorBody>(late)).code).toBe('PUSH_EXPIRED');

      // a push token works for its own camera only, and not after it is revoked
      const elsewhere = await startPush(deviceToken, otherCameraId);
      expect(elsewhere.status).toBe(404);
      expect((await json<ErrorBody>(elsewhere)).message).toMatch(/the one camera it was made for/);
      const revoked = await fetch(`${platform.urls.admin}/api/push-tokens/${deviceTokenId}`, { method: 'DELETE', headers: bearer(admin) });
      expect(revoked.status).toBe(200);
      const refused = await startPush(deviceToken, cameraId);
      expect(refused.status).toBe(401);
      expect((await json<ErrorBody>(refused)).code).toBe('PUSH_TOKEN_REVOKED');
      // the token is never shown again, and a device token opens nothing else
      const listed = await json<object[]>(await fetch(`${platform.urls.admin}/api/cameras/${cameraId}/push-tokens`, { headers: bearer(admin) }));
      expect(JSON.stringify(listed)).not.toContain(deviceToken);
      const fresh = await adminPost<{ token: string }>(`/api/cameras/${otherCameraId}/push-tokens`, { name: 'Porch unit' });
      expect((await fetch(chat('/api/cameras'), { headers: bearer(fresh.token) })).status).toBe(403);
      expect((await fetch(`${platform.urls.admin}/api/projects`, { headers: bearer(fresh.token) })).status).toBe(403);

      // a camera deleted while it receives frames: a clear answer, nothing half-stored
      const porch = await json<PushView>(await startPush(fresh.token, otherCameraId));
      expect((await postFrame(fresh.token, porch.pushId, frames[0] as Buffer)).status).toBe(200);
      const db = await openPlatformDatabase(platform.database);
      await db.getRepository(CameraEntity).delete({ id: otherCameraId });
      await db.destroy();
      const gone = await finish(fresh.token, porch.pushId);
      expect(gone.status).toBe(410);
      expect((await json<ErrorBody>(gone)).code).toBe('CAMERA_DELETED');
      expect(existsSync(join(platform.dataDir, 'pushes', porch.pushId))).toBe(false);
    });
  });
  describe('"Record from this browser" in the chat, with Chromium\'s fake webcam', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await chromium.launch({
        executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
      });
    });
    afterAll(async () => {
      await browser?.close();
    });

    it('records a few seconds from the webcam: frames go up as JPEGs, the clip plays in the dialog and appears in the thread', async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
      await page.goto(platform.urls.chat);
      await page.getByTestId('login-email').fill(platform.adminEmail);
      await page.getByTestId('login-password').fill(platform.adminPassword);
      await page.getByTestId('login-submit').click();
      await page.locator('[data-testid="camera-item"][data-camera-name="Doorbell"]').click();
      await page.getByTestId('thread').waitFor();

      await page.getByTestId('record-webcam').click();
      await page.getByTestId('webcam-dialog').waitFor();
      await expect.poll(() => page.getByTestId('webcam-preview').evaluate((v: HTMLVideoElement) => v.videoWidth), { timeout: 20_000 }).toBeGreaterThan(0);
      await page.getByTestId('webcam-fps').selectOption('5');
      await page.getByTestId('webcam-start').click();
      const sentFrames = async () => Number(/^(\d+)/.exec((await page.getByTestId('webcam-progress').textContent()) ?? '')?.[1] ?? 0);
      await expect.poll(sentFrames, { timeout: 30_000 }).toBeGreaterThanOrEqual(12);
      await page.screenshot({ path: join(tmpdir(), 'cm-intake-webcam-recording.png') });
      await page.getByTestId('webcam-stop').click();

      // the clip plays in the dialog: as long as the frames sent at 5 fps
      const clip = page.getByTestId('webcam-clip');
      await clip.waitFor({ timeout: 60_000 });
      const sent = await sentFrames();
      await expect.poll(() => clip.evaluate((v: HTMLVideoElement) => (v.readyState >= 1 ? v.duration : 0)), { timeout: 30_000 }).toBeGreaterThan(0);
      const duration = await clip.evaluate((v: HTMLVideoElement) => v.duration);
      expect(duration).toBeGreaterThanOrEqual(sent / 5 - 0.5);
      expect(duration).toBeLessThanOrEqual(sent / 5 + 1.5);
      await expect.poll(async () => (await page.getByTestId('webcam-status').textContent()) ?? '', { timeout: 120_000 }).toMatch(/Analysed/);

      // the camera's thread shows it, live over the socket
      const analysed = page.locator('[data-testid="message"][data-kind="system"]', { hasText: /Analysed "push-admin-\d{8}T\d{6}Z\.mp4"/ });
      await analysed.first().waitFor({ timeout: 60_000 });
      await page.screenshot({ path: join(tmpdir(), 'cm-intake-webcam-done.png') });
      await page.getByTestId('webcam-cancel').click();
      await page.close();
    });
  });

  describe('ONVIF discovery through the admin API', () => {
    const cameraUser = 'installer';
    const cameraPassword = 'gate-S3cret;$(reboot)';
    let rtsp: RunningRtspServer;
    let device: FakeOnvifDevice;
    const adminCall = (path: string, body: unknown) =>
      fetch(`${platform.urls.admin}${path}`, { method: 'POST', headers: bearer(admin, { 'content-type': 'application/json' }), body: JSON.stringify(body) });

    beforeAll(async () => {
      rtsp = await startRtspServer({ file: await cameraVideo({ seconds: 10, width: 640, height: 360 }), username: cameraUser, password: cameraPassword });
      device = await startFakeOnvifDevice({
        username: cameraUser,
        password: cameraPassword,
        name: 'Gate camera',
        hardware: 'FC-2000',
        profiles: [
          { token: 'main', name: 'MainStream', width: 1920, height: 1080, fps: 25, streamUri: rtsp.url, snapshotUri: `http://127.0.0.1:${rtsp.port}/snap.jpg` },
          { token: 'sub', name: 'SubStream', width: 640, height: 360, fps: 10, streamUri: `${rtsp.url}?sub` },
        ],
      });
    });
    afterAll(async () => {
      await device?.stop();
      await rtsp?.stop();
    });

    it('discovers the camera, reads its profiles with its password (401 when wrong), and makes a camera of it with main and sub stream', async () => {
      const found = await adminCall('/api/discovery/onvif', { address: `127.0.0.1:${device.discoveryPort}`, timeoutMs: 1500 });
      expect(found.status, await found.clone().text()).toBe(200);
      const { devices } = await json<{ devices: { address: string; name: string; hardware: string; needsCredentials: boolean }[] }>(found);
      expect(devices).toEqual([expect.objectContaining({ address: `127.0.0.1:${device.httpPort}`, name: 'Gate camera', hardware: 'FC-2000', needsCredentials: true })]);
      // this platform never probes the whole network (tests must not): it says what to give instead
      const network = await adminCall('/api/discovery/onvif', {});
      expect(network.status).toBe(400);
      expect((await json<ErrorBody>(network)).code).toBe('MULTICAST_DISCOVERY_OFF');

      const address = devices[0]?.address as string;
      const wrong = await adminCall('/api/discovery/onvif/inspect', { address, username: cameraUser, password: 'not-it' });
      expect(wrong.status).toBe(401);
      expect((await json<ErrorBody>(wrong)).code).toBe('ONVIF_UNAUTHORIZED');
      const inspected = await adminCall('/api/discovery/onvif/inspect', { address, username: cameraUser, password: cameraPassword });
      expect(inspected.status).toBe(200);
      const description = await json<{ mainProfileToken: string; subProfileToken: string; profiles: { token: string; width: number; height: number; encoding: string; streamUri: string }[] }>(inspected);
      expect(description).toMatchObject({ mainProfileToken: 'main', subProfileToken: 'sub' });
      expect(description.profiles).toEqual(expect.arrayContaining([expect.objectContaining({ token: 'main', width: 1920, height: 1080, encoding: 'H264', streamUri: rtsp.url })]));

      const created = await adminCall(`/api/projects/${projectId}/cameras/onvif`, { slug: 'gate', name: 'Gate', address, username: cameraUser, password: cameraPassword });
      const text = await created.clone().text();
      expect(created.status, text).toBe(201);
      expect(text).not.toContain(cameraPassword);
      const made = await json<{ camera: { id: string; slug: string }; source: Record<string, unknown> }>(created);
      expect(made.source).toMatchObject({ kind: 'rtsp', url: rtsp.url, subStreamUrl: `${rtsp.url}?sub`, transport: 'tcp', username: cameraUser, hasPassword: true });
      // stored as the recorder will read it: the password sealed, never in clear
      const db = await openPlatformDatabase(platform.database);
      const row = await db.getRepository(CameraEntity).findOneByOrFail({ id: made.camera.id });
      await db.destroy();
      expect(row).toMatchObject({ sourceKind: 'rtsp', sourceUrl: rtsp.url, subStreamUrl: `${rtsp.url}?sub`, sourceUsername: cameraUser });
      expect(row.sourcePasswordSealed).toMatch(/^v1\./);
      expect(row.sourcePasswordSealed).not.toContain(cameraPassword);

      // the installer's registry takes a discovered camera the same way
      const registered = await fetch(`${platform.urls.installer}/api/registry/cameras/onvif`, {
        method: 'POST',
        headers: bearer(admin, { 'content-type': 'application/json' }),
        body: JSON.stringify({ name: 'Gate (ONVIF)', address: device.deviceServiceUrl, username: cameraUser, password: cameraPassword, profileToken: 'sub' }),
      });
      const registeredText = await registered.clone().text();
      expect(registered.status, registeredText).toBe(201);
      expect(registeredText).not.toContain(cameraPassword);
      expect((await json<{ camera: { address: string; hasPassword: boolean; channel: string } }>(registered)).camera).toMatchObject({ address: `${rtsp.url}?sub`, hasPassword: true, channel: 'onvif' });

      // the password never reached a log
      expect(platform.output.join('\n')).not.toContain(cameraPassword);
    });

    it('the admin page finds the camera, reads its streams with the password and adds it (main and sub stream picked)', async () => {
      const browser = await launchChromium();
      try {
        const page = await openAdminPage(browser, { url: platform.urls.admin, email: platform.adminEmail, password: platform.adminPassword });
        await page.getByTestId('find-cameras').click();
        await page.getByTestId('onvif-probe-address').fill(`127.0.0.1:${device.discoveryPort}`);
        await page.getByTestId('onvif-search').click();
        await page.locator(`[data-testid="onvif-device"][data-address="127.0.0.1:${device.httpPort}"]`).click();
        await page.getByTestId('onvif-username').fill(cameraUser);
        await page.getByTestId('onvif-password').fill(cameraPassword);
        await page.getByTestId('onvif-read').click();
        await expect.poll(() => page.getByTestId('onvif-main-main').isChecked(), { timeout: 20_000 }).toBe(true);
        expect(await page.getByTestId('onvif-sub-sub').isChecked()).toBe(true);
        await page.getByTestId('onvif-project').selectOption({ label: 'Intake' });
        await page.getByTestId('onvif-name').fill('Gate from the page');
        await page.getByTestId('onvif-add').click();
        await expect.poll(async () => (await page.getByTestId('onvif-status').textContent()) ?? '', { timeout: 20_000 }).toMatch(/Added camera Gate from the page/);
        await page.screenshot({ path: join(tmpdir(), 'cm-intake-onvif-admin.png') });
      } finally {
        await browser.close();
      }
      const cameras = await json<{ slug: string; sourceKind: string; sourceUrl: string; subStreamUrl: string }[]>(await fetch(`${platform.urls.admin}/api/projects/${projectId}/cameras`, { headers: bearer(admin) }));
      expect(cameras.find((c) => c.slug === 'gate-from-the-page')).toMatchObject({ sourceKind: 'rtsp', sourceUrl: rtsp.url, subStreamUrl: `${rtsp.url}?sub` });
    });

    it('says what is wrong: nothing at the address, an unknown profile', async () => {
      const nothing = await adminCall('/api/discovery/onvif/inspect', { address: '127.0.0.1:9', username: cameraUser, password: cameraPassword });
      expect(nothing.status).toBe(502);
      expect((await json<ErrorBody>(nothing)).code).toBe('ONVIF_UNREACHABLE');
      const profile = await adminCall(`/api/projects/${projectId}/cameras/onvif`, { slug: 'gate-2', name: 'Gate 2', address: `127.0.0.1:${device.httpPort}`, username: cameraUser, password: cameraPassword, mainProfileToken: 'nope' });
      expect(profile.status).toBe(400);
      expect(await json<ErrorBody>(profile)).toMatchObject({ code: 'UNKNOWN_PROFILE', message: expect.stringMatching(/main, sub/) });
      const empty = await adminCall('/api/discovery/onvif', { address: `127.0.0.1:${device.httpPort}`, timeoutMs: 600 });
      expect(await json<{ devices: unknown[] }>(empty)).toEqual({ devices: [] });
    });
  });
});
