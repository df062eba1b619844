// Browser transport: the hub serves this UI, so every call goes to the page's own origin
// with the bearer token kept in sessionStorage, and live events come over a WebSocket.

import {
  ApiFailure,
  defaultNotificationSettings,
  Listeners,
  noPolicy,
  type Api,
  type MediaSize,
  type NotificationAccess,
  type ShowTarget,
} from './contract';
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
  MessagePageRequest,
  NotificationPrivacy,
  NotificationSettings,
  SearchHit,
  SendMessageRequest,
  Session,
  SetStatusRequest,
  StreamTicket,
  Upload,
  WorkspaceSettings,
  WrapUpRequest,
} from './generated/api';
import type { Contact, ContactInteraction, UpdateContactRequest } from './generated/api';

export const tokenKey = 'parley.token';
/** When the session in `tokenKey` ends, as the hub said at sign-in. */
export const sessionEndsKey = 'parley.session-ends-at';
/** Where the browser keeps the agent's notification choices (on this computer). */
export const notificationSettingsKey = 'parley.notifications';


/** The browser's `Notification`, as far as Parley uses it. */
export interface NotificationHost {
  readonly permission: NotificationPermission;
  requestPermission(): Promise<NotificationPermission>;
  new (title: string, options: NotificationOptions): Pick<Notification, 'onclick' | 'close'>;
}

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
  /** Kept across sessions on this computer: the notification choices. */
  preferences: Pick<Storage, 'getItem' | 'setItem'>;
  /** Blob URLs for the pictures the page shows. */
  objectUrls: { create(blob: Blob): string; revoke(url: string): void };
  /** Hands a file to the browser's downloads. */
  saveFile(blob: Blob, name: string): void;
  /** `null` where the browser has no notifications. */
  notifications: NotificationHost | null;
  /** Brings the page's window forward (a notification was clicked). */
  focusWindow(): void;
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
    preferences: window.localStorage,
    objectUrls: {
      create: (blob) => URL.createObjectURL(blob),
      revoke: (url) => URL.revokeObjectURL(url),
    },
    saveFile: downloadFile,
    notifications: 'Notification' in window ? window.Notification : null,
    focusWindow: () => window.focus(),
  };
}

/** How long a download's blob URL is kept: the browser copies the file once it starts. */
const downloadUrlLifetimeMs = 60_000;

function downloadFile(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), downloadUrlLifetimeMs);
}

const privacies: readonly NotificationPrivacy[] = ['nameAndText', 'nameOnly', 'nothing'];

/** Reads stored choices; anything unreadable gives the defaults. */
function readNotificationSettings(stored: string | null): NotificationSettings {
  if (stored === null) return { ...defaultNotificationSettings };
  try {
    const { privacy, sound } = JSON.parse(stored) as Partial<Record<string, unknown>>;
    return {
      privacy: privacies.includes(privacy as NotificationPrivacy)
        ? (privacy as NotificationPrivacy)
        : defaultNotificationSettings.privacy,
      sound: typeof sound === 'boolean' ? sound : defaultNotificationSettings.sound,
    };
  } catch {
    return { ...defaultNotificationSettings };
  }
}

function accessOf(permission: NotificationPermission): NotificationAccess {
  return permission === 'granted' || permission === 'denied' ? permission : 'default';
}

type Method = 'GET' | 'POST' | 'PUT';

/** What a request carries: JSON, or a file's bytes as they are, with the file's type. */
type Payload = { json: unknown } | { file: Blob };

/** How many of the agent's own contacts the list reads (newest first). */
const contactPage = 500;

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
    // A single-use ticket opens the socket: the session's token never goes in a URL.
    url: async (since) => {
      const { ticket } = await request<StreamTicket>('POST', '/api/ws/ticket');
      const socketOrigin = origin.replace(/^http/, 'ws');
      // The agent's own events only: the rest of the center is left out.
      const query = `ticket=${encodeURIComponent(ticket)}&scope=agent`;
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
    storage.removeItem(sessionEndsKey);
    unconfirmedKeys.clear();
    stream.stop();
    stream.lastSeq = null;
  }

  /** Sends a request with the bearer token; a network failure becomes `unavailable`. */
  async function send(method: Method, path: string, payload?: Payload): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    const bearer = token();
    if (bearer !== null) headers.Authorization = `Bearer ${bearer}`;
    let body: BodyInit | undefined;
    if (payload !== undefined && 'file' in payload) {
      headers['Content-Type'] = payload.file.type || 'application/octet-stream';
      body = payload.file;
    } else if (payload !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(payload.json);
    }
    try {
      return await environment.fetch(`${origin}${path}`, { method, headers, body });
    } catch {
      throw new ApiFailure('unavailable', 'Cannot reach the hub. Check the network connection.');
    }
  }

  /** The ApiFailure a refused request answers with. */
  function refusal(response: Response, text: string): ApiFailure {
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch {
      return new ApiFailure('internal', `The hub answered ${response.status} without details.`);
    }
    return (
      ApiFailure.fromWire(payload) ??
      new ApiFailure('internal', `The hub answered ${response.status}.`)
    );
  }

  async function request<T>(method: Method, path: string, body?: unknown): Promise<T> {
    return answer<T>(await send(method, path, body === undefined ? undefined : { json: body }));
  }

  /** The JSON a request was answered with, or the refusal it was answered with. */
  async function answer<T>(response: Response): Promise<T> {
    const text = await response.text().catch(() => '');
    if (!response.ok) throw refusal(response, text);
    if (text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiFailure('internal', 'The hub sent an answer that is not JSON.');
    }
  }

  /** A file (a picture): it needs the bearer token too, so it is fetched rather than linked. */
  async function file(path: string): Promise<Blob> {
    const response = await send('GET', path);
    if (!response.ok) throw refusal(response, await response.text().catch(() => ''));
    try {
      return await response.blob();
    } catch {
      throw new ApiFailure('unavailable', 'The picture did not arrive. Try again.');
    }
  }

  const mediaPath = (mediaId: number, size: MediaSize) =>
    `/api/media/${encodeURIComponent(mediaId)}${size === 'thumbnail' ? '/thumbnail' : ''}`;

  const pageQuery = (page: MessagePageRequest | undefined): string => {
    if (page === undefined) return '';
    const query = new URLSearchParams({ limit: String(page.limit) });
    if (page.before !== undefined) query.set('before', String(page.before));
    if (page.after !== undefined) query.set('after', String(page.after));
    return `?${query}`;
  };
  const contactPath = (contactId: number) => `/api/contacts/${encodeURIComponent(contactId)}`;
  const interactionPath = (interactionId: number) =>
    `/api/interactions/${encodeURIComponent(interactionId)}`;

  async function sendMessage(compose: ComposeRequest): Promise<Message> {
    const identity = JSON.stringify([
      compose.contactId,
      compose.interactionId,
      compose.body,
      compose.uploadIds ?? [],
    ]);
    const clientKey = unconfirmedKeys.get(identity) ?? environment.randomUUID();
    unconfirmedKeys.set(identity, clientKey);
    // The hub reads a missing `uploadIds` as no pictures, so a text goes as before.
    const body: Omit<SendMessageRequest, 'uploadIds'> & { uploadIds?: number[] } = {
      ...compose,
      clientKey,
    };
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
      storage.setItem(sessionEndsKey, String(answer.sessionEndsAt));
      syncStream();
      return { agent: answer.agent, hubUrl: origin, sessionEndsAt: answer.sessionEndsAt };
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
        const endsAt = Number(storage.getItem(sessionEndsKey));
        return endsAt > 0
          ? { agent, hubUrl: origin, sessionEndsAt: endsAt }
          : { agent, hubUrl: origin };
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
    // The agent's own contacts, newest first: a page, not the whole center.
    listContacts: () => request<ContactSummary[]>('GET', `/api/contacts?mine=true&limit=${contactPage}`),
    listMessages: (contactId: number, page?: MessagePageRequest) =>
      request<Message[]>('GET', `${contactPath(contactId)}/messages${pageQuery(page)}`),
    markRead: (contactId: number) => request<void>('POST', `${contactPath(contactId)}/read`),
    markUnread: (contactId: number) => request<void>('POST', `${contactPath(contactId)}/unread`),
    search: (query: string, before?: number) =>
      request<SearchHit[]>(
        'GET',
        `/api/search?q=${encodeURIComponent(query)}${before === undefined ? '' : `&before=${before}`}`,
      ),
    updateContact: (contactId: number, details: UpdateContactRequest) =>
      request<Contact>('PUT', contactPath(contactId), details),
    contactInteractions: (contactId: number) =>
      request<ContactInteraction[]>('GET', `${contactPath(contactId)}/interactions`),
    listInteractions: () => request<Interaction[]>('GET', '/api/interactions'),
    acceptInteraction: (interactionId: number) =>
      request<Interaction>('POST', `${interactionPath(interactionId)}/accept`),
    declineInteraction: (interactionId: number) =>
      request<Interaction>('POST', `${interactionPath(interactionId)}/decline`),
    createInteraction: (contactId: number, beyondCapacity = false) =>
      request<Interaction>('POST', '/api/interactions', {
        contactId,
        beyondCapacity,
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
    // The bytes go as they are: the hub reads what the picture is from them.
    uploadPicture: async (picture: Blob) =>
      answer<Upload>(await send('POST', '/api/uploads', { file: picture })),
    sendMessage,
    retryMessage: (messageId: number) =>
      request<Message>('POST', `/api/messages/${encodeURIComponent(messageId)}/retry`),
    createInteractionForNumber: (phone: string, beyondCapacity = false) =>
      request<Interaction>('POST', '/api/interactions', {
        contactId: null,
        phone,
        beyondCapacity,
      } satisfies CreateInteractionRequest),

    async mediaSource(mediaId: number, size: MediaSize) {
      const url = environment.objectUrls.create(await file(mediaPath(mediaId, size)));
      let released = false;
      return {
        url,
        release: () => {
          if (released) return;
          released = true;
          environment.objectUrls.revoke(url);
        },
      };
    },
    async saveMedia(mediaId: number, suggestedName: string) {
      environment.saveFile(await file(`${mediaPath(mediaId, 'full')}?download=1`), suggestedName);
      return suggestedName;
    },

    desktopPolicy: async () => noPolicy,
    notificationSettings: async () =>
      readNotificationSettings(environment.preferences.getItem(notificationSettingsKey)),
    setNotificationSettings: async (settings: NotificationSettings) => {
      environment.preferences.setItem(notificationSettingsKey, JSON.stringify(settings));
    },
    notificationAccess: () => {
      const host = environment.notifications;
      return host === null ? 'unsupported' : accessOf(host.permission);
    },
    async requestNotificationAccess() {
      const host = environment.notifications;
      if (host === null) return 'unsupported';
      return accessOf(await host.requestPermission());
    },
    notify(notice) {
      const host = environment.notifications;
      if (host === null || host.permission !== 'granted') return;
      try {
        const shown = new host(notice.title, { body: notice.body, silent: notice.silent });
        shown.onclick = () => {
          environment.focusWindow();
          shows.emit({ contactId: notice.contactId });
          shown.close();
        };
      } catch (error) {
        // Some browsers (on phones) allow notifications only from a service worker.
        console.warn('parley: notification not shown', error);
      }
    },

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
