// What the browser end-to-end tests share: Debian's Chromium through Playwright, a fresh
// context per test with its console kept, screenshots, and the steps an agent takes
// (sign in, become Ready, accept an offer, open a conversation).

import assert from 'node:assert/strict';
import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';
import { artifactPath, waitFor, waitMs } from './harness.mjs';

export const chromiumPath = process.env.PARLEY_CHROMIUM || '/usr/bin/chromium';
/** Longer than the hub's routing sweep (2 s), so a wrong offer would have shown by then. */
export const quietPeriodMs = 3_000;
export const testTimeoutMs = 180_000;

export const customer = '+12015550101';
export const secondCustomer = '+12015550102';

let browser;

/**
 * Launches Debian's Chromium for the test file that calls it, and closes it after: call at
 * the top of a test file. Playwright gives the browser a fresh temporary profile, and each
 * test a fresh context.
 */
export function useBrowser() {
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });
}

export function launch() {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--disable-quic',
    ],
  });
}

/**
 * A fresh browser context (no cookies, no storage) and page for one test, with the
 * page's console and errors written to the artifacts folder.
 */
export async function openPage(defer, name, { notifications = false } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  if (notifications) {
    await context.grantPermissions(['notifications'], { origin: undefined });
    // The page's real Notification API, with each notification also kept for the test.
    await context.addInitScript(() => {
      const Real = window.Notification;
      window.__parleyNotices = [];
      class Recorded extends Real {
        constructor(title, options) {
          super(title, options);
          window.__parleyNotices.push({ title, body: options?.body ?? '' });
        }
      }
      window.Notification = Recorded;
    });
  }
  const page = await context.newPage();
  page.setDefaultTimeout(waitMs);
  // A failure screenshot from an earlier run would mislead.
  rmSync(artifactPath(`${name}-FAILED.png`), { force: true });
  const consoleLog = artifactPath(`${name}-console.log`);
  writeFileSync(consoleLog, '');
  page.on('console', (message) => appendFileSync(consoleLog, `[${message.type()}] ${message.text()}\n`));
  page.on('pageerror', (error) => appendFileSync(consoleLog, `[pageerror] ${error.stack ?? error}\n`));
  defer(() => context.close());
  return page;
}

export async function screenshot(page, name) {
  await page.screenshot({ path: artifactPath(`${name}.png`), fullPage: true });
}

/** Runs a test body; on failure, keeps a screenshot of what the page showed. */
export async function withFailureScreenshot(page, name, body) {
  try {
    await body();
  } catch (error) {
    await screenshot(page, `${name}-FAILED`).catch(() => {});
    throw error;
  }
}

export const byTestId = (scope, id) => scope.locator(`[data-testid="${id}"]`);

/** The browser notifications the page showed so far. */
export const notices = (page) => page.evaluate(() => window.__parleyNotices ?? []);

/** Waits for a browser notification titled `title`. */
export async function expectNotice(page, title, what) {
  let seen = [];
  await waitFor(
    async () => {
      seen = await notices(page);
      return seen.some((notice) => notice.title === title);
    },
    waitMs,
    () => `${what} (notifications so far: ${JSON.stringify(seen)})`,
  );
}

/** Waits for a locator's trimmed text to equal `expected`. */
export async function expectText(locator, expected, what) {
  let seen;
  await waitFor(
    async () => {
      seen = ((await locator.textContent({ timeout: 1_000 })) ?? '').trim();
      return seen === expected;
    },
    waitMs,
    () => `${what} to read ${JSON.stringify(expected)} (it read ${JSON.stringify(seen)})`,
  );
}

/** Waits for a locator's attribute to equal `expected`. */
export async function expectAttribute(locator, name, expected, what) {
  let seen;
  await waitFor(
    async () => {
      seen = await locator.getAttribute(name, { timeout: 1_000 });
      return seen === expected;
    },
    waitMs,
    () => `${what} to have ${name}=${JSON.stringify(expected)} (it had ${JSON.stringify(seen)})`,
  );
}

/** Waits until `locator` matches exactly `expected` elements. */
export async function expectCount(locator, expected, what) {
  let seen;
  await waitFor(
    async () => {
      seen = await locator.count();
      return seen === expected;
    },
    waitMs,
    () => `${what}: ${expected} element(s) (found ${seen})`,
  );
}

export async function signIn(page, hub, login, password) {
  await page.goto(hub.url);
  await byTestId(page, 'login-user').fill(login);
  await byTestId(page, 'login-password').fill(password);
  await byTestId(page, 'login-submit').click();
}

/** Signs in and waits for the workspace with the live connection up. */
export async function signInAs(page, hub, agent) {
  await signIn(page, hub, agent.login, agent.password);
  await expectText(byTestId(page, 'agent-name'), agent.name, 'the agent name in the top bar after sign-in');
  await expectAttribute(
    byTestId(page, 'connection'),
    'data-state',
    'online',
    'the connection indicator (the event WebSocket must be open before a customer texts)',
  );
}

export async function becomeReady(page) {
  const toggle = byTestId(page, 'status-toggle');
  await expectAttribute(toggle, 'data-status', 'notReady', 'the status toggle right after sign-in');
  await expectText(toggle, 'Not Ready', 'the status toggle right after sign-in');
  await toggle.click();
  await expectAttribute(toggle, 'data-status', 'ready', 'the status toggle after clicking it');
  await expectText(toggle, 'Ready', 'the status toggle after clicking it');
}

/** Waits for the offer of `phone`'s SMS, accepts it and returns the opened interaction view. */
export async function acceptOfferFrom(page, phone, body) {
  const offer = byTestId(page, 'offer-dialog');
  await offer.waitFor({ state: 'visible' });
  await expectCount(offer, 1, `offer dialogs after ${phone} texted`);
  const offerText = await offer.innerText();
  assert.ok(offerText.includes(phone), `the offer names the customer ${phone}; it reads ${JSON.stringify(offerText)}`);
  let shown = offerText;
  await waitFor(
    async () => {
      shown = await offer.innerText();
      return shown.includes(body);
    },
    waitMs,
    () => `the offer to preview the SMS text ${JSON.stringify(body)} (it reads ${JSON.stringify(shown)})`,
  );
  const interactionId = await offer.getAttribute('data-interaction-id');
  assert.match(interactionId ?? '', /^\d+$/, 'the offer dialog carries its interaction id');

  await byTestId(offer, 'offer-accept').click();
  const view = page.locator(`[data-testid="interaction-view"][data-interaction-id="${interactionId}"]`);
  await view.waitFor({ state: 'visible' });
  await expectAttribute(view, 'data-state', 'active', 'the accepted interaction view');
  await expectCount(byTestId(page, 'offer-dialog'), 0, 'offer dialogs once the offer was accepted');
  return { view, interactionId };
}

/** The contact list entry of `phone` in the Communication tab. */
export function contactItem(page, phone) {
  return byTestId(page, 'contact-item').filter({ hasText: phone });
}

/**
 * Selects a contact in the Communication tab and waits until its conversation is loaded
 * (showing `newestText`) and the hub has answered the read mark the UI sends for it, so
 * that nothing about its unread count is still in flight when the caller looks at it.
 */
export async function openConversation(page, item, newestText, who) {
  const readAnswered = page.waitForResponse(
    (response) =>
      response.request().method() === 'POST' && /\/api\/contacts\/\d+\/read$/.test(new URL(response.url()).pathname),
  );
  await item.click();
  await expectAttribute(item, 'aria-current', 'true', `the contact entry of ${who} after clicking it`);
  await expectCount(
    byTestId(page, 'transcript').locator('[data-testid="message"]').filter({ hasText: newestText }),
    1,
    `the newest SMS of ${who} (${JSON.stringify(newestText)}) in the opened conversation`,
  );
  const read = await readAnswered;
  assert.ok(read.ok(), `the hub accepts the read mark: POST ${new URL(read.url()).pathname} answered ${read.status()}`);
}
