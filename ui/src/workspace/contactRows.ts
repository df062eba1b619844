// Live events change the contact list's rows where they stand: a contact's details, the
// newest text's preview and the unread count move with the event that carries them, and
// the list is asked for again only when an event names a row it does not have.

import type { ContactSummary, Event, MessageStatus } from '../api';

/** A message's first event is the one that creates it, within moments of its time. */
const creationWindowMs = 10_000;

/** The statuses a message is created with. */
const createdAs: ReadonlySet<MessageStatus> = new Set(['received', 'pending', 'queued']);

/** What an event did to the rows. */
export interface Patched {
  /** The rows after it; `null` when it changed none. */
  rows: ContactSummary[] | null;
  /** The list cannot show it: ask for the list again. */
  stale: boolean;
}

export class ContactRows {
  /** Messages already in the rows' previews and counts: their later events are updates. */
  readonly #seen = new Set<number>();

  /** The list was read again: it counts everything so far. */
  reset(): void {
    this.#seen.clear();
  }

  /** Applies one live event to the rows of agent `me`'s contact list. */
  apply(rows: ContactSummary[], event: Event, me: number): Patched {
    const kind = event.kind;
    switch (kind.type) {
      case 'contact': {
        const index = rows.findIndex((row) => row.contact.id === kind.contact.id);
        if (index === -1) return { rows: null, stale: kind.contact.assignedAgentId === me };
        return { rows: replaced(rows, index, { ...rows[index]!, contact: kind.contact }), stale: false };
      }
      case 'message': {
        const message = kind.message;
        const index = rows.findIndex((row) => row.contact.id === message.contactId);
        const created =
          createdAs.has(message.status) && event.at - message.createdAt < creationWindowMs;
        if (index === -1 || this.#seen.has(message.id) || !created) {
          return { rows: null, stale: false };
        }
        this.#seen.add(message.id);
        const { lastMessageAuthor: _previous, ...row } = rows[index]!;
        const inbound = message.direction === 'inbound';
        const patched: ContactSummary = {
          ...row,
          contact: {
            ...row.contact,
            lastActivityAt: Math.max(row.contact.lastActivityAt, message.createdAt),
          },
          lastMessage: message.body,
          unreadCount: row.unreadCount + (inbound ? 1 : 0),
        };
        if (!inbound && message.agentId !== null) {
          patched.lastMessageAuthor = { agentId: message.agentId, name: message.agentName ?? null };
        }
        return { rows: replaced(rows, index, patched), stale: false };
      }
      case 'interaction': {
        const mine = kind.interaction.agentId === me;
        const listed = rows.some((row) => row.contact.id === kind.interaction.contactId);
        return { rows: null, stale: mine && !listed };
      }
      default:
        return { rows: null, stale: false };
    }
  }
}

function replaced(rows: ContactSummary[], index: number, row: ContactSummary): ContactSummary[] {
  const next = rows.slice();
  next[index] = row;
  return next;
}
