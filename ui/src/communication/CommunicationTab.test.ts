import { cleanup, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiFailure, type SearchHit } from '../api';
import {
  contact,
  contactInteraction,
  fakeApi,
  keepInteractions,
  message,
  session,
  summary,
} from '../testing/fixtures';
import AgentWorkspace from '../workspace/AgentWorkspace.svelte';
import { contactInfoKey } from './CommunicationTab.svelte';

async function selectCarla(configure: (api: ReturnType<typeof fakeApi>['api']) => void = () => {}) {
  const fake = fakeApi('browser');
  fake.api.listContacts.mockResolvedValue([
    summary({ id: 10, name: 'Carla', phone: '+15551230001' }),
    summary({ id: 11, name: 'Dan', phone: '+15551230002' }),
  ]);
  keepInteractions(fake.api, []);
  configure(fake.api);
  render(AgentWorkspace, { api: fake.api, session: session(), onSignedOut: () => {} });
  const user = userEvent.setup();
  // Nothing selected, nothing to create an interaction with.
  expect(screen.queryByTestId('create-interaction')).toBeNull();
  await user.click(await screen.findByRole('button', { name: /Carla/ }));
  return { ...fake, user };
}

describe('CommunicationTab', () => {
  it('creates an SMS interaction with the selected contact and opens its view', async () => {
    const { api, user } = await selectCarla();
    const create = screen.getByRole('button', { name: 'Create SMS Interaction' });
    expect(create).toBe(screen.getByTestId('create-interaction'));

    await user.click(create);
    expect(api.createInteraction).toHaveBeenCalledExactlyOnceWith(10, false);
    const view = await screen.findByTestId('interaction-view');
    expect(view).toHaveAttribute('data-interaction-id', '300');
    expect(view).toHaveAttribute('data-state', 'active');
    expect(view).toHaveAccessibleName('Chat interaction with Carla');
    expect(screen.getByTestId('case-information')).toHaveTextContent(
      'Outbound (Create SMS Interaction)',
    );
    expect(screen.getByTestId('interaction-item')).toHaveAttribute('data-interaction-id', '300');

    // A refresh keeps it open: the host lists it from now on.
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(screen.getByTestId('interaction-view')).toBe(view);
  });

  it('says why an interaction could not be created and stays on the conversation', async () => {
    const { api, user } = await selectCarla((api) => {
      api.createInteraction.mockRejectedValue(
        new ApiFailure('conflict', 'this contact is in an interaction with another agent'),
      );
    });
    await user.click(screen.getByTestId('create-interaction'));
    expect(await screen.findByRole('alert')).toHaveTextContent('with another agent');
    expect(screen.queryByTestId('interaction-view')).toBeNull();
    expect(api.createInteraction).toHaveBeenCalledTimes(1);

    // The message belongs to Carla's conversation, not to the next contact's.
    await user.click(screen.getByRole('button', { name: /Dan/ }));
    await waitFor(() => expect(screen.queryByRole('alert')).toBeNull());
    expect(screen.getByTestId('create-interaction')).toBeEnabled();
  });
});

// jsdom does not scroll; the spy records what was asked to come into view.
const scrolledTo = vi.fn<(this: Element) => void>();
beforeEach(() => {
  scrolledTo.mockReset();
  Element.prototype.scrollIntoView = function scrollIntoView(this: Element) {
    scrolledTo.call(this);
  };
});
afterEach(() => {
  delete (Element.prototype as Partial<Element>).scrollIntoView;
});

describe('CommunicationTab: search', () => {
  const carla = contact({ id: 10, name: 'Carla', phone: '+15551230001' });
  // Not assigned to anyone: not in the Assigned Contacts, and not even in the contact list.
  const rita = contact({ id: 12, name: 'Refund Rita', phone: '+15551239999', assignedAgentId: null });
  const ritasRefund = message({
    id: 502,
    contactId: 12,
    interactionId: 40,
    createdAt: 5_000,
    body: 'Where is my <b>refund</b>?',
  });
  const carlasRefund = message({
    id: 501,
    contactId: 10,
    createdAt: 4_000,
    direction: 'outbound',
    status: 'sent',
    agentId: 1,
    body: 'Refunds take 3 days',
  });

  function setup() {
    const fake = fakeApi('browser');
    const { api } = fake;
    api.listContacts.mockResolvedValue([
      summary({ id: 10, name: 'Carla', phone: '+15551230001' }),
      summary({ id: 11, name: 'Dan', phone: '+15551230002' }),
    ]);
    api.listMessages.mockImplementation(async (contactId) =>
      contactId === 12
        ? [
            message({ id: 500, contactId: 12, interactionId: 39, createdAt: 1_000, body: 'Hi' }),
            ritasRefund,
            message({ id: 503, contactId: 12, interactionId: 40, createdAt: 6_000, body: 'Hello?' }),
          ]
        : [message({ id: 400, contactId, createdAt: 1_000, body: 'Earlier' }), carlasRefund],
    );
    api.search.mockImplementation(async (query): Promise<SearchHit[]> =>
      query.toLowerCase().startsWith('refund')
        ? [
            { contact: rita, message: null },
            { contact: rita, message: ritasRefund },
            { contact: carla, message: carlasRefund },
          ]
        : [],
    );
    keepInteractions(api, []);
    render(AgentWorkspace, { api, session: session(), onSignedOut: () => {} });
    return { ...fake, user: userEvent.setup() };
  }

  it('shows contact and message hits with the matched words marked', async () => {
    const { api, user } = setup();
    await screen.findByRole('button', { name: /Carla/ });
    await user.type(screen.getByTestId('contact-search'), 'refund');

    const results = await screen.findByTestId('search-results');
    // One question for the whole word: the typing was waited out.
    expect(api.search).toHaveBeenLastCalledWith('refund');
    expect(api.search.mock.calls.every(([query]) => query === 'refund')).toBe(true);
    expect(screen.queryByTestId('contact-item')).toBeNull();
    expect(within(results).getByRole('heading', { name: 'Contacts' })).toBeInTheDocument();
    expect(within(results).getByRole('heading', { name: 'Messages' })).toBeInTheDocument();

    const [contactHit] = screen.getAllByTestId('search-result-contact');
    expect(contactHit).toHaveAttribute('data-contact-id', '12');
    expect(contactHit).toHaveTextContent('Unassigned');
    expect(contactHit!.querySelector('mark')?.textContent).toBe('Refund');

    const messageHits = screen.getAllByTestId('search-result-message');
    expect(messageHits.map((hit) => hit.dataset.contactId)).toEqual(['12', '10']);
    const ritasText = within(messageHits[0]!).getByTestId('search-result-text');
    expect(messageHits[0]).toHaveTextContent('Refund Rita');
    expect([...ritasText.querySelectorAll('mark')].map((mark) => mark.textContent)).toEqual([
      'refund',
    ]);
    // The message's own markup stays text.
    expect(ritasText.textContent).toBe('Where is my <b>refund</b>?');
    expect(ritasText.querySelector('b')).toBeNull();
    // A word that starts with the query is marked where it matches.
    const carlasText = within(messageHits[1]!).getByTestId('search-result-text');
    expect(carlasText.querySelector('mark')?.textContent).toBe('Refund');
    expect(carlasText).toHaveTextContent('You: Refunds take 3 days');
  });

  it('opens the conversation of a message hit, even an unassigned contact, at that message', async () => {
    const { api, user } = setup();
    await screen.findByRole('button', { name: /Carla/ });
    await user.type(screen.getByTestId('contact-search'), 'refund');
    const [ritaHit] = await screen.findAllByTestId('search-result-message');
    await user.click(ritaHit!);

    const conversation = await screen.findByRole('region', {
      name: 'Conversation with Refund Rita',
    });
    expect(api.setFocus).toHaveBeenLastCalledWith(12);
    expect(api.listMessages).toHaveBeenCalledWith(12, { limit: 100 });
    // The whole transcript, with the message found brought into view and highlighted.
    await waitFor(() => expect(within(conversation).getAllByTestId('message')).toHaveLength(3));
    const found = conversation.querySelector('[data-message-id="502"]');
    expect(found).toHaveClass('revealed');
    await waitFor(() => expect(scrolledTo.mock.contexts).toContain(found));
    expect(within(conversation).getAllByTestId('interaction-boundary')).toHaveLength(1);

    // The results stay while the box holds text; clearing it brings the assigned list back.
    expect(screen.getByTestId('search-results')).toBeInTheDocument();
    await user.clear(screen.getByTestId('contact-search'));
    await waitFor(() => expect(screen.getAllByTestId('contact-item')).toHaveLength(2));
    expect(screen.queryByTestId('search-results')).toBeNull();
    expect(screen.getByRole('region', { name: 'Conversation with Refund Rita' })).toBe(
      conversation,
    );
  });

  it('reveals a message once: coming back to the contact later does not scroll to it again', async () => {
    const { user } = setup();
    await screen.findByRole('button', { name: /Carla/ });
    await user.type(screen.getByTestId('contact-search'), 'refund');
    const carlasHit = (await screen.findAllByTestId('search-result-message'))[1]!;
    await user.click(carlasHit);
    const first = await screen.findByRole('region', { name: 'Conversation with Carla' });
    await waitFor(() => expect(first.querySelector('[data-message-id="501"]')).toHaveClass('revealed'));

    await user.clear(screen.getByTestId('contact-search'));
    await user.click(await screen.findByRole('button', { name: /Dan/ }));
    await screen.findByRole('region', { name: 'Conversation with Dan' });
    scrolledTo.mockClear();
    await user.click(screen.getByRole('button', { name: /Carla/ }));
    const again = await screen.findByRole('region', { name: 'Conversation with Carla' });
    await waitFor(() => expect(within(again).getAllByTestId('message')).toHaveLength(2));
    expect(again.querySelector('.revealed')).toBeNull();
    expect(scrolledTo).not.toHaveBeenCalled();
  });

  it('opens the contact of a contact hit', async () => {
    const { api, user } = setup();
    await screen.findByRole('button', { name: /Carla/ });
    await user.type(screen.getByTestId('contact-search'), 'refund');
    await user.click(await screen.findByTestId('search-result-contact'));
    expect(
      await screen.findByRole('region', { name: 'Conversation with Refund Rita' }),
    ).toBeInTheDocument();
    expect(api.setFocus).toHaveBeenLastCalledWith(12);
    expect(screen.getByTestId('search-result-contact')).toHaveAttribute('aria-current', 'true');
  });

  it('says No matches when nothing matches', async () => {
    const { api, user } = setup();
    await screen.findByRole('button', { name: /Carla/ });
    await user.type(screen.getByTestId('contact-search'), 'NEAR(x) "');
    expect(await screen.findByTestId('search-empty')).toHaveTextContent('No matches');
    expect(api.search).toHaveBeenLastCalledWith('NEAR(x) "');
    expect(screen.queryByTestId('contact-item')).toBeNull();
    expect(screen.queryByTestId('search-results')).toBeNull();
  });

  it('searches the transcript of the selected contact', async () => {
    const { user } = setup();
    await user.click(await screen.findByRole('button', { name: /Carla/ }));
    const conversation = screen.getByRole('region', { name: 'Conversation with Carla' });
    await within(conversation).findByText('Earlier');
    await user.type(within(conversation).getByTestId('conversation-search'), 'REFUND');
    expect(within(conversation).getByTestId('conversation-search-count')).toHaveTextContent(
      '1 of 1',
    );
    expect(conversation.querySelector('mark')?.textContent).toBe('Refund');
  });
});

describe('CommunicationTab: mark as unread', () => {
  it('marks the contact unread, closes the conversation and the badge returns', async () => {
    let unread = 2;
    const { api, user } = await selectCarla((api) => {
      api.listContacts.mockImplementation(async () => [
        summary({ id: 10, name: 'Carla', phone: '+15551230001' }, { unreadCount: unread }),
        summary({ id: 11, name: 'Dan', phone: '+15551230002' }),
      ]);
      api.markRead.mockImplementation(async () => {
        unread = 0;
      });
      api.markUnread.mockImplementation(async () => {
        unread = 1;
      });
    });
    const carla = () => screen.getByRole('button', { name: /Carla/ });
    await waitFor(() => expect(api.markRead).toHaveBeenCalledWith(10));
    expect(within(carla()).queryByTestId('unread-badge')).toBeNull();

    await user.click(screen.getByTestId('mark-unread'));
    expect(api.markUnread).toHaveBeenCalledExactlyOnceWith(10);
    await waitFor(() => expect(within(carla()).getByTestId('unread-badge')).toHaveTextContent('1'));
    expect(api.setFocus).toHaveBeenLastCalledWith(null);
    expect(screen.queryByRole('region', { name: 'Conversation with Carla' })).toBeNull();
    expect(carla()).not.toHaveAttribute('aria-current');
    // Nothing reads it again behind the agent's back.
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(api.markRead).toHaveBeenCalledTimes(1);
    expect(within(carla()).getByTestId('unread-badge')).toHaveTextContent('1');
  });

  it('waits for a read mark still on its way, so it cannot undo the unread mark', async () => {
    let finishRead = () => {};
    const { api, user } = await selectCarla((api) => {
      api.markRead.mockImplementation(
        () => new Promise<void>((resolve) => (finishRead = resolve)),
      );
    });
    expect(api.markRead).toHaveBeenCalledWith(10);
    await user.click(screen.getByTestId('mark-unread'));
    expect(api.markUnread).not.toHaveBeenCalled();

    finishRead();
    await waitFor(() => expect(api.markUnread).toHaveBeenCalledExactlyOnceWith(10));
    expect(api.markRead.mock.invocationCallOrder.at(-1)).toBeLessThan(
      api.markUnread.mock.invocationCallOrder[0]!,
    );
    await waitFor(() => expect(api.setFocus).toHaveBeenLastCalledWith(null));
  });

  it('says why it could not be marked unread and keeps the conversation open', async () => {
    const { api, user } = await selectCarla((api) => {
      api.markUnread.mockRejectedValue(new ApiFailure('unavailable', 'Cannot reach the hub.'));
    });
    await user.click(screen.getByTestId('mark-unread'));
    expect(await screen.findByTestId('mark-unread-error')).toHaveTextContent(
      'Cannot reach the hub.',
    );
    expect(screen.getByRole('region', { name: 'Conversation with Carla' })).toBeInTheDocument();
    expect(api.setFocus).toHaveBeenLastCalledWith(10);
  });

  it('shows a long error under the header, whole, so its buttons stay on their row', async () => {
    const long =
      'Dan Agent is in a conversation with this contact: only they can write to them until it is Done.';
    const { user } = await selectCarla((api) => {
      api.createInteraction.mockRejectedValue(new ApiFailure('conflict', long));
    });
    await user.click(screen.getByTestId('create-interaction'));
    const error = await screen.findByTestId('create-interaction-error');
    expect(error).toHaveTextContent(long);
    const header = screen.getByRole('region', { name: 'Conversation with Carla' }).querySelector('header')!;
    expect(header).not.toContainElement(error);
    expect(header.nextElementSibling).toBe(error);
  });
});

describe('CommunicationTab: Contact information column', () => {
  afterEach(() => {
    localStorage.removeItem(contactInfoKey);
  });

  it('shows the selected contact\'s details and history beside the conversation', async () => {
    const { api, user } = await selectCarla((api) => {
      api.contactInteractions.mockImplementation(async (contactId) => [
        contactInteraction({ id: contactId * 10, contactId, disposition: 'Resolved' }, 'Bo Agent'),
      ]);
    });
    const column = screen.getByRole('complementary', { name: 'Contact information' });
    const conversation = screen.getByRole('region', { name: 'Conversation with Carla' });
    expect(conversation).not.toContainElement(column);
    const panel = within(column).getByTestId('contact-panel');
    expect(panel).toHaveAttribute('data-contact-id', '10');
    expect(within(panel).getByTestId('contact-phone')).toHaveTextContent('+15551230001');
    const [row] = await within(panel).findAllByTestId('contact-history-item');
    expect(row).toHaveAttribute('data-interaction-id', '100');
    expect(row).toHaveTextContent('Bo Agent');
    const toggle = screen.getByTestId('contact-info-toggle');
    expect(toggle).toHaveAttribute('aria-pressed', 'true');
    expect(toggle).toHaveAccessibleName('Contacts');

    // Another contact, another panel.
    await user.click(screen.getByRole('button', { name: /Dan/ }));
    await waitFor(() =>
      expect(screen.getByTestId('contact-panel')).toHaveAttribute('data-contact-id', '11'),
    );
    expect(screen.getByTestId('contact-phone')).toHaveTextContent('+15551230002');
    expect(await screen.findByTestId('contact-history-item')).toHaveAttribute(
      'data-interaction-id',
      '110',
    );
    expect(api.contactInteractions).toHaveBeenCalledWith(11);
  });

  it('hides and shows the column with the Contacts toggle, and remembers the choice', async () => {
    const { api, user } = await selectCarla();
    const toggle = screen.getByTestId('contact-info-toggle');
    expect(screen.getByTestId('contact-info')).toBeInTheDocument();

    await user.click(toggle);
    expect(toggle).toHaveAttribute('aria-pressed', 'false');
    expect(screen.queryByTestId('contact-info')).toBeNull();
    expect(screen.queryByTestId('contact-panel')).toBeNull();
    expect(localStorage.getItem(contactInfoKey)).toBe('hidden');
    // The conversation stays.
    expect(screen.getByRole('region', { name: 'Conversation with Carla' })).toBeInTheDocument();

    // Still hidden after a Chat Interaction view and back, and in a new session.
    await user.click(screen.getByTestId('create-interaction'));
    await screen.findByTestId('interaction-view');
    await user.click(screen.getByTestId('nav-communication'));
    const items = await screen.findAllByTestId('contact-item');
    await user.click(items.find((item) => item.dataset.contactId === '10')!);
    await screen.findByRole('region', { name: 'Conversation with Carla' });
    expect(screen.getByTestId('contact-info-toggle')).toHaveAttribute('aria-pressed', 'false');
    expect(screen.queryByTestId('contact-info')).toBeNull();
    cleanup();
    render(AgentWorkspace, { api, session: session(), onSignedOut: () => {} });
    await user.click(await screen.findByRole('button', { name: /Dan/ }));
    expect(screen.getByTestId('contact-info-toggle')).toHaveAttribute('aria-pressed', 'false');
    expect(screen.queryByTestId('contact-info')).toBeNull();

    await user.click(screen.getByTestId('contact-info-toggle'));
    expect(screen.getByTestId('contact-info-toggle')).toHaveAttribute('aria-pressed', 'true');
    const column = screen.getByTestId('contact-info');
    expect(within(column).getByTestId('contact-panel')).toHaveAttribute('data-contact-id', '11');
    expect(localStorage.getItem(contactInfoKey)).toBe('shown');
  });

  it('saves details in the column and shows the new name everywhere at once', async () => {
    const { api, user } = await selectCarla();
    await user.click(screen.getByTestId('contact-edit'));
    const name = screen.getByTestId('contact-name-input');
    await user.clear(name);
    await user.type(name, 'Carla Díaz');
    await user.type(screen.getByTestId('contact-email-input'), 'carla@example.com');
    await user.click(screen.getByTestId('contact-save'));
    expect(api.updateContact).toHaveBeenCalledExactlyOnceWith(10, {
      name: 'Carla Díaz',
      email: 'carla@example.com',
      notes: '',
    });
    expect(
      await screen.findByRole('region', { name: 'Conversation with Carla Díaz' }),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: /Carla Díaz/ })).toHaveAttribute(
      'aria-current',
      'true',
    );
    expect(screen.getByTestId('contact-email')).toHaveTextContent('carla@example.com');
  });

  it('updates a contact opened from a search result, who is not in the contact list', async () => {
    const rita = contact({
      id: 12,
      name: 'Refund Rita',
      phone: '+15551239999',
      assignedAgentId: null,
    });
    const { api, user } = await selectCarla((api) => {
      api.search.mockResolvedValue([{ contact: rita, message: null }]);
    });
    await user.type(screen.getByTestId('contact-search'), 'rita');
    await user.click(await screen.findByTestId('search-result-contact'));
    await screen.findByRole('region', { name: 'Conversation with Refund Rita' });
    expect(screen.getByTestId('contact-panel')).toHaveAttribute('data-contact-id', '12');

    await user.click(screen.getByTestId('contact-edit'));
    await user.type(screen.getByTestId('contact-notes-input'), 'Wants a refund');
    await user.click(screen.getByTestId('contact-save'));
    expect(api.updateContact).toHaveBeenCalledExactlyOnceWith(12, {
      name: 'Refund Rita',
      email: '',
      notes: 'Wants a refund',
    });
    await waitFor(() =>
      expect(screen.getByTestId('contact-notes')).toHaveTextContent('Wants a refund'),
    );
  });
});
