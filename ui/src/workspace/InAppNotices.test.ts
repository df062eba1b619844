import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Event, Interaction } from '../api';
import {
  fakeApi,
  interaction,
  keepInteractions,
  message,
  session,
  summary,
} from '../testing/fixtures';
import AgentWorkspace from './AgentWorkspace.svelte';

let seq = 0;
function replyFrom(contactId: number, interactionId: number | null = null, body = 'Any news?'): Event {
  seq += 1;
  return {
    seq,
    at: Date.now(),
    kind: { type: 'message', message: message({ id: 900 + seq, contactId, interactionId, body }) },
  };
}

function interactionEvent(changed: Interaction): Event {
  seq += 1;
  return { seq, at: Date.now(), kind: { type: 'interaction', interaction: changed } };
}

/** A chat routing gave an agent who answers automatically: offered and accepted at once. */
function answeredChat(contactId = 11): Interaction {
  const at = Date.now();
  return interaction({ id: 30, contactId, state: 'active', agentId: 1, offeredAt: at, acceptedAt: at });
}

async function workspace(chats: Interaction[] = []) {
  const fake = fakeApi('browser');
  fake.api.listContacts.mockResolvedValue([
    summary({ id: 10, name: 'Carla', phone: '+15551230001' }),
    summary({ id: 11, name: 'Dan', phone: '+15551230002' }),
    summary({ id: 12, name: 'Eve', phone: '+15551230003' }),
    summary({ id: 13, name: 'Finn', phone: '+15551230004' }),
  ]);
  fake.api.notificationAccess.mockReturnValue('granted');
  const interactions = keepInteractions(fake.api, chats);
  render(AgentWorkspace, { api: fake.api, session: session(), onSignedOut: () => {} });
  const user = userEvent.setup();
  await screen.findAllByTestId('contact-item');
  return { ...fake, interactions, user };
}

const notices = () => screen.queryAllByTestId('toast');

/** A contact of the Assigned Contacts list. */
function contactItem(contactId: number): HTMLElement {
  const item = screen
    .getAllByTestId('contact-item')
    .find((candidate) => candidate.dataset.contactId === String(contactId));
  if (item === undefined) throw new Error(`contact ${contactId} is not listed`);
  return item;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('a notice in the app for a reply elsewhere', () => {
  it('names the contact with a preview, and Show opens their conversation', async () => {
    const { api, user, emitEvent } = await workspace();
    vi.spyOn(document, 'hasFocus').mockReturnValue(true);
    await user.click(contactItem(11));

    emitEvent(replyFrom(10, null, 'Is my order shipped?\nIt was due Monday'));
    const region = screen.getByRole('region', { name: 'Notices' });
    const notice = await within(region).findByTestId('toast');
    expect(notice).toHaveTextContent('New message');
    expect(notice).toHaveTextContent('Carla (+15551230001)');
    expect(within(notice).getByTestId('toast-text')).toHaveTextContent(/^Is my order shipped\?$/);
    // The notification outside the page goes on as it did.
    expect(api.notify).toHaveBeenCalledTimes(1);

    await user.click(within(notice).getByRole('button', { name: 'Show' }));
    await waitFor(() => expect(contactItem(10)).toHaveAttribute('aria-current', 'true'));
    expect(notices()).toHaveLength(0);
    await waitFor(() => expect(screen.getByTestId('composer-input')).toHaveFocus());
  });

  it('is not shown for the conversation on screen', async () => {
    const { user, emitEvent } = await workspace();
    await user.click(contactItem(10));
    emitEvent(replyFrom(10));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(notices()).toHaveLength(0);
  });

  it('opens my chat with the contact from Show', async () => {
    const chat = interaction({ id: 7, contactId: 10, state: 'active', agentId: 1, acceptedAt: 2 });
    const { user, emitEvent } = await workspace([chat]);
    await user.click(contactItem(11));

    emitEvent(replyFrom(10, 7));
    const notice = await screen.findByTestId('toast');
    await user.click(within(notice).getByRole('button', { name: 'Show' }));
    const view = await screen.findByTestId('interaction-view');
    expect(view).toHaveAttribute('data-interaction-id', '7');
    await waitFor(() => expect(within(view).getByTestId('composer-input')).toHaveFocus());
  });

  it('shows three at most, and goes when its conversation is opened another way', async () => {
    const { user, emitEvent } = await workspace();
    for (const contactId of [10, 11, 12, 13]) emitEvent(replyFrom(contactId));
    await waitFor(() => expect(notices()).toHaveLength(3));
    expect(notices().map((notice) => notice.dataset.contactId)).toEqual(['11', '12', '13']);

    await user.click(contactItem(12));
    await waitFor(() =>
      expect(notices().map((notice) => notice.dataset.contactId)).toEqual(['11', '13']),
    );
    await user.click(within(notices()[0]!).getByRole('button', { name: 'Dismiss' }));
    expect(notices().map((notice) => notice.dataset.contactId)).toEqual(['13']);
  });
});

describe('a chat answered for the agent', () => {
  it('opens, with the cursor in its message, when the agent is not typing', async () => {
    const { user, emitEvent, interactions } = await workspace();
    await user.click(contactItem(10));
    const chat = answeredChat();
    interactions.push(chat);

    emitEvent(interactionEvent(chat));
    const view = await screen.findByTestId('interaction-view');
    expect(view).toHaveAttribute('data-interaction-id', '30');
    await waitFor(() => expect(within(view).getByTestId('composer-input')).toHaveFocus());
    expect(notices()).toHaveLength(0);
  });

  it('waits behind a notice while the agent types elsewhere, and Show opens it', async () => {
    const { user, emitEvent, interactions } = await workspace();
    await user.click(contactItem(10));
    const draft = await screen.findByTestId('composer-input');
    await user.type(draft, 'Your refund is');
    const chat = answeredChat();
    interactions.push(chat);

    emitEvent(interactionEvent(chat));
    const notice = await screen.findByTestId('toast');
    expect(notice).toHaveTextContent('New chat');
    expect(notice).toHaveTextContent('Dan (+15551230002)');
    expect(screen.queryByTestId('interaction-view'), 'the agent stays where they type').toBeNull();
    expect(draft).toHaveFocus();
    expect(draft).toHaveValue('Your refund is');
    // The chat is in the list already.
    expect(await screen.findByTestId('interaction-item')).toHaveAttribute('data-interaction-id', '30');

    await user.click(within(notice).getByRole('button', { name: 'Show' }));
    const view = await screen.findByTestId('interaction-view');
    expect(view).toHaveAttribute('data-interaction-id', '30');
    await waitFor(() => expect(within(view).getByTestId('composer-input')).toHaveFocus());
  });

  it('waits behind a notice while the focus is in a search box', async () => {
    const { user, emitEvent, interactions } = await workspace();
    await user.click(screen.getByTestId('contact-search'));
    const chat = answeredChat();
    interactions.push(chat);
    emitEvent(interactionEvent(chat));
    expect(await screen.findByTestId('toast')).toHaveTextContent('New chat');
    expect(screen.queryByTestId('interaction-view')).toBeNull();
  });

  it('is not one the agent accepted: that opens from its offer, not from the event', async () => {
    const { emitEvent, interactions } = await workspace();
    const accepted = { ...answeredChat(), acceptedAt: Date.now() + 5_000 };
    interactions.push(accepted);
    emitEvent(interactionEvent(accepted));
    await screen.findByTestId('interaction-item');
    expect(screen.queryByTestId('interaction-view')).toBeNull();
    expect(notices()).toHaveLength(0);
  });
});
