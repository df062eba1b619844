// Test data and a fake Api for component and workspace tests.

import { vi } from 'vitest';
import type {
  Agent,
  Api,
  Contact,
  ContactSummary,
  Event,
  Interaction,
  Message,
  Session,
} from '../api';

export function agent(overrides: Partial<Agent> = {}): Agent {
  return {
    id: 1,
    login: 'ana',
    name: 'Ana Agent',
    role: 'agent',
    status: 'notReady',
    autoAnswer: false,
    maxChats: 3,
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
    ...overrides,
  };
}

/** An Api whose calls are spies; `emit*` plays the host's side of the subscriptions. */
export function fakeApi(mode: Api['mode'] = 'browser') {
  const eventListeners = new Set<(event: Event) => void>();
  const changedListeners = new Set<() => void>();
  const api = {
    mode,
    login: vi.fn<Api['login']>(async () => session()),
    logout: vi.fn<Api['logout']>(async () => {}),
    session: vi.fn<Api['session']>(async () => null),
    setStatus: vi.fn<Api['setStatus']>(async (status) => agent({ status })),
    listContacts: vi.fn<Api['listContacts']>(async () => []),
    listMessages: vi.fn<Api['listMessages']>(async () => []),
    markRead: vi.fn<Api['markRead']>(async () => {}),
    listInteractions: vi.fn<Api['listInteractions']>(async () => []),
    acceptInteraction: vi.fn<Api['acceptInteraction']>(async (id) =>
      interaction({ id, state: 'active' }),
    ),
    sendMessage: vi.fn<Api['sendMessage']>(async (request) =>
      message({ ...request, id: 2000, direction: 'outbound', status: 'queued' }),
    ),
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
  } satisfies Api;
  return {
    api,
    emitEvent(event: Event) {
      for (const listener of eventListeners) listener(event);
    },
    emitChanged() {
      for (const listener of changedListeners) listener();
    },
  };
}
