import { chromium } from 'playwright-core';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--autoplay-policy=no-user-gesture-required'] });
const page = await browser.newPage();
page.on('console', (m) => console.log('console:', m.text()));
page.on('pageerror', (e) => console.log('pageerror:', e.message));
await page.goto('http://127.0.0.1:13000/');
await page.getByTestId('login-email').fill('admin@cameramonit.local');
await page.getByTestId('login-password').fill('admin-pass-123');
await page.getByTestId('login-submit').click();
await page.locator('[data-testid="camera-item"][data-camera-name="gate"]').click();
await page.getByTestId('live-open').click();
for (let i = 0; i < 8; i++) {
  await new Promise((r) => setTimeout(r, 1000));
  console.log(await page.getByTestId('live-video').evaluate((v) => JSON.stringify({ t: v.currentTime, w: v.videoWidth, rs: v.readyState, paused: v.paused, err: v.error?.message, buf: [...Array(v.buffered.length)].map((_, i) => [v.buffered.start(i), v.buffered.end(i)]), state: v.dataset.state })), await page.getByTestId('live-status').textContent());
}
await page.screenshot({ path: '/tmp/live-debug.png' });
await browser.close();
