// What an event brings to the agent's attention, decided as it arrives (before the refresh
// that lists what it brought): a notification from the page, a notice inside the app about
// a conversation that is not on screen, a chat the hub answered for the agent.

import type {
  Contact,
  Event,
  Interaction,
  Message,
  Notice,
  NotificationSettings,
} from '../api';
import { isMine, newsWindowMs, noticeName, Notices, type NoticeSituation } from './notices';
import type { ToastNews } from './toasts.svelte';

/** How many contacts, interactions and told messages from events are kept. */
const maxKept = 500;

/** The most of a contact's text a notice inside the app shows. */
const maxPreviewCharacters = 80;

/** Keeps `value` as the newest under `key`, forgetting the oldest beyond `maxKept`. */
function keep<K, V>(kept: Map<K, V>, key: K, value: V): void {
  kept.delete(key);
  kept.set(key, value);
  if (kept.size > maxKept) {
    const oldest = kept.keys().next();
    if (!oldest.done) kept.delete(oldest.value);
  }
}

/** What the workspace knows and shows when an event arrives. */
export interface Surroundings {
  /** The signed-in agent. */
  me: number;
  /** Now, in ms since the epoch. */
  now: number;
  /** Whether the page shows notifications itself (the browser allows it; not the desktop). */
  mayNotify: boolean;
  /** Whether the agent can see the page: its tab is shown and its window has the focus. */
  pageInView: boolean;
  /** The contact whose conversation is on screen, if any. */
  onScreen: number | null;
  /** The contact open in the Communication tab, followed while the agent is elsewhere. */
  followed: number | null;
  settings: NotificationSettings;
  /** What the workspace's lists hold. */
  contact(contactId: number): Contact | undefined;
  interaction(interactionId: number): Interaction | undefined;
}

/** What to tell the agent about one event. */
export interface Heard {
  /** The notification the page shows. */
  notice: Notice | null;
  /**
   * My chat the hub answered for me (auto-answer), heard of here for the first time, with the
   * notice that offers it when it cannot open at once.
   */
  answered: { interaction: Interaction; news: ToastNews } | null;
  /** A contact's text in a conversation of mine that is not on screen, for a notice in the app. */
  reply: ToastNews | null;
}

/**
 * Whether the hub answered an interaction for me: it is active and mine, it was accepted the
 * moment it was offered, and it was not mine here before (an offer I saw and accepted, a
 * chat I had open, one I created have another story).
 */
export function answeredForMe(
  interaction: Interaction,
  before: Interaction | undefined,
  me: number,
): boolean {
  if (interaction.state !== 'active' || interaction.agentId !== me) return false;
  if (interaction.offeredAt === null || interaction.acceptedAt !== interaction.offeredAt) {
    return false;
  }
  return before === undefined || before.agentId !== me || before.state === 'queued';
}

/**
 * Whether the agent is typing: the focus is in a field with text in it, in a one-line field
 * (a search, a number), or in a dialog. Another view opened then would take their work away.
 */
export function agentIsTyping(active: Element | null): boolean {
  if (!(active instanceof HTMLElement)) return false;
  if (active.closest('[aria-modal="true"], dialog[open]') !== null) return true;
  if (active instanceof HTMLTextAreaElement) return active.value.trim() !== '';
  if (active instanceof HTMLInputElement) return !notTyped.has(active.type);
  return active.isContentEditable === true;
}

/** Inputs that take no text. */
const notTyped = new Set([
  'button',
  'checkbox',
  'color',
  'file',
  'hidden',
  'image',
  'radio',
  'range',
  'reset',
  'submit',
]);

/** A contact's text as a notice in the app shows it: its first line, shortened. */
export function replyPreview(message: Pick<Message, 'body' | 'media'>): string {
  const line = message.body.trim().split('\n')[0]?.trim() ?? '';
  if (line === '') {
    const pictures = message.media.length;
    return pictures > 1 ? `Sent ${pictures} pictures.` : 'Sent a picture.';
  }
  const characters = Array.from(line);
  return characters.length > maxPreviewCharacters
    ? `${characters.slice(0, maxPreviewCharacters - 1).join('')}…`
    : line;
}

export class Attention {
  readonly #notices = new Notices();
  /** Contacts and interactions as the newest events had them. */
  readonly #contacts = new Map<number, Contact>();
  readonly #interactions = new Map<number, Interaction>();
  /** Messages told of inside the app. */
  readonly #toldReplies = new Map<number, true>();

  hear(event: Event, around: Surroundings): Heard {
    const { kind } = event;
    const before =
      kind.type === 'interaction' ? this.#interactions.get(kind.interaction.id) : undefined;
    if (kind.type === 'contact') keep(this.#contacts, kind.contact.id, kind.contact);
    if (kind.type === 'interaction') {
      keep(this.#interactions, kind.interaction.id, kind.interaction);
    }
    const situation: NoticeSituation = {
      me: around.me,
      now: around.now,
      inView: around.pageInView ? around.onScreen : null,
      settings: around.settings,
      contact: (contactId) => this.#contacts.get(contactId) ?? around.contact(contactId),
      interaction: (interactionId) =>
        this.#interactions.get(interactionId) ?? around.interaction(interactionId),
    };
    const news = around.now - event.at <= newsWindowMs;
    const answered =
      news && kind.type === 'interaction' && answeredForMe(kind.interaction, before, around.me)
        ? { interaction: kind.interaction, news: newChat(kind.interaction, situation) }
        : null;
    return {
      notice: around.mayNotify ? this.#notices.noticeFor(event, situation) : null,
      answered,
      reply: news && kind.type === 'message' ? this.#reply(kind.message, situation, around) : null,
    };
  }

  #reply(message: Message, situation: NoticeSituation, around: Surroundings): ToastNews | null {
    if (message.direction !== 'inbound' || this.#toldReplies.has(message.id)) return null;
    if (message.contactId === around.onScreen) return null;
    const interaction =
      message.interactionId === null ? undefined : situation.interaction(message.interactionId);
    // A text that comes with an offer is shown by the offer.
    const offered = interaction?.state === 'offered';
    const followed = message.contactId === around.followed && !offered;
    if (!followed && !isMine(message, situation, false)) return null;
    keep(this.#toldReplies, message.id, true);
    return {
      contactId: message.contactId,
      interactionId: null,
      title: 'New message',
      who: noticeName(situation.contact(message.contactId)),
      text: replyPreview(message),
    };
  }
}

function newChat(interaction: Interaction, situation: NoticeSituation): ToastNews {
  return {
    contactId: interaction.contactId,
    interactionId: interaction.id,
    title: 'New chat',
    who: noticeName(situation.contact(interaction.contactId)),
    text: 'Answered for you automatically.',
  };
}
