// The real Parley desktop app (Tauri + WebKitGTK) driven over WebDriver through
// tauri-driver, against a real hub with the simulated carrier, with the OS notifications
// observed on the session D-Bus.
//
// Run it through the wrapper, which provides the X display and the D-Bus session:
//   PARLEY_DESKTOP_BIN=target/debug/parley-desktop tests/e2e/run-desktop.sh
// Environment: PARLEY_DESKTOP_BIN (required; the test is skipped without it),
// TAURI_DRIVER_BIN (default `tauri-driver` on PATH), PARLEY_HUB_BIN.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { test } from 'node:test';
import {
  artifactPath,
  makeTempDir,
  repoRoot,
  startHub,
  teardown,
  waitFor,
  waitMs,
} from './harness.mjs';

/** Runs a helper program and fails with its output when it fails. */
async function run(command, args) {
  try {
    return (await promisify(execFile)(command, args, { timeout: waitMs })).stdout;
  } catch (error) {
    throw new Error(`${command} ${args.join(' ')} failed: ${error.message}`);
  }
}

/**
 * Answers the OS save dialog (GTK) as an agent would: waits for its window, types the
 * whole path into its name field and presses Enter.
 */
async function answerSaveDialog(path) {
  let windowId = '';
  await waitFor(
    async () => {
      windowId = (await run('xdotool', ['search', '--name', 'Save picture']).catch(() => '')).trim().split('\n')[0];
      return windowId !== '';
    },
    waitMs,
    'the save dialog to open',
    200,
  );
  await run('xdotool', ['windowfocus', '--sync', windowId]);
  await run('xdotool', ['key', '--window', windowId, 'ctrl+a']);
  await run('xdotool', ['type', '--window', windowId, '--delay', '5', path]);
  await run('xdotool', ['key', '--window', windowId, 'Return']);
}

/** Screenshots the X display (ImageMagick's `import`), when there is one. */
async function grabScreen(path) {
  try {
    await promisify(execFile)('import', ['-window', 'root', path]);
  } catch (error) {
    console.error(`# no X screenshot (${error.message}); the WebDriver screenshots remain`);
  }
}
import { watchNotifications } from './notifications.mjs';
import { startTauriDriver } from './tauri-driver.mjs';
import { Keys, testId } from './webdriver.mjs';

const desktopBinSetting = process.env.PARLEY_DESKTOP_BIN;
const customer = '+12015550101';

/**
 * Signs out and in again as `who`, on the same desktop. With chats open the app asks
 * first; going on hands them back to the queue.
 */
async function signOutAndIn(session, hubUrl, who) {
  await (await session.find(testId('sign-out'))).click();
  await waitFor(
    async () => {
      const question = await session.findAll(testId('confirm-ok'));
      if (question.length > 0) await question[0].click();
      return (await session.findAll(testId('login-hub-url'))).length > 0;
    },
    waitMs,
    'the login form after signing out (going on when asked about open chats)',
    200,
  );
  const hubField = await session.waitForElement(testId('login-hub-url'), 'the login form after signing out');
  await hubField.clear();
  await hubField.sendKeys(hubUrl);
  const user = await session.find(testId('login-user'));
  await user.clear();
  await user.sendKeys(who.login);
  await (await session.find(testId('login-password'))).sendKeys(who.password);
  await (await session.find(testId('login-submit'))).click();
  await expectDomText(session, testId('agent-name'), who.name, `${who.login} signed in`);
  await expectAttribute(session, testId('connection'), 'data-state', 'online', `${who.login}'s connection`);
}

/**
 * Waits for an element's DOM text to equal `expected`: for text the window may cut with an
 * ellipsis, which WebKitWebDriver reads as empty.
 */
async function expectDomText(session, css, expected, what) {
  let seen;
  await waitFor(
    async () => {
      seen = String(await (await session.find(css)).property('textContent')).trim();
      return seen === expected;
    },
    waitMs,
    () => `${what} to read ${JSON.stringify(expected)} (it read ${JSON.stringify(seen)})`,
    200,
  );
}

/** Waits for an element's text to equal `expected`. */
async function expectText(session, css, expected, what) {
  let seen;
  await waitFor(
    async () => {
      seen = await (await session.find(css)).text();
      return seen === expected;
    },
    waitMs,
    () => `${what} to read ${JSON.stringify(expected)} (it read ${JSON.stringify(seen)})`,
    200,
  );
}

/** Waits for an element's attribute to equal `expected`. */
async function expectAttribute(session, css, name, expected, what) {
  let seen;
  await waitFor(
    async () => {
      seen = await (await session.find(css)).attribute(name);
      return seen === expected;
    },
    waitMs,
    () => `${what} to have ${name}=${JSON.stringify(expected)} (it had ${JSON.stringify(seen)})`,
    200,
  );
}

/** Waits for a Notify call after `mark` whose strings mention one of `needles`. */
async function expectNotification(notifications, mark, needles, what) {
  let calls = [];
  return waitFor(
    () => {
      calls = notifications.notifySince(mark);
      return calls.find((call) => needles.some((needle) => call.text.includes(needle)));
    },
    waitMs,
    () =>
      `${what}: a Notify call on the session bus mentioning ${needles.map((n) => JSON.stringify(n)).join(' or ')} ` +
      `(seen since then: ${calls.length === 0 ? 'none' : JSON.stringify(calls.map((call) => call.strings))}; ` +
      `monitor log: ${notifications.monitorLog})`,
    200,
  );
}

test('the desktop app: sign in, accept an SMS with an OS notification, reply, see it delivered', { timeout: 300_000 }, async (t) => {
  if (!desktopBinSetting) {
    const message =
      'PARLEY_DESKTOP_BIN is not set: the desktop end-to-end test did NOT run. ' +
      'Build the app and run: PARLEY_DESKTOP_BIN=target/debug/parley-desktop tests/e2e/run-desktop.sh';
    console.error(`\n${'!'.repeat(100)}\n!!! ${message}\n${'!'.repeat(100)}\n`);
    t.diagnostic(message);
    t.skip(message);
    return;
  }
  const desktopBin = isAbsolute(desktopBinSetting) ? desktopBinSetting : resolve(repoRoot, desktopBinSetting);
  assert.ok(existsSync(desktopBin), `PARLEY_DESKTOP_BIN is set but ${desktopBin} does not exist`);
  assert.ok(process.env.DISPLAY, 'no X display (DISPLAY is unset): run the desktop test through tests/e2e/run-desktop.sh');

  const defer = teardown(t);
  const hub = await startHub('desktop');
  defer(() => hub.stop());
  const agent = { login: 'dana', name: 'Dana Desktop', password: 'desk top secret' };
  await hub.addAgent(agent.login, agent.name, agent.password, { saveMedia: true });
  const other = { login: 'nico', name: 'Nico Nosave', password: 'no saving here' };
  await hub.addAgent(other.login, other.name, other.password);

  const notifications = await watchNotifications('desktop');
  defer(() => notifications.stop());

  const dataDir = makeTempDir('parley-e2e-desktop-data-');
  defer(() => dataDir.remove());
  // The OS default app for pictures, as xdg-open finds it: a stand-in viewer that notes
  // which file it was asked to open.
  const desktopHome = makeTempDir('parley-e2e-desktop-xdg-');
  defer(() => desktopHome.remove());
  const opened = `${desktopHome.path}/opened.txt`;
  const viewer = `${desktopHome.path}/viewer.sh`;
  mkdirSync(`${desktopHome.path}/data/applications`, { recursive: true });
  mkdirSync(`${desktopHome.path}/config`, { recursive: true });
  writeFileSync(viewer, `#!/bin/sh\nprintf '%s' "$1" > '${opened}'\n`, { mode: 0o755 });
  writeFileSync(
    `${desktopHome.path}/data/applications/parley-test-viewer.desktop`,
    `[Desktop Entry]\nType=Application\nName=Test viewer\nExec=${viewer} %f\nMimeType=image/jpeg;image/png;\n`,
  );
  writeFileSync(
    `${desktopHome.path}/config/mimeapps.list`,
    '[Default Applications]\nimage/jpeg=parley-test-viewer.desktop\nimage/png=parley-test-viewer.desktop\n',
  );
  // The admin's policy for this computer: the hub, filled in; "Stay signed in" offered.
  const policy = `${desktopHome.path}/desktop.toml`;
  writeFileSync(policy, `hub_url = "${hub.url}"\nallow_stay_signed_in = true\n`);
  const tauriDriver = await startTauriDriver({
    ...process.env,
    PARLEY_DESKTOP_POLICY: policy,
    PARLEY_DATA_DIR: dataDir.path,
    XDG_DATA_HOME: `${desktopHome.path}/data`,
    XDG_CONFIG_HOME: `${desktopHome.path}/config`,
    PARLEY_LOG: 'info',
    WEBKIT_DISABLE_DMABUF_RENDERER: '1',
    NO_COLOR: '1',
  });
  defer(() => tauriDriver.stop());

  const session = await tauriDriver.driver.newSession({
    alwaysMatch: { 'tauri:options': { application: desktopBin } },
  });
  // Closes the app; tauri-driver and its process group are stopped after it.
  defer(() => session.delete());

  const shot = (name) => session.screenshot(artifactPath(`desktop-${name}.png`));
  // A failure screenshot from an earlier run would mislead.
  rmSync(artifactPath('desktop-FAILED.png'), { force: true });

  try {
    // The desktop login form asks for the hub. The first lookups of a fresh session may
    // fail: waitForElement retries them.
    const hubUrlField = await session.waitForElement(testId('login-hub-url'), 'the hub URL field of the desktop login form');
    await waitFor(
      async () => (await hubUrlField.property('value')) === hub.url,
      waitMs,
      "the admin's hub filled in from the policy file",
      200,
    );
    assert.equal((await session.findAll(testId('login-stay-signed-in'))).length, 1, '"Stay signed in" offered by the policy');
    assert.equal((await session.findAll(testId('login-hub-url-locked'))).length, 0, 'the hub is not locked by this policy');
    await shot('01-login');
    await hubUrlField.clear();
    await hubUrlField.sendKeys(hub.url);
    assert.equal(await hubUrlField.property('value'), hub.url, 'the hub URL field holds what was typed');
    await (await session.find(testId('login-user'))).sendKeys(agent.login);
    await (await session.find(testId('login-password'))).sendKeys(agent.password);
    await (await session.find(testId('login-submit'))).click();

    await expectDomText(session, testId('agent-name'), agent.name, 'the agent name in the top bar after sign-in');
    await expectAttribute(session, testId('connection'), 'data-state', 'online', 'the connection indicator');
    await expectAttribute(session, testId('status-toggle'), 'data-status', 'notReady', 'the status toggle after sign-in');
    await (await session.find(testId('status-toggle'))).click();
    await expectAttribute(session, testId('status-toggle'), 'data-status', 'ready', 'the status toggle after clicking it');
    await expectText(session, testId('status-toggle'), 'Ready', 'the status toggle after clicking it');
    await shot('02-ready');

    // A customer texts: an offer in the window and an OS notification.
    const body = 'Hello from the desktop test, is anyone there?';
    const beforeInbound = notifications.mark();
    await hub.simulateInbound(customer, body);
    const offer = await session.waitForElement(testId('offer-dialog'), `the offer of the SMS from ${customer}`);
    await shot('03-offer');
    const offerText = await offer.text();
    assert.ok(offerText.includes(customer), `the offer names ${customer}; it reads ${JSON.stringify(offerText)}`);
    const offerNotice = await expectNotification(
      notifications,
      beforeInbound,
      [customer, body],
      `the OS notification of the SMS from ${customer}`,
    );
    t.diagnostic(`notification seen: ${JSON.stringify(offerNotice.strings)}`);
    // The first string of Notify is the app's name: the product's, not the executable's.
    assert.equal(offerNotice.strings[0], 'Parley', `the notification's app name: ${JSON.stringify(offerNotice.strings)}`);

    const interactionId = await offer.attribute('data-interaction-id');
    assert.match(interactionId ?? '', /^\d+$/, 'the offer dialog carries its interaction id');
    await (await offer.find(testId('offer-accept'))).click();
    const viewCss = `${testId('interaction-view')}[data-interaction-id="${interactionId}"]`;
    await session.waitForElement(viewCss, 'the accepted interaction view');
    await expectAttribute(session, viewCss, 'data-state', 'active', 'the accepted interaction view');
    await session.waitForAbsence(testId('offer-dialog'), 'the offer dialog once accepted');

    const inboundCss = `${viewCss} ${testId('transcript')} ${testId('message')}[data-direction="inbound"]`;
    const inbound = await session.waitForElement(inboundCss, 'the inbound SMS in the transcript');
    const inboundText = await inbound.text();
    assert.ok(inboundText.includes(body), `the transcript shows the SMS; it shows ${JSON.stringify(inboundText)}`);
    await shot('04-accepted');

    // Reply with Enter; the simulated carrier reports it sent, then delivered.
    const reply = 'Yes, Dana here from the desktop. How can I help?';
    const input = await session.find(`${viewCss} ${testId('composer-input')}`);
    await input.click();
    await input.sendKeys(reply);
    await input.sendKeys(Keys.Enter);
    const outboundCss = `${viewCss} ${testId('message')}[data-direction="outbound"]`;
    let outboundTexts = [];
    await waitFor(
      async () => {
        const messages = await session.findAll(outboundCss);
        outboundTexts = await Promise.all(messages.map((message) => message.text()));
        return outboundTexts.length === 1 && outboundTexts[0].includes(reply);
      },
      waitMs,
      () => `exactly one outbound message with the reply (outbound messages: ${JSON.stringify(outboundTexts)})`,
      200,
    );
    await expectText(session, `${outboundCss} ${testId('message-status')}`, 'Delivered', 'the reply\'s delivery status');
    await expectAttribute(session, outboundCss, 'data-status', 'delivered', 'the reply message');
    assert.equal(await input.property('value'), '', 'the composer is emptied once the reply was sent');
    await shot('05-delivered');
    // The whole X screen too: the real window as the agent sees it, frame and all.
    await grabScreen(artifactPath('desktop-window.png'));

    const outbox = await hub.outbox();
    const sent = outbox.filter((message) => message.body === reply);
    assert.equal(sent.length, 1, `the outbox holds the reply exactly once; outbox: ${JSON.stringify(outbox)}`);
    assert.equal(sent[0].to, customer, `the reply went to ${customer}; outbox: ${JSON.stringify(outbox)}`);
    assert.equal(outbox.length, 1, `nothing else was sent; outbox: ${JSON.stringify(outbox)}`);

    // Out of the conversation, a new SMS from the customer is announced too.
    await (await session.find(testId('nav-communication'))).click();
    await session.waitForAbsence(testId('interaction-view'), 'the interaction view once the Communication tab opens');
    const followUp = 'One more thing about my order';
    // Only the new notification on screen, so that the daemon's first one is it.
    await run('dunstctl', ['close-all']);
    const beforeFollowUp = notifications.mark();
    await hub.simulateInbound(customer, followUp);
    await expectNotification(
      notifications,
      beforeFollowUp,
      [followUp],
      'the OS notification of a new SMS in a conversation that is not in view',
    );
    await shot('06-follow-up');
    // Show: clicking the notification opens the conversation.
    await run('dunstctl', ['action', '0']);
    await session.waitForElement(viewCss, 'the chat opened by the notification\'s Show');
    await shot('06b-shown');

    // An MMS: a thumbnail, and a file that cannot be shown with its notification.
    const beforeMms = notifications.mark();
    await hub.simulateInbound(customer, 'Here is the box', ['photo.jpg', 'corrupt.jpg']);
    const thumbnail = await session.waitForElement(
      `${viewCss} ${testId('media-thumbnail')} img`,
      'the thumbnail of the MMS photo',
    );
    await waitFor(
      async () => Number(await thumbnail.property('naturalWidth')) === 320,
      waitMs,
      'the thumbnail to load from the parley-media scheme (320 px wide)',
      200,
    );
    const issue = await session.waitForElement(`${viewCss} ${testId('attachment-issue')}`, 'the attachment issue line');
    assert.match(await issue.text(), /damaged/);
    await expectNotification(notifications, beforeMms, ['cannot be shown'], 'the OS notification of the attachment issue');
    await shot('06c-mms');

    // Open: Enter on the thumbnail hands the full-size picture to the OS default app.
    const thumbnailButton = await session.find(`${viewCss} ${testId('media-thumbnail')}`);
    await thumbnailButton.sendKeys(Keys.Enter);
    await waitFor(() => existsSync(opened), waitMs, 'the OS default app to be asked to open the picture', 200);
    const openedPath = readFileSync(opened, 'utf8');
    assert.match(openedPath, /\.jpg$/, `the kept copy has its extension, so any OS picks its app: ${openedPath}`);
    assert.ok(openedPath.startsWith(dataDir.path), `the app's own copy is opened: ${openedPath}`);
    assert.deepEqual([...readFileSync(openedPath).subarray(0, 3)], [0xff, 0xd8, 0xff], 'the full-size JPEG');
    await grabScreen(artifactPath('desktop-mms-window.png'));

    // A picture back, attached from a file: it goes through the desktop core to the hub.
    const replyPicture = `${dataDir.path}/reply-photo.jpg`;
    writeFileSync(replyPicture, Buffer.from(await (await fetch(`${hub.url}/sim/media/photo.jpg`)).arrayBuffer()));
    await (await session.find(`${viewCss} ${testId('composer-file-input')}`)).sendKeys(replyPicture);
    await session.waitForElement(`${viewCss} ${testId('composer-attachment')}`, 'the attached picture');
    await (await session.find(`${viewCss} ${testId('composer-send')}`)).click();
    const sentThumb = await session.waitForElement(
      `${viewCss} ${testId('message')}[data-direction="outbound"] ${testId('media-thumbnail')} img`,
      'the sent picture in the transcript',
    );
    await waitFor(
      async () => Number(await sentThumb.property('naturalWidth')) > 0,
      waitMs,
      'the sent picture to show',
      200,
    );

    // Save: the OS save dialog, answered as the agent would; the copy lands only there.
    const saveDir = makeTempDir('parley-e2e-desktop-save-');
    defer(() => saveDir.remove());
    const target = `${saveDir.path}/box-photo.jpg`;
    await (await session.find(`${viewCss} ${testId('media-save')}`)).click();
    await answerSaveDialog(target);
    await waitFor(() => existsSync(target), waitMs, `the picture saved at ${target}`, 200);
    const saved = readFileSync(target);
    assert.deepEqual([...saved.subarray(0, 3)], [0xff, 0xd8, 0xff], 'the saved file is the JPEG');

    // A text to a landline: not delivered, with the reason and an OS notification.
    await (await session.find(testId('nav-communication'))).click();
    await (await session.waitForElement(testId('new-number-button'), 'New SMS')).click();
    const number = await session.waitForElement(testId('new-number-input'), 'the number field');
    await number.sendKeys('+15005550010');
    await (await session.find(testId('new-number-submit'))).click();
    const landlineCss = `${testId('interaction-view')}[data-state="active"]`;
    // The new chat opens; the number was looked up as a landline before any text.
    const landlineView = await session.waitForElement(
      `${landlineCss} ${testId('reachability-warning')}`,
      'the new chat, with the landline warning',
    );
    assert.match(await landlineView.text(), /may not receive SMS/);
    const newView = await session.find(landlineCss);
    assert.notEqual(await newView.attribute('data-interaction-id'), interactionId, 'a new chat, not the first one');
    const landlineInput = await session.waitForElement(`${landlineCss} ${testId('composer-input')}`, 'the composer');
    const beforeLandline = notifications.mark();
    await landlineInput.sendKeys('Your invoice total is $42.10.');
    await landlineInput.sendKeys(Keys.Enter);
    await session.waitForElement(`${landlineCss} ${testId('delivery-problem')}`, 'the not-delivered line');
    await expectNotification(notifications, beforeLandline, ['was not delivered'], 'the OS notification of the text not delivered');
    await shot('06d-undelivered');

    // Privacy: with "nothing", a notification names neither the contact nor the text; the
    // unread total shows in the window's own title.
    await (await session.find(testId('notification-settings-button'))).click();
    await (await session.waitForElement(`${testId('notification-privacy')}[data-value="nothing"]`, 'the privacy choice')).click();
    await (await session.find(testId('notification-settings-button'))).click();
    const beforePrivate = notifications.mark();
    const secret = 'My card ends in 4471';
    await hub.simulateInbound(customer, secret);
    const privateNotice = await expectNotification(
      notifications,
      beforePrivate,
      ['Open Parley to see it'],
      'the notification worded for the "nothing" privacy setting',
    );
    for (const call of notifications.notifySince(beforePrivate)) {
      assert.ok(
        !call.text.includes('4471') && !call.text.includes(customer),
        `no notification shows the contact or the text: ${JSON.stringify(call.strings)}`,
      );
    }
    t.diagnostic(`private notification: ${JSON.stringify(privateNotice.strings)}`);
    await waitFor(
      async () => (await run('xdotool', ['search', '--name', '^\\([0-9]+\\) Parley$']).catch(() => '')).trim() !== '',
      waitMs,
      'the window title to show the unread total, e.g. "(1) Parley"',
      250,
    );

    // Signing out with the chat open asks first; Dana stays.
    await (await session.find(testId('sign-out'))).click();
    await session.waitForElement(testId('confirm-dialog'), 'the question before signing out with a chat open');
    await shot('06f-sign-out-question');
    await (await session.find(testId('confirm-cancel'))).click();
    await session.waitForAbsence(testId('confirm-dialog'), 'the question once Dana chose to stay');
    await expectDomText(session, testId('agent-name'), agent.name, 'Dana, still signed in');

    // Wrap up: End, a disposition, Done (before another agent takes this desktop: signing
    // out with a chat open would hand it back to the queue).
    await (await session.waitForElement(testId('interaction-item'), 'the active interaction in the list')).click();
    await (await session.waitForElement(testId('interaction-end'), 'the End button')).click();
    await expectAttribute(session, testId('interaction-view'), 'data-state', 'ended', 'the interaction view after End');
    await (await session.find(testId('tab-disposition'))).click();
    await (await session.waitForElement('[data-testid="disposition-option"][data-code="Resolved"]', 'the Resolved disposition')).click();
    await (await session.find(testId('interaction-done'))).click();
    await session.waitForAbsence(testId('interaction-view'), 'the interaction view once it is Done');
    await shot('07-done');

    // Another agent at this desktop: Nico has no save-media permission. He finds the
    // customer, sees the picture but no Save, and Dana's chat in the contact's history.
    await signOutAndIn(session, hub.url, other);
    const finder = await session.waitForElement(testId('contact-search'), 'the contact search box');
    await finder.sendKeys(customer.slice(2));
    await (await session.waitForElement(testId('search-result-contact'), 'the customer found by number')).click();
    await session.waitForElement(`${testId('transcript')} ${testId('media-thumbnail')}`, "the customer's picture");
    assert.equal((await session.findAll(testId('media-save'))).length, 0, 'no Save without the permission');
    let handledBy = [];
    await waitFor(
      async () => {
        // Its DOM text: WebKitWebDriver reads an ellipsed line as empty.
        handledBy = await Promise.all(
          (await session.findAll(testId('contact-history-agent'))).map(async (item) =>
            String(await item.property('textContent')).trim(),
          ),
        );
        return handledBy.includes(agent.name);
      },
      waitMs,
      () => `the contact's history to show ${agent.name} (it shows ${JSON.stringify(handledBy)})`,
      200,
    );
    await shot('06e-other-agent');
    await signOutAndIn(session, hub.url, agent);

    // The hub goes away: the desktop still shows history and searches its replica.
    await hub.stop();
    await expectAttribute(session, testId('connection'), 'data-state', 'offline', 'the connection indicator once the hub is gone');
    const search = await session.waitForElement(testId('contact-search'), 'the contact search box');
    await search.sendKeys('order');
    const hit = await session.waitForElement(testId('search-result-message'), 'a message hit found offline');
    const hitText = await hit.text();
    assert.ok(hitText.includes('order'), `the offline hit shows the message: ${JSON.stringify(hitText)}`);
    await hit.click();
    await session.waitForElement(`${testId('transcript')} ${testId('message')}`, 'the transcript, offline');
    const shown = await session.findAll(`${testId('transcript')} ${testId('message')}`);
    assert.ok(shown.length >= 3, `the whole history is readable offline (${shown.length} messages)`);
    await shot('08-offline-search');
  } catch (error) {
    await shot('FAILED').catch((shotError) => console.error(`no failure screenshot: ${shotError.message}`));
    throw error;
  }
});
