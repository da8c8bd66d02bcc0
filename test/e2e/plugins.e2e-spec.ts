import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { createClient } from 'webdav';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, login, repoRoot, startPlatform, waitFor, type RunningPlatform } from '../support/platform.harness.js';

interface EventView {
  id: string;
  label: string;
  kind: string;
  features: { plugin: string; key: string; value: string }[];
  images: { plugin: string; url: string; caption: string | null; width: number; height: number }[];
}

interface PluginStatus {
  name: string;
  state: string;
  pid: number | null;
  restarts: number;
  counts: { requests: number; succeeded: number };
}

const COLOURS = ['black', 'white', 'grey', 'red', 'orange', 'yellow', 'brown', 'green', 'blue', 'purple', 'pink'];

/**
 * The shipped example plugin in the booted platform (as `npm start` runs plugins/ of the repo):
 * upload a short clip with people, and the person event gets its clothing colour and an
 * annotated crop, in the API and in the chat page.
 */
describe('analyser plugins in the running platform', () => {
  let platform: RunningPlatform;
  let browser: Browser;
  let token: string;
  let cameraId: string;

  beforeAll(async () => {
    platform = await startPlatform({ portBase: 24000, env: { PLUGINS_DIR: join(repoRoot, 'plugins') } });
    token = await login(platform.urls.chat, platform.adminEmail, platform.adminPassword);
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  const get = async <T>(url: string): Promise<T> => {
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };

  it('starts the example plugin and shows it in the status API (admins only)', async () => {
    const ready = await waitFor('the clothing-colour plugin to be ready', async () => {
      const plugins = await get<PluginStatus[]>(`${platform.urls.pluginHost}/api/plugins`);
      return plugins.find((p) => p.name === 'clothing-colour' && p.state === 'ready');
    }, 60_000);
    expect(ready.restarts).toBe(0);
    expect((await fetch(`${platform.urls.pluginHost}/api/plugins`)).status).toBe(401);
    const spec = (await (await fetch(`${platform.urls.pluginHost}/api/docs/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    expect(spec.paths['/api/plugins']?.get).toBeDefined();
  });

  it('adds the clothing colour and an annotated crop to a person event of an uploaded clip', async () => {
    const cameras = await get<{ id: string; name: string }[]>(`${platform.urls.chat}/api/cameras`);
    cameraId = (cameras.find((c) => c.name === 'demo') as { id: string }).id;
    const clip = join(mkdtempSync(join(tmpdir(), 'cm-plugin-e2e-')), 'people.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-ss', '18', '-i', fixture('vtest.avi'), '-t', '5', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', clip]);
    const dav = createClient(platform.urls.webdav, { username: platform.adminEmail, password: platform.adminPassword });
    await dav.putFileContents('/demo/demo/upload/people.mp4', readFileSync(clip), { overwrite: true });

    const event = await waitFor('a person event with its clothing colour', async () => {
      const events = await get<EventView[]>(`${platform.urls.chat}/api/cameras/${cameraId}/events?label=person`);
      return events.find((e) => e.features.some((f) => f.key === 'clothingColour'));
    }, 240_000, 1000);
    const colour = event.features.find((f) => f.key === 'clothingColour');
    expect(colour?.plugin).toBe('clothing-colour');
    expect(COLOURS).toContain(colour?.value);
    expect(event.features.find((f) => f.key === 'clothingColourHex')?.value).toMatch(/^#[0-9a-f]{6}$/);
    const image = event.images.find((i) => i.plugin === 'clothing-colour');
    expect(image?.caption).toContain(`Clothing: ${colour?.value}`);
    const png = await fetch(`${platform.urls.chat}${image?.url}`);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await png.arrayBuffer()).subarray(1, 4).toString('latin1')).toBe('PNG');

    const plugins = await get<PluginStatus[]>(`${platform.urls.pluginHost}/api/plugins`);
    expect(plugins.find((p) => p.name === 'clothing-colour')?.counts.succeeded).toBeGreaterThan(0);
  });

  it('shows the colour as a chip and the annotated crop on the event in the chat', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(platform.urls.chat);
    await page.getByTestId('login-email').fill(platform.adminEmail);
    await page.getByTestId('login-password').fill(platform.adminPassword);
    await page.getByTestId('login-submit').click();
    await page.locator('[data-testid="camera-item"][data-camera-name="demo"]').click();
    const chip = page.locator('[data-testid="event-feature"][data-key="clothingColour"]').first();
    await chip.waitFor({ timeout: 30_000 });
    expect(await chip.textContent()).toMatch(new RegExp(`^clothing colour: (${COLOURS.join('|')})$`));
    const picture = page.getByTestId('event-plugin-image').first();
    await expect.poll(() => picture.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: 30_000 }).toBeGreaterThan(10);
    await chip.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(platform.dataDir, '..', 'cm-e2e-plugins.png') }).catch(() => undefined);
    await page.close();
  });

  it('leaves no plugin process behind when the plugin host dies, and runs it again when the host is back', async () => {
    const before = (await get<PluginStatus[]>(`${platform.urls.pluginHost}/api/plugins`)).find((p) => p.name === 'clothing-colour');
    const pid = before?.pid as number;
    expect(alive(pid)).toBe(true);
    await platform.killApp('plugin-host');
    await waitFor('the old plugin process to exit', async () => !alive(pid), 15_000, 200);
    const after = await waitFor('the plugin to run again under the restarted host', async () => {
      const plugins = await get<PluginStatus[]>(`${platform.urls.pluginHost}/api/plugins`);
      return plugins.find((p) => p.name === 'clothing-colour' && p.state === 'ready');
    }, 90_000);
    expect(after.pid).not.toBe(pid);
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
