import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { startOfDay } from '../conversation/display';
import {
  agent,
  agentSummary,
  fakeApi,
  interaction,
  keepInteractions,
  message,
  session,
  summary,
} from '../testing/fixtures';
import { shortcuts } from '../shortcuts/shortcuts';
import type { Message } from '../api';
import AgentWorkspace from './AgentWorkspace.svelte';
import { Workspace } from './workspace.svelte';

function setup(configure: (api: ReturnType<typeof fakeApi>['api']) => void = () => {}) {
  const fake = fakeApi('browser');
  const { api } = fake;
  api.listContacts.mockResolvedValue([
    summary({ id: 10, name: 'Carla' }, { unreadCount: 2, lastMessage: 'Hello?' }),
    summary({ id: 11, name: 'Dan', phone: '+15551230002' }),
  ]);
  // Like a real host, what was sent is part of the history from then on.
  const sent: Message[] = [];
  api.listMessages.mockImplementation(async (contactId) => [
    message({ id: contactId * 100, contactId, body: `Hello from ${contactId}\nsecond line` }),
    ...sent.filter((candidate) => candidate.contactId === contactId),
  ]);
  api.sendMessage.mockImplementation(async (request) => {
    const stored = message({ ...request, id: 2000 + sent.length, direction: 'outbound', status: 'queued' });
    sent.push(stored);
    return stored;
  });
  configure(api);
  render(AgentWorkspace, { api, session: session(), onSignedOut: () => {} });
  return { ...fake, user: userEvent.setup() };
}

describe('AgentWorkspace', () => {
  it('shows the agent, the status control and the connection', async () => {
    const { api, user } = setup();
    expect(screen.getByTestId('agent-name')).toHaveTextContent('Ana Agent');
    const toggle = screen.getByTestId('status-toggle');
    expect(toggle).toHaveTextContent('Not Ready');
    expect(toggle).toHaveAttribute('data-status', 'notReady');
    expect(screen.getByTestId('connection')).toHaveAttribute('data-state', 'offline');

    await user.click(toggle);
    expect(api.setStatus).toHaveBeenCalledWith('ready');
    await waitFor(() => expect(toggle).toHaveAttribute('data-status', 'ready'));
    expect(toggle).toHaveTextContent(/^Ready$/);
  });

  it('opens a contact: loads the transcript, marks it read and sets the focus', async () => {
    const { api, user } = setup();
    const item = await screen.findByRole('button', { name: /Carla/ });
    expect(within(item).getByTestId('unread-badge')).toHaveTextContent('2');

    await user.click(item);
    expect(api.setFocus).toHaveBeenLastCalledWith(10);
    expect(api.markRead).toHaveBeenCalledWith(10);
    expect(within(item).queryByTestId('unread-badge')).toBeNull();
    expect(await screen.findByTestId('message')).toHaveTextContent('Hello from 10');

    await user.type(screen.getByTestId('composer-input'), 'On my way{Enter}');
    expect(api.sendMessage).toHaveBeenCalledWith({
      contactId: 10,
      interactionId: null,
      body: 'On my way',
    });
    await waitFor(() => expect(screen.getAllByTestId('message')).toHaveLength(2));
  });

  it('offers my SMS only, and Accept opens its Chat Interaction view', async () => {
    const offer = interaction({ id: 7, contactId: 10, state: 'offered', agentId: 1 });
    const othersOffer = interaction({ id: 8, contactId: 11, state: 'offered', agentId: 2 });
    const { api, user } = setup((api) => {
      api.listInteractions.mockResolvedValue([offer, othersOffer]);
      api.acceptInteraction.mockImplementation(async (id) => {
        const accepted = { ...offer, id, state: 'active' as const, acceptedAt: 2 };
        api.listInteractions.mockResolvedValue([accepted, othersOffer]);
        return accepted;
      });
    });

    const dialog = await screen.findByTestId('offer-dialog');
    expect(screen.getAllByTestId('offer-dialog')).toHaveLength(1);
    expect(dialog).toHaveAttribute('data-interaction-id', '7');
    expect(dialog).toHaveTextContent('Incoming SMS from Carla');
    await waitFor(() => expect(dialog).toHaveTextContent('Hello from 10'));
    expect(dialog).not.toHaveTextContent('second line');

    await user.click(within(dialog).getByTestId('offer-accept'));
    const view = await screen.findByTestId('interaction-view');
    expect(view).toHaveAttribute('data-interaction-id', '7');
    expect(view).toHaveAttribute('data-state', 'active');
    expect(screen.queryByTestId('offer-dialog')).toBeNull();
    expect(api.setFocus).toHaveBeenLastCalledWith(10);
    expect(screen.getByTestId('interaction-item')).toHaveAttribute('data-interaction-id', '7');

    await user.type(screen.getByTestId('composer-input'), 'Hi Carla{Enter}');
    expect(api.sendMessage).toHaveBeenCalledWith({
      contactId: 10,
      interactionId: 7,
      body: 'Hi Carla',
    });

    await user.click(screen.getByTestId('nav-communication'));
    expect(screen.queryByTestId('interaction-view')).toBeNull();
    expect(api.setFocus).toHaveBeenLastCalledWith(null);
  });

  it('refetches once for a burst of events', async () => {
    const { api, emitEvent, emitChanged } = setup();
    await waitFor(() => expect(api.listContacts).toHaveBeenCalledTimes(1));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const before = api.listContacts.mock.calls.length;

    api.listContacts.mockResolvedValue([
      summary({ id: 12, name: 'Eve', lastActivityAt: 2_000_000_000_000 }, { unreadCount: 1 }),
    ]);
    for (let seq = 1; seq <= 5; seq += 1) {
      emitEvent({ seq, at: seq, kind: { type: 'message', message: message({ id: seq }) } });
    }
    emitChanged();

    await screen.findByRole('button', { name: /Eve/ });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(api.listContacts.mock.calls.length - before).toBe(1);
  });

  it('applies my agent events to the status control', async () => {
    const { emitEvent } = setup();
    emitEvent({ seq: 1, at: 1, kind: { type: 'agent', agent: agent({ status: 'ready' }) } });
    await waitFor(() =>
      expect(screen.getByTestId('status-toggle')).toHaveAttribute('data-status', 'ready'),
    );
    emitEvent({ seq: 2, at: 2, kind: { type: 'agent', agent: agent({ id: 2, status: 'notReady' }) } });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(screen.getByTestId('status-toggle')).toHaveAttribute('data-status', 'ready');
  });

  it('sets Not Ready with a configured reason and shows it', async () => {
    const { api, user } = setup((api) => {
      api.settings.mockResolvedValue({
        dispositions: [],
        dispositionRequired: false,
        notReadyReasons: ['Break', 'Training'],
        standardResponses: [],
        offerTimeoutMs: 30000,
        offlineGraceMs: 120000,
      });
    });
    const menu = screen.getByTestId('status-reason');
    await screen.findByRole('option', { name: 'Not Ready — Training' });

    await user.selectOptions(menu, 'Training');
    expect(api.setStatus).toHaveBeenCalledExactlyOnceWith('notReady', 'Training');
    const toggle = screen.getByTestId('status-toggle');
    await waitFor(() => expect(toggle).toHaveTextContent('Not Ready — Training'));
    expect(menu).toHaveValue('Training');

    // The toggle still switches between Ready and a plain Not Ready.
    await user.click(toggle);
    expect(api.setStatus).toHaveBeenLastCalledWith('ready');
    await waitFor(() => expect(toggle).toHaveTextContent(/^Ready$/));
  });

  it('loads the settings once, and today\'s summary again on my interaction events', async () => {
    const { api, emitEvent } = setup((api) => {
      api.summary.mockResolvedValue(agentSummary({ handled: 2, averageHandleMs: 90_000 }));
    });
    const kpi = await screen.findByTestId('kpi-summary');
    expect(kpi).toHaveTextContent('Today: 2 handled · AHT 1:30');
    expect(api.summary).toHaveBeenCalledTimes(1);
    // Today starts at local midnight (read around the call, in case midnight passed).
    expect([startOfDay(), startOfDay(new Date(Date.now() - 60_000))]).toContain(
      api.summary.mock.calls[0]?.[0],
    );

    api.summary.mockResolvedValue(agentSummary({ handled: 3, averageHandleMs: 100_000 }));
    const done = interaction({ id: 7, state: 'done', agentId: 1, doneAt: 5 });
    emitEvent({ seq: 1, at: 1, kind: { type: 'interaction', interaction: done } });
    await waitFor(() => expect(kpi).toHaveTextContent('Today: 3 handled · AHT 1:40'));
    expect(api.summary).toHaveBeenCalledTimes(2);

    // Someone else's interactions do not change my figures.
    const others = interaction({ id: 8, state: 'done', agentId: 2, doneAt: 6 });
    emitEvent({ seq: 2, at: 2, kind: { type: 'interaction', interaction: others } });
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(api.summary).toHaveBeenCalledTimes(2);
    expect(api.listInteractions.mock.calls.length).toBeGreaterThan(1);
    expect(api.settings).toHaveBeenCalledTimes(1);
  });
});

describe('AgentWorkspace keyboard shortcuts', () => {
  const active = interaction({ id: 7, contactId: 10, state: 'active', acceptedAt: 2 });

  /** The workspace with my active interaction with Carla in view (its composer focused). */
  async function inInteraction() {
    const fake = setup((api) => {
      keepInteractions(api, [active]);
    });
    await fake.user.click(await screen.findByTestId('interaction-item'));
    await screen.findByTestId('interaction-view');
    await waitFor(() => expect(screen.getByTestId('composer-input')).toHaveFocus());
    return fake;
  }

  it('Alt+A accepts the first offer', async () => {
    const { api, user } = setup((api) => {
      keepInteractions(api, [
        interaction({ id: 7, contactId: 10, state: 'offered', offeredAt: 1 }),
        interaction({ id: 9, contactId: 11, state: 'offered', offeredAt: 2 }),
      ]);
    });
    await waitFor(() => expect(screen.getAllByTestId('offer-dialog')).toHaveLength(2));

    await user.keyboard('{Alt>}a{/Alt}');
    expect(api.acceptInteraction).toHaveBeenCalledExactlyOnceWith(7);
    const view = await screen.findByTestId('interaction-view');
    expect(view).toHaveAttribute('data-interaction-id', '7');
    await waitFor(() => expect(screen.getAllByTestId('offer-dialog')).toHaveLength(1));
  });

  it('Alt+N opens the next of my contacts with unread messages, in list order', async () => {
    // Like a host: reading a contact clears their count, a new message raises it.
    const unread = new Map([
      [10, 2],
      [12, 1],
      [13, 5],
    ]);
    const { api, user, emitChanged } = setup((api) => {
      api.listContacts.mockImplementation(async () => [
        summary({ id: 10, name: 'Carla', lastActivityAt: 300 }, { unreadCount: unread.get(10) ?? 0 }),
        summary({ id: 11, name: 'Dan', lastActivityAt: 400 }),
        summary({ id: 12, name: 'Eve', lastActivityAt: 100 }, { unreadCount: unread.get(12) ?? 0 }),
        // Not mine: never opened by Alt+N, however many unread.
        summary(
          { id: 13, name: 'Zed', lastActivityAt: 500, assignedAgentId: 2 },
          { unreadCount: unread.get(13) ?? 0 },
        ),
      ]);
      api.markRead.mockImplementation(async (contactId) => {
        unread.set(contactId, 0);
      });
      keepInteractions(api, [interaction({ id: 8, contactId: 11, state: 'active', acceptedAt: 2 })]);
    });
    // Start from the Chat Interaction view of another conversation (Dan's).
    await user.click(await screen.findByTestId('interaction-item'));
    await screen.findByTestId('interaction-view');
    const current = () =>
      screen.getAllByTestId('contact-item').find((item) => item.getAttribute('aria-current'));

    await user.keyboard('{Alt>}n{/Alt}');
    expect(screen.queryByTestId('interaction-view')).toBeNull();
    expect(api.setFocus).toHaveBeenLastCalledWith(10);
    expect(current()).toHaveAttribute('data-contact-id', '10');
    expect(api.markRead).toHaveBeenLastCalledWith(10);

    await user.keyboard('{Alt>}n{/Alt}');
    expect(api.setFocus).toHaveBeenLastCalledWith(12);
    expect(current()).toHaveAttribute('data-contact-id', '12');

    // Both have been read: nothing is left, and the conversation in view stays.
    await waitFor(() => expect(screen.getByTestId('nav-communication')).not.toHaveTextContent(/\d/));
    const calls = api.setFocus.mock.calls.length;
    await user.keyboard('{Alt>}n{/Alt}');
    expect(api.setFocus).toHaveBeenCalledTimes(calls);
    expect(current()).toHaveAttribute('data-contact-id', '12');

    // A new message from Carla: Alt+N goes round to her.
    unread.set(10, 1);
    emitChanged();
    await waitFor(() => expect(screen.getByTestId('nav-communication')).toHaveTextContent('1'));
    await user.keyboard('{Alt>}n{/Alt}');
    expect(api.setFocus).toHaveBeenLastCalledWith(10);
    expect(api.setFocus).not.toHaveBeenCalledWith(13);
  });

  it('Alt+E ends and Alt+D marks Done the interaction in view, from the message field too', async () => {
    const { api, user } = await inInteraction();

    await user.keyboard('{Alt>}e{/Alt}');
    expect(api.endInteraction).toHaveBeenCalledExactlyOnceWith(7);
    await waitFor(() =>
      expect(screen.getByTestId('interaction-view')).toHaveAttribute('data-state', 'ended'),
    );
    // The message field keeps what was typed: Alt+E typed nothing.
    expect(screen.getByTestId('composer-input')).toHaveValue('');

    await user.keyboard('{Alt>}d{/Alt}');
    await waitFor(() => expect(api.markDone).toHaveBeenCalledTimes(1));
    expect(api.markDone.mock.calls[0]?.[0]).toBe(7);
    await waitFor(() => expect(screen.queryByTestId('interaction-view')).toBeNull());
  });

  it('Alt+R, Alt+M and Alt+C reach the composer in view', async () => {
    const { user } = await inInteraction();
    const input = screen.getByTestId('composer-input');

    await user.keyboard('{Alt>}r{/Alt}');
    const panel = await screen.findByTestId('responses-panel');
    expect(within(panel).getByTestId('responses-search')).toHaveFocus();
    // The fixtures' settings: "Hi {contact.name}, this is {agent.name}."
    await user.click(within(panel).getByRole('button', { name: /Welcome/ }));
    expect(input).toHaveValue('Hi Carla, this is Ana Agent.');
    expect(input).toHaveFocus();

    await user.keyboard('{Alt>}m{/Alt}');
    expect(screen.getByTestId('emoji-search')).toHaveFocus();
    await user.keyboard('{Escape}');
    expect(screen.queryByTestId('emoji-picker')).toBeNull();

    await user.click(screen.getByTestId('tab-case'));
    expect(input).not.toHaveFocus();
    await user.keyboard('{Alt>}c{/Alt}');
    expect(input).toHaveFocus();
  });

  it('Alt+S switches between Ready and Not Ready', async () => {
    const { api, user } = setup();
    const toggle = screen.getByTestId('status-toggle');
    await user.keyboard('{Alt>}s{/Alt}');
    expect(api.setStatus).toHaveBeenLastCalledWith('ready');
    await waitFor(() => expect(toggle).toHaveAttribute('data-status', 'ready'));
    await user.keyboard('{Alt>}s{/Alt}');
    expect(api.setStatus).toHaveBeenLastCalledWith('notReady');
    await waitFor(() => expect(toggle).toHaveAttribute('data-status', 'notReady'));
  });

  it('Ctrl+Enter sends the message', async () => {
    const { api, user } = await inInteraction();
    await user.keyboard('On my way{Control>}{Enter}{/Control}');
    expect(api.sendMessage).toHaveBeenCalledExactlyOnceWith({
      contactId: 10,
      interactionId: 7,
      body: 'On my way',
    });
  });

  it('"?" and the Shortcuts button open the list of every shortcut', async () => {
    const { api, user } = setup();
    const button = screen.getByTestId('shortcuts-button');
    expect(button).toHaveAccessibleName('Shortcuts');
    expect(button).toHaveAttribute('aria-keyshortcuts', 'Shift+?');

    await user.keyboard('?');
    const dialog = screen.getByRole('dialog', { name: 'Keyboard shortcuts' });
    expect(dialog).toBe(screen.getByTestId('shortcuts-dialog'));
    const rows = within(dialog).getAllByTestId('shortcut-row');
    expect(rows.map((row) => row.getAttribute('data-action'))).toEqual(
      shortcuts.map((shortcut) => shortcut.action),
    );
    const row = (action: string) => rows.find((candidate) => candidate.dataset.action === action);
    const keys = (action: string) =>
      [...(row(action)?.querySelectorAll('kbd') ?? [])].map((key) => key.textContent);
    expect(keys('accept')).toEqual(['Alt', 'A']);
    expect(keys('nextUnread')).toEqual(['Alt', 'N']);
    expect(keys('end')).toEqual(['Alt', 'E']);
    expect(keys('done')).toEqual(['Alt', 'D']);
    expect(keys('responses')).toEqual(['Alt', 'R']);
    expect(keys('emoji')).toEqual(['Alt', 'M']);
    expect(keys('focusComposer')).toEqual(['Alt', 'C']);
    expect(keys('toggleStatus')).toEqual(['Alt', 'S']);
    expect(keys('send')).toEqual(['Enter', 'Ctrl', 'Enter']);
    expect(keys('help')).toEqual(['?']);
    expect(row('toggleStatus')).toHaveTextContent('Switch between Ready and Not Ready');

    // Modal: the other shortcuts wait, and Escape closes it.
    await user.keyboard('{Alt>}s{/Alt}');
    expect(api.setStatus).not.toHaveBeenCalled();
    await user.keyboard('{Escape}');
    expect(screen.queryByTestId('shortcuts-dialog')).toBeNull();

    await user.click(button);
    expect(screen.getByTestId('shortcuts-dialog')).toBeInTheDocument();
    expect(screen.getByTestId('shortcuts-close')).toHaveFocus();
    await user.click(screen.getByTestId('shortcuts-close'));
    expect(screen.queryByTestId('shortcuts-dialog')).toBeNull();
    expect(button).toHaveFocus();
  });

  it('typing in the message field triggers no shortcut', async () => {
    const { api, user } = await inInteraction();
    api.listInteractions.mockResolvedValue([
      active,
      interaction({ id: 9, contactId: 11, state: 'offered', offeredAt: 2 }),
    ]);
    await screen.findByTestId('offer-dialog');
    const input = screen.getByTestId('composer-input');
    await user.click(input);

    await user.keyboard('And? A new SMS, Dan. Or cars.');
    expect(input).toHaveValue('And? A new SMS, Dan. Or cars.');
    expect(screen.queryByTestId('shortcuts-dialog')).toBeNull();
    expect(screen.queryByTestId('emoji-picker')).toBeNull();
    expect(screen.queryByTestId('responses-panel')).toBeNull();
    expect(api.acceptInteraction).not.toHaveBeenCalled();
    expect(api.endInteraction).not.toHaveBeenCalled();
    expect(api.markDone).not.toHaveBeenCalled();
    expect(api.setStatus).not.toHaveBeenCalled();
    expect(api.setFocus).toHaveBeenLastCalledWith(10);
    expect(screen.getByTestId('interaction-view')).toHaveAttribute('data-state', 'active');
  });

  it('on a Mac shows ⌥, and leaves ⌥ with a letter to typing in text fields', async () => {
    vi.spyOn(navigator, 'platform', 'get').mockReturnValue('MacIntel');
    const { api, user } = await inInteraction();
    expect(screen.getByTestId('emoji-button')).toHaveAttribute('title', 'Emoji (⌥M)');

    // ⌥E in the message field is the accent key: the chat is not ended.
    await user.keyboard('{Alt>}e{/Alt}');
    expect(api.endInteraction).not.toHaveBeenCalled();

    // Outside text fields ⌥ works, whatever character the key would type.
    await user.click(screen.getByTestId('tab-case'));
    await user.keyboard('{Alt>}[KeyE]{/Alt}');
    expect(api.endInteraction).toHaveBeenCalledExactlyOnceWith(7);

    await user.keyboard('?');
    const dialog = screen.getByTestId('shortcuts-dialog');
    const accept = within(dialog)
      .getAllByTestId('shortcut-row')
      .find((row) => row.dataset.action === 'accept');
    expect([...(accept?.querySelectorAll('kbd') ?? [])].map((key) => key.textContent)).toEqual([
      '⌥',
      'A',
    ]);
    expect(within(dialog).getByTestId('shortcuts-mac-note')).toBeInTheDocument();
  });
});

describe('AgentWorkspace with several interactions', () => {
  const withCarla = interaction({ id: 7, contactId: 10, state: 'active', acceptedAt: 2 });
  const withDan = interaction({ id: 8, contactId: 11, state: 'active', acceptedAt: 3 });

  /** My interactions with Carla and Dan, and Eve, with whom I have none. */
  function several(configure: (api: ReturnType<typeof fakeApi>['api']) => void = () => {}) {
    return setup((api) => {
      api.listContacts.mockResolvedValue([
        summary({ id: 10, name: 'Carla' }),
        summary({ id: 11, name: 'Dan', phone: '+15551230002' }),
        summary({ id: 12, name: 'Eve', phone: '+15551230003' }),
      ]);
      keepInteractions(api, [withCarla, withDan]);
      configure(api);
    });
  }

  const item = (interactionId: number) => {
    const found = screen
      .getAllByTestId('interaction-item')
      .find((candidate) => candidate.dataset.interactionId === String(interactionId));
    if (!found) throw new Error(`no list entry for interaction ${interactionId}`);
    return found;
  };

  const contactItem = (contactId: number) => {
    const found = screen
      .getAllByTestId('contact-item')
      .find((candidate) => candidate.dataset.contactId === String(contactId));
    if (!found) throw new Error(`no contact list entry for contact ${contactId}`);
    return found;
  };

  async function openItem(user: ReturnType<typeof userEvent.setup>, interactionId: number) {
    await waitFor(() => item(interactionId));
    await user.click(item(interactionId));
    await waitFor(() =>
      expect(screen.getByTestId('interaction-view')).toHaveAttribute(
        'data-interaction-id',
        String(interactionId),
      ),
    );
  }

  it('keeps the message being written in each view across switches, and clears it once sent', async () => {
    const { api, user } = several();
    await screen.findAllByTestId('interaction-item');

    await openItem(user, 7);
    await user.type(screen.getByTestId('composer-input'), 'Your refund is');
    await openItem(user, 8);
    expect(screen.getByTestId('composer-input')).toHaveValue('');
    await user.type(screen.getByTestId('composer-input'), 'Hi Dan');

    // The Communication tab keeps one per contact.
    await user.click(screen.getByTestId('nav-communication'));
    await user.click(contactItem(12));
    await user.type(screen.getByTestId('composer-input'), 'Hello Eve');
    await user.click(contactItem(10));
    expect(screen.getByTestId('composer-input')).toHaveValue('');
    await user.click(contactItem(12));
    expect(screen.getByTestId('composer-input')).toHaveValue('Hello Eve');

    await openItem(user, 7);
    const input = screen.getByTestId('composer-input');
    expect(input).toHaveValue('Your refund is');
    // The cursor is where the agent left off, at the end.
    await waitFor(() => expect(input).toHaveFocus());
    expect((input as HTMLTextAreaElement).selectionStart).toBe('Your refund is'.length);
    await user.type(input, ' on its way{Enter}');
    expect(api.sendMessage).toHaveBeenLastCalledWith({
      contactId: 10,
      interactionId: 7,
      body: 'Your refund is on its way',
    });
    await waitFor(() => expect(input).toHaveValue(''));

    await openItem(user, 8);
    expect(screen.getByTestId('composer-input')).toHaveValue('Hi Dan');
    await openItem(user, 7);
    expect(screen.getByTestId('composer-input')).toHaveValue('');

    // Alt+0 goes back to the Communication tab at the contact last open there.
    await user.keyboard('{Alt>}0{/Alt}');
    expect(screen.queryByTestId('interaction-view')).toBeNull();
    await screen.findByRole('region', { name: 'Conversation with Eve' });
    expect(screen.getByTestId('composer-input')).toHaveValue('Hello Eve');
    await user.type(screen.getByTestId('composer-input'), '{Enter}');
    expect(api.sendMessage).toHaveBeenLastCalledWith({
      contactId: 12,
      interactionId: null,
      body: 'Hello Eve',
    });
    await user.click(contactItem(10));
    await user.click(contactItem(12));
    expect(screen.getByTestId('composer-input')).toHaveValue('');
  });

  it('clears a draft whose message is sent after the agent moved to another view', async () => {
    let answer: (() => void) | undefined;
    const { api, user } = several();
    await openItem(user, 7);
    api.sendMessage.mockImplementationOnce(
      (request) =>
        new Promise((resolve) => {
          answer = () =>
            resolve(message({ ...request, id: 3000, direction: 'outbound', status: 'queued' }));
        }),
    );
    await user.type(screen.getByTestId('composer-input'), 'On my way{Enter}');
    await openItem(user, 8);
    await user.type(screen.getByTestId('composer-input'), 'Hi Dan');

    answer?.();
    await new Promise((resolve) => setTimeout(resolve, 10));
    // Dan's draft is not the one that was sent: it stays.
    expect(screen.getByTestId('composer-input')).toHaveValue('Hi Dan');
    await openItem(user, 7);
    expect(screen.getByTestId('composer-input')).toHaveValue('');

    // The same in the Communication tab, from one contact to another.
    await user.click(screen.getByTestId('nav-communication'));
    await user.click(contactItem(12));
    api.sendMessage.mockImplementationOnce(
      (request) =>
        new Promise((resolve) => {
          answer = () =>
            resolve(message({ ...request, id: 3001, direction: 'outbound', status: 'queued' }));
        }),
    );
    await user.type(screen.getByTestId('composer-input'), 'Hello Eve{Enter}');
    await user.click(contactItem(10));
    await user.type(screen.getByTestId('composer-input'), 'Hi Carla');
    answer?.();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(screen.getByTestId('composer-input')).toHaveValue('Hi Carla');
    await user.click(contactItem(12));
    expect(screen.getByTestId('composer-input')).toHaveValue('');
  });

  it('keeps each interaction\'s open tab, and a disposition and note not saved yet', async () => {
    const { api, user } = several((api) => {
      api.saveWrapUp.mockRejectedValue(new Error('The hub cannot be reached'));
    });
    await screen.findAllByTestId('interaction-item');
    await openItem(user, 7);

    await user.click(screen.getByTestId('tab-disposition'));
    const option = (code: string) =>
      screen
        .getAllByTestId('disposition-option')
        .find((candidate) => candidate.dataset.code === code);
    await user.click(option('Escalated')!);
    expect(api.saveWrapUp).toHaveBeenLastCalledWith(7, { disposition: 'Escalated', note: null });
    await user.click(screen.getByTestId('tab-note'));
    await user.type(screen.getByTestId('note-input'), 'Call back at 5');

    // Dan's view has its own tab; leaving Carla's tried to save the note, and failed.
    await openItem(user, 8);
    expect(screen.getByTestId('tab-case')).toHaveAttribute('aria-selected', 'true');
    await waitFor(() =>
      expect(api.saveWrapUp).toHaveBeenLastCalledWith(7, {
        disposition: null,
        note: 'Call back at 5',
      }),
    );
    // Carla's note went to Carla's interaction only, although Dan's was in view by then.
    expect(api.saveWrapUp.mock.calls.filter(([interactionId]) => interactionId !== 7)).toEqual([]);
    await user.click(screen.getByTestId('tab-contact'));

    await openItem(user, 7);
    expect(screen.getByTestId('tab-note')).toHaveAttribute('aria-selected', 'true');
    expect(screen.getByTestId('note-input')).toHaveValue('Call back at 5');
    await user.click(screen.getByTestId('tab-disposition'));
    expect(option('Escalated')).toBeChecked();

    await openItem(user, 8);
    expect(screen.getByTestId('tab-contact')).toHaveAttribute('aria-selected', 'true');

    // The hub answers again: Done carries what was kept.
    api.saveWrapUp.mockImplementation(async (id, request) => ({
      ...withCarla,
      id,
      disposition: request.disposition ?? 'Escalated',
      note: request.note,
    }));
    await openItem(user, 7);
    // Done on the live chat ends it first; Done in the wrap-up then closes it.
    await user.click(screen.getByTestId('interaction-done'));
    await user.click(await screen.findByRole('button', { name: 'End and wrap up' }));
    await waitFor(() =>
      expect(screen.getByTestId('interaction-view')).toHaveAttribute('data-state', 'ended'),
    );
    expect(api.markDone).not.toHaveBeenCalled();
    await user.click(screen.getByTestId('interaction-done'));
    await waitFor(() =>
      expect(api.markDone).toHaveBeenCalledExactlyOnceWith(7, {
        disposition: 'Escalated',
        note: 'Call back at 5',
      }),
    );
  });

  it('Alt+1 to Alt+9 open the interactions in list order, and Alt+0 the Communication tab', async () => {
    const { user } = several();
    await screen.findAllByTestId('interaction-item');
    expect(item(7)).toHaveAttribute('aria-keyshortcuts', 'Alt+1');
    expect(item(8)).toHaveAttribute('aria-keyshortcuts', 'Alt+2');
    expect(item(8)).toHaveAttribute('title', 'Dan (Alt+2)');
    expect(screen.getByTestId('nav-communication')).toHaveAttribute('aria-keyshortcuts', 'Alt+0');

    await user.keyboard('{Alt>}2{/Alt}');
    expect(screen.getByTestId('interaction-view')).toHaveAttribute('data-interaction-id', '8');
    // From the message field too, where Alt with a digit types nothing.
    await waitFor(() => expect(screen.getByTestId('composer-input')).toHaveFocus());
    await user.keyboard('{Alt>}1{/Alt}');
    expect(screen.getByTestId('interaction-view')).toHaveAttribute('data-interaction-id', '7');
    expect(screen.getByTestId('composer-input')).toHaveValue('');
    // There is no third: nothing changes.
    await user.keyboard('{Alt>}3{/Alt}');
    expect(screen.getByTestId('interaction-view')).toHaveAttribute('data-interaction-id', '7');

    await user.keyboard('{Alt>}0{/Alt}');
    expect(screen.queryByTestId('interaction-view')).toBeNull();
    expect(screen.getByTestId('nav-communication')).toHaveAttribute('aria-current', 'page');

    await user.keyboard('?');
    const rows = within(screen.getByTestId('shortcuts-dialog')).getAllByTestId('shortcut-row');
    const keys = (action: string) =>
      [...(rows.find((row) => row.dataset.action === action)?.querySelectorAll('kbd') ?? [])].map(
        (key) => key.textContent,
      );
    expect(keys('openInteraction')).toEqual(['Alt', '1–9']);
    expect(keys('openCommunication')).toEqual(['Alt', '0']);
  });

  it('marks an interaction out of view with its new messages, and shows my capacity in use', async () => {
    const unread = new Map([[11, 0]]);
    const { api, user, emitChanged } = several((api) => {
      api.listContacts.mockImplementation(async () => [
        summary({ id: 10, name: 'Carla' }),
        summary({ id: 11, name: 'Dan', phone: '+15551230002' }, { unreadCount: unread.get(11) }),
      ]);
      api.markRead.mockImplementation(async (contactId) => {
        unread.set(contactId, 0);
      });
    });
    await screen.findAllByTestId('interaction-item');
    // Two active of the three the fixtures' agent takes at once.
    expect(screen.getByTestId('capacity')).toHaveTextContent('2 of 3 chats in use');
    await openItem(user, 7);
    expect(within(item(8)).queryByTestId('interaction-new')).toBeNull();

    // Dan writes twice while Carla's view is open.
    unread.set(11, 2);
    emitChanged();
    await waitFor(() => expect(within(item(8)).getByTestId('interaction-new')).toHaveTextContent('2'));
    expect(item(8)).toHaveAccessibleName(/2 new/);
    expect(within(item(7)).queryByTestId('interaction-new')).toBeNull();

    await openItem(user, 8);
    expect(api.markRead).toHaveBeenLastCalledWith(11);
    expect(within(item(8)).queryByTestId('interaction-new')).toBeNull();
    expect(item(8)).not.toHaveAccessibleName(/new/);

    // An ended chat waiting for Done takes no room; an offer does.
    await user.click(screen.getByTestId('interaction-end'));
    await waitFor(() => expect(screen.getByTestId('capacity')).toHaveTextContent('1 of 3'));
  });

  it('a request to show a contact opens my interaction with them, or their conversation', async () => {
    const { api, emitShow } = several();
    await screen.findAllByTestId('interaction-item');
    expect(api.onShow).toHaveBeenCalledTimes(1);

    emitShow({ contactId: 11 });
    await waitFor(() =>
      expect(screen.getByTestId('interaction-view')).toHaveAttribute('data-interaction-id', '8'),
    );
    expect(api.setFocus).toHaveBeenLastCalledWith(11);

    emitShow({ contactId: 12 });
    await screen.findByRole('region', { name: 'Conversation with Eve' });
    expect(screen.queryByTestId('interaction-view')).toBeNull();
    expect(api.setFocus).toHaveBeenLastCalledWith(12);
  });

  it('tells the host the unread total whenever it changes, and zero on leaving', async () => {
    const unread = new Map([
      [10, 2],
      [11, 1],
    ]);
    const fake = fakeApi('browser');
    const { api } = fake;
    api.listContacts.mockImplementation(async () => [
      summary({ id: 10, name: 'Carla' }, { unreadCount: unread.get(10) }),
      summary({ id: 11, name: 'Dan', phone: '+15551230002' }, { unreadCount: unread.get(11) }),
      // Not mine: not in my total.
      summary({ id: 13, name: 'Zed', assignedAgentId: 2 }, { unreadCount: 4 }),
    ]);
    api.markRead.mockImplementation(async (contactId) => {
      unread.set(contactId, 0);
    });
    const { unmount } = render(AgentWorkspace, {
      api,
      session: session(),
      onSignedOut: () => {},
    });
    await waitFor(() => expect(api.setUnreadTotal).toHaveBeenLastCalledWith(3));

    // A refresh with the same counts does not say it again.
    const calls = api.setUnreadTotal.mock.calls.length;
    fake.emitChanged();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(api.setUnreadTotal).toHaveBeenCalledTimes(calls);

    await userEvent.setup().click(await screen.findByRole('button', { name: /Carla/ }));
    await waitFor(() => expect(api.setUnreadTotal).toHaveBeenLastCalledWith(1));

    unmount();
    expect(api.setUnreadTotal).toHaveBeenLastCalledWith(0);
  });
});

describe('Workspace drafts', () => {
  it('drops an interaction\'s draft once it is Done, here or elsewhere', async () => {
    const { api, emitEvent } = fakeApi('browser');
    const first = interaction({ id: 7, contactId: 10, state: 'active', acceptedAt: 2 });
    const second = interaction({ id: 8, contactId: 11, state: 'active', acceptedAt: 3 });
    keepInteractions(api, [first, second]);
    const workspace = new Workspace(api, session(), () => {});
    const stop = workspace.start();

    workspace.draftOf(first).message = 'Bye';
    workspace.draftOf(first).tab = 'note';
    expect(workspace.draftOf(first)).toMatchObject({ message: 'Bye', tab: 'note' });
    await workspace.markDone(7, { disposition: null, note: null });
    expect(workspace.draftOf(first)).toMatchObject({ message: '', tab: 'case' });

    workspace.draftOf(second).note = 'Typed';
    emitEvent({
      seq: 1,
      at: 1,
      kind: { type: 'interaction', interaction: { ...second, state: 'done', doneAt: 5 } },
    });
    expect(workspace.draftOf(second).note).toBe('');
    stop();
  });
});
