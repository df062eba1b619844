// Test data and a fake Api for component and workspace tests.

import { vi } from 'vitest';
import { noPolicy } from '../api';
import type {
  Agent,
  AgentSummary,
  Api,
  Contact,
  ContactSummary,
  Event,
  Interaction,
  Media,
  Message,
  Session,
  ShowTarget,
  WorkspaceSettings,
} from '../api';
import type { ContactInteraction } from '../api';

export function agent(overrides: Partial<Agent> = {}): Agent {
  return {
    id: 1,
    login: 'ana',
    name: 'Ana Agent',
    role: 'agent',
    status: 'notReady',
    statusReason: null,
    autoAnswer: false,
    maxChats: 3,
    permissions: {
      saveMedia: false,
      allContacts: true,
      editContacts: true,
      textOutsideInteraction: true,
    },
    disabled: false,
    ...overrides,
  };
}

export function session(overrides: Partial<Agent> = {}): Session {
  return { agent: agent(overrides), hubUrl: 'http://hub.test' };
}

export function contact(overrides: Partial<Contact> = {}): Contact {
  return {
    id: 10,
    phone: '+15551230001',
    name: 'Carla Contact',
    assignedAgentId: 1,
    lastActivityAt: 1_700_000_000_000,
    email: null,
    notes: null,
    optedOut: false,
    reachability: null,
    ...overrides,
  };
}

export function summary(
  contactOverrides: Partial<Contact> = {},
  rest: Partial<Omit<ContactSummary, 'contact'>> = {},
): ContactSummary {
  return { contact: contact(contactOverrides), unreadCount: 0, lastMessage: null, ...rest };
}

export function interaction(overrides: Partial<Interaction> = {}): Interaction {
  return {
    id: 100,
    contactId: 10,
    state: 'offered',
    agentId: 1,
    createdAt: 1_700_000_000_000,
    offeredAt: 1_700_000_000_000,
    acceptedAt: null,
    endedAt: null,
    endedBy: null,
    doneAt: null,
    disposition: null,
    note: null,
    ...overrides,
  };
}

export function message(overrides: Partial<Message> = {}): Message {
  return {
    id: 1000,
    contactId: 10,
    interactionId: null,
    direction: 'inbound',
    body: 'Hello',
    status: 'received',
    errorCode: null,
    agentId: null,
    clientKey: null,
    createdAt: 1_700_000_000_000,
    media: [],
    ...overrides,
  };
}

export function media(overrides: Partial<Media> = {}): Media {
  return {
    id: 500,
    position: 0,
    state: 'ready',
    issue: null,
    contentType: 'image/jpeg',
    size: 48_000,
    width: 800,
    height: 600,
    digest: 'ab12',
    ...overrides,
  };
}

export function settings(overrides: Partial<WorkspaceSettings> = {}): WorkspaceSettings {
  return {
    dispositions: ['Resolved', 'Follow-up needed', 'Escalated'],
    dispositionRequired: false,
    notReadyReasons: ['Break', 'Lunch'],
    offerTimeoutMs: 30000,
    offlineGraceMs: 120000,
    standardResponses: [
      { category: 'Greetings', title: 'Welcome', text: 'Hi {contact.name}, this is {agent.name}.' },
      { category: 'Orders', title: 'Tracking', text: 'Your order is on its way.' },
    ],
    ...overrides,
  };
}

export function agentSummary(overrides: Partial<AgentSummary> = {}): AgentSummary {
  return {
    handled: 0,
    averageHandleMs: null,
    averageChatMs: null,
    averageWrapUpMs: null,
    ...overrides,
  };
}

/** An Api whose calls are spies; `emit*` plays the host's side of the subscriptions. */
export function fakeApi(mode: Api['mode'] = 'browser') {
  const eventListeners = new Set<(event: Event) => void>();
  const changedListeners = new Set<() => void>();
  const showListeners = new Set<(target: ShowTarget) => void>();
  let nextUploadId = 700;
  const api = {
    mode,
    login: vi.fn<Api['login']>(async () => session()),
    logout: vi.fn<Api['logout']>(async () => {}),
    session: vi.fn<Api['session']>(async () => null),
    setStatus: vi.fn<Api['setStatus']>(async (status, reason = null) =>
      agent({ status, statusReason: status === 'notReady' ? reason : null }),
    ),
    listContacts: vi.fn<Api['listContacts']>(async () => []),
    listMessages: vi.fn<Api['listMessages']>(async () => []),
    markRead: vi.fn<Api['markRead']>(async () => {}),
    markUnread: vi.fn<Api['markUnread']>(async () => {}),
    search: vi.fn<Api['search']>(async () => []),
    // Like the hub: each field replaces the stored one, empty text clears it.
    updateContact: vi.fn<Api['updateContact']>(async (id, request) =>
      contact({
        id,
        name: request.name?.trim() || null,
        email: request.email?.trim() || null,
        notes: request.notes || null,
      }),
    ),
    contactInteractions: vi.fn<Api['contactInteractions']>(async () => []),
    listInteractions: vi.fn<Api['listInteractions']>(async () => []),
    acceptInteraction: vi.fn<Api['acceptInteraction']>(async (id) =>
      interaction({ id, state: 'active' }),
    ),
    declineInteraction: vi.fn<Api['declineInteraction']>(async (id) =>
      interaction({ id, state: 'queued', agentId: null, offeredAt: null }),
    ),
    createInteraction: vi.fn<Api['createInteraction']>(async (contactId) =>
      interaction({ id: 300, contactId, state: 'active', offeredAt: null, acceptedAt: 2 }),
    ),
    endInteraction: vi.fn<Api['endInteraction']>(async (id) =>
      interaction({ id, state: 'ended', acceptedAt: 2, endedAt: 3, endedBy: 'agent' }),
    ),
    saveWrapUp: vi.fn<Api['saveWrapUp']>(async (id, request) =>
      interaction({ id, state: 'active', acceptedAt: 2, ...request }),
    ),
    markDone: vi.fn<Api['markDone']>(async (id, request) =>
      interaction({ id, state: 'done', acceptedAt: 2, endedAt: 3, doneAt: 4, ...request }),
    ),
    settings: vi.fn<Api['settings']>(async () => settings()),
    summary: vi.fn<Api['summary']>(async () => agentSummary()),
    // Like the hub: each picture gets the next id, 700 onwards.
    uploadPicture: vi.fn<Api['uploadPicture']>(async (picture) => ({
      id: nextUploadId++,
      contentType: picture.type,
      size: picture.size,
      width: 800,
      height: 600,
    })),
    sendMessage: vi.fn<Api['sendMessage']>(async (request) =>
      message({ ...request, id: 2000, direction: 'outbound', status: 'queued' }),
    ),
    retryMessage: vi.fn<Api['retryMessage']>(async (id) =>
      message({ id, direction: 'outbound', status: 'pending', agentId: 1 }),
    ),
    createInteractionForNumber: vi.fn<Api['createInteractionForNumber']>(async () =>
      interaction({ id: 301, contactId: 12, state: 'active', offeredAt: null, acceptedAt: 2 }),
    ),
    mediaSource: vi.fn<Api['mediaSource']>(async (mediaId, size) => ({
      url: `blob:picture-${mediaId}-${size}`,
      release: vi.fn(),
    })),
    // Only the desktop host opens pictures in the system's app.
    openMedia:
      mode === 'desktop' ? vi.fn<NonNullable<Api['openMedia']>>(async () => {}) : undefined,
    saveMedia: vi.fn<Api['saveMedia']>(async (_mediaId, name) =>
      mode === 'desktop' ? `/home/ana/Pictures/${name}` : name,
    ),
    desktopPolicy: vi.fn<Api['desktopPolicy']>(async () => noPolicy),
    notificationSettings: vi.fn<Api['notificationSettings']>(async () => ({
      privacy: 'nameAndText',
      sound: true,
    })),
    setNotificationSettings: vi.fn<Api['setNotificationSettings']>(async () => {}),
    notificationAccess: vi.fn<Api['notificationAccess']>(() =>
      mode === 'desktop' ? 'host' : 'default',
    ),
    requestNotificationAccess: vi.fn<Api['requestNotificationAccess']>(async () =>
      mode === 'desktop' ? 'host' : 'granted',
    ),
    notify: vi.fn<Api['notify']>(),
    setFocus: vi.fn<Api['setFocus']>(async () => {}),
    onEvent: vi.fn<Api['onEvent']>((listener) => {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    }),
    onConnection: vi.fn<Api['onConnection']>(() => () => {}),
    onChanged: vi.fn<Api['onChanged']>((listener) => {
      changedListeners.add(listener);
      return () => changedListeners.delete(listener);
    }),
    onShow: vi.fn<Api['onShow']>((listener) => {
      showListeners.add(listener);
      return () => showListeners.delete(listener);
    }),
    setUnreadTotal: vi.fn<Api['setUnreadTotal']>(async () => {}),
  } satisfies Api;
  return {
    api,
    emitEvent(event: Event) {
      for (const listener of eventListeners) listener(event);
    },
    emitChanged() {
      for (const listener of changedListeners) listener();
    },
    /** The agent clicked Show on a notification about the contact. */
    emitShow(target: ShowTarget) {
      for (const listener of showListeners) listener(target);
    },
  };
}

/**
 * Makes the fake Api keep interactions the way the hub does, so refreshes after an action
 * see its effect: accept, create (a known contact, or contact 12 for a number), end, wrap-up
 * and Done change the list `listInteractions` returns (Done ones leave it). Returns the live
 * list.
 */
export function keepInteractions(api: ReturnType<typeof fakeApi>['api'], initial: Interaction[]) {
  const interactions = [...initial];
  let nextId = 300;
  const update = (id: number, change: Partial<Interaction>): Interaction => {
    const index = interactions.findIndex((candidate) => candidate.id === id);
    const known = interactions[index];
    if (!known) throw new Error(`no interaction ${id}`);
    const updated = { ...known, ...change };
    if (updated.state === 'done') interactions.splice(index, 1);
    else interactions[index] = updated;
    return updated;
  };
  const wrapUp = (request: { disposition: string | null; note: string | null }) => ({
    ...(request.disposition === null ? {} : { disposition: request.disposition }),
    ...(request.note === null ? {} : { note: request.note }),
  });
  api.listInteractions.mockImplementation(async () => [...interactions]);
  api.acceptInteraction.mockImplementation(async (id) =>
    update(id, { state: 'active', acceptedAt: 2 }),
  );
  api.createInteraction.mockImplementation(async (contactId) => {
    const created = interaction({
      id: nextId++,
      contactId,
      state: 'active',
      offeredAt: null,
      acceptedAt: 2,
    });
    interactions.push(created);
    return created;
  });
  api.createInteractionForNumber.mockImplementation(async () => {
    const created = interaction({
      id: nextId++,
      contactId: 12,
      state: 'active',
      offeredAt: null,
      acceptedAt: 2,
    });
    interactions.push(created);
    return created;
  });
  api.endInteraction.mockImplementation(async (id) =>
    update(id, { state: 'ended', endedAt: 3, endedBy: 'agent' }),
  );
  api.saveWrapUp.mockImplementation(async (id, request) => update(id, wrapUp(request)));
  api.markDone.mockImplementation(async (id, request) => {
    const known = interactions.find((candidate) => candidate.id === id);
    return update(id, {
      ...wrapUp(request),
      state: 'done',
      endedAt: known?.endedAt ?? 4,
      endedBy: known?.endedBy ?? 'agent',
      doneAt: 4,
    });
  });
  return interactions;
}

/** A row of a contact's interaction history. */
export function contactInteraction(
  overrides: Partial<Interaction> = {},
  agentName: string | null = 'Ana Agent',
): ContactInteraction {
  return { interaction: interaction({ state: 'done', ...overrides }), agentName };
}
