// The transcript of the contact in view, a page at a time: the newest messages first, and
// earlier ones as the agent scrolls up, so a contact with years of history opens as fast
// as a new one. The page holds a window of the history, never more than `windowSize`
// messages: reading further back lets the newest go, and they come back as the agent
// scrolls down again.

import type { Api, Message, MessagePageRequest } from '../api';

/** The newest messages a transcript opens with, and how many each earlier page adds. */
export const transcriptPage = 100;

/** The most messages one request reads (the hub's largest page). */
export const largestPage = 500;

/** The most messages a transcript holds at once. */
export const windowSize = 250;

export interface Transcript {
  contactId: number;
  /** Oldest first, as the host orders them. */
  messages: Message[];
  /** Whether older messages than the first here are still on the host. */
  hasEarlier: boolean;
  /** Whether newer messages than the last here are (the agent is reading back). */
  hasLater: boolean;
}

export class Transcripts {
  /** The messages of the contact in view; `contactId` tells which one they belong to. */
  current: Transcript | null = $state(null);
  /** Whether an earlier page is on its way. */
  loadingEarlier = $state(false);
  /** Whether a later page is on its way. */
  loadingLater = $state(false);
  readonly #api: Api;

  constructor(api: Api) {
    this.#api = api;
  }

  /** The loaded messages of `contactId`, or `null` before they are. */
  messagesOf(contactId: number | null): Message[] | null {
    const current = this.current;
    return current !== null && current.contactId === contactId ? current.messages : null;
  }

  /**
   * The newest page a refresh reads: as many messages as are loaded (so a status change on
   * any of them shows), at least a page and at most the largest one; none while the agent
   * reads back in the history (the window stays where they are).
   */
  refreshRequest(contactId: number): MessagePageRequest | null {
    const current = this.current;
    if (current !== null && current.contactId === contactId && current.hasLater) return null;
    const loaded = this.messagesOf(contactId)?.length ?? 0;
    return { limit: Math.min(largestPage, Math.max(transcriptPage, loaded)) };
  }

  /** Takes the newest page a refresh read (with `request`). */
  refreshed(contactId: number, page: Message[], request: MessagePageRequest): void {
    const current = this.current;
    if (current === null || current.contactId !== contactId) {
      this.current = {
        contactId,
        messages: page,
        hasEarlier: page.length >= request.limit,
        hasLater: false,
      };
      return;
    }
    // Both are unbroken runs of the history, so they join when they share a message (or
    // the page reached back to the first one there is). Otherwise more texts came than a
    // page holds, and the loaded ones would leave a gap: start again from the newest page.
    const loaded = new Set(current.messages.map((message) => message.id));
    const joins = page.length < request.limit || page.some((message) => loaded.has(message.id));
    const messages = joins ? mergeNewer(current.messages, page) : page;
    this.current = joins
      ? { contactId, messages, hasEarlier: current.hasEarlier, hasLater: false }
      : { contactId, messages: page, hasEarlier: true, hasLater: false };
  }

  /** Loads the page before the first loaded message; false when there is none. */
  async loadEarlier(): Promise<boolean> {
    const current = this.current;
    const first = current?.messages[0];
    if (current === null || !current.hasEarlier || first === undefined || this.loadingEarlier) {
      return false;
    }
    this.loadingEarlier = true;
    try {
      const page = await this.#api.listMessages(current.contactId, {
        before: first.id,
        limit: transcriptPage,
      });
      const now = this.current;
      if (now === null || now.contactId !== current.contactId) return false;
      const known = new Set(now.messages.map((message) => message.id));
      const joined = [...page.filter((message) => !known.has(message.id)), ...now.messages];
      const kept = joined.slice(0, windowSize);
      this.current = {
        contactId: now.contactId,
        messages: kept,
        hasEarlier: page.length >= transcriptPage,
        hasLater: now.hasLater || kept.length < joined.length,
      };
      return page.length > 0;
    } finally {
      this.loadingEarlier = false;
    }
  }

  /** Loads the page after the last loaded message (reading back down); false when none. */
  async loadLater(): Promise<boolean> {
    const current = this.current;
    const last = current?.messages.at(-1);
    if (current === null || !current.hasLater || last === undefined || this.loadingLater) {
      return false;
    }
    this.loadingLater = true;
    try {
      const page = await this.#api.listMessages(current.contactId, {
        after: last.id,
        limit: transcriptPage,
      });
      const now = this.current;
      if (now === null || now.contactId !== current.contactId) return false;
      const known = new Set(now.messages.map((message) => message.id));
      const joined = [...now.messages, ...page.filter((message) => !known.has(message.id))];
      const kept = joined.slice(Math.max(0, joined.length - windowSize));
      this.current = {
        contactId: now.contactId,
        messages: kept,
        hasEarlier: now.hasEarlier || kept.length < joined.length,
        hasLater: page.length >= transcriptPage,
      };
      return page.length > 0;
    } finally {
      this.loadingLater = false;
    }
  }

  /**
   * Loads the page around a message (a search hit) in one step, however far back it is:
   * those just before it, it, and those just after.
   */
  async jumpTo(message: Message): Promise<boolean> {
    const current = this.current;
    if (current === null || current.contactId !== message.contactId) return false;
    const half = transcriptPage / 2;
    const [older, newer] = await Promise.all([
      this.#api.listMessages(message.contactId, { before: message.id, limit: half }),
      this.#api.listMessages(message.contactId, { after: message.id, limit: half }),
    ]);
    const now = this.current;
    if (now === null || now.contactId !== message.contactId) return false;
    this.current = {
      contactId: message.contactId,
      messages: [...older, message, ...newer],
      hasEarlier: older.length >= half,
      hasLater: newer.length >= half,
    };
    return true;
  }

  /** Goes back to the newest messages (the agent was reading back). */
  async showNewest(): Promise<void> {
    const current = this.current;
    if (current === null) return;
    const request = { limit: transcriptPage };
    const page = await this.#api.listMessages(current.contactId, request);
    const now = this.current;
    if (now === null || now.contactId !== current.contactId) return;
    this.current = {
      contactId: now.contactId,
      messages: page,
      hasEarlier: page.length >= request.limit,
      hasLater: false,
    };
  }

  /** A message the agent just sent, shown at once (with the newest, where it belongs). */
  added(message: Message): void {
    const current = this.current;
    if (current === null || current.contactId !== message.contactId) return;
    if (current.hasLater) {
      void this.showNewest();
      return;
    }
    if (current.messages.some((known) => known.id === message.id)) return;
    this.current = { ...current, messages: [...current.messages, message] };
  }

  /** A loaded message as it is now (after Retry). */
  replaced(message: Message): void {
    const current = this.current;
    if (current === null || current.contactId !== message.contactId) return;
    this.current = {
      ...current,
      messages: current.messages.map((known) => (known.id === message.id ? message : known)),
    };
  }
}

/** `loaded` with the newer copies of `page`'s messages, and `page`'s new ones after them. */
export function mergeNewer(loaded: readonly Message[], page: readonly Message[]): Message[] {
  const fresh = new Map(page.map((message) => [message.id, message]));
  const merged = loaded.map((message) => fresh.get(message.id) ?? message);
  const known = new Set(loaded.map((message) => message.id));
  return [...merged, ...page.filter((message) => !known.has(message.id))];
}
