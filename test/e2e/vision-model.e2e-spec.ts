import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { createClient } from 'webdav';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completion, OpenAiCompatibleServer, receivedImages, receivedText, validDescription, type Reply } from '../support/openai-compatible.server.js';
import { fixture, login, startPlatform, startSmtpCapture, waitFor, type RunningPlatform } from '../support/platform.harness.js';

const MODEL_TITLE = 'Pedestrian crossing the square';
const SUMMARY = 'Today a few people crossed the square; nothing unusual happened.';

/**
 * A project with a vision model (an OpenAI-compatible server in the test): an uploaded clip's
 * event appears in the chat with its local text, then the same message is updated in place with
 * the model's title; the admin sees the tokens used; "what happened today?" is told by the model.
 */
describe('event descriptions by a vision model, live in the chat', () => {
  let platform: RunningPlatform;
  let smtp: Awaited<ReturnType<typeof startSmtpCapture>>;
  let browser: Browser;
  let token: string;
  let cameraId: string;
  let projectId: string;
  let releaseDescription: () => void = () => undefined;
  const descriptionReleased = new Promise<void>((resolve) => {
    releaseDescription = resolve;
  });
  const server = new OpenAiCompatibleServer(async (request): Promise<Reply> => {
    if (request.body.response_format?.json_schema?.name === 'period_summary') return completion({ summary: SUMMARY }, 300, 20);
    // hold the description back until the test has seen the local text in the browser
    await descriptionReleased;
    return completion(validDescription({ title: MODEL_TITLE, threatLevel: 'low' }), 1800, 90);
  });

  const api = async <T>(base: string, path: string, init: { method?: string; body?: unknown } = {}): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${base}${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
  };

  beforeAll(async () => {
    await server.start();
    smtp = await startSmtpCapture();
    platform = await startPlatform({ portBase: 26000, env: { SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, MAIL_FROM: 'Cameramonit <cm@e2e.test>' } });
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    token = await login(platform.urls.chat, platform.adminEmail, platform.adminPassword);
    const cameras = (await api<{ id: string; name: string }[]>(platform.urls.chat, '/api/cameras')).body;
    cameraId = cameras.find((c) => c.name === 'demo')?.id ?? '';
    const projects = (await api<{ id: string; slug: string }[]>(platform.urls.admin, '/api/projects')).body;
    projectId = projects.find((p) => p.slug === 'demo')?.id ?? '';
  });

  afterAll(async () => {
    releaseDescription();
    await browser?.close();
    await platform?.stop();
    await smtp?.close();
    await server.close();
  });

  it('lets the admin connect the project to the model; the key is write-only', async () => {
    const refused = await api<{ message: string }>(platform.urls.admin, `/api/projects/${projectId}/integrations/vision-model`, { method: 'PUT', body: { baseUrl: 'ftp://x/v1', model: 'llava' } });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toMatch(/http:\/\/ or https:\/\//);

    const put = await api<Record<string, unknown>>(platform.urls.admin, `/api/projects/${projectId}/integrations/vision-model`, {
      method: 'PUT',
      body: { baseUrl: `${server.baseUrl}/`, model: 'llava-e2e', apiKey: 'sk-e2e-secret-key', options: { maxImages: 3 } },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ baseUrl: server.baseUrl, model: 'llava-e2e', hasApiKey: true, enabled: true, options: { maxImages: 3, timeoutSec: 60, maxAttempts: 3 } });
    const read = await api<Record<string, unknown>>(platform.urls.admin, `/api/projects/${projectId}/integrations/vision-model`);
    expect(read.body).toMatchObject({ hasApiKey: true, model: 'llava-e2e' });
    expect(JSON.stringify([put.body, read.body])).not.toContain('sk-e2e-secret-key');

    // the supervisor's name for a known object goes into the prompt
    const named = await api<{ id: string }>(platform.urls.chat, `/api/cameras/${cameraId}/names`, { method: 'POST', body: { name: 'the night guard', label: 'person', description: 'high-visibility vest' } });
    expect(named.status).toBe(201);
  });

  it('shows the local text first, then updates the same message in place with the model title', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(platform.urls.chat);
    await page.getByTestId('login-email').fill(platform.adminEmail);
    await page.getByTestId('login-password').fill(platform.adminPassword);
    await page.getByTestId('login-submit').click();
    await page.locator('[data-testid="camera-item"][data-camera-name="demo"]').click();
    await page.getByTestId('thread').waitFor();

    const clip = join(mkdtempSync(join(tmpdir(), 'cm-vlm-')), 'square.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-ss', '20', '-i', fixture('vtest.avi'), '-t', '4', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', clip]);
    const dav = createClient(platform.urls.webdav, { username: platform.adminEmail, password: platform.adminPassword });
    await dav.putFileContents('/demo/demo/upload/square.mp4', readFileSync(clip), { overwrite: true });

    // the event arrives with the local text, while the model is still thinking
    const eventMessage = page.locator('[data-testid="message"][data-kind="event"]').first();
    await eventMessage.waitFor({ timeout: 240_000 });
    const messageId = (await eventMessage.getAttribute('data-message-id')) ?? '';
    expect(await eventMessage.getByTestId('event-summary').textContent()).toMatch(/person|people/i);
    expect(await eventMessage.getByTestId('event-title').isHidden()).toBe(true);
    await waitFor('the model request', async () => server.requests.length > 0, 60_000, 200);
    // mark the element, to prove the update does not replace it
    await eventMessage.evaluate((node) => node.setAttribute('data-seen-before-update', 'yes'));

    releaseDescription();
    const sameMessage = page.locator(`[data-message-id="${messageId}"]`);
    await expect.poll(() => sameMessage.getByTestId('event-title').textContent(), { timeout: 60_000 }).toBe(MODEL_TITLE);
    expect(await sameMessage.count()).toBe(1);
    expect(await sameMessage.getAttribute('data-seen-before-update')).toBe('yes');
    expect(await sameMessage.getByTestId('event-summary').textContent()).toMatch(/dark coat/);
    expect(await sameMessage.getByTestId('event-threat').textContent()).toBe('low threat');
    expect(await sameMessage.getByTestId('event-animation').count()).toBe(1);
    expect(await sameMessage.getByTestId('play-clip').count()).toBe(1);
    await page.screenshot({ path: `${platform.dataDir}/../cm-e2e-described.png` }).catch(() => undefined);

    // what the model received: the key, the name, JPEG crops and the context frame, downscaled
    const request = server.requests.find((r) => r.body.response_format?.json_schema?.name === 'event_description');
    expect(request?.authorization).toBe('Bearer sk-e2e-secret-key');
    expect(request?.body.model).toBe('llava-e2e');
    expect(receivedText(request!)).toContain('"the night guard" (person): high-visibility vest');
    const images = receivedImages(request!);
    expect(images.length).toBeGreaterThanOrEqual(2);
    expect(images.length).toBeLessThanOrEqual(3);
    expect(images.every((i) => i.mime === 'image/jpeg')).toBe(true);
    expect(images.slice(0, -1).every((i) => Math.max(i.width, i.height) <= 384)).toBe(true);
    expect(images.at(-1)).toMatchObject({ width: 768, height: 576 });

    // after a reload the thread shows the description too
    await page.reload();
    await page.locator('[data-testid="camera-item"][data-camera-name="demo"]').click();
    await expect.poll(() => page.locator(`[data-message-id="${messageId}"]`).getByTestId('event-title').textContent(), { timeout: 30_000 }).toBe(MODEL_TITLE);
    await page.close();
  });

  it('puts the description in the events API and the tokens in the usage API', async () => {
    const events = (await api<{ id: string; title: string | null; description: string | null; descriptionStatus: string; threatLevel: string | null; summary: string }[]>(platform.urls.chat, `/api/cameras/${cameraId}/events`)).body;
    const described = events.find((e) => e.descriptionStatus === 'done');
    expect(described).toMatchObject({ title: MODEL_TITLE, threatLevel: 'low' });
    expect(described?.summary).toMatch(/person|people/i); // the local text is kept
    await waitFor('every event described', async () => {
      const all = (await api<{ descriptionStatus: string }[]>(platform.urls.chat, `/api/cameras/${cameraId}/events`)).body;
      return all.every((e) => e.descriptionStatus === 'done');
    }, 60_000);
    const usage = (await api<{ totals: { calls: number; promptTokens: number; completionTokens: number }; byOutcome: Record<string, number> }>(platform.urls.admin, `/api/projects/${projectId}/usage`)).body;
    expect(usage.totals.calls).toBe(events.length);
    expect(usage.totals.promptTokens).toBe(1800 * events.length);
    expect(usage.byOutcome).toEqual({ ok: events.length });
  });

  it('answers "what happened today?" with the summary the model wrote', async () => {
    const answer = (await api<{ answer: string; events: unknown[] }>(platform.urls.chat, `/api/cameras/${cameraId}/questions`, { method: 'POST', body: { text: 'what happened today?' } })).body;
    expect(answer.answer).toBe(SUMMARY);
    expect(answer.events.length).toBeGreaterThan(0);
  });

  it('emails each event once: an update sends no second email', async () => {
    const events = (await api<{ id: string }[]>(platform.urls.chat, `/api/cameras/${cameraId}/events`)).body;
    await waitFor('the event emails', async () => smtp.mails.length >= events.length, 60_000);
    const mails = smtp.mails.map((m) => m.raw.replace(/=\r?\n/g, ''));
    for (const event of events) expect(mails.filter((raw) => raw.includes(`/events/${event.id}`)).length, event.id).toBe(1);
  });
});
