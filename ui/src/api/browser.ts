// Browser transport: the hub serves this UI, so every call goes to the page's own origin
// with the bearer token kept in sessionStorage, and live events come over a WebSocket.

import { ApiFailure, Listeners, type Api, type ShowTarget } from './contract';
import { EventStream, type SocketConstructor } from './event-stream';
import type {
  Agent,
  AgentStatus,
  AgentSummary,
  ComposeRequest,
  CreateInteractionRequest,
  ConnectionState,
  ContactSummary,
  Event,
  Interaction,
  LoginRequest,
  LoginResponse,
  Message,
  SearchHit,
  SendMessageRequest,
  Session,
  SetStatusRequest,
  WorkspaceSettings,
  WrapUpRequest,
} from './generated/api';
import type { Contact, ContactInteraction, UpdateContactRequest } from './generated/api';

export const tokenKey = 'parley.token';

export interface BrowserEnvironment {
  /** The hub's origin, e.g. `https://hub.example.com`. */
  origin: string;
  fetch: typeof fetch;
  Socket: SocketConstructor;
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  randomUUID: () => string;
  /** Waits before each retry of a message send that could not reach the hub. */
  sendRetryDelaysMs: readonly number[];
  /** The page, whose title shows the unread total in the browser's tab. */
  document: Pick<Document, 'title'>;
}

/** The page's title; with unread messages it starts with their count, as in "(3) Parley". */
export const pageTitle = 'Parley';

/**
 * The browser transport, and what only the page itself can raise: a show request, as a
 * click on one of the page's own notifications will.
 */
export interface BrowserApi extends Api {
  raiseShow(target: ShowTarget): void;
}

function defaultEnvironment(): BrowserEnvironment {
  return {
    origin: window.location.origin,
    fetch: (input, init) => window.fetch(input, init),
    Socket: window.WebSocket,
    storage: window.sessionStorage,
    randomUUID: () => crypto.randomUUID(),
    sendRetryDelaysMs: [500, 1500],
    document: window.document,
  };
}

type Method = 'GET' | 'POST' | 'PUT';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createBrowserApi(overrides: Partial<BrowserEnvironment> = {}): BrowserApi {
  const environment: BrowserEnvironment = { ...defaultEnvironment(), ...overrides };
  const { origin, storage } = environment;
  const events = new Listeners<Event>();
  const connection = new Listeners<ConnectionState>();
  const shows = new Listeners<ShowTarget>();
  /** Keys of sends that never got an answer, so sending the same text again reuses them. */
  const unconfirmedKeys = new Map<string, string>();

  const token = () => storage.getItem(tokenKey);

  const stream = new EventStream({
    url: (since) => {
      const socketOrigin = origin.replace(/^http/, 'ws');
      const query = `token=${encodeURIComponent(token() ?? '')}`;
      return `${socketOrigin}/api/ws?${query}${since === null ? '' : `&since=${since}`}`;
    },
    Socket: environment.Socket,
    onEvent: (event) => events.emit(event),
    onConnection: (state) => connection.emit(state),
  });

  /** Runs the socket exactly while someone is signed in and someone listens. */
  function syncStream(): void {
    const wanted = token() !== null && events.size + connection.size > 0;
    if (wanted) stream.start();
    else stream.stop();
  }

  function signedOut(): void {
    storage.removeItem(tokenKey);
    unconfirmedKeys.clear();
    stream.stop();
    stream.lastSeq = null;
  }

  async function request<T>(method: Method, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    const bearer = token();
    if (bearer !== null) headers.Authorization = `Bearer ${bearer}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    try {
      response = await environment.fetch(`${origin}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiFailure('unavailable', 'Cannot reach the hub. Check the network connection.');
    }
    const text = await response.text().catch(() => '');
    if (!response.ok) {
      let payload: unknown;
      try {
        payload = JSON.parse(text);
      } catch {
        throw new ApiFailure('internal', `The hub answered ${response.status} without details.`);
      }
      throw (
        ApiFailure.fromWire(payload) ??
        new ApiFailure('internal', `The hub answered ${response.status}.`)
      );
    }
    if (text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiFailure('internal', 'The hub sent an answer that is not JSON.');
    }
  }

  const contactPath = (contactId: number) => `/api/contacts/${encodeURIComponent(contactId)}`;
  const interactionPath = (interactionId: number) =>
    `/api/interactions/${encodeURIComponent(interactionId)}`;

  async function sendMessage(compose: ComposeRequest): Promise<Message> {
    const identity = JSON.stringify([compose.contactId, compose.interactionId, compose.body]);
    const clientKey = unconfirmedKeys.get(identity) ?? environment.randomUUID();
    unconfirmedKeys.set(identity, clientKey);
    const body: SendMessageRequest = { ...compose, clientKey };
    const delays = environment.sendRetryDelaysMs;
    for (let attempt = 0; ; attempt += 1) {
      try {
        const message = await request<Message>('POST', '/api/messages', body);
        unconfirmedKeys.delete(identity);
        return message;
      } catch (error) {
        const retryable = error instanceof ApiFailure && error.code === 'unavailable';
        // A definite refusal will not change on retry; forget the key so the next try of
        // the same text is a new message.
        if (!retryable) unconfirmedKeys.delete(identity);
        if (!retryable || attempt >= delays.length) throw error;
        await sleep(delays[attempt] ?? 0);
      }
    }
  }

  return {
    mode: 'browser',

    async login(loginRequest: LoginRequest): Promise<Session> {
      signedOut();
      const answer = await request<LoginResponse>('POST', '/api/login', loginRequest);
      storage.setItem(tokenKey, answer.token);
      syncStream();
      return { agent: answer.agent, hubUrl: origin };
    },

    async logout(): Promise<void> {
      try {
        if (token() !== null) await request<void>('POST', '/api/logout');
      } catch (error) {
        // An expired session is as good as a closed one.
        if (!(error instanceof ApiFailure && error.code === 'unauthorized')) throw error;
      } finally {
        signedOut();
      }
    },

    async session(): Promise<Session | null> {
      if (token() === null) return null;
      try {
        const agent = await request<Agent>('GET', '/api/me');
        syncStream();
        return { agent, hubUrl: origin };
      } catch (error) {
        if (error instanceof ApiFailure && error.code === 'unauthorized') {
          signedOut();
          return null;
        }
        throw error;
      }
    },

    setStatus: (status: AgentStatus, reason: string | null = null) =>
      request<Agent>('PUT', '/api/me/status', { status, reason } satisfies SetStatusRequest),
    listContacts: () => request<ContactSummary[]>('GET', '/api/contacts'),
    listMessages: (contactId: number) =>
      request<Message[]>('GET', `${contactPath(contactId)}/messages`),
    markRead: (contactId: number) => request<void>('POST', `${contactPath(contactId)}/read`),
    markUnread: (contactId: number) => request<void>('POST', `${contactPath(contactId)}/unread`),
    search: (query: string) =>
      request<SearchHit[]>('GET', `/api/search?q=${encodeURIComponent(query)}`),
    updateContact: (contactId: number, details: UpdateContactRequest) =>
      request<Contact>('PUT', contactPath(contactId), details),
    contactInteractions: (contactId: number) =>
      request<ContactInteraction[]>('GET', `${contactPath(contactId)}/interactions`),
    listInteractions: () => request<Interaction[]>('GET', '/api/interactions'),
    acceptInteraction: (interactionId: number) =>
      request<Interaction>('POST', `${interactionPath(interactionId)}/accept`),
    createInteraction: (contactId: number) =>
      request<Interaction>('POST', '/api/interactions', {
        contactId,
      } satisfies CreateInteractionRequest),
    endInteraction: (interactionId: number) =>
      request<Interaction>('POST', `${interactionPath(interactionId)}/end`),
    saveWrapUp: (interactionId: number, wrapUp: WrapUpRequest) =>
      request<Interaction>('PUT', `${interactionPath(interactionId)}/wrap-up`, wrapUp),
    markDone: (interactionId: number, wrapUp: WrapUpRequest) =>
      request<Interaction>('POST', `${interactionPath(interactionId)}/done`, wrapUp),
    settings: () => request<WorkspaceSettings>('GET', '/api/settings'),
    summary: (since: number) =>
      request<AgentSummary>('GET', `/api/me/summary?since=${encodeURIComponent(since)}`),
    sendMessage,
    // The hub does not notify browsers; only the desktop host uses the focus.
    setFocus: async () => {},

    onEvent(listener) {
      const remove = events.add(listener);
      syncStream();
      return () => {
        remove();
        syncStream();
      };
    },
    onConnection(listener) {
      const remove = connection.add(listener);
      syncStream();
      return () => {
        remove();
        syncStream();
      };
    },
    // Only the desktop host has local changes (its outbox) to announce.
    onChanged: () => () => {},
    onShow: (listener) => shows.add(listener),
    raiseShow: (target) => shows.emit(target),
    setUnreadTotal: async (total: number) => {
      environment.document.title = total > 0 ? `(${total}) ${pageTitle}` : pageTitle;
    },
  };
}
