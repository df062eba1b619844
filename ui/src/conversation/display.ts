// How domain values read on screen, in the guide's words.

import type { Agent, Contact, Interaction, InteractionState, Message } from '../api';

/** A contact's name, or their number when the contact center has no name for them. */
export function contactLabel(contact: Contact | undefined): string {
  if (!contact) return 'Unknown contact';
  const name = contact.name?.trim();
  return name ? name : contact.phone;
}

export function firstLine(text: string): string {
  return text.split(/\r?\n/, 1)[0]?.trim() ?? '';
}

export type DeliveryLabel = 'Pending' | 'Sent' | 'Delivered' | 'Not delivered' | 'Failed';

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
      return 'Failed';
    case 'undelivered':
      return 'Not delivered';
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

/** A moment with its date, whatever day it is: `Mar 12, 10:42`. */
export function formatDateTime(millis: number): string {
  return dateTimeFormat.format(new Date(millis));
}

/** The agent's status as the top bar shows it: `Not Ready — Lunch` when a reason is set. */
export function statusLabel(agent: Pick<Agent, 'status' | 'statusReason'>): string {
  if (agent.status === 'ready') return 'Ready';
  const reason = agent.statusReason?.trim();
  return reason ? `Not Ready — ${reason}` : 'Not Ready';
}

/** Who ended an ended interaction, in the guide's words; `null` while it is not ended. */
export function endedByLabel(interaction: Pick<Interaction, 'state' | 'endedBy'>): string | null {
  if (interaction.state !== 'ended') return null;
  switch (interaction.endedBy) {
    case 'contact':
      return 'The contact ended the chat';
    case 'agent':
      return 'You ended the chat';
    case null:
      return 'The chat ended';
  }
}

/** Where an interaction came from: a Create SMS Interaction is never offered. */
export function originLabel(interaction: Pick<Interaction, 'offeredAt'>): string {
  return interaction.offeredAt === null ? 'Outbound (Create SMS Interaction)' : 'Inbound SMS';
}

/** Local midnight of `now`'s day, in ms: where "Today" starts for the KPI summary. */
export function startOfDay(now: Date = new Date()): number {
  const midnight = new Date(now);
  midnight.setHours(0, 0, 0, 0);
  return midnight.getTime();
}

/** A duration as `m:ss` (minutes keep counting past an hour), rounded to the second. */
export function formatDuration(millis: number): string {
  const seconds = Math.max(0, Math.round(millis / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** The first message of an interaction in a transcript (by time), or `null` when it has none. */
export function firstMessageOf(messages: readonly Message[] | null, interactionId: number): number | null {
  let first: Message | null = null;
  for (const message of messages ?? []) {
    if (message.interactionId !== interactionId) continue;
    if (first === null || message.createdAt < first.createdAt) first = message;
  }
  return first?.id ?? null;
}
