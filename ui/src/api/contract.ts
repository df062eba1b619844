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
  ErrorCode,
  Event,
  Interaction,
  LoginRequest,
  Message,
  SearchHit,
  Session,
  WorkspaceSettings,
  WrapUpRequest,
} from './generated/api';
import type { Contact, ContactInteraction, UpdateContactRequest } from './generated/api';

/** What a request to show something from outside the page (a notification's Show) names. */
export interface ShowTarget {
  contactId: number;
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
  /** A contact's whole history, oldest first. */
  listMessages(contactId: number): Promise<Message[]>;
  markRead(contactId: number): Promise<void>;
  /** Mark as unread: the contact's newest inbound message counts as unread again. */
  markUnread(contactId: number): Promise<void>;
  /**
   * Contacts by name or number (every contact, assigned or not), then messages by their
   * words, newest first. Any text is a valid query; the desktop searches its replica, so it
   * works offline.
   */
  search(query: string): Promise<SearchHit[]>;
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
  /**
   * Create SMS Interaction: an active, outbound interaction with the contact. The caller's
   * interaction with the contact that is not Done yet is returned instead of a second one;
   * `conflict` when the contact is with another agent or in the queue.
   */
  createInteraction(contactId: number): Promise<Interaction>;
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
  sendMessage(request: ComposeRequest): Promise<Message>;
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

const errorCodes: readonly ErrorCode[] = [
  'badRequest',
  'unauthorized',
  'forbidden',
  'notFound',
  'conflict',
  'invalidNumber',
  'unavailable',
  'internal',
];

/** Every rejected Api call rejects with this; `code` is what the UI branches on. */
export class ApiFailure extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'ApiFailure';
    this.code = code;
  }

  /** Reads an `ApiError` off the wire; `null` when `value` is not one. */
  static fromWire(value: unknown): ApiFailure | null {
    if (typeof value !== 'object' || value === null) return null;
    const { code, message } = value as Partial<Record<keyof ApiError, unknown>>;
    if (typeof code !== 'string' || !errorCodes.includes(code as ErrorCode)) return null;
    return new ApiFailure(code as ErrorCode, typeof message === 'string' ? message : code);
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
