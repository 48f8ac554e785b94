// The browser tests' common parts: Debian's Chromium through playwright-core, the folder for
// screenshots, and signing in through the real sign-in page.
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { PORTAL } from './portal.mjs';

export const shots = new URL('../../test-results/', import.meta.url).pathname;

export async function launch() {
  mkdirSync(shots, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

/** Opens `hash` signed out, is sent to the sign-in page, and signs in as `user`. */
export async function signIn(page, user, hash) {
  await page.goto(`${PORTAL}/${hash}`);
  await page.waitForURL(/\/sign-in/);
  await page.fill('input[name=email]', user.email);
  await page.fill('input[name=password]', user.password);
  await page.click('button[type=submit]');
}
