import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { startOfDay } from '../conversation/display';
import {
  agent,
  agentSummary,
  fakeApi,
  interaction,
  message,
  session,
  summary,
} from '../testing/fixtures';
import type { Message } from '../api';
import AgentWorkspace from './AgentWorkspace.svelte';

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
    expect(api.listContacts.mock.calls.length).toBeGreaterThan(1);
    expect(api.settings).toHaveBeenCalledTimes(1);
  });
});
