// How domain values read on screen, in the guide's words.

import type { Contact, InteractionState, Message } from '../api';

/** A contact's name, or their number when the contact center has no name for them. */
export function contactLabel(contact: Contact | undefined): string {
  if (!contact) return 'Unknown contact';
  const name = contact.name?.trim();
  return name ? name : contact.phone;
}

export function firstLine(text: string): string {
  return text.split(/\r?\n/, 1)[0]?.trim() ?? '';
}

export type DeliveryLabel = 'Pending' | 'Sent' | 'Delivered' | 'Failed';

/** What an outbound message's status says to the agent; `null` for inbound messages. */
export function deliveryLabel(message: Message): DeliveryLabel | null {
  switch (message.status) {
    case 'pending':
      return 'Pending';
    case 'queued':
    case 'sent':
      return 'Sent';
    case 'delivered':
      return 'Delivered';
    case 'failed':
    case 'undelivered':
      return 'Failed';
    case 'received':
      return null;
  }
}

export const interactionStateLabels: Record<InteractionState, string> = {
  queued: 'Queued',
  offered: 'Offered',
  active: 'Active',
  ended: 'Ended',
  done: 'Done',
};

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

/** A message time: the clock time today, with the date on other days. */
export function formatTime(millis: number, now: Date = new Date()): string {
  const date = new Date(millis);
  return date.toDateString() === now.toDateString()
    ? timeFormat.format(date)
    : dateTimeFormat.format(date);
}
