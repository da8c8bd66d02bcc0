import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { In, IsNull, type DataSource } from 'typeorm';
import { ClipEntity, openPlatformDatabase } from '@cameramonit/db';
import { launchChromium, openAdminPage } from '../support/browser.js';
import { login, startPlatform, waitFor, type RunningPlatform } from '../support/platform.harness.js';
import { freePort } from '../support/rtsp-server.js';
import { startWebcamVm, type RunningWebcamVm } from '../support/webcam-vm.js';

interface RecorderListItem {
  id: string;
  url: string;
  hostname: string;
  online: boolean;
  cameras: number;
  devices: { path: string; name: string }[];
}
interface CameraView {
  id: string;
  source: { kind: string; url: string | null; recorder: string | null };
  recording: { state: string; message: string | null; width: number | null; height: number | null; codec: string | null } | null;
}

/** From inside the webcam's machine, this machine is 10.0.2.2. */
const fromGuest = (url: string) => url.replace(/^([a-z]+:\/\/(?:[^@/]*@)?)(127\.0\.0\.1|localhost)(?=[:/]|$)/, (_all, scheme: string) => `${scheme}10.0.2.2`);

/**
 * A webcam plugged into another machine than the server (docs/live-cameras.md, "Several
 * recorders"): the platform runs here; a virtual machine with Linux's virtual webcam (vivid,
 * /dev/video0, a real V4L2 capture device) runs a second recorder, RECORDER_ID=front-desk, that
 * reaches the platform's MariaDB, broker and storage over the network. The webcam is added as "0"
 * (the exivium seed's way of naming it), recorded by that machine's recorder, watched live through
 * the chat, and a second camera on the same busy device gets a clear status.
 */
describe.skipIf(!process.env.TEST_DATABASE_URL)('a webcam on another machine, recorded by its own recorder', () => {
  let platform: RunningPlatform;
  let vm: RunningWebcamVm;
  let admin: string;
  let db: DataSource;
  let projectId: string;
  let webcamId: string;
  let vmRecorderUrl: string;

  const bearer = () => ({ authorization: `Bearer ${admin}` });
  const adminCall = async (method: string, path: string, body?: object): Promise<Response> =>
    fetch(`${platform.urls.admin}${path}`, { method, headers: { ...bearer(), 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
  const camera = async (id: string): Promise<CameraView> => (await (await adminCall('GET', `/api/cameras/${id}`)).json()) as CameraView;
  const recorders = async (): Promise<RecorderListItem[]> => (await (await adminCall('GET', '/api/recorders')).json()) as RecorderListItem[];
  const vmOutput = () => vm.output.slice(-60).join('\n');

  beforeAll(async () => {
    // a recorder not heard of for 20 s (the least) is lost: its cameras go offline
    platform = await startPlatform({ portBase: 25000, env: { RECORDER_LOST_SECONDS: '20' } });
    admin = await login(platform.urls.chat, platform.adminEmail, platform.adminPassword);
    db = await openPlatformDatabase(platform.database);
    const project = await adminCall('POST', '/api/projects', { slug: 'office', name: 'Office' });
    expect(project.status, await project.clone().text()).toBe(201);
    projectId = ((await project.json()) as { id: string }).id;

    const secrets = JSON.parse(readFileSync(join(platform.dataDir, 'secrets.json'), 'utf8')) as { JWT_SECRET: string; SECRETS_KEY: string };
    const forwarded = await freePort();
    vmRecorderUrl = `http://127.0.0.1:${forwarded}`;
    vm = await startWebcamVm({
      forwards: [{ hostPort: forwarded, guestPort: 3004 }],
      env: {
        RECORDER_ID: 'front-desk',
        RECORDER_PORT: '3004',
        BIND_HOST: '0.0.0.0',
        RECORDER_PUBLIC_URL: vmRecorderUrl,
        DATA_DIR: '/run/recorder',
        JWT_SECRET: secrets.JWT_SECRET,
        SECRETS_KEY: secrets.SECRETS_KEY,
        DATABASE_URL: fromGuest(platform.env.DATABASE_URL as string),
        MQTT_URL: fromGuest(platform.env.MQTT_URL ?? `mqtt://127.0.0.1:${platform.ports.mqtt}`),
        ...(platform.env.INSTANCE_ID ? { INSTANCE_ID: platform.env.INSTANCE_ID } : {}),
        STORAGE_URL: fromGuest(platform.urls.storage),
        LOG_LEVEL: 'log',
      },
      command: 'exec node apps/recorder/dist/main.js',
    });
  }, 300_000);

  afterAll(async () => {
    await vm?.stop();
    await db?.destroy();
    await platform?.stop();
  });

  it("the webcam machine's recorder says it is there, with its webcam, beside the main recorder", async () => {
    const seen = await waitFor(
      'the recorder front-desk in GET /api/recorders',
      // a machine whose command ended will not come: say so at once
      async () => (!vm.running() ? 'the webcam machine stopped' : ((await recorders()).find((r) => r.id === 'front-desk' && r.online) ?? null)),
      240_000,
      1000,
    ).catch((error: Error) => error.message);
    if (typeof seen === 'string') throw new Error(`${seen}\n--- the webcam machine said:\n${vmOutput()}`);
    const front = seen;
    expect(front).toMatchObject({ url: vmRecorderUrl, cameras: 0 });
    // vivid's capture node; its output and metadata nodes do not capture video and are not offered
    expect(front.devices).toEqual([{ path: '/dev/video0', name: expect.stringMatching(/vivid.*vid-cap/) }]);
    const all = await recorders();
    expect(all[0]).toMatchObject({ id: 'main', online: true });
  });

  it("is added on the admin page by picking that machine's recorder and its webcam; recorded there: clips in storage, its state and picture size, a note in its thread; the main recorder leaves it alone", async () => {
    const browser = await launchChromium();
    try {
      const page = await openAdminPage(browser, { url: platform.urls.admin, email: platform.adminEmail, password: platform.adminPassword });
      await page.locator(`[data-testid="add-camera"][data-project-id="${projectId}"]`).click();
      await page.getByTestId('new-camera-name').fill('Front desk');
      await page.getByTestId('source-kind').selectOption('webcam');
      await expect.poll(() => page.getByTestId('source-recorder').locator('option').allTextContents(), { timeout: 10_000 }).toEqual(['main', 'front-desk (webcam-vm)']);
      // the main recorder's machine has no webcam; the desk machine has one
      expect(await page.getByTestId('source-device').locator('option').allTextContents()).toEqual([expect.stringMatching(/^no webcam on /)]);
      await page.getByTestId('source-recorder').selectOption('front-desk');
      expect(await page.getByTestId('source-device').locator('option').allTextContents()).toEqual(['pick a webcam…', expect.stringMatching(/^vivid-000-vid-cap \(\/dev\/video0\)$/)]);
      await page.getByTestId('source-device').selectOption('/dev/video0');
      expect(await page.getByTestId('source-url').inputValue()).toBe('/dev/video0');
      // a small picture at 10 frames a second, asked of the device
      await page.getByTestId('source-capture-size').fill('320x180');
      await page.getByTestId('source-capture-fps').fill('10');
      await page.getByTestId('new-camera-save').click();
      const item = page.locator('[data-testid="camera-item"]', { hasText: 'Front desk' });
      await item.waitFor({ timeout: 15_000 });
      webcamId = (await item.getAttribute('data-camera-id')) as string;
    } finally {
      await browser.close();
    }
    expect((await camera(webcamId)).source).toMatchObject({ kind: 'webcam', url: '/dev/video0', recorder: 'front-desk', captureSize: '320x180', captureFps: 10 });

    const clips = await waitFor(
      'three clips of the webcam',
      async () => {
        const found = await db.getRepository(ClipEntity).find({ where: { cameraId: webcamId, source: 'recording', deletedAt: IsNull() }, order: { startedAt: 'ASC' } });
        return found.length >= 3 ? found : null;
      },
      240_000,
      1000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n--- the webcam machine said:\n${vmOutput()}`);
    });
    for (const clip of clips.slice(1)) {
      // clips of the camera's 5 s, cut at the key frame (one a second) after it
      expect(clip.durationSec).toBeGreaterThan(4);
      expect(clip.durationSec).toBeLessThan(7.5);
      // as asked of the device
      expect([clip.width, clip.height]).toEqual([320, 180]);
    }
    // one after the other, without a hole
    for (let i = 1; i < clips.length; i++) {
      const previous = clips[i - 1] as ClipEntity;
      const gap = ((clips[i] as ClipEntity).startedAt.getTime() - previous.startedAt.getTime()) / 1000 - (previous.durationSec ?? 0);
      expect(Math.abs(gap)).toBeLessThan(1);
    }
    const view = await waitFor('the webcam online', async () => {
      const current = await camera(webcamId);
      return current.recording?.state === 'online' ? current : null;
    });
    expect(view.recording).toMatchObject({ codec: expect.stringMatching(/^avc1\./), width: clips[1]?.width, height: clips[1]?.height });
    expect((await recorders()).find((r) => r.id === 'front-desk')?.cameras).toBe(1);
    // the recorder on the webcam's machine records it; the main one does not
    expect((await fetch(`${vmRecorderUrl}/api/cameras/${webcamId}/recording`, { headers: bearer() }).then((r) => r.json())) as { state: string }).toMatchObject({ state: 'online' });
    expect((await fetch(`${platform.urls.recorder}/api/cameras/${webcamId}/recording`, { headers: bearer() })).status).toBe(404);
    const thread = await waitFor('"Recording started" in the webcam\'s thread', async () => {
      const response = await fetch(`${platform.urls.chat}/api/cameras/${webcamId}/thread?limit=50`, { headers: bearer() });
      const messages = ((await response.json()) as { messages: { text: string }[] }).messages;
      return messages.some((m) => /Recording started/.test(m.text)) ? messages : null;
    }, 60_000);
    expect(thread.filter((m) => /Recording started/.test(m.text))).toHaveLength(1);
  });

  it("plays the webcam live through the chat, which asks the webcam machine's recorder", async () => {
    const abort = new AbortController();
    const response = await fetch(`${platform.urls.chat}/api/cameras/${webcamId}/live.mp4`, { headers: bearer(), signal: abort.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-codec')).toMatch(/^avc1\./);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let bytes = Buffer.alloc(0);
    const deadline = Date.now() + 20_000;
    // the init segment (ftyp, moov), then a fragment of picture (moof, mdat)
    while (!bytes.includes(Buffer.from('mdat')) && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      bytes = Buffer.concat([bytes, Buffer.from(value)]);
    }
    abort.abort();
    expect(bytes.subarray(4, 8).toString()).toBe('ftyp');
    expect(bytes.includes(Buffer.from('moof'))).toBe(true);
    expect(bytes.includes(Buffer.from('mdat'))).toBe(true);
  });

  it('a second camera on the busy webcam, and one on a device that is not there, get a clear status instead of clips', async () => {
    const ids: string[] = [];
    // "0": the exivium seed's way of naming the first webcam
    for (const [slug, url] of [['desk-again', '0'], ['no-such', '/dev/video7']]) {
      const created = await adminCall('POST', `/api/projects/${projectId}/cameras`, { slug, name: slug, bufferSeconds: 5, source: { kind: 'webcam', url, recorder: 'front-desk' } });
      expect(created.status, await created.clone().text()).toBe(201);
      const view = (await created.json()) as CameraView;
      expect(view.source.url).toBe(url === '0' ? '/dev/video0' : url);
      ids.push(view.id);
    }
    const statusOf = (id: string) =>
      waitFor(`a status for camera ${id}`, async () => {
        const current = await camera(id);
        return current.recording && !['starting', 'online'].includes(current.recording.state) ? current.recording : null;
      }, 120_000, 1000);
    expect(await statusOf(ids[0] as string)).toMatchObject({ state: 'offline', message: expect.stringMatching(/the webcam is in use by another program, or by another camera of this recorder/) });
    expect(await statusOf(ids[1] as string)).toMatchObject({ state: 'offline', message: expect.stringMatching(/there is no such video device on the recorder's machine: is the webcam plugged in\?/) });
    expect(await db.getRepository(ClipEntity).countBy({ cameraId: In(ids) })).toBe(0);
    // the first camera goes on recording
    expect((await camera(webcamId)).recording?.state).toBe('online');
    // the second would take the webcam whenever the first lets it go (it keeps trying): deleted
    expect((await adminCall('DELETE', `/api/cameras/${ids[0]}`)).status).toBe(204);
  });

  it('moved to the main recorder, the webcam is let go on its machine and tried on the server, which has no such device; moved back, it records there again', async () => {
    const moved = await adminCall('PATCH', `/api/cameras/${webcamId}/source`, { recorder: null });
    expect(moved.status, await moved.clone().text()).toBe(200);
    await waitFor('the webcam machine to let the camera go', async () => (await fetch(`${vmRecorderUrl}/api/cameras/${webcamId}/recording`, { headers: bearer() })).status === 404, 60_000, 1000);
    const status = await waitFor('the main recorder to try the camera', async () => {
      const response = await fetch(`${platform.urls.recorder}/api/cameras/${webcamId}/recording`, { headers: bearer() });
      const view = response.ok ? ((await response.json()) as { state: string; message: string | null }) : null;
      return view && view.state !== 'starting' ? view : null;
    }, 60_000, 1000);
    expect(status).toMatchObject({ state: 'offline', message: expect.stringMatching(/no such video device on the recorder's machine/) });
    expect((await recorders()).find((r) => r.id === 'front-desk')?.cameras).toBe(1);

    const back = await adminCall('PATCH', `/api/cameras/${webcamId}/source`, { recorder: 'front-desk' });
    expect(back.status, await back.clone().text()).toBe(200);
    await waitFor('the webcam recorded on its machine again', async () => (await camera(webcamId)).recording?.state === 'online', 60_000, 1000);
    expect((await fetch(`${platform.urls.recorder}/api/cameras/${webcamId}/recording`, { headers: bearer() })).status).toBe(404);
  });

  it('the webcam machine switched off: the main recorder sees its recorder gone and says the webcam is offline, once, in its thread', async () => {
    await vm.stop();
    const view = await waitFor('the webcam offline', async () => {
      const current = await camera(webcamId);
      return current.recording?.state === 'offline' ? current : null;
    }, 90_000, 1000);
    expect(view.recording?.message).toMatch(/its recorder front-desk \(webcam-vm\) stopped answering \(is that machine on, and on the network\?\)/);
    expect((await recorders()).find((r) => r.id === 'front-desk')).toMatchObject({ online: false });
    const offline = await waitFor('"Camera offline" in the webcam\'s thread', async () => {
      const response = await fetch(`${platform.urls.chat}/api/cameras/${webcamId}/thread?limit=50`, { headers: bearer() });
      const messages = ((await response.json()) as { messages: { text: string }[] }).messages;
      const notes = messages.filter((m) => /^Camera offline/.test(m.text) && /stopped answering/.test(m.text));
      return notes.length > 0 ? notes : null;
    }, 30_000);
    // the main recorder looks every 5 s: said once, not every time
    await new Promise((resolve) => setTimeout(resolve, 11_000));
    const response = await fetch(`${platform.urls.chat}/api/cameras/${webcamId}/thread?limit=50`, { headers: bearer() });
    const messages = ((await response.json()) as { messages: { text: string }[] }).messages;
    expect(messages.filter((m) => /stopped answering/.test(m.text))).toHaveLength(offline.length);
    expect(offline).toHaveLength(1);
  });
});
