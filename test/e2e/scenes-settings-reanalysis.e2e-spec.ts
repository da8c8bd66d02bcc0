import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { connectAsync } from 'mqtt';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Topics, type ClipStoredPayload } from '@cameramonit/contracts';
import { ClipEntity, openPlatformDatabase } from '@cameramonit/db';
import { fixture, login, repoRoot, startPlatform, startSmtpCapture, waitFor, type RunningPlatform } from '../support/platform.harness.js';

interface Analysis {
  clipId: string;
  status: string;
  errorCode: string | null;
  workerId: string | null;
  settings: string | null;
  sceneState: string | null;
}
interface EventView {
  id: string;
  label: string;
  kind: string;
  startedAt: string;
  endedAt: string;
  summary: string;
}
interface Message {
  id: string;
  kind: string;
  text: string;
}
interface Reanalysis {
  id: string;
  status: string;
  progress: number;
  clipsDone: number;
  report: { removed: EventView[]; added: EventView[]; before: Record<string, number>; after: Record<string, number>; settings: { classes: string[] } } | null;
}

const PIECE_SEC = 5;

/**
 * How the platform runs the engine: per-camera settings from the admin page, recorded clips that
 * follow each other analysed by two worker processes as one scene (an event crossing a boundary
 * is one event, updated in place, emailed once), a clip that cannot be analysed failing on its
 * own, and a re-analysis with changed settings reporting what went away.
 */
describe('recorded clips across workers, per-camera settings, re-analysis', () => {
  let platform: RunningPlatform;
  let smtp: Awaited<ReturnType<typeof startSmtpCapture>>;
  let browser: Browser;
  let secondWorker: ChildProcess;
  const secondWorkerOutput: string[] = [];
  let token: string;
  let serviceToken: string;
  let cameraId: string;
  const work = mkdtempSync(join(tmpdir(), 'cm-scenes-'));
  const pieces = [0, 1, 2, 3, 4].map((i) => join(work, `piece-${i}.mp4`));
  const audioOnly = join(work, 'audio-only.m4a');
  // a recording that started two minutes ago, in 5 s pieces; an audio-only clip of 2 s just before the first piece
  const t0 = new Date(Math.floor(Date.now() / 1000) * 1000 - 120_000);
  const pieceStart = (i: number) => new Date(t0.getTime() + 2000 + i * PIECE_SEC * 1000);

  const get = async <T>(url: string): Promise<T> => {
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  const analyses = () => get<Analysis[]>(`${platform.urls.videoToText}/api/analyses`);
  const events = () => get<EventView[]>(`${platform.urls.chat}/api/cameras/${cameraId}/events?limit=500`);
  const thread = async () => (await get<{ messages: Message[] }>(`${platform.urls.chat}/api/cameras/${cameraId}/thread?limit=200`)).messages;
  const putRecording = (file: string, startedAt: Date) =>
    fetch(`${platform.urls.storage}/recordings/demo/demo/piece.mp4?startedAt=${encodeURIComponent(startedAt.toISOString())}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${serviceToken}`, 'content-type': 'application/octet-stream' },
      body: readFileSync(file),
    });
  const analysisOf = async (clipId: string) => (await analyses()).find((a) => a.clipId === clipId);
  const doneOrFailed = (clipId: string) => waitFor(`the analysis of ${clipId}`, async () => {
    const found = await analysisOf(clipId);
    return found && ['done', 'failed'].includes(found.status) ? found : null;
  });

  beforeAll(async () => {
    for (const [i, piece] of pieces.entries()) {
      execFileSync('ffmpeg', ['-v', 'error', '-y', '-ss', String(10 + i * PIECE_SEC), '-i', fixture('vtest.avi'), '-t', String(PIECE_SEC), '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '10', '-pix_fmt', 'yuv420p', piece]);
    }
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=2', '-c:a', 'aac', audioOnly]);
    smtp = await startSmtpCapture();
    platform = await startPlatform({ portBase: 27700, env: { SMTP_URL: `smtp://127.0.0.1:${smtp.port}` } });
    token = await login(platform.urls.chat, platform.adminEmail, platform.adminPassword);
    const secrets = JSON.parse(readFileSync(join(platform.dataDir, 'secrets.json'), 'utf8')) as { JWT_SECRET: string; SECRETS_KEY: string };
    serviceToken = jwt.sign({ sub: 'service:recorder', email: 'recorder@service', name: 'recorder', role: 'service' }, secrets.JWT_SECRET, { issuer: 'cameramonit', expiresIn: 3600 });
    const cameras = await get<{ id: string; name: string }[]>(`${platform.urls.chat}/api/cameras`);
    cameraId = (cameras.find((c) => c.name === 'demo') as { id: string }).id;

    // a second video-to-text worker process next to the platform's
    secondWorker = spawn(process.execPath, [join(repoRoot, 'apps/video-to-text/dist/main.js')], {
      env: {
        ...platform.env,
        JWT_SECRET: secrets.JWT_SECRET,
        SECRETS_KEY: secrets.SECRETS_KEY,
        INSTANCE_ID: `${platform.env.INSTANCE_ID ?? 'e2e'}-second`,
        VIDEO_TO_TEXT_PORT: String(platform.ports.videoToText + 100),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [secondWorker.stdout, secondWorker.stderr]) stream?.on('data', (chunk: Buffer) => secondWorkerOutput.push(chunk.toString()));
    await waitFor('the second worker', async () => (await fetch(`http://127.0.0.1:${platform.ports.videoToText + 100}/health`)).ok, 60_000, 250);
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    if (secondWorker && secondWorker.exitCode === null) {
      const exited = new Promise((done) => secondWorker.once('exit', done));
      secondWorker.kill('SIGTERM');
      await Promise.race([exited, new Promise((done) => setTimeout(done, 10_000))]);
      if (secondWorker.exitCode === null) secondWorker.kill('SIGKILL');
    }
    await platform?.stop();
    await smtp?.close();
  });

  it('fails a clip it cannot analyse with a clear message, and analyses the next one', async () => {
    // storage refuses an audio-only recording outright
    const refused = await putRecording(audioOnly, t0);
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { message: string }).message).toMatch(/no video/i);

    // one that reached the worker anyway (stored by hand, as a broken recorder might)
    const db = await openPlatformDatabase(platform.database);
    const badId = randomUUID();
    const badPath = `demo/demo/clips/${t0.toISOString().slice(0, 10)}/${badId}.m4a`;
    try {
      const stored = await fetch(`${platform.urls.storage}/files/${badPath}`, { method: 'PUT', headers: { authorization: `Bearer ${serviceToken}` }, body: readFileSync(audioOnly) });
      expect(stored.status).toBeLessThan(300);
      await db.getRepository(ClipEntity).insert({
        id: badId, cameraId, path: badPath, source: 'recording', originalName: 'audio-only.m4a', sizeBytes: String(statSync(audioOnly).size),
        durationSec: 2, width: 0, height: 0, startedAt: t0, uploadedBy: null,
      });
    } finally {
      await db.destroy();
    }
    const broker = await connectAsync(platform.env.MQTT_URL ?? `mqtt://127.0.0.1:${platform.ports.mqtt}`);
    const payload: ClipStoredPayload = { clipId: badId, cameraId, projectSlug: 'demo', cameraSlug: 'demo', path: badPath, source: 'recording', originalName: 'audio-only.m4a', uploadedBy: null };
    await broker.publishAsync(Topics.clipStored, JSON.stringify({ pattern: Topics.clipStored, data: payload }), { qos: 1 });
    await broker.endAsync();

    const failed = await doneOrFailed(badId);
    expect(failed.status).toBe('failed');
    expect(failed.errorCode).toBe('NO_VIDEO_STREAM');
    await waitFor('the failure in the thread', async () => (await thread()).find((m) => m.kind === 'error' && /audio-only\.m4a/.test(m.text) && /video/i.test(m.text)));

    // the next recorded clip follows the failed one: analysed, starting a new scene
    const response = await putRecording(pieces[0] as string, pieceStart(0));
    expect(response.status).toBe(201);
    const { clipId } = (await response.json()) as { clipId: string };
    const next = await doneOrFailed(clipId);
    expect(next.status).toBe('done');
    expect(JSON.parse(next.settings ?? '{}')).toMatchObject({ classes: expect.arrayContaining(['person']), fps: 5 });
    expect(JSON.parse(next.sceneState ?? '{}')).toMatchObject({ version: 1 });
    // a retried PUT of the same recording keeps the first clip
    const again = await putRecording(pieces[0] as string, pieceStart(0));
    expect(again.status).toBe(200);
    expect(((await again.json()) as { clipId: string }).clipId).toBe(clipId);
  });

  it('follows people across clip boundaries analysed by two workers: one event, updated in place, emailed once', async () => {
    // two clips at once: whoever takes the second waits for the first
    const [first, second] = (await Promise.all([1, 2].map(async (i) => (await putRecording(pieces[i] as string, pieceStart(i))).json()))) as { clipId: string }[];
    expect((await doneOrFailed(first?.clipId as string)).status).toBe('done');
    const secondDone = await doneOrFailed(second?.clipId as string);
    expect(secondDone.status).toBe('done');
    expect([...platform.output, ...secondWorkerOutput.join('').split('\n')].some((line) => line.includes(`Clip ${second?.clipId} waits: the previous clip ${first?.clipId}`))).toBe(true);
    // the next clip goes to the other worker: stop the one that did this clip
    const secondPid = secondWorker.pid as number;
    if (secondDone.workerId?.endsWith('-second')) {
      secondWorker.kill('SIGKILL');
    } else {
      const platformWorkers = execFileSync('pgrep', ['-f', join(repoRoot, 'apps/video-to-text/dist/main.js')], { encoding: 'utf8' })
        .split('\n')
        .map(Number)
        .filter((pid) => pid && pid !== secondPid);
      for (const pid of platformWorkers) process.kill(pid, 'SIGKILL');
    }
    const third = (await (await putRecording(pieces[3] as string, pieceStart(3))).json()) as { clipId: string };
    const thirdDone = await doneOrFailed(third.clipId);
    expect(thirdDone.status).toBe('done');
    expect(thirdDone.workerId).not.toBe(secondDone.workerId);

    const all = await events();
    expect(all.length).toBeGreaterThan(0);
    const shown = `events: ${JSON.stringify(all.map((e) => [e.label, e.startedAt, e.endedAt]))}`;
    const spans = (i: number) => all.some((e) => Date.parse(e.startedAt) < pieceStart(i).getTime() - 500 && Date.parse(e.endedAt) > pieceStart(i).getTime() + 500);
    // across the boundary where the second clip waited for the first, and the one the other process took up
    expect(spans(2), shown).toBe(true);
    expect(spans(3), shown).toBe(true);

    // one email per event, none for the updates
    await waitFor('an email per event', async () => smtp.mails.length >= all.length, 120_000);
    await new Promise((done) => setTimeout(done, 3000));
    const perEvent = all.map((e) => smtp.mails.filter((m) => m.raw.replace(/=\r?\n/g, '').includes(`/events/${e.id}`)).length);
    expect(perEvent).toEqual(all.map(() => 1));
    expect(smtp.mails).toHaveLength(all.length);
    const eventMessages = (await thread()).filter((m) => m.kind === 'event');
    expect(eventMessages).toHaveLength(all.length);
  });

  it('admin page: shows the camera picture, draws a zone, takes person off the classes and saves; the next clip uses them', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    try {
      await page.goto(platform.urls.admin);
      await page.getByTestId('login-email').fill(platform.adminEmail);
      await page.getByTestId('login-password').fill(platform.adminPassword);
      await page.getByTestId('login-submit').click();
      await page.locator(`[data-testid="camera-item"][data-camera-id="${cameraId}"]`).click();
      const preview = page.getByTestId('preview');
      await preview.waitFor({ state: 'visible' });
      expect(await preview.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(100);

      await page.getByTestId('add-zone').click();
      const box = (await page.getByTestId('picture').boundingBox()) as { x: number; y: number; width: number; height: number };
      for (const [fx, fy] of [[0.1, 0.5], [0.6, 0.5], [0.6, 0.95], [0.1, 0.95]]) await page.mouse.click(box.x + fx * box.width, box.y + fy * box.height);
      await page.getByTestId('finish-shape').click();
      // the new zone is selected: drag it a tenth of the picture to the right
      const at = (fx: number, fy: number) => [box.x + fx * box.width, box.y + fy * box.height] as const;
      await page.mouse.move(...at(0.35, 0.7));
      await page.mouse.down();
      await page.mouse.move(...at(0.4, 0.7), { steps: 4 });
      await page.mouse.move(...at(0.45, 0.7), { steps: 4 });
      await page.mouse.up();
      // a mask drawn by mistake, deleted again
      await page.getByTestId('add-mask').click();
      for (const [fx, fy] of [[0.7, 0.1], [0.9, 0.1], [0.9, 0.3]]) await page.mouse.click(...at(fx, fy));
      await page.getByTestId('finish-shape').click();
      expect(await page.getByTestId('mask-item').count()).toBe(1);
      await page.getByTestId('delete-mask').click();
      expect(await page.getByTestId('mask-item').count()).toBe(0);
      await page.getByTestId('zone-name').fill('walkway');
      await page.getByTestId('zone-loiter').fill('30');
      await page.getByTestId('class-person').uncheck();
      await page.getByTestId('save-settings').click();
      await page.getByTestId('save-status').filter({ hasText: /saved/i }).waitFor();
      mkdirSync(join(repoRoot, 'test-results'), { recursive: true });
      await page.screenshot({ path: join(repoRoot, 'test-results', 'admin-analysis-settings.png') });
    } finally {
      await page.close();
    }
    const view = await get<{ settings: { classes: string[]; masks: number[][][]; zones: { name: string; polygon: number[][]; loiterSec: number | null }[] } }>(`${platform.urls.admin}/api/cameras/${cameraId}/analysis-settings`);
    expect(view.settings.classes).not.toContain('person');
    expect(view.settings.classes).toContain('car');
    expect(view.settings.zones).toHaveLength(1);
    expect(view.settings.zones[0]).toMatchObject({ name: 'walkway', loiterSec: 30 });
    const [x, y] = view.settings.zones[0]?.polygon[0] as [number, number];
    expect(x).toBeCloseTo(0.2, 1);
    expect(y).toBeCloseTo(0.5, 1);
    expect(view.settings.masks).toEqual([]);

    // a bad body is refused with everything to fix
    const bad = await fetch(`${platform.urls.admin}/api/cameras/${cameraId}/analysis-settings`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ classes: ['unicorn'], minConfidence: 3 }),
    });
    expect(bad.status).toBe(400);
    const message = ((await bad.json()) as { message: string }).message;
    expect(message).toMatch(/unicorn/);
    expect(message).toMatch(/minConfidence/);

    // the camera's next clip is analysed with them, no restart
    const next = (await (await putRecording(pieces[4] as string, pieceStart(4))).json()) as { clipId: string };
    const analysed = await doneOrFailed(next.clipId);
    expect(analysed.status).toBe('done');
    expect(JSON.parse(analysed.settings ?? '{}')).toMatchObject({ classes: view.settings.classes, zones: [{ name: 'walkway' }] });
    expect((await events()).filter((e) => e.label === 'person' && Date.parse(e.startedAt) >= pieceStart(4).getTime())).toEqual([]);
  });

  it('re-analyses the range with the new settings: the person events are removed, reported, and nobody is emailed', async () => {
    const before = await events();
    const people = before.filter((e) => e.label === 'person');
    expect(people.length).toBeGreaterThan(0);
    const mailsBefore = smtp.mails.length;
    // someone has the camera's thread open in the chat meanwhile
    const chat = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await chat.goto(platform.urls.chat);
    await chat.getByTestId('login-email').fill(platform.adminEmail);
    await chat.getByTestId('login-password').fill(platform.adminPassword);
    await chat.getByTestId('login-submit').click();
    await chat.locator('[data-testid="camera-item"][data-camera-name="demo"]').click();
    const personMessage = chat.locator(`[data-testid="message"][data-message-id="event:${people[0]?.id}"]`);
    await personMessage.waitFor();
    const range = { from: new Date(t0.getTime() - 1000).toISOString(), to: new Date(pieceStart(5).getTime()).toISOString() };
    const start = (body: object) =>
      fetch(`${platform.urls.videoToText}/api/cameras/${cameraId}/reanalyses`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const started = await start(range);
    expect(started.status).toBe(202);
    const { id } = (await started.json()) as Reanalysis;
    const second = await start(range);
    expect(second.status).toBe(409);
    expect(((await second.json()) as { message: string }).message).toMatch(/already/);

    const seen: Reanalysis[] = [];
    const done = await waitFor('the re-analysis', async () => {
      const now = await get<Reanalysis>(`${platform.urls.videoToText}/api/reanalyses/${id}`);
      seen.push(now);
      return now.status === 'done' || now.status === 'failed' ? now : null;
    }, 240_000, 200);
    expect(done.status).toBe('done');
    expect(seen.some((r) => r.status === 'running' && r.progress < 1)).toBe(true);
    const report = done.report as NonNullable<Reanalysis['report']>;
    expect(report.settings.classes).not.toContain('person');
    expect(report.before['object person']).toBe(people.length);
    expect(report.after['object person']).toBeUndefined();
    expect(report.removed.filter((e) => e.label === 'person').map((e) => e.id).sort()).toEqual(people.map((e) => e.id).sort());

    const after = await events();
    expect(after.filter((e) => e.label === 'person')).toEqual([]);
    const messages = await waitFor('the report in the thread', async () => {
      const all = await thread();
      return all.some((m) => m.kind === 'system' && /Re-analysed demo/.test(m.text)) ? all : null;
    });
    const reportMessage = messages.find((m) => /Re-analysed demo/.test(m.text)) as Message;
    expect(reportMessage.text).toMatch(new RegExp(`Removed ${report.removed.length} \\(.*${people.length} person`));
    // the thread no longer shows the removed events
    expect(messages.filter((m) => m.kind === 'event').map((m) => m.id.replace('event:', '')).sort()).toEqual(after.map((e) => e.id).sort());
    // the open thread got the report and lost the removed events, without a reload
    await chat.locator('[data-testid="message"][data-kind="system"]', { hasText: 'Re-analysed demo' }).waitFor();
    await personMessage.waitFor({ state: 'detached' });
    expect(await chat.locator('[data-testid="message"][data-kind="event"]').count()).toBe(after.length);
    await chat.close();
    await new Promise((done) => setTimeout(done, 3000));
    expect(smtp.mails.length).toBe(mailsBefore);
  });
});
