// What to tell the agent about an event when Parley is not in front of them, as the desktop
// host does: an interaction offered to them, a contact's reply in one of their conversations,
// a picture that could not be shown, a message of theirs that was not delivered. History
// replayed after a reconnection stays quiet, and so does the conversation in view.

import type {
  Contact,
  Event,
  Interaction,
  Media,
  Message,
  Notice,
  NotificationSettings,
} from '../api';
import { inOrder } from '../conversation/pictures';
import {
  deliveryProblemText,
  isDeliveryProblem,
  issueAdvice,
  issuePictureLabel,
  issueReason,
  type PicturePlace,
} from '../conversation/problems';

/** Events older than this are history catching up, not news. */
export const newsWindowMs = 2 * 60 * 1000;

/** The most of a contact's text a notification shows (as the desktop host does). */
const maxShownCharacters = 200;

/** How many told news are remembered. */
const maxRemembered = 2000;

/** What a notification says when the agent chose to show nothing of the conversation. */
export const privateNotice = { title: 'Parley', body: 'New activity in Parley' } as const;

/** What the workspace knows when an event arrives. */
export interface NoticeSituation {
  /** The signed-in agent. */
  me: number;
  /** Now, in ms since the epoch. */
  now: number;
  /** The contact whose conversation the agent is looking at, if any. */
  inView: number | null;
  settings: NotificationSettings;
  contact(contactId: number): Contact | undefined;
  interaction(interactionId: number): Interaction | undefined;
}

/** How a contact is named in a notification: `Carla (+12015550101)`, or the number. */
export function noticeName(contact: Contact | undefined): string {
  if (contact === undefined) return 'Unknown contact';
  const name = contact.name?.trim();
  return name ? `${name} (${contact.phone})` : contact.phone;
}

/** What happened, before the agent's privacy choice decides how much of it to show. */
interface News {
  /** Told once: the same news in a later event is not told again. */
  key: string;
  contactId: number;
  title: string;
  /** The whole story (name and text). */
  full: string;
  /** Only who it is about. */
  nameOnly: string;
}

/**
 * Decides which events become notifications, and remembers what it told so that the same
 * news arriving again (a picture checked later, an event replayed) is told once.
 */
export class Notices {
  /** Keys of the news told (or seen in view), oldest first. */
  readonly #told = new Set<string>();

  /** The notification for an event, if it is news to tell. */
  noticeFor(event: Event, situation: NoticeSituation): Notice | null {
    if (event.kind.type === 'message') this.#forgetRetried(event.kind.message);
    if (situation.now - event.at > newsWindowMs) return null;
    const news = this.#news(event, situation);
    if (news === null || this.#told.has(news.key)) return null;
    this.#remember(news.key);
    // A reply in the conversation in view is seen there already. An offer, an attachment
    // issue and a text not delivered are always told: the agent has to act on them.
    if (news.key.startsWith('reply-') && situation.inView === news.contactId) return null;
    const silent = !situation.settings.sound;
    switch (situation.settings.privacy) {
      case 'nameAndText':
        return { contactId: news.contactId, title: news.title, body: news.full, silent };
      case 'nameOnly':
        return { contactId: news.contactId, title: news.title, body: news.nameOnly, silent };
      case 'nothing':
        return { contactId: news.contactId, ...privateNotice, silent };
    }
  }

  #remember(key: string): void {
    this.#told.add(key);
    // A long session forgets the oldest; their events are long past the news window.
    if (this.#told.size > maxRemembered) {
      const oldest = this.#told.values().next();
      if (!oldest.done) this.#told.delete(oldest.value);
    }
  }

  /** A message sent again may fail again: that is news once more. */
  #forgetRetried(message: Message): void {
    if (message.direction === 'outbound' && !isDeliveryProblem(message)) {
      this.#told.delete(notDeliveredKey(message));
    }
  }

  #news(event: Event, situation: NoticeSituation): News | null {
    const { kind } = event;
    if (kind.type === 'interaction') return offerNews(kind.interaction, situation);
    if (kind.type !== 'message') return null;
    const { message } = kind;
    if (message.direction === 'outbound') return notDeliveredNews(message, situation);
    const pictures = inOrder(message.media);
    const index = pictures.findIndex((media) => media.state === 'issue');
    const issue = pictures[index];
    if (issue !== undefined && isMine(message, situation, true)) {
      // The reply itself is told with its issue, not a second time.
      this.#remember(replyKey(message));
      return issueNews(message, issue, { index, count: pictures.length }, situation);
    }
    return isMine(message, situation, false) ? replyNews(message, situation) : null;
  }
}

/**
 * Whether a contact's message belongs to one of my conversations: my interaction (an
 * offered one only for `offeredCounts`, since its offer announces it), or, outside an
 * interaction I hold, a contact assigned to me.
 */
export function isMine(
  message: Message,
  situation: Pick<NoticeSituation, 'me' | 'contact' | 'interaction'>,
  offeredCounts: boolean,
): boolean {
  const interaction =
    message.interactionId === null ? undefined : situation.interaction(message.interactionId);
  if (interaction !== undefined) {
    if (interaction.state === 'queued') return false;
    if (interaction.state === 'offered' && !offeredCounts) return false;
    return interaction.agentId === situation.me;
  }
  return situation.contact(message.contactId)?.assignedAgentId === situation.me;
}

function replyKey(message: Message): string {
  return `reply-${message.id}`;
}

function notDeliveredKey(message: Message): string {
  return `not-delivered-${message.id}`;
}

function offerNews(interaction: Interaction, situation: NoticeSituation): News | null {
  if (interaction.state !== 'offered' || interaction.agentId !== situation.me) return null;
  const who = noticeName(situation.contact(interaction.contactId));
  const text = `${who} wants to chat. Open Parley to accept.`;
  return {
    key: `offer-${interaction.id}-${interaction.offeredAt ?? 0}`,
    contactId: interaction.contactId,
    title: 'Incoming SMS',
    full: text,
    nameOnly: text,
  };
}

function replyNews(message: Message, situation: NoticeSituation): News {
  const who = noticeName(situation.contact(message.contactId));
  const text = Array.from(message.body.trim()).slice(0, maxShownCharacters).join('');
  return {
    key: replyKey(message),
    contactId: message.contactId,
    title: 'New message',
    full: text === '' ? `${who} sent a picture.` : `${who}: ${text}`,
    nameOnly: `${who} sent a new message.`,
  };
}

function issueNews(
  message: Message,
  issue: Media,
  place: PicturePlace,
  situation: NoticeSituation,
): News {
  const who = noticeName(situation.contact(message.contactId));
  // Why the picture failed is Parley's finding, not the contact's words: both say it.
  const which = issuePictureLabel(issue, place, 'a');
  const why = `${issueReason(issue)}. ${issueAdvice(issue)}`;
  const text = `${who} sent ${which} that cannot be shown: ${why}`;
  return {
    key: `issue-${message.id}`,
    contactId: message.contactId,
    title: 'Attachment issue',
    full: text,
    nameOnly: text,
  };
}

function notDeliveredNews(message: Message, situation: NoticeSituation): News | null {
  const problem = deliveryProblemText(message);
  if (problem === null || message.agentId !== situation.me) return null;
  const who = noticeName(situation.contact(message.contactId));
  return {
    key: notDeliveredKey(message),
    contactId: message.contactId,
    title: 'Message not delivered',
    full: `Your message to ${who} was not delivered. ${problem}`,
    nameOnly: `Your message to ${who} was not delivered. ${problem}`,
  };
}
