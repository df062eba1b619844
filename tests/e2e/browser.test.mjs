// The agent's day in a browser: the UI served by a real hub, driven in Debian's Chromium
// through Playwright, with the hub's simulated carrier playing the customer.
//
// Run: cd tests/e2e && node --test browser.test.mjs
// Screenshots, browser console output and hub logs land in test-artifacts/e2e/.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import {
  acceptOfferFrom,
  becomeReady,
  byTestId,
  contactItem,
  customer,
  expectAttribute,
  expectCount,
  expectNotice,
  expectText,
  openConversation,
  openPage,
  quietPeriodMs,
  screenshot,
  secondCustomer,
  signIn,
  signInAs,
  testTimeoutMs,
  useBrowser,
  withFailureScreenshot,
} from './browser-page.mjs';
import { artifactPath, startHub, teardown, waitFor, waitMs } from './harness.mjs';

useBrowser();

describe('the agent in a browser', () => {
  test('signs in, accepts an SMS, replies, and sees it delivered; unread counts follow', { timeout: testTimeoutMs }, async (t) => {
    const defer = teardown(t);
    const hub = await startHub('browser-flow');
    defer(() => hub.stop());
    const agent = { login: 'alice', name: 'Alice Agent', password: 'correct horse battery' };
    await hub.addAgent(agent.login, agent.name, agent.password);
    const page = await openPage(defer, 'browser-flow');

    await withFailureScreenshot(page, 'browser-flow', async () => {
      // Sign in and become Ready.
      await signInAs(page, hub, agent);
      await screenshot(page, 'browser-flow-01-signed-in');
      await becomeReady(page);
      await screenshot(page, 'browser-flow-02-ready');

      // A customer texts; the text contains markup that must stay text.
      const firstBody = 'Hi, <b>where</b> is my order?';
      await hub.simulateInbound(customer, firstBody);
      const offer = byTestId(page, 'offer-dialog');
      await offer.waitFor({ state: 'visible' });
      await screenshot(page, 'browser-flow-03-offer');
      const { view } = await acceptOfferFrom(page, customer, firstBody);

      const transcript = byTestId(view, 'transcript');
      const inbound = transcript.locator('[data-testid="message"][data-direction="inbound"]');
      await expectCount(inbound, 1, 'inbound messages in the transcript after accepting');
      const shownText = await inbound.innerText();
      assert.ok(
        shownText.includes(firstBody),
        `the transcript shows the SMS literally, markup included; it shows ${JSON.stringify(shownText)}`,
      );
      assert.equal(
        await transcript.locator('b').count(),
        0,
        'no <b> element inside the transcript: the SMS text must never be rendered as HTML',
      );
      await screenshot(page, 'browser-flow-04-accepted');

      // Reply with Enter.
      const reply = 'Your order left the warehouse this morning.';
      const input = byTestId(view, 'composer-input');
      await input.fill(reply);
      await input.press('Enter');
      const outbound = transcript
        .locator('[data-testid="message"][data-direction="outbound"]')
        .filter({ hasText: reply });
      await expectCount(outbound, 1, 'the reply in the transcript after pressing Enter');
      await expectText(byTestId(outbound, 'message-status'), 'Delivered', 'the reply\'s delivery status');
      await expectAttribute(outbound, 'data-status', 'delivered', 'the reply message');
      assert.equal(await input.inputValue(), '', 'the composer is emptied once the reply was sent');
      await screenshot(page, 'browser-flow-05-delivered');

      // The carrier was asked to send exactly that reply, once, to the customer.
      const outbox = await hub.outbox();
      const sent = outbox.filter((message) => message.body === reply);
      assert.equal(sent.length, 1, `the outbox holds the reply exactly once; outbox: ${JSON.stringify(outbox)}`);
      assert.equal(sent[0].to, customer, `the reply went to ${customer}; outbox: ${JSON.stringify(outbox)}`);
      assert.equal(outbox.length, 1, `nothing else was sent; outbox: ${JSON.stringify(outbox)}`);

      // The Communication tab, nobody selected: the customer texts again and is unread.
      await byTestId(page, 'nav-communication').click();
      const first = contactItem(page, customer);
      await expectCount(first, 1, `contact entries for ${customer} in the Communication tab`);
      assert.equal(
        await first.getAttribute('aria-current'),
        null,
        'no contact is selected when the Communication tab opens',
      );
      await expectCount(byTestId(first, 'unread-badge'), 0, `unread badges on ${customer}, read in the interaction view`);

      const followUp = 'Also, can I change the address?';
      await hub.simulateInbound(customer, followUp);
      await expectText(byTestId(first, 'unread-badge'), '1', `the unread badge of ${customer} after a new SMS`);
      await screenshot(page, 'browser-flow-06-unread-none-selected');

      await openConversation(page, first, followUp, customer);
      await expectCount(byTestId(first, 'unread-badge'), 0, `unread badges on ${customer} once its conversation is open`);

      // A second customer; with that one selected, the first customer texts again.
      const secondBody = 'Hello, is the shop open on Sunday?';
      await hub.simulateInbound(secondCustomer, secondBody);
      await acceptOfferFrom(page, secondCustomer, secondBody);
      await byTestId(page, 'nav-communication').click();
      const second = contactItem(page, secondCustomer);
      await expectCount(second, 1, `contact entries for ${secondCustomer}`);
      await second.click();
      await expectAttribute(second, 'aria-current', 'true', `the contact entry of ${secondCustomer} after clicking it`);

      const another = 'Never mind, I found it.';
      await hub.simulateInbound(customer, another);
      await expectText(
        byTestId(first, 'unread-badge'),
        '1',
        `the unread badge of ${customer} while ${secondCustomer} is selected`,
      );
      await expectCount(byTestId(second, 'unread-badge'), 0, `unread badges on the selected ${secondCustomer}`);
      await screenshot(page, 'browser-flow-07-unread-other-selected');

      await openConversation(page, first, another, customer);
      await expectCount(
        byTestId(first, 'unread-badge'),
        0,
        `unread badges on ${customer} once its conversation is open again`,
      );

      // Marked read on the hub, not only on screen: a reload still shows no badge.
      await page.reload();
      await expectText(byTestId(page, 'agent-name'), agent.name, 'the agent name after a reload (session kept)');
      await byTestId(page, 'nav-communication').click();
      await expectCount(contactItem(page, customer), 1, `contact entries for ${customer} after a reload`);
      await expectCount(
        byTestId(contactItem(page, customer), 'unread-badge'),
        0,
        `unread badges on ${customer} after a reload (the read mark must reach the hub)`,
      );
      await screenshot(page, 'browser-flow-08-after-reload');
    });
  });

  // Opening a conversation sends the read mark and refreshes the contact list at the same
  // time. On a real network the read mark can reach the hub after the list was read; the
  // badge must still clear. Holding the read mark back for a moment makes that order
  // certain instead of a matter of luck.
  test('the unread badge clears even when the read mark reaches the hub late', { timeout: testTimeoutMs }, async (t) => {
    const defer = teardown(t);
    const hub = await startHub('browser-late-read');
    defer(() => hub.stop());
    const agent = { login: 'erin', name: 'Erin Agent', password: 'late reader' };
    await hub.addAgent(agent.login, agent.name, agent.password);
    const page = await openPage(defer, 'browser-late-read');

    await withFailureScreenshot(page, 'browser-late-read', async () => {
      await signInAs(page, hub, agent);
      await becomeReady(page);
      const body = 'Is my parcel insured?';
      await hub.simulateInbound(customer, body);
      await acceptOfferFrom(page, customer, body);

      await byTestId(page, 'nav-communication').click();
      const item = contactItem(page, customer);
      await expectCount(item, 1, `contact entries for ${customer} in the Communication tab`);
      const followUp = 'Hello again';
      await hub.simulateInbound(customer, followUp);
      await expectText(byTestId(item, 'unread-badge'), '1', `the unread badge of ${customer} after a new SMS`);

      let readMarks = 0;
      await page.route('**/api/contacts/*/read', async (route) => {
        readMarks += 1;
        await new Promise((resolveDelay) => setTimeout(resolveDelay, 1_000));
        await route.continue();
      });
      await openConversation(page, item, followUp, customer);
      assert.ok(readMarks > 0, 'the read mark went through the delaying route');
      await expectCount(
        byTestId(item, 'unread-badge'),
        0,
        `unread badges on ${customer} once its conversation is open and the hub has recorded the read mark ` +
          '(it arrived 1 s after the contact list was fetched; the UI must not keep the stale count)',
      );
      await screenshot(page, 'browser-late-read');
    });
  });

  test('a wrong password is refused with an error', { timeout: testTimeoutMs }, async (t) => {
    const defer = teardown(t);
    const hub = await startHub('browser-wrong-password');
    defer(() => hub.stop());
    await hub.addAgent('bob', 'Bob Agent', 'the right one');
    const page = await openPage(defer, 'browser-wrong-password');

    await withFailureScreenshot(page, 'browser-wrong-password', async () => {
      await signIn(page, hub, 'bob', 'the wrong one');
      const error = byTestId(page, 'login-error');
      await error.waitFor({ state: 'visible' });
      const message = (await error.innerText()).trim();
      assert.match(message, /password/i, `the sign-in error speaks of the password; it reads ${JSON.stringify(message)}`);
      await screenshot(page, 'browser-wrong-password');
      assert.equal(await byTestId(page, 'agent-name').count(), 0, 'no workspace opens after a refused sign-in');
      assert.equal(await byTestId(page, 'login-submit').isEnabled(), true, 'the form can be submitted again');
    });
  });

  test('an SMS waits while nobody is Ready and is offered once the agent is Ready', { timeout: testTimeoutMs }, async (t) => {
    const defer = teardown(t);
    const hub = await startHub('browser-not-ready');
    defer(() => hub.stop());
    const agent = { login: 'carol', name: 'Carol Agent', password: 'not ready yet' };
    await hub.addAgent(agent.login, agent.name, agent.password);
    const page = await openPage(defer, 'browser-not-ready');

    await withFailureScreenshot(page, 'browser-not-ready', async () => {
      await signInAs(page, hub, agent);
      const toggle = byTestId(page, 'status-toggle');
      await expectAttribute(toggle, 'data-status', 'notReady', 'the status toggle right after sign-in');

      const body = 'Anyone there?';
      await hub.simulateInbound(customer, body);
      // Give routing every chance to (wrongly) offer it; nothing may appear.
      await new Promise((resolveSleep) => setTimeout(resolveSleep, quietPeriodMs));
      assert.equal(await byTestId(page, 'offer-dialog').count(), 0, 'no offer is shown to an agent who is Not Ready');
      assert.equal(
        await byTestId(page, 'interaction-item').count(),
        0,
        'no interaction is assigned to an agent who is Not Ready',
      );
      await screenshot(page, 'browser-not-ready-01-waiting');

      await toggle.click();
      await expectAttribute(toggle, 'data-status', 'ready', 'the status toggle after clicking it');
      await byTestId(page, 'offer-dialog').waitFor({ state: 'visible' });
      await screenshot(page, 'browser-not-ready-02-offered');
      await acceptOfferFrom(page, customer, body);
    });
  });
  test('ends the chat, wraps up with a disposition and a note, marks it Done, and starts a new SMS interaction', { timeout: testTimeoutMs }, async (t) => {
    const defer = teardown(t);
    const hub = await startHub('browser-lifecycle');
    defer(() => hub.stop());
    const agent = { login: 'lena', name: 'Lena Lifecycle', password: 'wrap it up please' };
    await hub.addAgent(agent.login, agent.name, agent.password);
    const page = await openPage(defer, 'browser-lifecycle');

    await withFailureScreenshot(page, 'browser-lifecycle', async () => {
      await signInAs(page, hub, agent);
      await becomeReady(page);
      await hub.simulateInbound(customer, 'My parcel arrived damaged.');
      const { view, interactionId } = await acceptOfferFrom(page, customer, 'My parcel arrived damaged.');
      await byTestId(view, 'composer-input').fill('Sorry about that! A replacement is on its way.');
      await byTestId(view, 'composer-input').press('Enter');
      await expectText(
        view.locator('[data-testid="message"][data-direction="outbound"] [data-testid="message-status"]'),
        'Delivered',
        'the reply before ending the chat',
      );

      // Case Information names the number and the origin.
      await byTestId(view, 'tab-case').click();
      const caseText = await byTestId(view, 'case-information').innerText();
      assert.ok(caseText.includes(customer), `Case Information shows the number; it reads ${JSON.stringify(caseText)}`);
      assert.ok(caseText.includes('SMS'), `Case Information shows the channel; it reads ${JSON.stringify(caseText)}`);

      // End: the view stays open, saying who ended it.
      await byTestId(view, 'interaction-end').click();
      await expectAttribute(view, 'data-state', 'ended', 'the interaction view after End');
      await expectText(byTestId(view, 'interaction-ended-by'), 'You ended the chat', 'who ended the chat');
      await screenshot(page, 'browser-lifecycle-01-ended');

      // Wrap-up: disposition and note, then Done.
      await byTestId(view, 'tab-disposition').click();
      await view.locator('[data-testid="disposition-option"][data-code="Resolved"]').check();
      await byTestId(view, 'tab-note').click();
      await byTestId(view, 'note-input').fill('Replacement ordered, ticket 5521.');
      await screenshot(page, 'browser-lifecycle-02-wrap-up');
      await byTestId(view, 'interaction-done').click();
      await expectCount(
        page.locator(`[data-testid="interaction-view"][data-interaction-id="${interactionId}"]`),
        0,
        'the Chat Interaction view once the interaction is Done',
      );
      await expectCount(byTestId(page, 'interaction-item'), 0, 'active interactions after Done');
      await waitFor(
        async () => /1 handled/.test((await byTestId(page, 'kpi-summary').innerText()) ?? ''),
        waitMs,
        async () => `the KPI summary to count one handled interaction (it reads ${JSON.stringify(await byTestId(page, 'kpi-summary').innerText())})`,
      );

      // The hub recorded it: nothing open is left, and the KPI counts it.
      const login = await fetch(`${hub.url}/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login: agent.login, password: agent.password }),
      }).then((response) => response.json());
      const authorized = { headers: { authorization: `Bearer ${login.token}` } };
      const open = await fetch(`${hub.url}/api/interactions`, authorized).then((response) => response.json());
      assert.deepEqual(open, [], 'no open interaction is left for the agent on the hub');
      const summary = await fetch(`${hub.url}/api/me/summary?since=0`, authorized).then((response) => response.json());
      assert.equal(summary.handled, 1, `the hub counts one handled interaction: ${JSON.stringify(summary)}`);

      // Create SMS Interaction from the Communication tab with the same contact.
      await byTestId(page, 'nav-communication').click();
      const item = contactItem(page, customer);
      await item.click();
      await byTestId(page, 'create-interaction').click();
      const created = byTestId(page, 'interaction-view');
      await created.waitFor({ state: 'visible' });
      await expectAttribute(created, 'data-state', 'active', 'the new outbound interaction');
      const newId = await created.getAttribute('data-interaction-id');
      assert.notEqual(newId, interactionId, 'Create SMS Interaction opens a new interaction after Done');
      await byTestId(created, 'tab-case').click();
      const origin = await byTestId(created, 'case-information').innerText();
      assert.match(origin, /Outbound/, `the new interaction's origin is outbound; Case Information reads ${JSON.stringify(origin)}`);
      await screenshot(page, 'browser-lifecycle-03-created');
    });
  });
  test('two agents: a returning customer goes back to the assigned agent, and another agent sees the whole history', { timeout: testTimeoutMs }, async (t) => {
    const defer = teardown(t);
    const hub = await startHub('browser-two-agents');
    defer(() => hub.stop());
    const ana = { login: 'ana', name: 'Ana Assigned', password: 'first to answer' };
    const ben = { login: 'ben', name: 'Ben Backup', password: 'second in line' };
    await hub.addAgent(ana.login, ana.name, ana.password);
    await hub.addAgent(ben.login, ben.name, ben.password);
    const anaPage = await openPage(defer, 'browser-two-agents-ana');
    const benPage = await openPage(defer, 'browser-two-agents-ben');

    /** Replies in `view`, waits for Delivered, ends, picks `code` and marks the interaction Done. */
    async function replyEndAndDone(page, view, reply, code) {
      await byTestId(view, 'composer-input').fill(reply);
      await byTestId(view, 'composer-input').press('Enter');
      await expectCount(
        view.locator('[data-testid="message"][data-direction="outbound"][data-status="delivered"]').filter({ hasText: reply }),
        1,
        `the reply ${JSON.stringify(reply)} delivered`,
      );
      await byTestId(view, 'interaction-end').click();
      await expectAttribute(view, 'data-state', 'ended', 'the interaction after End');
      await byTestId(view, 'tab-disposition').click();
      await view.locator(`[data-testid="disposition-option"][data-code="${code}"]`).check();
      await byTestId(view, 'interaction-done').click();
      await expectCount(byTestId(page, 'interaction-view'), 0, 'Chat Interaction views once Done');
    }

    await withFailureScreenshot(anaPage, 'browser-two-agents', async () => {
      await signInAs(anaPage, hub, ana);
      await signInAs(benPage, hub, ben);

      // Ana is the only one Ready: she takes the first chat and becomes the assigned agent.
      await becomeReady(anaPage);
      await hub.simulateInbound(customer, 'Is my order 7781 shipped?');
      const first = await acceptOfferFrom(anaPage, customer, 'Is my order 7781 shipped?');
      await replyEndAndDone(anaPage, first.view, 'It left the warehouse this morning.', 'Resolved');
      await screenshot(anaPage, 'browser-two-agents-01-ana-done');

      // Both Ready now; the customer writes again and is routed back to Ana, not to Ben.
      await becomeReady(benPage);
      await hub.simulateInbound(customer, 'Thanks! And the invoice?');
      const second = await acceptOfferFrom(anaPage, customer, 'Thanks! And the invoice?');
      await new Promise((settle) => setTimeout(settle, quietPeriodMs));
      await expectCount(byTestId(benPage, 'offer-dialog'), 0, "offers on Ben's screen while the assigned agent is Ready");
      // The whole history is in Ana's new view, with the boundary between the two chats.
      const transcript = byTestId(second.view, 'transcript');
      await expectCount(transcript.locator('[data-testid="message"]'), 3, 'messages of both chats in the transcript');
      await expectCount(byTestId(transcript, 'interaction-boundary'), 1, 'boundaries between the two chats');
      await screenshot(anaPage, 'browser-two-agents-02-routed-back');
      await replyEndAndDone(anaPage, second.view, 'The invoice is in your email.', 'Follow-up needed');

      // Ana steps away: the next message goes to Ben, who sees everything Ana wrote.
      await anaPage.locator('[data-testid="status-toggle"]').click();
      await expectAttribute(byTestId(anaPage, 'status-toggle'), 'data-status', 'notReady', "Ana's status after stepping away");
      await hub.simulateInbound(customer, 'One last question about returns');
      const third = await acceptOfferFrom(benPage, customer, 'One last question about returns');
      const benTranscript = byTestId(third.view, 'transcript');
      await expectCount(benTranscript.locator('[data-testid="message"]'), 5, "messages of all three chats in Ben's transcript");
      await expectCount(byTestId(benTranscript, 'interaction-boundary'), 2, 'boundaries between the three chats');
      await expectCount(
        benTranscript.locator('[data-testid="message"][data-direction="outbound"]').filter({ hasText: 'The invoice is in your email.' }),
        1,
        "Ana's reply in Ben's transcript",
      );
      // The Contact tab lists the earlier chats with who handled them and how they ended.
      await byTestId(third.view, 'tab-contact').click();
      const history = byTestId(third.view, 'contact-history-item');
      await expectCount(history, 3, "interactions in the contact's history");
      const historyText = await history.allInnerTexts();
      assert.equal(historyText.filter((text) => text.includes(ana.name)).length, 2, `Ana handled two: ${JSON.stringify(historyText)}`);
      assert.ok(historyText.some((text) => text.includes('Resolved')), `a disposition is shown: ${JSON.stringify(historyText)}`);
      assert.ok(historyText.some((text) => text.includes('Follow-up needed')), `both dispositions are shown: ${JSON.stringify(historyText)}`);
      await screenshot(benPage, 'browser-two-agents-03-ben-history');
    });
  });
  test('pictures and what goes wrong: an MMS as thumbnails, Save only with the permission, an attachment issue, an undelivered text with Retry, an opt-out', { timeout: testTimeoutMs }, async (t) => {
    const defer = teardown(t);
    const hub = await startHub('browser-pictures');
    defer(() => hub.stop());
    const sofia = { login: 'sofia', name: 'Sofia Saves', password: 'pictures please' };
    const nate = { login: 'nate', name: 'Nate Nosave', password: 'look but keep none' };
    await hub.addAgent(sofia.login, sofia.name, sofia.password, { autoAnswer: true, saveMedia: true });
    await hub.addAgent(nate.login, nate.name, nate.password);
    const page = await openPage(defer, 'browser-pictures', { notifications: true });
    const other = await openPage(defer, 'browser-pictures-nate');

    await withFailureScreenshot(page, 'browser-pictures', async () => {
      await signInAs(page, hub, sofia);
      // Browser notifications are asked for from the top bar, never on load.
      await byTestId(page, 'notification-settings-button').click();
      const allow = byTestId(page, 'notification-allow');
      if (await allow.count()) await allow.click();
      await page.keyboard.press('Escape');
      await becomeReady(page);

      // An MMS: a photo and a damaged file.
      await hub.simulateInbound(customer, 'The box arrived like this', ['photo.jpg', 'corrupt.jpg']);
      // Answered automatically: it waits in the list of active interactions.
      await byTestId(page, 'interaction-item').click();
      const view = byTestId(page, 'interaction-view');
      await view.waitFor({ state: 'visible' });
      const thumbnail = byTestId(view, 'media-thumbnail').locator('img').first();
      await thumbnail.waitFor({ state: 'visible' });
      await waitFor(
        async () => (await thumbnail.evaluate((img) => img.complete && img.naturalWidth)) > 0,
        waitMs,
        'the thumbnail to load',
      );
      const size = await thumbnail.evaluate((img) => [img.naturalWidth, img.naturalHeight]);
      assert.deepEqual(size, [320, 240], 'a 320 px thumbnail of the 1200×900 photo');
      const issue = byTestId(view, 'attachment-issue');
      await issue.waitFor({ state: 'visible' });
      const issueText = await issue.innerText();
      assert.match(issueText, /damaged/, `the issue says why: ${issueText}`);
      assert.match(issueText, /send it again/i, `the issue tells what to ask: ${issueText}`);
      await screenshot(page, 'browser-pictures-01-mms');
      await expectNotice(page, 'Attachment issue', 'a browser notification of the attachment issue');

      // Full size in the viewer; Escape closes it and gives the focus back.
      await thumbnail.dblclick();
      const viewer = byTestId(page, 'media-viewer');
      await viewer.waitFor({ state: 'visible' });
      await page.keyboard.press('Escape');
      await expectCount(viewer, 0, 'the viewer after Escape');

      // Save: the download is the photo, under a plain name.
      const downloading = page.waitForEvent('download');
      await byTestId(view, 'media-save').first().click();
      const download = await downloading;
      assert.match(download.suggestedFilename(), /^parley-contact-\d+-picture-\d+\.jpg$/);
      const saved = readFileSync(await download.path());
      assert.deepEqual([...saved.subarray(0, 3)], [0xff, 0xd8, 0xff], 'a JPEG file');

      // Sofia answers with a picture of her own, attached with the picker, and no text.
      const photoPath = artifactPath('browser-pictures-reply.jpg');
      writeFileSync(photoPath, Buffer.from(await (await fetch(`${hub.url}/sim/media/photo.jpg`)).arrayBuffer()));
      await byTestId(view, 'composer-file-input').setInputFiles(photoPath);
      await expectCount(byTestId(view, 'composer-attachment'), 1, 'the attached picture');
      await byTestId(view, 'composer-send').click();
      const sentPicture = view.locator('[data-testid="message"][data-direction="outbound"] [data-testid="media-thumbnail"] img');
      await sentPicture.waitFor({ state: 'visible' });
      await waitFor(
        async () => (await sentPicture.evaluate((img) => img.complete && img.naturalWidth)) > 0,
        waitMs,
        'the sent picture in the transcript',
      );
      await expectCount(byTestId(view, 'composer-attachment'), 0, 'attachments once sent');

      // Nate sees the picture but has no Save anywhere.
      await signInAs(other, hub, nate);
      // Not his contact: he finds it with the search across all contacts.
      await byTestId(other, 'contact-search').fill(customer.slice(2));
      await byTestId(other, 'search-result-contact').first().click();
      const otherThumb = byTestId(other, 'media-thumbnail').first();
      await otherThumb.waitFor({ state: 'visible' });
      await expectCount(byTestId(other, 'media-save'), 0, "Save icons for an agent without the permission");
      await otherThumb.click({ button: 'right' });
      const menu = byTestId(other, 'media-context-menu');
      await menu.waitFor({ state: 'visible' });
      const items = await menu.locator('[role="menuitem"]').allInnerTexts();
      assert.deepEqual(items.map((item) => item.trim()), ['Open'], `the menu offers Open only: ${items}`);
      await other.keyboard.press('Escape');

      // A text to a landline: flagged before sending, undelivered after, with the reason.
      await byTestId(page, 'nav-communication').click();
      await byTestId(page, 'new-number-button').click();
      await byTestId(page, 'new-number-input').fill('555');
      await byTestId(page, 'new-number-submit').click();
      const numberError = byTestId(page, 'new-number-error');
      await numberError.waitFor({ state: 'visible' });
      assert.match(await numberError.innerText(), /incorrect/, 'the guide\'s wording');
      await byTestId(page, 'new-number-input').fill('+1 500 555 0010');
      await byTestId(page, 'new-number-submit').click();
      const landline = page.locator('[data-testid="interaction-view"][data-state="active"]').last();
      await landline.waitFor({ state: 'visible' });
      await byTestId(landline, 'composer-input').fill('Your invoice total is $42.10.');
      await byTestId(landline, 'composer-input').press('Enter');
      const problem = byTestId(landline, 'delivery-problem');
      await problem.waitFor({ state: 'visible' });
      assert.match(await problem.innerText(), /landline/, 'the carrier\'s reason in plain words');
      await byTestId(landline, 'reachability-warning').waitFor({ state: 'visible' });
      await screenshot(page, 'browser-pictures-02-undelivered');
      await expectNotice(page, 'Message not delivered', 'a browser notification of the undelivered text');

      // A number that bounces once: Retry really sends again, and it is delivered.
      await byTestId(page, 'nav-communication').click();
      await byTestId(page, 'new-number-button').click();
      await byTestId(page, 'new-number-input').fill('+15005550014');
      await byTestId(page, 'new-number-submit').click();
      const bouncing = page.locator('[data-testid="interaction-view"][data-state="active"]').last();
      await byTestId(bouncing, 'composer-input').fill('Your parcel is at the door.');
      await byTestId(bouncing, 'composer-input').press('Enter');
      await byTestId(bouncing, 'message-retry').click();
      await expectText(
        bouncing.locator('[data-testid="message"][data-direction="outbound"] [data-testid="message-status"]'),
        'Delivered',
        'the retried text',
      );
      await expectCount(byTestId(bouncing, 'delivery-problem'), 0, 'problem lines once delivered');
      const sent = (await hub.outbox()).filter((message) => message.body === 'Your parcel is at the door.');
      assert.equal(sent.length, 2, `two provider messages for one transcript entry: ${JSON.stringify(sent)}`);

      // STOP locks the composer.
      await hub.simulateInbound(secondCustomer, 'STOP');
      await byTestId(page, 'nav-communication').click();
      await byTestId(page, 'contact-search').fill(secondCustomer.slice(2));
      await byTestId(page, 'search-result-contact').first().click();
      await byTestId(page, 'opted-out-banner').waitFor({ state: 'visible' });
      assert.ok(await byTestId(page, 'composer-input').isDisabled(), 'the composer is locked');
      await screenshot(page, 'browser-pictures-03-opted-out');
    });
  });
  test('searches every contact and message, searches within a conversation, and marks a conversation unread', { timeout: testTimeoutMs }, async (t) => {
    const defer = teardown(t);
    const hub = await startHub('browser-search');
    defer(() => hub.stop());
    const agent = { login: 'sam', name: 'Sam Search', password: 'find it fast' };
    await hub.addAgent(agent.login, agent.name, agent.password, { autoAnswer: true });
    const page = await openPage(defer, 'browser-search');

    await withFailureScreenshot(page, 'browser-search', async () => {
      await signInAs(page, hub, agent);
      await becomeReady(page);
      await hub.simulateInbound(customer, 'Mi café llegó frío');
      await hub.simulateInbound(secondCustomer, 'Где мой заказ? <b>срочно</b>');
      await expectCount(byTestId(page, 'interaction-item'), 2, 'auto-answered interactions');

      // Search across every contact and message, accents and scripts included.
      await byTestId(page, 'nav-communication').click();
      const search = byTestId(page, 'contact-search');
      await search.fill('cafe');
      const messageHits = byTestId(page, 'search-result-message');
      await expectCount(messageHits, 1, 'message hits for "cafe"');
      assert.ok((await messageHits.innerText()).includes('café'), 'the hit shows the message');
      assert.equal(await byTestId(page, 'search-result-contact').count(), 0, 'no contact is named like "cafe"');
      await search.fill('заказ');
      let hitText = '';
      await waitFor(
        async () => {
          hitText = (await messageHits.count()) === 1 ? await messageHits.innerText() : '';
          return hitText.includes('Где мой заказ');
        },
        waitMs,
        () => `one message hit for "заказ" (it shows ${JSON.stringify(hitText)})`,
      );
      assert.ok(hitText.includes('<b>срочно</b>'), `markup in a hit stays text; it reads ${JSON.stringify(hitText)}`);
      assert.equal(await messageHits.locator('b').count(), 0, 'no <b> element in the hit');
      assert.ok((await messageHits.locator('mark').count()) >= 1, 'the matched word is highlighted');
      await search.fill('"NEAR(*'); // FTS syntax typed by an agent is just text
      await byTestId(page, 'search-empty').waitFor({ state: 'visible' });
      await search.fill('201 555 0102');
      await expectCount(byTestId(page, 'search-result-contact'), 1, 'contact hits for part of a number');
      await expectCount(messageHits, 0, 'message hits for a number');
      await screenshot(page, 'browser-search-01-results');

      // Open the hit, then search within the conversation.
      await byTestId(page, 'search-result-contact').click();
      await search.fill('');
      await byTestId(page, 'conversation-search').fill('СРОЧНО');
      await expectText(byTestId(page, 'conversation-search-count'), '1 of 1', 'hits in the conversation');

      // Mark as unread brings the badge back.
      await byTestId(page, 'mark-unread').click();
      const badge = byTestId(contactItem(page, secondCustomer), 'unread-badge');
      await expectText(badge, '1', 'the unread badge after Mark as unread');
      await screenshot(page, 'browser-search-02-unread');
    });
  });
  test('a whole chat from the keyboard alone: sign in, Ready, accept, reply, switch chats, end, disposition, Done', { timeout: testTimeoutMs }, async (t) => {
    const defer = teardown(t);
    const hub = await startHub('browser-keyboard-only');
    defer(() => hub.stop());
    const agent = { login: 'kai', name: 'Kai Keyboard', password: 'tab tab enter' };
    await hub.addAgent(agent.login, agent.name, agent.password);
    const page = await openPage(defer, 'browser-keyboard-only');

    /** Presses Tab until the focus is on `css`, and checks the focus is visible there. */
    async function tabTo(css, what) {
      for (let presses = 0; presses < 60; presses += 1) {
        const there = await page.evaluate((selector) => document.activeElement?.matches(selector) ?? false, css);
        if (there) {
          const ring = await page.evaluate(() => {
            const style = getComputedStyle(document.activeElement);
            return { outline: style.outlineStyle, width: style.outlineWidth, shadow: style.boxShadow };
          });
          assert.ok(
            (ring.outline !== 'none' && ring.width !== '0px') || ring.shadow !== 'none',
            `${what} shows where the focus is: ${JSON.stringify(ring)}`,
          );
          return;
        }
        await page.keyboard.press('Tab');
      }
      assert.fail(`${what} is not reachable with Tab`);
    }

    await withFailureScreenshot(page, 'browser-keyboard-only', async () => {
      await page.goto(hub.url);
      await tabTo('[data-testid="login-user"]', 'the login field');
      await page.keyboard.type(agent.login);
      await page.keyboard.press('Tab');
      await page.keyboard.type(agent.password);
      await page.keyboard.press('Enter');
      await expectText(byTestId(page, 'agent-name'), agent.name, 'the agent after signing in with Enter');
      await expectAttribute(byTestId(page, 'connection'), 'data-state', 'online', 'the connection');

      await page.keyboard.press('Alt+S');
      await expectAttribute(byTestId(page, 'status-toggle'), 'data-status', 'ready', 'the status after Alt+S');

      // Two customers; each offer is accepted with Alt+A.
      await hub.simulateInbound(customer, 'Is my order on its way?');
      await byTestId(page, 'offer-dialog').waitFor({ state: 'visible' });
      await page.keyboard.press('Alt+A');
      await expectCount(byTestId(page, 'interaction-item'), 1, 'active interactions after the first Alt+A');
      await page.keyboard.press('Alt+C');
      await page.keyboard.type('Yes, it ships today.');
      await page.keyboard.press('Enter');
      await expectText(
        page.locator('[data-testid="message"][data-direction="outbound"] [data-testid="message-status"]'),
        'Delivered',
        'the reply sent with Enter',
      );
      await hub.simulateInbound(secondCustomer, 'I need to change my booking');
      await byTestId(page, 'offer-dialog').waitFor({ state: 'visible' });
      await page.keyboard.press('Alt+A');
      await expectCount(byTestId(page, 'interaction-item'), 2, 'active interactions after the second Alt+A');

      // Alt+1 and Alt+2 switch between the chats; the draft of each stays.
      await page.keyboard.press('Alt+1');
      const first = page.locator('[data-testid="interaction-view"]');
      await waitFor(async () => ((await first.innerText()) ?? '').includes('Is my order on its way?'), waitMs, 'Alt+1 to open the first chat');
      await page.keyboard.press('Alt+C');
      await page.keyboard.type('One more thing');
      await page.keyboard.press('Alt+2');
      await waitFor(async () => ((await first.innerText()) ?? '').includes('change my booking'), waitMs, 'Alt+2 to open the second chat');
      await page.keyboard.press('Alt+1');
      await waitFor(
        async () => (await byTestId(page, 'composer-input').inputValue()) === 'One more thing',
        waitMs,
        'the first chat\'s draft to be kept',
      );

      // End, a disposition through the tabs, Done.
      await page.keyboard.press('Alt+E');
      await expectAttribute(byTestId(page, 'interaction-view'), 'data-state', 'ended', 'the chat after Alt+E');
      await tabTo('[role="tab"][aria-selected="true"]', 'the selected tab of the side panel');
      for (let step = 0; step < 6; step += 1) {
        if ((await page.evaluate(() => document.activeElement?.dataset.testid)) === 'tab-disposition') break;
        await page.keyboard.press('ArrowRight');
      }
      assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'tab-disposition', 'the arrows reach Disposition');
      await page.keyboard.press('Enter');
      await tabTo('[data-testid="disposition-option"]', 'the first disposition');
      await page.keyboard.press('Space');
      await page.keyboard.press('Alt+D');
      await expectCount(byTestId(page, 'interaction-item'), 1, 'active interactions after Alt+D');
      await screenshot(page, 'browser-keyboard-only-01-done');

      // Alt+0 opens the Communication tab; ? lists the shortcuts, Escape closes the list.
      await page.keyboard.press('Alt+0');
      await byTestId(page, 'contact-search').waitFor({ state: 'visible' });
      await page.locator('body').focus();
      await page.keyboard.press('Shift+?');
      await byTestId(page, 'shortcuts-dialog').waitFor({ state: 'visible' });
      await page.keyboard.press('Escape');
      await expectCount(byTestId(page, 'shortcuts-dialog'), 0, 'the shortcuts list after Escape');

      // The hub recorded the disposition chosen with the keyboard.
      const login = await fetch(`${hub.url}/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login: agent.login, password: agent.password }),
      }).then((response) => response.json());
      const summary = await fetch(`${hub.url}/api/me/summary?since=0`, {
        headers: { authorization: `Bearer ${login.token}` },
      }).then((response) => response.json());
      assert.equal(summary.handled, 1, `one interaction handled from the keyboard: ${JSON.stringify(summary)}`);
      const authorized = { headers: { authorization: `Bearer ${login.token}` } };
      const contacts = await fetch(`${hub.url}/api/contacts`, authorized).then((response) => response.json());
      const firstContact = contacts.find((entry) => entry.contact.phone === customer);
      const history = await fetch(`${hub.url}/api/contacts/${firstContact.contact.id}/interactions`, authorized).then((response) =>
        response.json(),
      );
      assert.equal(history[0]?.interaction?.disposition ?? history[0]?.disposition, 'Resolved', `the disposition: ${JSON.stringify(history)}`);
    });
  });
  test('works from the keyboard: accepts with Alt+A, inserts a Standard Response and an emoji, edits the contact', { timeout: testTimeoutMs }, async (t) => {
    const defer = teardown(t);
    const hub = await startHub('browser-keyboard');
    defer(() => hub.stop());
    const agent = { login: 'kim', name: 'Kim Keys', password: 'no mouse needed' };
    await hub.addAgent(agent.login, agent.name, agent.password);
    const page = await openPage(defer, 'browser-keyboard');

    await withFailureScreenshot(page, 'browser-keyboard', async () => {
      await signInAs(page, hub, agent);
      await becomeReady(page);
      await hub.simulateInbound(customer, 'Hello, anyone there?');
      await byTestId(page, 'offer-dialog').waitFor({ state: 'visible' });
      await page.keyboard.press('Alt+A');
      const view = byTestId(page, 'interaction-view');
      await view.waitFor({ state: 'visible' });
      await expectAttribute(view, 'data-state', 'active', 'the interaction accepted with Alt+A');

      // A Standard Response, fields filled in, then an emoji, then Enter sends it.
      const input = byTestId(view, 'composer-input');
      await input.focus();
      await page.keyboard.press('Alt+R');
      await byTestId(page, 'responses-search').fill('welcome');
      await page.keyboard.press('Enter');
      const filled = await input.inputValue();
      assert.equal(filled, `Hi ${customer}, this is ${agent.name}. How can I help you today?`, 'the Welcome response with fields filled');
      await input.press('End');
      await page.keyboard.press('Alt+M');
      await byTestId(page, 'emoji-search').fill('thumbs up');
      await byTestId(page, 'emoji-option').first().click();
      const withEmoji = await input.inputValue();
      assert.ok(withEmoji.endsWith('👍'), `the emoji is inserted at the caret: ${JSON.stringify(withEmoji)}`);
      await input.press('Enter');
      await expectText(
        view.locator('[data-testid="message"][data-direction="outbound"] [data-testid="message-status"]'),
        'Delivered',
        'the response with its emoji',
      );
      const sent = await hub.outbox();
      assert.equal(sent.at(-1)?.body, withEmoji, 'the carrier got exactly what was in the composer');

      // The Contact tab: name the contact.
      await byTestId(view, 'tab-contact').click();
      await byTestId(view, 'contact-edit').click();
      await byTestId(view, 'contact-name-input').fill('Rosa Díaz');
      await byTestId(view, 'contact-email-input').fill('rosa@example.com');
      await byTestId(view, 'contact-save').click();
      await expectText(byTestId(view, 'contact-name'), 'Rosa Díaz', 'the saved name in the Contact tab');
      await byTestId(page, 'nav-communication').click();
      await expectCount(contactItem(page, 'Rosa Díaz'), 1, 'the contact list shows the new name');

      // The shortcuts are listed in the app.
      await page.locator('body').press('Escape');
      await byTestId(page, 'shortcuts-button').click();
      const dialog = byTestId(page, 'shortcuts-dialog');
      await dialog.waitFor({ state: 'visible' });
      const listed = await dialog.innerText();
      for (const action of ['Accept', 'End', 'Done', 'Standard Responses']) {
        assert.ok(listed.includes(action), `the shortcuts list names ${action}: ${JSON.stringify(listed)}`);
      }
      await screenshot(page, 'browser-keyboard-01-shortcuts');
    });
  });
});
