import { beforeEach, describe, expect, it, vi } from 'vitest';
import { agent, contact, interaction, message } from '../testing/fixtures';
import { ApiFailure } from './contract';
import { createDesktopApi } from './desktop';

const ipc = vi.hoisted(() => ({
  invoke: vi.fn(),
  handlers: new Map<string, (event: { payload: unknown }) => void>(),
  unlisten: vi.fn(),
}));

vi.mock('@tauri-apps/api/core', () => ({ invoke: ipc.invoke }));
vi.mock('@tauri-apps/api/event', () => ({
  listen: vi.fn(async (channel: string, handler: (event: { payload: unknown }) => void) => {
    ipc.handlers.set(channel, handler);
    return () => {
      ipc.unlisten(channel);
      ipc.handlers.delete(channel);
    };
  }),
}));

beforeEach(() => {
  ipc.invoke.mockReset();
  ipc.invoke.mockResolvedValue(null);
  ipc.unlisten.mockReset();
  ipc.handlers.clear();
});

describe('desktop transport', () => {
  it('calls each host command by its snake_case name with camelCase arguments', async () => {
    const api = createDesktopApi();
    const login = { hubUrl: 'http://127.0.0.1:8080', login: 'ana', password: 'pw' };
    const compose = { contactId: 3, interactionId: 9, body: 'Hi' };

    await api.login(login);
    await api.logout();
    await api.session();
    await api.setStatus('ready');
    await api.setStatus('notReady', 'Lunch');
    await api.listContacts();
    await api.listMessages(3);
    await api.listMessages(3, { before: 40, limit: 100 });
    await api.markRead(3);
    await api.listInteractions();
    await api.acceptInteraction(9);
    await api.declineInteraction(9);
    await api.sendMessage(compose);
    await api.setFocus(3);
    await api.setFocus(null);
    await api.createInteraction(3);
    await api.endInteraction(9);
    await api.saveWrapUp(9, { disposition: 'Resolved', note: null });
    await api.markDone(9, { disposition: null, note: 'Called back' });
    await api.settings();
    await api.summary(1_700_000_000_000);

    expect(ipc.invoke.mock.calls).toEqual([
      ['login', { request: login }],
      ['logout', undefined],
      ['session', undefined],
      // The host's `reason` is an Option: absent is sent as null, never left out.
      ['set_status', { status: 'ready', reason: null }],
      ['set_status', { status: 'notReady', reason: 'Lunch' }],
      ['list_contacts', undefined],
      ['list_messages', { contactId: 3, page: null }],
      ['list_messages', { contactId: 3, page: { before: 40, limit: 100 } }],
      ['mark_read', { contactId: 3 }],
      ['list_interactions', undefined],
      ['accept_interaction', { interactionId: 9 }],
      ['decline_interaction', { interactionId: 9 }],
      ['send_message', { request: compose }],
      ['set_focus', { contactId: 3 }],
      ['set_focus', { contactId: null }],
      ['create_interaction', { contactId: 3, beyondCapacity: false }],
      ['end_interaction', { interactionId: 9 }],
      ['save_wrap_up', { interactionId: 9, request: { disposition: 'Resolved', note: null } }],
      ['mark_done', { interactionId: 9, request: { disposition: null, note: 'Called back' } }],
      ['settings', undefined],
      ['summary', { since: 1_700_000_000_000 }],
    ]);
    expect(api.mode).toBe('desktop');
  });

  it('searches the replica and marks a contact unread by their host commands', async () => {
    const api = createDesktopApi();
    const hits = [{ contact: contact(), message: message({ body: 'a&b "c"' }) }];
    ipc.invoke.mockResolvedValueOnce(hits);
    await expect(api.search('a&b "c"')).resolves.toBe(hits);
    await api.search('Привет');
    await expect(api.markUnread(3)).resolves.toBeNull();

    expect(ipc.invoke.mock.calls).toEqual([
      // The text goes as typed: the host makes it a query, so nothing is escaped here.
      ['search', { query: 'a&b "c"' }],
      ['search', { query: 'Привет' }],
      ['mark_unread', { contactId: 3 }],
    ]);
  });

  it('saves contact details and reads the interaction history by their host commands', async () => {
    const api = createDesktopApi();
    const saved = contact({ email: 'carla@example.com', notes: 'VIP' });
    const history = [{ interaction: interaction({ state: 'done' }), agentName: 'Ana Agent' }];
    ipc.invoke.mockResolvedValueOnce(saved).mockResolvedValueOnce(history);
    const details = { name: 'Carla', email: '', notes: '<b>VIP</b>' };

    await expect(api.updateContact(10, { ...details })).resolves.toBe(saved);
    await expect(api.contactInteractions(10)).resolves.toBe(history);
    expect(ipc.invoke.mock.calls).toEqual([
      // All three fields go as given: an empty one clears the stored value.
      ['update_contact', { contactId: 10, request: details }],
      ['contact_interactions', { contactId: 10 }],
    ]);

    ipc.invoke.mockRejectedValueOnce({ code: 'badRequest', message: '"x" is not an email address' });
    await expect(
      api.updateContact(10, { name: null, email: 'x', notes: null }),
    ).rejects.toMatchObject({ code: 'badRequest', message: '"x" is not an email address.' });
  });

  it('returns what the host answers', async () => {
    const api = createDesktopApi();
    const sent = message({ direction: 'outbound', status: 'pending' });
    ipc.invoke.mockResolvedValueOnce(sent);
    await expect(api.sendMessage({ contactId: 10, interactionId: null, body: 'x' })).resolves.toBe(
      sent,
    );
  });

  it('rejects with an ApiFailure carrying the host error code', async () => {
    const api = createDesktopApi();
    ipc.invoke.mockRejectedValueOnce({ code: 'conflict', message: 'The offer moved on.' });
    const failure = await api.acceptInteraction(1).catch((error) => error);
    expect(failure).toBeInstanceOf(ApiFailure);
    expect(failure).toMatchObject({ code: 'conflict', message: 'The offer moved on.' });

    ipc.invoke.mockRejectedValueOnce('command not found');
    await expect(api.listContacts()).rejects.toMatchObject({
      code: 'internal',
      message: 'Command not found.',
    });
  });

  it('forwards host events and unlistens when unsubscribed', async () => {
    const api = createDesktopApi();
    const events = vi.fn();
    const states = vi.fn();
    const changes = vi.fn();
    const stopEvents = api.onEvent(events);
    api.onConnection(states);
    api.onChanged(changes);
    await vi.waitFor(() => expect(ipc.handlers.size).toBe(3));

    const event = { seq: 1, at: 1, kind: { type: 'agent', agent: agent() } };
    ipc.handlers.get('parley://event')?.({ payload: event });
    ipc.handlers.get('parley://connection')?.({ payload: 'offline' });
    ipc.handlers.get('parley://changed')?.({ payload: null });
    expect(events).toHaveBeenCalledWith(event);
    expect(states).toHaveBeenCalledWith('offline');
    expect(changes).toHaveBeenCalledTimes(1);

    stopEvents();
    expect(ipc.unlisten).toHaveBeenCalledWith('parley://event');
  });

  it('forwards the host\'s show requests, and ignores one that names no contact', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const api = createDesktopApi();
    const shows = vi.fn();
    const stop = api.onShow(shows);
    await vi.waitFor(() => expect(ipc.handlers.has('parley://show')).toBe(true));

    ipc.handlers.get('parley://show')?.({ payload: { contactId: 12 } });
    ipc.handlers.get('parley://show')?.({ payload: { contactId: '12' } });
    ipc.handlers.get('parley://show')?.({ payload: null });
    expect(shows.mock.calls).toEqual([[{ contactId: 12 }]]);
    expect(warn).toHaveBeenCalledTimes(2);

    stop();
    expect(ipc.unlisten).toHaveBeenCalledWith('parley://show');
    warn.mockRestore();
  });

  it('hands the unread total to the host', async () => {
    const api = createDesktopApi();
    await api.setUnreadTotal(4);
    await api.setUnreadTotal(0);
    expect(ipc.invoke.mock.calls).toEqual([
      ['set_unread_total', { total: 4 }],
      ['set_unread_total', { total: 0 }],
    ]);
  });

  it('unlistens even when unsubscribed before the host confirmed the subscription', async () => {
    const api = createDesktopApi();
    api.onChanged(vi.fn())();
    await vi.waitFor(() => expect(ipc.unlisten).toHaveBeenCalledWith('parley://changed'));
  });
});
