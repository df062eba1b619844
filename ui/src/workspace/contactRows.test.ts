import { describe, expect, it } from 'vitest';
import type { Event, EventKind } from '../api';
import { contact, interaction, message, summary } from '../testing/fixtures';
import { ContactRows } from './contactRows';

const now = 1_700_000_100_000;
const me = 1;

function event(kind: EventKind, at = now): Event {
  return { seq: 1, at, kind };
}

describe('live events on the contact list rows', () => {
  const rows = [summary({ id: 10, name: 'Carla' }), summary({ id: 11, name: 'Dan' })];

  it('a contact event replaces the row it carries; an unknown contact of mine asks for the list', () => {
    const live = new ContactRows();
    const renamed = contact({ id: 11, name: 'Dan Ortiz', optedOut: true });
    const patched = live.apply(rows, event({ type: 'contact', contact: renamed }), me);
    expect(patched.stale).toBe(false);
    expect(patched.rows?.[1]?.contact).toEqual(renamed);
    expect(patched.rows?.[0]).toBe(rows[0]);

    const mine = live.apply(rows, event({ type: 'contact', contact: contact({ id: 12 }) }), me);
    expect(mine).toEqual({ rows: null, stale: true });
    const theirs = contact({ id: 13, assignedAgentId: 2 });
    expect(live.apply(rows, event({ type: 'contact', contact: theirs }), me)).toEqual({
      rows: null,
      stale: false,
    });
  });

  it('a new text moves the preview and the unread count once; its later events change neither', () => {
    const live = new ContactRows();
    const text = message({ id: 500, contactId: 10, body: 'Where is it?', createdAt: now - 200 });
    const first = live.apply(rows, event({ type: 'message', message: text }), me);
    expect(first.rows?.[0]).toMatchObject({ unreadCount: 1, lastMessage: 'Where is it?' });
    expect(first.rows?.[0]?.contact.lastActivityAt).toBe(now - 200);
    expect(first.rows?.[0]?.lastMessageAuthor).toBeUndefined();

    // Its picture arrives: the same message again.
    const again = live.apply(first.rows!, event({ type: 'message', message: text }), me);
    expect(again.rows).toBeNull();

    // A reply of mine: the preview names me; nothing unread.
    const reply = message({
      id: 501,
      contactId: 10,
      direction: 'outbound',
      status: 'queued',
      body: 'Today.',
      agentId: me,
      agentName: 'Ana Ruiz',
      createdAt: now,
    });
    const replied = live.apply(first.rows!, event({ type: 'message', message: reply }), me);
    expect(replied.rows?.[0]).toMatchObject({
      unreadCount: 1,
      lastMessage: 'Today.',
      lastMessageAuthor: { agentId: me, name: 'Ana Ruiz' },
    });
  });

  it('a delivery report of an older text changes nothing', () => {
    const live = new ContactRows();
    const old = message({
      id: 400,
      contactId: 10,
      direction: 'outbound',
      status: 'delivered',
      agentId: me,
      createdAt: now - 3_600_000,
    });
    expect(live.apply(rows, event({ type: 'message', message: old }), me)).toEqual({
      rows: null,
      stale: false,
    });
    const late = message({ id: 401, contactId: 10, createdAt: now - 3_600_000 });
    expect(live.apply(rows, event({ type: 'message', message: late }), me).rows).toBeNull();
  });

  it('a chat of mine with a contact not listed asks for the list; placeholders change nothing', () => {
    const live = new ContactRows();
    const offer = interaction({ id: 9, contactId: 12, agentId: me });
    expect(live.apply(rows, event({ type: 'interaction', interaction: offer }), me).stale).toBe(
      true,
    );
    const listed = interaction({ id: 8, contactId: 10, agentId: me });
    expect(live.apply(rows, event({ type: 'interaction', interaction: listed }), me).stale).toBe(
      false,
    );
    expect(live.apply(rows, event({ type: 'hidden' }), me)).toEqual({ rows: null, stale: false });
  });

  it('after the list is read again, a text is counted again only if it is new', () => {
    const live = new ContactRows();
    const text = message({ id: 600, contactId: 11, createdAt: now });
    const first = live.apply(rows, event({ type: 'message', message: text }), me);
    expect(first.rows?.[1]?.unreadCount).toBe(1);
    live.reset();
    const other = message({ id: 601, contactId: 11, createdAt: now });
    expect(live.apply(rows, event({ type: 'message', message: other }), me).rows?.[1]?.unreadCount).toBe(1);
  });
});
