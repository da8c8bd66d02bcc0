import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { createClient } from 'webdav';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, login, startPlatform, startSmtpCapture, waitFor, type RunningPlatform } from '../support/platform.harness.js';

interface EventView {
  id: string;
  label: string;
  kind: string;
  summary: string;
  animationUrl: string | null;
  snapshotUrl: string | null;
  clipUrl: string | null;
  clipOffsetSec: number;
  startedAt: string;
  endedAt: string;
}

/**
 * Roadmap stage 1, as a user does it: upload vtest.avi over WebDAV into the demo camera, watch
 * the person event with its animation arrive in the camera's chat in a real browser, ask the
 * camera a question, and receive the email.
 */
describe('upload a video, read it in the chat, get an email', () => {
  let platform: RunningPlatform;
  let smtp: Awaited<ReturnType<typeof startSmtpCapture>>;
  let browser: Browser;
  let token: string;
  let cameraId: string;

  beforeAll(async () => {
    smtp = await startSmtpCapture();
    // two video-to-text workers share the clips (VIDEO_TO_TEXT_WORKERS)
    platform = await startPlatform({ portBase: 21000, env: { SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, MAIL_FROM: 'Cameramonit <cm@e2e.test>', VIDEO_TO_TEXT_WORKERS: '2' } });
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    token = await login(platform.urls.chat, platform.adminEmail, platform.adminPassword);
  });

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
    await smtp?.close();
  });

  it('lists the demo camera for the first admin', async () => {
    const cameras = (await (await fetch(`${platform.urls.chat}/api/cameras`, { headers: { authorization: `Bearer ${token}` } })).json()) as { id: string; name: string }[];
    const demo = cameras.find((c) => c.name === 'demo');
    expect(demo).toBeDefined();
    cameraId = (demo as { id: string }).id;
  });

  it('runs the video-to-text workers VIDEO_TO_TEXT_WORKERS asks for, each a process of its own on its own port', async () => {
    const health = async (port: number) => (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { status: string; pid: number };
    const first = await health(platform.ports.videoToText);
    const second = await health(platform.ports.videoToText + 100);
    expect(second.status).toBe(first.status);
    expect(second.pid).not.toBe(first.pid);
    await waitFor('the second worker to load its detector', async () => platform.output.some((line) => line.startsWith('video-to-text-2') && line.includes('Object detector loaded')), 60_000);
  });

  it('analyses a WebDAV upload and shows the person event live in the browser, with its animation', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(platform.urls.chat);
    await page.getByTestId('login-email').fill(platform.adminEmail);
    await page.getByTestId('login-password').fill(platform.adminPassword);
    await page.getByTestId('login-submit').click();
    await page.locator('[data-testid="camera-item"][data-camera-name="demo"]').click();
    await page.getByTestId('thread').waitFor();

    const dav = createClient(platform.urls.webdav, { username: platform.adminEmail, password: platform.adminPassword });
    await dav.putFileContents('/demo/demo/upload/vtest.avi', readFileSync(fixture('vtest.avi')), { overwrite: true });

    // the event arrives over the socket while the page is open
    const personEvent = page.locator('[data-testid="message"][data-kind="event"]', { hasText: /person|people/i }).first();
    await personEvent.waitFor({ timeout: 240_000 });
    const animation = personEvent.getByTestId('event-animation');
    await expect.poll(() => animation.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: 30_000 }).toBeGreaterThan(100);
    await page.screenshot({ path: `${platform.dataDir}/../cm-e2e-thread.png` }).catch(() => undefined);

    // the API agrees: person events with a snapshot, a GIF and a playable clip
    const events = (await (await fetch(`${platform.urls.chat}/api/cameras/${cameraId}/events?label=person`, { headers: { authorization: `Bearer ${token}` } })).json()) as EventView[];
    expect(events.length).toBeGreaterThan(0);
    const event = events[0] as EventView;
    expect(event.summary).toMatch(/person|people/i);
    const gif = await fetch(`${platform.urls.chat}${event.animationUrl}`);
    expect(gif.headers.get('content-type')).toBe('image/gif');
    expect(Buffer.from(await gif.arrayBuffer()).subarray(0, 6).toString('latin1')).toMatch(/^GIF8[79]a$/);
    const clip = await fetch(`${platform.urls.chat}${event.clipUrl}`, { headers: { range: 'bytes=0-1023' } });
    expect(clip.status).toBe(206);
    expect(clip.headers.get('content-type')).toBe('video/mp4');
    // the parked van is known but not announced
    const all = (await (await fetch(`${platform.urls.chat}/api/cameras/${cameraId}/events?limit=500`, { headers: { authorization: `Bearer ${token}` } })).json()) as EventView[];
    expect(all.filter((e) => e.label === 'truck' || e.label === 'car').length).toBeLessThanOrEqual(1);
    await page.close();
  });

  it('answers questions in the thread, in English and in Polish, with animations', async () => {
    const page = await browser.newPage();
    await page.goto(platform.urls.chat);
    await page.getByTestId('login-email').fill(platform.adminEmail);
    await page.getByTestId('login-password').fill(platform.adminPassword);
    await page.getByTestId('login-submit').click();
    await page.locator('[data-testid="camera-item"][data-camera-name="demo"]').click();
    await page.getByTestId('question-input').fill('what happened in the last hour?');
    await page.getByTestId('question-send').click();
    const answer = page.locator('[data-testid="message"][data-kind="answer"]').last();
    await answer.waitFor({ timeout: 30_000 });
    await expect.poll(() => answer.textContent()).toMatch(/in the last hour.*\d+ event/is);
    expect(await answer.getByTestId('event-animation').count()).toBeGreaterThan(0);

    const polish = (await (
      await fetch(`${platform.urls.chat}/api/cameras/${cameraId}/questions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'ile osób przeszło?' }),
      })
    ).json()) as { answer: string; events: EventView[] };
    expect(polish.answer).toMatch(/\d+ os(oba|oby|ób)/);
    expect(polish.events.length).toBeGreaterThan(0);
    await page.close();
  });

  it('takes a video dropped onto the thread, shows upload progress and reports the analysis', async () => {
    const short = join(mkdtempSync(join(tmpdir(), 'cm-drop-')), 'dropped.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-ss', '20', '-i', fixture('vtest.avi'), '-t', '4', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', short]);
    const page = await browser.newPage();
    await page.goto(platform.urls.chat);
    await page.getByTestId('login-email').fill(platform.adminEmail);
    await page.getByTestId('login-password').fill(platform.adminPassword);
    await page.getByTestId('login-submit').click();
    await page.locator('[data-testid="camera-item"][data-camera-name="demo"]').click();
    await page.getByTestId('thread').waitFor();
    const dataTransfer = await page.evaluateHandle((base64: string) => {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], 'dropped.mp4', { type: 'video/mp4' }));
      return transfer;
    }, readFileSync(short).toString('base64'));
    for (const type of ['dragenter', 'dragover', 'drop']) await page.dispatchEvent('#thread-wrap', type, { dataTransfer });
    await expect.poll(() => page.getByTestId('upload-progress').textContent(), { timeout: 30_000 }).toMatch(/dropped\.mp4/);
    await page.locator('[data-testid="message"]', { hasText: /Analysed "dropped\.mp4"/ }).waitFor({ timeout: 120_000 });
    await page.close();
  });

  it('documents the API in OpenAPI', async () => {
    const spec = (await (await fetch(`${platform.urls.chat}/api/docs/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    for (const [path, method] of [
      ['/api/auth/login', 'post'],
      ['/api/cameras', 'get'],
      ['/api/cameras/{id}/events', 'get'],
      ['/api/cameras/{id}/questions', 'post'],
      ['/api/cameras/{id}/uploads', 'post'],
    ] as const) {
      expect(spec.paths[path]?.[method], `${method} ${path}`).toBeDefined();
    }
    expect((await fetch(`${platform.urls.chat}/api/docs`)).status).toBe(200);
  });

  it('emails the subscriber with the snapshot and a link to the event in the chat', async () => {
    const mail = await waitFor('an event email', async () => smtp.mails.find((m) => m.to.includes(platform.adminEmail) && /person|people/i.test(m.raw)));
    expect(mail.raw).toMatch(/^Subject: .*\[demo\]/m);
    expect(mail.raw).toMatch(/Content-Type: image\/jpeg/i);
    const link = new RegExp(`${platform.urls.chat.replace(/[.:/]/g, '\\$&')}/#/cameras/${cameraId}/events/[0-9a-f-]{36}`);
    expect(mail.raw.replace(/=\r?\n/g, '')).toMatch(link);
  });
});
