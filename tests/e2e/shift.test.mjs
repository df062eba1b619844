// A shift with two agents in browsers, walked as agents would: signing out with a chat
// open, Done on a live chat, two agents and one customer, an offer declined and one let
// lapse, Retry where it can help, a chat beyond the limit, and the history read again.
// The hub is real (its own database and port); its simulated carrier plays the customers.
//
// Run: cd tests/e2e && node --test shift.test.mjs
// Screenshots land in test-artifacts/e2e/ (the ones named in the docs are copied to
// docs/screenshots/ by hand when the UI changes).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  acceptOfferFrom,
  becomeReady,
  byTestId,
  customer,
  expectAttribute,
  expectCount,
  expectText,
  openPage,
  screenshot,
  signInAs,
  testTimeoutMs,
  useBrowser,
  withFailureScreenshot,
} from './browser-page.mjs';
import { startHub, teardown, waitFor, waitMs } from './harness.mjs';

useBrowser();

const ana = { login: 'ana', name: 'Ana Ruiz', password: 'ana-password-1' };
const ben = { login: 'ben', name: 'Ben Ortiz', password: 'ben-password-1' };

/** Waits for `locator`'s text to contain `expected`. */
async function expectTextContaining(locator, expected, what) {
  let seen;
  await waitFor(
    async () => {
      seen = (await locator.textContent({ timeout: 1_000 })) ?? '';
      return seen.includes(expected);
    },
    waitMs,
    () => `${what} to contain ${JSON.stringify(expected)} (it read ${JSON.stringify(seen)})`,
  );
}

/** The confirmation the app asks, by its title. */
async function question(page, title) {
  const dialog = page.getByRole('alertdialog', { name: title });
  await dialog.waitFor({ state: 'visible' });
  return dialog;
}

/** Types a message in the composer in view and sends it with Enter. */
async function reply(scope, text) {
  const input = byTestId(scope, 'composer-input');
  await input.fill(text);
  await input.press('Enter');
}

/** The transcript messages in `scope` that contain `text`. */
function messagesWith(scope, text) {
  return byTestId(scope, 'transcript').locator('[data-testid="message"]').filter({ hasText: text });
}

describe('a shift with two agents', () => {
  test('signing out hands the chat to a Ready colleague; Done on a live chat wraps up first; the history reads again', { timeout: testTimeoutMs }, async (t) => {
    const defer = teardown(t);
    const hub = await startHub('shift-hand-off');
    defer(() => hub.stop());
    await hub.addAgent(ana.login, ana.name, ana.password);
    await hub.addAgent(ben.login, ben.name, ben.password);
    const anaPage = await openPage(defer, 'shift-hand-off-ana');
    const benPage = await openPage(defer, 'shift-hand-off-ben');

    await withFailureScreenshot(anaPage, 'shift-hand-off', async () => {
      await signInAs(anaPage, hub, ana);
      await becomeReady(anaPage);
      await hub.simulateInbound(customer, 'Where is my order 4471?');
      const { view: anaView } = await acceptOfferFrom(anaPage, customer, 'Where is my order 4471?');
      await reply(anaView, 'Hi, this is Ana. Let me check.');
      await expectCount(messagesWith(anaView, 'Let me check'), 1, "Ana's reply in her transcript");
      await expectText(
        byTestId(messagesWith(anaView, 'Let me check'), 'message-author'),
        'You',
        "the author of Ana's own reply, as she sees it",
      );

      await signInAs(benPage, hub, ben);
      await becomeReady(benPage);

      // Signing out with the chat open asks first, and says where the chat goes.
      await byTestId(anaPage, 'sign-out').click();
      const signOut = await question(anaPage, 'Sign out with 1 open chat?');
      await expectTextContaining(signOut, 'go back to the queue', 'the sign-out question');
      await screenshot(anaPage, 'shift-01-sign-out-question');
      await signOut.getByRole('button', { name: 'Sign out' }).click();
      await byTestId(anaPage, 'login-user').waitFor({ state: 'visible' });

      // Ben is offered the conversation at once, with the countdown and Decline.
      const offer = byTestId(benPage, 'offer-dialog');
      await offer.waitFor({ state: 'visible' });
      await expectTextContaining(byTestId(offer, 'offer-countdown'), 'Accept within', "Ben's offer countdown");
      assert.ok(await byTestId(offer, 'offer-decline').isVisible(), 'the offer has Decline');
      await screenshot(benPage, 'shift-02-offer-with-countdown');
      const { view: benView } = await acceptOfferFrom(benPage, customer, 'Where is my order 4471?');
      await expectText(
        byTestId(messagesWith(benView, 'Let me check'), 'message-author'),
        ana.name,
        "the author of Ana's reply, as Ben sees it",
      );

      // The customer's next text reaches Ben, not the signed-out Ana.
      await hub.simulateInbound(customer, 'Any news?');
      await expectCount(messagesWith(benView, 'Any news?'), 1, "the customer's next text in Ben's chat");

      // Done on the live chat: asked first, then the chat ends and the wrap-up opens.
      await byTestId(benView, 'interaction-done').click();
      const wrapUp = await question(benPage, 'End the chat and wrap up?');
      await screenshot(benPage, 'shift-03-done-on-live-chat');
      await wrapUp.getByRole('button', { name: 'End and wrap up' }).click();
      await expectAttribute(benView, 'data-state', 'ended', 'the chat after End and wrap up');
      await expectAttribute(byTestId(benView, 'tab-disposition'), 'aria-selected', 'true', 'the wrap-up tab');
      await benView.locator('[data-testid="disposition-option"][value="Resolved"]').check();
      await byTestId(benView, 'tab-note').click();
      await byTestId(benView, 'note-input').fill('Order 4471 ships Monday.');
      await byTestId(benView, 'interaction-done').click();
      await benView.waitFor({ state: 'detached' });

      // The Contact information's history opens to the summary, and the transcript jumps.
      const history = byTestId(benPage, 'contact-history-item').first();
      await history.waitFor({ state: 'visible' });
      await byTestId(history, 'contact-history-open').click();
      const summary = byTestId(history, 'contact-history-summary');
      await expectTextContaining(summary, ben.name, 'the summary of the history item');
      await expectText(byTestId(summary, 'contact-history-summary-disposition'), 'Resolved', 'its disposition');
      await expectText(byTestId(summary, 'contact-history-summary-note'), 'Order 4471 ships Monday.', 'its note');
      await screenshot(benPage, 'shift-04-history-summary');
    });
  });

  test('a second agent cannot text a customer in a colleague\'s chat, and is told whose it is', { timeout: testTimeoutMs }, async (t) => {
    const defer = teardown(t);
    const hub = await startHub('shift-one-customer');
    defer(() => hub.stop());
    await hub.addAgent(ana.login, ana.name, ana.password);
    await hub.addAgent(ben.login, ben.name, ben.password);
    const anaPage = await openPage(defer, 'shift-one-customer-ana');
    const benPage = await openPage(defer, 'shift-one-customer-ben');

    await withFailureScreenshot(benPage, 'shift-one-customer', async () => {
      await signInAs(anaPage, hub, ana);
      await becomeReady(anaPage);
      await hub.simulateInbound(customer, 'Can I change my address?');
      await acceptOfferFrom(anaPage, customer, 'Can I change my address?');

      await signInAs(benPage, hub, ben);
      // The customer is not Ben's: he finds them by their number.
      await byTestId(benPage, 'contact-search').fill(customer);
      await byTestId(benPage, 'search-result-contact').first().click();
      await reply(benPage, 'Hello from Ben');
      await expectTextContaining(
        byTestId(benPage, 'composer-error'),
        `${ana.name} is in a conversation with this contact`,
        "Ben's refused Write a Message",
      );
      await byTestId(benPage, 'create-interaction').click();
      await expectTextContaining(
        byTestId(benPage, 'create-interaction-error'),
        `${ana.name} is in a conversation with this contact`,
        "Ben's refused Create SMS Interaction",
      );
      await screenshot(benPage, 'shift-05-colleagues-customer');
      assert.equal(
        (await hub.outbox()).filter((sent) => sent.body === 'Hello from Ben').length,
        0,
        'nothing went to the customer from Ben',
      );
    });
  });

  test('an offer counts down; Decline moves it on at once; a missed one says so plainly', { timeout: testTimeoutMs }, async (t) => {
    const defer = teardown(t);
    const hub = await startHub('shift-offers', { config: '[routing]\noffer_timeout_ms = 6000\n' });
    defer(() => hub.stop());
    await hub.addAgent(ana.login, ana.name, ana.password);
    await hub.addAgent(ben.login, ben.name, ben.password);
    const anaPage = await openPage(defer, 'shift-offers-ana');
    const benPage = await openPage(defer, 'shift-offers-ben');

    await withFailureScreenshot(benPage, 'shift-offers', async () => {
      await signInAs(anaPage, hub, ana);
      await becomeReady(anaPage);
      await signInAs(benPage, hub, ben);
      await becomeReady(benPage);
      await hub.simulateInbound(customer, 'Is the store open today?');

      // It goes to one of them; that one declines, and the other has it at once.
      let first = null;
      await waitFor(
        async () => {
          if ((await byTestId(anaPage, 'offer-dialog').count()) > 0) first = [anaPage, benPage];
          else if ((await byTestId(benPage, 'offer-dialog').count()) > 0) first = [benPage, anaPage];
          return first !== null;
        },
        waitMs,
        'the offer to reach one of the two Ready agents',
      );
      const [declining, other] = first;
      await expectTextContaining(byTestId(declining, 'offer-countdown'), 'Accept within', 'the countdown');
      await byTestId(declining, 'offer-decline').click();
      await expectCount(byTestId(declining, 'offer-dialog'), 0, 'offers left with the agent who declined');
      const moved = byTestId(other, 'offer-dialog');
      await moved.waitFor({ state: 'visible' });
      await expectAttribute(byTestId(declining, 'status-toggle'), 'data-status', 'ready', 'declining keeps the agent Ready');

      // The other lets it lapse: they are Not Ready, and the screen says why.
      const notice = byTestId(other, 'status-notice');
      await notice.waitFor({ state: 'visible', timeout: 20_000 });
      await expectTextContaining(notice, 'not accepted in time', 'the notice of a missed offer');
      await expectAttribute(byTestId(other, 'status-toggle'), 'data-status', 'notReady', 'the status after a missed offer');
      await screenshot(other, 'shift-06-missed-offer');
      await byTestId(notice, 'status-notice-ready').click();
      await expectAttribute(byTestId(other, 'status-toggle'), 'data-status', 'ready', 'Set Ready from the notice');
    });
  });

  test('Retry is offered only where it can help, and shows how the new try went', { timeout: testTimeoutMs }, async (t) => {
    const defer = teardown(t);
    const hub = await startHub('shift-retry');
    defer(() => hub.stop());
    await hub.addAgent(ana.login, ana.name, ana.password, { maxChats: 3 });
    const page = await openPage(defer, 'shift-retry');
    const landline = '+15005550010';
    const bounces = '+15005550014';

    await withFailureScreenshot(page, 'shift-retry', async () => {
      await signInAs(page, hub, ana);
      await becomeReady(page);

      await hub.simulateInbound(landline, 'Call me at this number');
      const { view: landlineView } = await acceptOfferFrom(page, landline, 'Call me at this number');
      await reply(landlineView, 'We will text you here');
      const toLandline = messagesWith(landlineView, 'We will text you here');
      await expectTextContaining(byTestId(toLandline, 'delivery-problem'), 'landline', 'the landline problem');
      await expectCount(byTestId(toLandline, 'message-retry'), 0, 'Retry for a landline');

      await hub.simulateInbound(bounces, 'Hello again');
      const { view } = await acceptOfferFrom(page, bounces, 'Hello again');
      await reply(view, 'Your parcel left today');
      const sent = messagesWith(view, 'Your parcel left today');
      const retry = byTestId(sent, 'message-retry');
      await retry.waitFor({ state: 'visible' });
      await retry.click();
      await expectText(byTestId(sent, 'message-retry-outcome'), 'Sent again: delivered.', 'the outcome of Retry');
      await screenshot(page, 'shift-07-retry-outcome');
    });
  });

  test('Create SMS Interaction beyond the limit asks first', { timeout: testTimeoutMs }, async (t) => {
    const defer = teardown(t);
    const hub = await startHub('shift-capacity');
    defer(() => hub.stop());
    await hub.addAgent(ana.login, ana.name, ana.password, { maxChats: 1 });
    const page = await openPage(defer, 'shift-capacity');

    await withFailureScreenshot(page, 'shift-capacity', async () => {
      await signInAs(page, hub, ana);
      await becomeReady(page);
      await hub.simulateInbound(customer, 'First question');
      await acceptOfferFrom(page, customer, 'First question');
      await expectText(byTestId(page, 'capacity'), '1 of 1 chats in use', 'the capacity with one chat');

      await byTestId(page, 'nav-communication').click();
      const textNewNumber = async () => {
        await byTestId(page, 'new-number-button').click();
        await byTestId(page, 'new-number-input').fill('+12015550177');
        await byTestId(page, 'new-number-submit').click();
        return question(page, 'Open a chat beyond your limit?');
      };
      const beyond = await textNewNumber();
      await expectTextContaining(beyond, 'You already have 1 of 1 chats open', 'the question at the limit');
      await screenshot(page, 'shift-08-beyond-the-limit');
      await beyond.getByRole('button', { name: 'Cancel' }).click();
      await expectCount(byTestId(page, 'interaction-item'), 1, 'chats after saying no');

      await (await textNewNumber()).getByRole('button', { name: 'Open it anyway' }).click();
      await expectCount(byTestId(page, 'interaction-item'), 2, 'chats after choosing to go beyond');
    });
  });

  test('a chat answered automatically opens with the cursor in it; a reply elsewhere shows a notice with Show', { timeout: testTimeoutMs }, async (t) => {
    const defer = teardown(t);
    const hub = await startHub('shift-auto-answer');
    defer(() => hub.stop());
    await hub.addAgent(ana.login, ana.name, ana.password, { autoAnswer: true });
    const page = await openPage(defer, 'shift-auto-answer');
    const focusedTestId = () => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null);
    const viewOf = (phone) => byTestId(page, 'interaction-view').filter({ hasText: phone });

    await withFailureScreenshot(page, 'shift-auto-answer', async () => {
      await signInAs(page, hub, ana);
      await becomeReady(page);
      await hub.simulateInbound(customer, 'Hi, quick question');
      await viewOf(customer).waitFor({ state: 'visible' });
      await waitFor(async () => (await focusedTestId()) === 'composer-input', waitMs, 'the cursor in the opened chat');

      const second = '+12015550188';
      await hub.simulateInbound(second, 'Another question');
      await viewOf(second).waitFor({ state: 'visible' });

      // The first customer writes while Ana is in the second chat: a notice, with Show.
      await hub.simulateInbound(customer, 'Are you there?');
      const toast = byTestId(page, 'toast').filter({ hasText: 'Are you there?' });
      await toast.waitFor({ state: 'visible' });
      await screenshot(page, 'shift-09-notice-with-show');
      await byTestId(toast, 'toast-show').click();
      await viewOf(customer).waitFor({ state: 'visible' });
      await expectCount(messagesWith(viewOf(customer), 'Are you there?'), 1, 'the reply in the chat Show opened');
    });
  });
});
