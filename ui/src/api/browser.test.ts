import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { agent, contact, interaction, message } from '../testing/fixtures';
import { createBrowserApi, pageTitle, sessionEndsKey, tokenKey } from './browser';
import { ApiFailure } from './contract';
import type { SocketConstructor } from './event-stream';
import type { ConnectionState, Event } from './generated/api';

const origin = 'https://hub.example.com';

/** A WebSocket stand-in the test drives by hand. */
class FakeSocket {
  static instances: FakeSocket[] = [];
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: unknown) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  closed = false;

  constructor(readonly url: string) {
    FakeSocket.instances.push(this);
  }

  close() {
    this.closed = true;
  }

  open() {
    this.onopen?.({});
  }

  receive(event: Event) {
    this.onmessage?.({ data: JSON.stringify(event) });
  }

  drop() {
    this.onerror?.({});
    this.onclose?.({});
  }

  static last(): FakeSocket {
    const socket = FakeSocket.instances.at(-1);
    if (!socket) throw new Error('no socket was opened');
    return socket;
  }
}

class MemoryStorage {
  readonly items = new Map<string, string>();
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
}

function json(status: number, body: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

function event(seq: number): Event {
  return { seq, at: seq, kind: { type: 'agent', agent: agent() } };
}

let fetchMock: ReturnType<typeof vi.fn<typeof fetch>>;
let storage: MemoryStorage;
let keys: number;

function makeApi() {
  return createBrowserApi({
    origin,
    fetch: fetchMock,
    Socket: FakeSocket as unknown as SocketConstructor,
    storage,
    randomUUID: () => `key-${++keys}`,
    sendRetryDelaysMs: [10, 20],
  });
}

/** The URL, method, headers and parsed body of the nth fetch call. */
function request(index: number) {
  const [url, init] = fetchMock.mock.calls[index] ?? [];
  return {
    url: String(url),
    method: init?.method,
    headers: new Headers(init?.headers),
    body: typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined,
  };
}

beforeEach(() => {
  fetchMock = vi.fn<typeof fetch>();
  storage = new MemoryStorage();
  keys = 0;
  FakeSocket.instances = [];
});

afterEach(() => {
  vi.useRealTimers();
});

describe('browser transport: HTTP', () => {
  it('logs in, keeps the token and sends it as a bearer header afterwards', async () => {
    const api = makeApi();
    fetchMock.mockResolvedValueOnce(
      json(200, { token: 'secret-token', agent: agent(), sessionEndsAt: 1_700_043_200_000 }),
    );
    const session = await api.login({ hubUrl: null, login: 'ana', password: 'pw' });

    expect(session).toEqual({ agent: agent(), hubUrl: origin, sessionEndsAt: 1_700_043_200_000 });
    expect(storage.getItem(tokenKey)).toBe('secret-token');
    expect(storage.getItem(sessionEndsKey)).toBe('1700043200000');
    const login = request(0);
    expect(login.url).toBe(`${origin}/api/login`);
    expect(login.method).toBe('POST');
    expect(login.body).toEqual({ hubUrl: null, login: 'ana', password: 'pw' });
    expect(login.headers.has('Authorization')).toBe(false);

    fetchMock.mockResolvedValueOnce(json(200, []));
    await api.listContacts();
    const contacts = request(1);
    expect(contacts.url, "the agent's own contacts, a page").toBe(`${origin}/api/contacts?mine=true&limit=500`);
    expect(contacts.method).toBe('GET');
    expect(contacts.headers.get('Authorization')).toBe('Bearer secret-token');
  });

  it('builds every endpoint URL and method from the contract', async () => {
    storage.setItem(tokenKey, 't');
    const api = makeApi();
    fetchMock.mockImplementation(async () => json(200, {}));

    await api.setStatus('ready');
    await api.listMessages(7);
    await api.listMessages(7, { limit: 100 });
    await api.listMessages(7, { before: 40, limit: 100 });
    await api.listMessages(7, { after: 41, limit: 5 });
    await api.listInteractions();
    await api.acceptInteraction(42);
    fetchMock.mockImplementationOnce(async () => new Response(null, { status: 204 }));
    await expect(api.markRead(7)).resolves.toBeUndefined();

    expect(
      fetchMock.mock.calls.map((_, index) => `${request(index).method} ${request(index).url}`),
    ).toEqual([
      `PUT ${origin}/api/me/status`,
      `GET ${origin}/api/contacts/7/messages`,
      `GET ${origin}/api/contacts/7/messages?limit=100`,
      `GET ${origin}/api/contacts/7/messages?limit=100&before=40`,
      `GET ${origin}/api/contacts/7/messages?limit=5&after=41`,
      `GET ${origin}/api/interactions`,
      `POST ${origin}/api/interactions/42/accept`,
      `POST ${origin}/api/contacts/7/read`,
    ]);
    expect(request(0).body).toEqual({ status: 'ready', reason: null });
  });

  it('builds the wrap-up, settings and summary endpoints with their bodies', async () => {
    storage.setItem(tokenKey, 't');
    const api = makeApi();
    const created = interaction({ id: 43, state: 'active', offeredAt: null });
    fetchMock.mockImplementation(async () => json(200, {}));
    fetchMock.mockImplementationOnce(async () => json(201, created));

    await expect(api.createInteraction(7)).resolves.toEqual(created);
    await api.createInteraction(8, true);
    await api.declineInteraction(44);
    await api.setStatus('notReady', 'Break');
    await api.endInteraction(42);
    await api.saveWrapUp(42, { disposition: 'Resolved', note: null });
    await api.markDone(42, { disposition: 'Escalated', note: 'Needs a refund' });
    await api.settings();
    await api.summary(1_700_000_000_000);

    const sent = fetchMock.mock.calls.map((_, index) => {
      const { method, url, body } = request(index);
      return { method, url, body };
    });
    expect(sent).toEqual([
      {
        method: 'POST',
        url: `${origin}/api/interactions`,
        body: { contactId: 7, beyondCapacity: false },
      },
      {
        method: 'POST',
        url: `${origin}/api/interactions`,
        body: { contactId: 8, beyondCapacity: true },
      },
      { method: 'POST', url: `${origin}/api/interactions/44/decline`, body: undefined },
      { method: 'PUT', url: `${origin}/api/me/status`, body: { status: 'notReady', reason: 'Break' } },
      { method: 'POST', url: `${origin}/api/interactions/42/end`, body: undefined },
      {
        method: 'PUT',
        url: `${origin}/api/interactions/42/wrap-up`,
        body: { disposition: 'Resolved', note: null },
      },
      {
        method: 'POST',
        url: `${origin}/api/interactions/42/done`,
        body: { disposition: 'Escalated', note: 'Needs a refund' },
      },
      { method: 'GET', url: `${origin}/api/settings`, body: undefined },
      { method: 'GET', url: `${origin}/api/me/summary?since=1700000000000`, body: undefined },
    ]);
  });

  it('searches with the query encoded in the URL and marks a contact unread', async () => {
    storage.setItem(tokenKey, 't');
    const api = makeApi();
    const hits = [
      { contact: contact({ id: 7 }), message: null },
      { contact: contact({ id: 7 }), message: message({ id: 9, body: 'a&b "c"' }) },
    ];
    fetchMock.mockResolvedValueOnce(json(200, hits));
    fetchMock.mockResolvedValueOnce(json(200, []));
    fetchMock.mockResolvedValueOnce(new Response(null, { status: 204 }));

    await expect(api.search('a&b "c"')).resolves.toEqual(hits);
    await expect(api.search('Привет #1')).resolves.toEqual([]);
    await expect(api.markUnread(7)).resolves.toBeUndefined();

    const sent = fetchMock.mock.calls.map((_, index) => {
      const { method, url, body } = request(index);
      return { method, url, body };
    });
    expect(sent).toEqual([
      // `&` and quotes must not end or split the parameter.
      { method: 'GET', url: `${origin}/api/search?q=a%26b%20%22c%22`, body: undefined },
      {
        method: 'GET',
        url: `${origin}/api/search?q=%D0%9F%D1%80%D0%B8%D0%B2%D0%B5%D1%82%20%231`,
        body: undefined,
      },
      { method: 'POST', url: `${origin}/api/contacts/7/unread`, body: undefined },
    ]);
    expect(new URL(request(0).url).searchParams.get('q')).toBe('a&b "c"');
    expect(request(2).headers.get('Authorization')).toBe('Bearer t');
  });

  it('saves contact details with PUT and reads the interaction history', async () => {
    storage.setItem(tokenKey, 't');
    const api = makeApi();
    const saved = contact({ id: 7, name: 'Carla', email: null, notes: 'a & <b>' });
    const history = [
      { interaction: interaction({ id: 43, contactId: 7, state: 'active' }), agentName: 'Ana' },
      { interaction: interaction({ id: 41, contactId: 7, state: 'done' }), agentName: null },
    ];
    fetchMock.mockResolvedValueOnce(json(200, saved));
    fetchMock.mockResolvedValueOnce(json(200, history));

    await expect(
      api.updateContact(7, { name: 'Carla', email: '', notes: 'a & <b>' }),
    ).resolves.toEqual(saved);
    await expect(api.contactInteractions(7)).resolves.toEqual(history);

    const sent = fetchMock.mock.calls.map((_, index) => {
      const { method, url, body } = request(index);
      return { method, url, body };
    });
    expect(sent).toEqual([
      {
        method: 'PUT',
        url: `${origin}/api/contacts/7`,
        body: { name: 'Carla', email: '', notes: 'a & <b>' },
      },
      { method: 'GET', url: `${origin}/api/contacts/7/interactions`, body: undefined },
    ]);
    expect(request(0).headers.get('Content-Type')).toBe('application/json');
    expect(request(0).headers.get('Authorization')).toBe('Bearer t');
    expect(request(1).headers.get('Authorization')).toBe('Bearer t');
  });

  it('rejects contact details with the hub\'s badRequest message', async () => {
    storage.setItem(tokenKey, 't');
    const api = makeApi();
    fetchMock.mockResolvedValueOnce(
      json(400, { code: 'badRequest', message: '"x" is not an email address' }),
    );
    const failure = await api
      .updateContact(7, { name: null, email: 'x', notes: null })
      .catch((e) => e);
    expect(failure).toBeInstanceOf(ApiFailure);
    expect(failure).toMatchObject({ code: 'badRequest', message: '"x" is not an email address.' });
    // null fields are sent, not left out: each one replaces what is stored.
    expect(request(0).body).toEqual({ name: null, email: 'x', notes: null });
  });

  it('rejects Done without a disposition with the hub\'s badRequest message', async () => {
    storage.setItem(tokenKey, 't');
    const api = makeApi();
    fetchMock.mockResolvedValueOnce(
      json(400, { code: 'badRequest', message: 'choose a disposition before Done' }),
    );
    const failure = await api.markDone(42, { disposition: null, note: null }).catch((e) => e);
    expect(failure).toBeInstanceOf(ApiFailure);
    expect(failure).toMatchObject({ code: 'badRequest', message: 'Choose a disposition before Done.' });
  });

  it('turns an ApiError body into an ApiFailure with its code and message', async () => {
    const api = makeApi();
    fetchMock.mockResolvedValueOnce(
      json(401, { code: 'unauthorized', message: 'Wrong login or password.' }),
    );
    const failure = await api.login({ hubUrl: null, login: 'ana', password: 'x' }).catch((e) => e);
    expect(failure).toBeInstanceOf(ApiFailure);
    expect(failure).toMatchObject({ code: 'unauthorized', message: 'Wrong login or password.' });
    expect(storage.getItem(tokenKey)).toBeNull();
  });

  it('maps a network error to unavailable and a body that is not JSON to internal', async () => {
    const api = makeApi();
    fetchMock.mockRejectedValueOnce(new TypeError('Failed to fetch'));
    await expect(api.listContacts()).rejects.toMatchObject({ code: 'unavailable' });

    fetchMock.mockResolvedValueOnce(new Response('<h1>Bad gateway</h1>', { status: 502 }));
    const failure = await api.listContacts().catch((e) => e);
    expect(failure).toBeInstanceOf(ApiFailure);
    expect(failure.code).toBe('internal');
  });

  it('restores a session from the stored token, and forgets a token the hub rejects', async () => {
    const api = makeApi();
    await expect(api.session()).resolves.toBeNull();
    expect(fetchMock).not.toHaveBeenCalled();

    storage.setItem(tokenKey, 'good');
    fetchMock.mockResolvedValueOnce(json(200, agent()));
    await expect(api.session()).resolves.toEqual({ agent: agent(), hubUrl: origin });
    storage.setItem(sessionEndsKey, '1700043200000');
    fetchMock.mockResolvedValueOnce(json(200, agent()));
    await expect(api.session()).resolves.toEqual({
      agent: agent(),
      hubUrl: origin,
      sessionEndsAt: 1_700_043_200_000,
    });
    expect(request(0).url).toBe(`${origin}/api/me`);
    expect(request(0).headers.get('Authorization')).toBe('Bearer good');

    fetchMock.mockResolvedValueOnce(json(401, { code: 'unauthorized', message: 'expired' }));
    await expect(api.session()).resolves.toBeNull();
    expect(storage.getItem(tokenKey)).toBeNull();
    expect(storage.getItem(sessionEndsKey)).toBeNull();
  });

  it('logs out on the hub and drops the token even when the session already expired', async () => {
    storage.setItem(tokenKey, 't');
    const api = makeApi();
    fetchMock.mockResolvedValueOnce(json(401, { code: 'unauthorized', message: 'expired' }));
    await api.logout();
    expect(request(0)).toMatchObject({ method: 'POST', url: `${origin}/api/logout` });
    expect(storage.getItem(tokenKey)).toBeNull();
  });
});

describe('browser transport: sending', () => {
  it('sends with a fresh client key and retries a network failure with the same key', async () => {
    vi.useFakeTimers();
    storage.setItem(tokenKey, 't');
    const api = makeApi();
    const sent = message({ id: 5, direction: 'outbound', status: 'queued', clientKey: 'key-1' });
    fetchMock
      .mockRejectedValueOnce(new TypeError('network down'))
      .mockResolvedValueOnce(json(503, { code: 'unavailable', message: 'hub busy' }))
      .mockResolvedValueOnce(json(200, sent));

    const result = api.sendMessage({ contactId: 10, interactionId: 100, body: 'Hi there' });
    await vi.runAllTimersAsync();
    await expect(result).resolves.toEqual(sent);

    expect(fetchMock).toHaveBeenCalledTimes(3);
    for (const index of [0, 1, 2]) {
      expect(request(index).url).toBe(`${origin}/api/messages`);
      expect(request(index).body).toEqual({
        contactId: 10,
        interactionId: 100,
        body: 'Hi there',
        clientKey: 'key-1',
      });
    }

    // The next message is a new one, with a new key.
    fetchMock.mockResolvedValueOnce(json(200, sent));
    await api.sendMessage({ contactId: 10, interactionId: 100, body: 'Hi there' });
    expect(request(3).body).toMatchObject({ clientKey: 'key-2' });
  });

  it('reuses the key when the agent sends the same message again after it could not be sent', async () => {
    vi.useFakeTimers();
    const api = makeApi();
    fetchMock.mockRejectedValue(new TypeError('offline'));
    const first = api.sendMessage({ contactId: 3, interactionId: null, body: 'Same' });
    const outcome = expect(first).rejects.toMatchObject({ code: 'unavailable' });
    await vi.runAllTimersAsync();
    await outcome;
    expect(fetchMock).toHaveBeenCalledTimes(3);

    fetchMock.mockReset();
    fetchMock.mockResolvedValueOnce(json(200, message()));
    await api.sendMessage({ contactId: 3, interactionId: null, body: 'Same' });
    expect(request(0).body).toMatchObject({ clientKey: 'key-1' });
  });

  it('does not retry a refusal, and a later send of the same text is a new message', async () => {
    const api = makeApi();
    fetchMock.mockResolvedValueOnce(json(400, { code: 'invalidNumber', message: 'No SMS' }));
    await expect(
      api.sendMessage({ contactId: 3, interactionId: null, body: 'x' }),
    ).rejects.toMatchObject({ code: 'invalidNumber', message: 'No SMS.' });
    expect(fetchMock).toHaveBeenCalledTimes(1);

    fetchMock.mockResolvedValueOnce(json(200, message()));
    await api.sendMessage({ contactId: 3, interactionId: null, body: 'x' });
    expect(request(1).body).toMatchObject({ clientKey: 'key-2' });
  });
});

describe('browser transport: events', () => {
  let tickets: number;
  /** The bearer header each ticket was asked for with. */
  let ticketBearers: (string | undefined)[];

  beforeEach(() => {
    tickets = 0;
    ticketBearers = [];
    // Ticket requests are answered here; every other request by the test's queued answers.
    fetchMock.mockImplementation(async (url, init) => {
      if (String(url).endsWith('/api/ws/ticket') && init?.method === 'POST') {
        tickets += 1;
        ticketBearers.push((init.headers as Record<string, string>).Authorization);
        return json(200, { ticket: `t/${tickets}`, expiresAt: 0 });
      }
      return json(500, { code: 'internal', message: 'unexpected request' });
    });
  });

  it('opens the socket with a single-use ticket, never the token, once signed in and someone listens', async () => {
    const api = makeApi();
    const events: Event[] = [];
    api.onEvent((received) => events.push(received));
    expect(FakeSocket.instances).toHaveLength(0);

    fetchMock.mockResolvedValueOnce(json(200, { token: 'a b', agent: agent() }));
    await api.login({ hubUrl: null, login: 'ana', password: 'pw' });
    await vi.waitFor(() => expect(FakeSocket.instances).toHaveLength(1));
    expect(FakeSocket.last().url).toBe('wss://hub.example.com/api/ws?ticket=t%2F1&scope=agent');
    expect(FakeSocket.last().url).not.toContain('a%20b');
    expect(ticketBearers).toEqual(['Bearer a b']);

    FakeSocket.last().open();
    FakeSocket.last().receive(event(4));
    expect(events.map((received) => received.seq)).toEqual([4]);
  });

  it('reconnects with backoff and asks for what it missed since the last seq', async () => {
    vi.useFakeTimers();
    storage.setItem(tokenKey, 'tok');
    const api = createBrowserApi({
      origin: 'http://127.0.0.1:8080',
      fetch: fetchMock,
      Socket: FakeSocket as unknown as SocketConstructor,
      storage,
    });
    const states: ConnectionState[] = [];
    const seqs: number[] = [];
    api.onConnection((state) => states.push(state));
    api.onEvent((received) => seqs.push(received.seq));

    await vi.waitFor(() => expect(FakeSocket.instances).toHaveLength(1));
    const first = FakeSocket.last();
    expect(first.url).toBe('ws://127.0.0.1:8080/api/ws?ticket=t%2F1&scope=agent');
    first.open();
    first.receive(event(11));
    first.receive(event(12));
    first.drop();
    expect(states).toEqual(['online', 'offline']);

    await vi.advanceTimersByTimeAsync(499);
    expect(FakeSocket.instances).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeSocket.instances).toHaveLength(2);
    // Each connection takes a new ticket.
    expect(FakeSocket.last().url).toBe('ws://127.0.0.1:8080/api/ws?ticket=t%2F2&scope=agent&since=12');

    // Failed attempts back off: 1 s, then 2 s, …
    FakeSocket.last().drop();
    await vi.advanceTimersByTimeAsync(999);
    expect(FakeSocket.instances).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeSocket.instances).toHaveLength(3);
    FakeSocket.last().drop();
    await vi.advanceTimersByTimeAsync(2000);
    expect(FakeSocket.instances).toHaveLength(4);

    const resumed = FakeSocket.last();
    expect(resumed.url).toContain('since=12');
    resumed.open();
    resumed.receive(event(13));
    expect(seqs).toEqual([11, 12, 13]);
    expect(states).toEqual(['online', 'offline', 'online']);
  });

  it('starts from now when the hub keeps refusing to resume (its log was pruned)', async () => {
    vi.useFakeTimers();
    storage.setItem(tokenKey, 'tok');
    const api = makeApi();
    api.onEvent(() => {});
    await vi.waitFor(() => expect(FakeSocket.instances).toHaveLength(1));
    FakeSocket.last().open();
    FakeSocket.last().receive(event(40));
    FakeSocket.last().drop();
    for (let refused = 0; refused < 5; refused += 1) {
      await vi.advanceTimersByTimeAsync(10_000);
      expect(FakeSocket.last().url).toContain('since=40');
      FakeSocket.last().drop();
    }
    await vi.advanceTimersByTimeAsync(10_000);
    expect(FakeSocket.last().url).not.toContain('since=');
  });

  it('caps the backoff at ten seconds', async () => {
    vi.useFakeTimers();
    storage.setItem(tokenKey, 'tok');
    const api = makeApi();
    api.onConnection(() => {});
    await vi.waitFor(() => expect(FakeSocket.instances).toHaveLength(1));
    for (let attempt = 0; attempt < 8; attempt += 1) {
      FakeSocket.last().drop();
      await vi.advanceTimersByTimeAsync(10_000);
    }
    const before = FakeSocket.instances.length;
    FakeSocket.last().drop();
    await vi.advanceTimersByTimeAsync(9_999);
    expect(FakeSocket.instances).toHaveLength(before);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeSocket.instances).toHaveLength(before + 1);
  });

  it('closes the socket and stops reconnecting on logout', async () => {
    vi.useFakeTimers();
    storage.setItem(tokenKey, 'tok');
    const api = makeApi();
    api.onEvent(() => {});
    await vi.waitFor(() => expect(FakeSocket.instances).toHaveLength(1));
    const socket = FakeSocket.last();
    fetchMock.mockResolvedValueOnce(new Response(null, { status: 204 }));
    await api.logout();
    expect(socket.closed).toBe(true);
    socket.drop();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(FakeSocket.instances).toHaveLength(1);
  });

  it('counts a refused ticket as a failed connection and tries again with backoff', async () => {
    vi.useFakeTimers();
    storage.setItem(tokenKey, 'tok');
    fetchMock.mockResolvedValueOnce(json(503, { code: 'unavailable', message: 'busy' }));
    const api = makeApi();
    const states: ConnectionState[] = [];
    api.onConnection((state) => states.push(state));
    await vi.advanceTimersByTimeAsync(0);
    expect(FakeSocket.instances).toHaveLength(0);
    expect(states).toEqual(['offline']);
    await vi.advanceTimersByTimeAsync(500);
    expect(FakeSocket.instances).toHaveLength(1);
    expect(FakeSocket.last().url).toBe('wss://hub.example.com/api/ws?ticket=t%2F1&scope=agent');
  });

  it('opens no socket when signed out while its ticket was on the way', async () => {
    storage.setItem(tokenKey, 'tok');
    let answerTicket: (response: Response) => void = () => {};
    fetchMock.mockImplementationOnce(
      () => new Promise<Response>((resolve) => (answerTicket = resolve)),
    );
    const api = makeApi();
    api.onEvent(() => {});
    await vi.waitFor(() => expect(fetchMock).toHaveBeenCalledTimes(1));
    fetchMock.mockResolvedValueOnce(new Response(null, { status: 204 }));
    await api.logout();
    answerTicket(json(200, { ticket: 'late', expiresAt: 0 }));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(FakeSocket.instances).toHaveLength(0);
  });

  it('never fires onChanged, and setFocus needs no request', async () => {
    const api = makeApi();
    const changed = vi.fn();
    api.onChanged(changed)();
    await api.setFocus(3);
    expect(fetchMock).not.toHaveBeenCalled();
    expect(changed).not.toHaveBeenCalled();
  });
});

describe('browser transport: outside the page', () => {
  it('shows the unread total in the page title, and the bare name without any', async () => {
    const page = { title: 'Parley' };
    const api = createBrowserApi({ origin, fetch: fetchMock, storage, document: page });
    await api.setUnreadTotal(3);
    expect(page.title).toBe('(3) Parley');
    await api.setUnreadTotal(12);
    expect(page.title).toBe('(12) Parley');
    await api.setUnreadTotal(0);
    expect(page.title).toBe(pageTitle);
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('uses the page it runs in by default', async () => {
    const before = document.title;
    await makeApi().setUnreadTotal(2);
    expect(document.title).toBe('(2) Parley');
    document.title = before;
  });

  it('passes a show request the page raises to its listeners until they unsubscribe', () => {
    const api = makeApi();
    const first = vi.fn();
    const second = vi.fn();
    const stopFirst = api.onShow(first);
    api.onShow(second);

    api.raiseShow({ contactId: 12 });
    stopFirst();
    api.raiseShow({ contactId: 13 });
    expect(first.mock.calls).toEqual([[{ contactId: 12 }]]);
    expect(second.mock.calls).toEqual([[{ contactId: 12 }], [{ contactId: 13 }]]);
    // Listening for show requests opens no socket.
    expect(FakeSocket.instances).toHaveLength(0);
  });
});
