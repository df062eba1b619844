// The fields a Standard Response can hold, such as "Hi {contact.name}", and how they are
// filled in before the text reaches the composer.

import type { Agent, Contact } from '../api';

/** What each field is replaced with, by field name ("contact.name"). */
export type FieldValues = Readonly<Record<string, string>>;

/** A field is a dotted name in braces; anything else in braces is left alone. */
const field = /\{([A-Za-z]+(?:\.[A-Za-z]+)+)\}/g;

/**
 * The values of the fields for a conversation. The contact's name falls back to their
 * number, as it does everywhere on screen; without a contact, its fields stay as typed so
 * the agent sees them and fills them in.
 */
export function fieldValues(contact: Contact | undefined, agent: Pick<Agent, 'name'>): FieldValues {
  const values: Record<string, string> = { 'agent.name': agent.name };
  if (contact !== undefined) {
    values['contact.name'] = contact.name?.trim() || contact.phone;
    values['contact.phone'] = contact.phone;
  }
  return values;
}

/**
 * `text` with every known field replaced by its value. Unknown fields stay exactly as
 * typed, and values are inserted literally (a name such as "$&" is not a pattern).
 */
export function fillFields(text: string, values: FieldValues): string {
  return text.replace(field, (whole, name: string) =>
    Object.hasOwn(values, name) ? (values[name] ?? whole) : whole,
  );
}
