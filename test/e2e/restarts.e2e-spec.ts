import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'webdav';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, login, startPlatform, startSmtpCapture, waitFor, type RunningPlatform } from '../support/platform.harness.js';

interface Analysis {
  clipId: string;
  status: string;
  attempts: number;
  progress: number;
}
interface EventView {
  id: string;
  label: string;
  direction: string;
  startedAt: string;
  endedAt: string;
  summary: string;
}

/** Services that die and come back lose nothing and do nothing twice. */
describe('restarts', () => {
  let platform: RunningPlatform;
  let smtp: Awaited<ReturnType<typeof startSmtpCapture>>;
  let token: string;
  let cameraId: string;
  const clip = join(mkdtempSync(join(tmpdir(), 'cm-restart-')), 'walkers.mp4');

  beforeAll(async () => {
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', fixture('vtest.avi'), '-t', '30', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', clip]);
    smtp = await startSmtpCapture();
    platform = await startPlatform({ portBase: 23000, env: { SMTP_URL: `smtp://127.0.0.1:${smtp.port}` } });
    token = await login(platform.urls.chat, platform.adminEmail, platform.adminPassword);
    const cameras = (await (await fetch(`${platform.urls.chat}/api/cameras`, { headers: { authorization: `Bearer ${token}` } })).json()) as { id: string; name: string }[];
    cameraId = (cameras.find((c) => c.name === 'demo') as { id: string }).id;
  });

  afterAll(async () => {
    await platform?.stop();
    await smtp?.close();
  });

  const analyses = async () =>
    (await (await fetch(`${platform.urls.videoToText}/api/analyses`, { headers: { authorization: `Bearer ${token}` } })).json()) as Analysis[];

  it('finishes an analysis whose worker was killed half-way, once, and emails each event once although the notifier was down', async () => {
    await platform.killApp('notifier');
    const dav = createClient(platform.urls.webdav, { username: platform.adminEmail, password: platform.adminPassword });
    await dav.putFileContents('/demo/demo/upload/walkers.mp4', readFileSync(clip));
    await waitFor('the analysis to be under way', async () => (await analyses()).find((a) => a.status === 'analysing' && a.progress > 0.1), 120_000, 200);
    await platform.killApp('video-to-text');

    const done = await waitFor('the analysis to finish after the restart', async () => (await analyses()).find((a) => a.status === 'done'), 240_000);
    expect(done.attempts).toBe(2);

    const events = (await (await fetch(`${platform.urls.chat}/api/cameras/${cameraId}/events?limit=500`, { headers: { authorization: `Bearer ${token}` } })).json()) as EventView[];
    expect(events.length).toBeGreaterThan(0);
    // nothing written twice: an event written twice has the same label, direction, start, end and words
    // (several people may enter view at the same moment, two groups may walk opposite ways: those differ)
    const keys = events.map((e) => `${e.label} ${e.direction} ${e.startedAt}-${e.endedAt}: ${e.summary}`);
    expect(new Set(keys).size).toBe(keys.length);

    // the notifier came back (the supervisor restarts it) and caught up: one email per event
    await waitFor('an email per event', async () => smtp.mails.length >= events.length, 120_000);
    await new Promise((done) => setTimeout(done, 3000));
    const perEvent = events.map((e) => smtp.mails.filter((m) => m.raw.replace(/=\r?\n/g, '').includes(`/events/${e.id}`)).length);
    expect(perEvent).toEqual(events.map(() => 1));

    // the thread shows every event, the chat never having missed one
    const thread = (await (await fetch(`${platform.urls.chat}/api/cameras/${cameraId}/thread?limit=200`, { headers: { authorization: `Bearer ${token}` } })).json()) as { messages: { kind: string }[] };
    expect(thread.messages.filter((m) => m.kind === 'event')).toHaveLength(events.length);
  });
});
