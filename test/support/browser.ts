import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium (CHROMIUM_PATH to use another), headless, with the flags this machine needs. */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', ...extraArgs] });
}

/** A page of the admin or chat app (same login form), logged in. */
export async function openAdminPage(browser: Browser, admin: { url: string; email: string; password: string }): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(admin.url);
  await page.getByTestId('login-email').fill(admin.email);
  await page.getByTestId('login-password').fill(admin.password);
  await page.getByTestId('login-submit').click();
  return page;
}
