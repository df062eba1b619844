// The one interface the screens talk to. Both transports (Tauri IPC on the desktop, HTTP +
// WebSocket in a browser served by the hub) implement it, so no component ever names a
// command, a URL or an event channel.

import type {
  Agent,
  AgentStatus,
  AgentSummary,
  ApiError,
  ComposeRequest,
  ConnectionState,
  ContactSummary,
  DesktopPolicy,
  ErrorCode,
  Event,
  Interaction,
  LoginRequest,
  Message,
  MessagePageRequest,
  NotificationSettings,
  SearchHit,
  Session,
  Upload,
  WorkspaceSettings,
  WrapUpRequest,
} from './generated/api';
import type { Contact, ContactInteraction, UpdateContactRequest } from './generated/api';
import { asSentence } from './error-text';

/** What a request to show something from outside the page (a notification's Show) names. */
export interface ShowTarget {
  contactId: number;
}

/** A picture's full-size file, or its thumbnail. */
export type MediaSize = 'full' | 'thumbnail';

/**
 * A picture ready for an `<img>`. `release` frees what loading it took (a blob URL in a
 * browser); call it once the picture is no longer shown.
 */
export interface MediaSource {
  url: string;
  release(): void;
}

/**
 * Who shows the agent's notifications: the desktop host (`host`) on its own, or the page,
 * once the browser allows it (`granted`); `default` means the agent has not been asked yet.
 */
export type NotificationAccess = 'host' | 'granted' | 'default' | 'denied' | 'unsupported';

/** What the agent has before choosing: the name and text, with sound. */
export const defaultNotificationSettings: NotificationSettings = {
  privacy: 'nameAndText',
  sound: true,
};

/** A notification the page shows; clicking it asks to show the contact's conversation. */
export interface Notice {
  contactId: number;
  title: string;
  body: string;
  /** Without the system's notification sound. */
  silent: boolean;
}

export interface Api {
  readonly mode: 'desktop' | 'browser';
  login(request: LoginRequest): Promise<Session>;
  logout(): Promise<void>;
  /** Restores a session on page load; `null` when nobody is signed in. */
  session(): Promise<Session | null>;
  /** `reason` is one of the configured Not Ready reasons; it is ignored for Ready. */
  setStatus(status: AgentStatus, reason?: string | null): Promise<Agent>;
  /** Every contact, with the caller's unread counts. */
  listContacts(): Promise<ContactSummary[]>;
  /**
   * A contact's messages, oldest first: with `page`, the newest `limit` or the `limit` just
   * older than message `before` (or newer than `after`); without it, the whole history.
   */
  listMessages(contactId: number, page?: MessagePageRequest): Promise<Message[]>;
  markRead(contactId: number): Promise<void>;
  /** Mark as unread: the contact's newest inbound message counts as unread again. */
  markUnread(contactId: number): Promise<void>;
  /**
   * Contacts by name or number (every contact, assigned or not), then messages by their
   * words, newest first. Any text is a valid query; the desktop searches its replica, so it
   * works offline. With `before` (the last message hit shown), the next page of message
   * hits.
   */
  search(query: string, before?: number): Promise<SearchHit[]>;
  /**
   * The Contact tab's Save: each field replaces the stored one, and empty text (or null)
   * clears it, so always send all three. Needs the hub; `badRequest` for an email without
   * `@` or an over-long field.
   */
  updateContact(contactId: number, request: UpdateContactRequest): Promise<Contact>;
  /**
   * The contact's interaction history across all agents, newest first, with the handling
   * agent's name. The desktop answers from its replica, so it works offline.
   */
  contactInteractions(contactId: number): Promise<ContactInteraction[]>;
  /** The caller's interactions that are not done (offered, active, ended). */
  listInteractions(): Promise<Interaction[]>;
  acceptInteraction(interactionId: number): Promise<Interaction>;
  /** Declines an offer: it moves on to another Ready agent at once. */
  declineInteraction(interactionId: number): Promise<Interaction>;
  /**
   * Create SMS Interaction: an active, outbound interaction with the contact. The caller's
   * interaction with the contact that is not Done yet is returned instead of a second one;
   * `conflict` when the contact is with another agent or in the queue; `atCapacity` when
   * the agent holds as many chats as they may, unless `beyondCapacity` says they chose to.
   */
  createInteraction(contactId: number, beyondCapacity?: boolean): Promise<Interaction>;
  /** The agent ends an active interaction; it stays open (state `ended`) until Done. */
  endInteraction(interactionId: number): Promise<Interaction>;
  /** Saves the disposition and note; a `null` field is left as it was. */
  saveWrapUp(interactionId: number, request: WrapUpRequest): Promise<Interaction>;
  /**
   * Saves the wrap-up and marks the interaction Done, ending it first if it is active.
   * `badRequest` when a disposition is required and none is chosen or saved.
   */
  markDone(interactionId: number, request: WrapUpRequest): Promise<Interaction>;
  /** Dispositions and Not Ready reasons configured on the hub. */
  settings(): Promise<WorkspaceSettings>;
  /** The caller's figures for interactions marked Done since `since` (ms since the epoch). */
  summary(since: number): Promise<AgentSummary>;
  /**
   * Uploads a picture to go with a message; its `id` goes in the message's `uploadIds`. The
   * hub reads what the file is from its bytes: `badRequest`, with a message for the agent, for
   * one it cannot send (not a JPEG, PNG, GIF or WebP picture, or larger than 5 MB).
   */
  uploadPicture(file: File | Blob): Promise<Upload>;
  /** A message, with the pictures uploaded for it when `uploadIds` names them. */
  sendMessage(request: ComposeRequest): Promise<Message>;
  /**
   * Retry: sends a failed or undelivered outbound message again and returns it, pending.
   * `optedOut` when the contact has opted out meanwhile.
   */
  retryMessage(messageId: number): Promise<Message>;
  /**
   * Create SMS Interaction with a number rather than a known contact: the number is read as
   * the agent typed it (national numbers in the hub's default region), and the contact is
   * created when new. `invalidNumber` when it is not a phone number.
   */
  createInteractionForNumber(phone: string, beyondCapacity?: boolean): Promise<Interaction>;
  /** Loads a picture of a message (MMS) for showing. */
  mediaSource(mediaId: number, size: MediaSize): Promise<MediaSource>;
  /**
   * Opens the full-size picture in the operating system's default app. Only the desktop host
   * can; where it is absent, the page shows the picture itself.
   */
  openMedia?: (mediaId: number) => Promise<void>;
  /**
   * Saves a copy of a picture on the agent's computer: the desktop asks where with the
   * system's dialog, the browser hands `suggestedName` to its downloads. Resolves to where it
   * went (a path, or the file name given to the browser), `null` when the agent cancelled.
   * `forbidden` without the save-media permission.
   */
  saveMedia(mediaId: number, suggestedName: string): Promise<string | null>;
  /**
   * What the admin set for this computer (the desktop policy file): the hub to sign in to,
   * and which settings agents cannot change. The browser has no policy: all defaults.
   */
  desktopPolicy(): Promise<DesktopPolicy>;
  /** The agent's notification choices (kept by the desktop host, or by the browser). */
  notificationSettings(): Promise<NotificationSettings>;
  setNotificationSettings(settings: NotificationSettings): Promise<void>;
  /** Whether the page's notifications can show; see {@link NotificationAccess}. */
  notificationAccess(): NotificationAccess;
  /** Asks the browser to allow notifications; answers what the agent chose. */
  requestNotificationAccess(): Promise<NotificationAccess>;
  /**
   * Shows a notification from the page, when allowed; clicking it brings the window forward
   * and raises a show request. The desktop host notifies by itself, so there it does nothing.
   */
  notify(notice: Notice): void;
  /** Which conversation is in view; the host uses it to decide what to notify about. */
  setFocus(contactId: number | null): Promise<void>;
  /** Returns the unsubscribe function. */
  onEvent(listener: (event: Event) => void): () => void;
  onConnection(listener: (state: ConnectionState) => void): () => void;
  /** Host-local changes (the desktop outbox); the browser transport never fires it. */
  onChanged(listener: () => void): () => void;
  /**
   * The agent asked, outside the page, to see a contact: the desktop host when a
   * notification's Show is clicked, the browser when one of its notifications is.
   */
  onShow(listener: (target: ShowTarget) => void): () => void;
  /**
   * The unread total to show outside the page: the desktop's dock or taskbar badge, the
   * browser tab's title. Zero clears it.
   */
  setUnreadTotal(total: number): Promise<void>;
}

/** Every code, so that one added to the API and not here fails the type check. */
const knownErrorCodes: Record<ErrorCode, true> = {
  badRequest: true,
  unauthorized: true,
  forbidden: true,
  notFound: true,
  conflict: true,
  invalidNumber: true,
  optedOut: true,
  atCapacity: true,
  tooManyRequests: true,
  gone: true,
  unavailable: true,
  internal: true,
};
const errorCodes = Object.keys(knownErrorCodes);

/** What the agent reads when a refusal comes without a message; other codes, the last. */
const fallbackTexts: Partial<Record<ErrorCode, string>> = {
  unauthorized: 'Sign in again.',
  forbidden: 'Your account is not allowed to do this.',
  notFound: 'It is no longer there.',
  invalidNumber: 'The number is incorrect.',
  optedOut: 'The contact opted out of text messages (STOP).',
  tooManyRequests: 'Too many requests. Wait a moment and try again.',
  gone: 'It is no longer kept on the hub.',
  unavailable: 'The hub cannot be reached. Try again in a moment.',
};
const generalFallbackText = 'The hub could not do it. Try again.';

/** Every rejected Api call rejects with this; `code` is what the UI branches on. */
export class ApiFailure extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'ApiFailure';
    this.code = code;
  }

  /**
   * Reads an `ApiError` off the wire, its message as a sentence for the agent; `null` when
   * `value` is not one.
   */
  static fromWire(value: unknown): ApiFailure | null {
    if (typeof value !== 'object' || value === null) return null;
    const { code, message } = value as Partial<Record<keyof ApiError, unknown>>;
    if (typeof code !== 'string' || !errorCodes.includes(code as ErrorCode)) return null;
    const known = code as ErrorCode;
    const text = typeof message === 'string' ? asSentence(message) : '';
    return new ApiFailure(known, text || (fallbackTexts[known] ?? generalFallbackText));
  }
}

/** A tiny listener registry shared by the transports. */
export class Listeners<T> {
  readonly #listeners = new Set<(value: T) => void>();

  get size(): number {
    return this.#listeners.size;
  }

  add(listener: (value: T) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  emit(value: T): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(value);
      } catch (error) {
        // One broken listener must not starve the others of events.
        console.error('parley: event listener failed', error);
      }
    }
  }
}

/** No admin policy: what the browser (and a desktop without a policy file) has. */
export const noPolicy: DesktopPolicy = {
  hubUrl: null,
  hubUrlLocked: false,
  allowPlainHttp: false,
  notificationPrivacy: null,
  notificationPrivacyLocked: false,
  startAtLogin: null,
  allowStaySignedIn: false,
  path: null,
  problem: null,
};
