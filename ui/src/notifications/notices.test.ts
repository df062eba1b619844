import { describe, expect, it } from 'vitest';
import type { Contact, Event, EventKind, Interaction, NotificationSettings } from '../api';
import { contact, interaction, media, message } from '../testing/fixtures';
import { newsWindowMs, Notices, type NoticeSituation } from './notices';

const now = 1_800_000_000_000;
const me = 1;
const carla = contact({ id: 10, name: 'Carla', phone: '+15551230001', assignedAgentId: me });
const dan = contact({ id: 11, name: null, phone: '+15551230002', assignedAgentId: 2 });
const myChat = interaction({ id: 7, contactId: 10, state: 'active', agentId: me, acceptedAt: 2 });

function situation(overrides: Partial<NoticeSituation> = {}): NoticeSituation {
  const contacts = new Map<number, Contact>([
    [carla.id, carla],
    [dan.id, dan],
  ]);
  const interactions = new Map<number, Interaction>([[myChat.id, myChat]]);
  return {
    me,
    now,
    inView: null,
    settings: { privacy: 'nameAndText', sound: true },
    contact: (id) => contacts.get(id),
    interaction: (id) => interactions.get(id),
    ...overrides,
  };
}

let seq = 0;
function event(kind: EventKind, at = now - 1_000): Event {
  seq += 1;
  return { seq, at, kind };
}

const reply = (overrides: Parameters<typeof message>[0] = {}) =>
  event({
    type: 'message',
    message: message({ id: 40, contactId: 10, interactionId: 7, body: 'Is it shipped?', ...overrides }),
  });

describe('notices', () => {
  it('tells of an interaction offered to me, and not of one offered to someone else', () => {
    const notices = new Notices();
    const offered = interaction({ id: 8, contactId: 11, state: 'offered', agentId: me, offeredAt: 5 });
    expect(
      notices.noticeFor(event({ type: 'interaction', interaction: offered }), situation()),
    ).toEqual({
      contactId: 11,
      title: 'Incoming SMS',
      body: '+15551230002 wants to chat. Open Parley to accept.',
      silent: false,
    });
    const theirs = interaction({ id: 9, contactId: 10, state: 'offered', agentId: 2, offeredAt: 5 });
    expect(notices.noticeFor(event({ type: 'interaction', interaction: theirs }), situation())).toBeNull();
  });

  it('tells of an offer even when its contact is in view: it waits for Accept', () => {
    const offered = interaction({ id: 8, contactId: 10, state: 'offered', agentId: me, offeredAt: 5 });
    const notice = new Notices().noticeFor(
      event({ type: 'interaction', interaction: offered }),
      situation({ inView: 10 }),
    );
    expect(notice?.title).toBe('Incoming SMS');
  });

  it('tells of a reply in my conversation that is not in view, once', () => {
    const notices = new Notices();
    const first = reply();
    expect(notices.noticeFor(first, situation())).toEqual({
      contactId: 10,
      title: 'New message',
      body: 'Carla (+15551230001): Is it shipped?',
      silent: false,
    });
    // The same message again (its delivery or pictures updated) is not news again.
    expect(notices.noticeFor({ ...first, seq: first.seq + 1 }, situation())).toBeNull();
  });

  it('does not tell of a reply in the conversation in view', () => {
    const notices = new Notices();
    expect(notices.noticeFor(reply(), situation({ inView: 10 }))).toBeNull();
    // Seen in view is seen: leaving it does not bring the message back as news.
    expect(notices.noticeFor(reply(), situation({ inView: null }))).toBeNull();
  });

  it('does not tell of history catching up', () => {
    const old = reply();
    expect(new Notices().noticeFor({ ...old, at: now - newsWindowMs - 1 }, situation())).toBeNull();
    expect(new Notices().noticeFor({ ...old, at: now - newsWindowMs + 1_000 }, situation())).not.toBeNull();
  });

  it('does not tell of messages in other agents\' chats, nor of one still being offered', () => {
    const notices = new Notices();
    // Dan is not assigned to me and the message is outside an interaction I hold.
    expect(
      notices.noticeFor(
        event({ type: 'message', message: message({ id: 41, contactId: 11, interactionId: null }) }),
        situation(),
      ),
    ).toBeNull();
    // The first message of a new chat is announced by its offer instead.
    const queued = interaction({ id: 12, contactId: 10, state: 'queued', agentId: null });
    expect(
      notices.noticeFor(
        event({ type: 'message', message: message({ id: 42, contactId: 10, interactionId: 12 }) }),
        situation({ interaction: (id) => (id === 12 ? queued : undefined) }),
      ),
    ).toBeNull();
    // Outside an interaction, a contact assigned to me counts as mine.
    expect(
      notices.noticeFor(
        event({ type: 'message', message: message({ id: 43, contactId: 10, interactionId: null }) }),
        situation(),
      )?.title,
    ).toBe('New message');
  });

  it('tells of a picture sent without text as a picture', () => {
    const notice = new Notices().noticeFor(
      reply({ body: '', media: [media({ state: 'pending' })] }),
      situation(),
    );
    expect(notice?.body).toBe('Carla (+15551230001) sent a picture.');
  });

  it('tells of an attachment issue on a message of mine, once, after its reply', () => {
    const notices = new Notices();
    expect(notices.noticeFor(reply({ media: [media({ state: 'pending' })] }), situation())?.title).toBe(
      'New message',
    );
    const checked = reply({ media: [media({ state: 'issue', issue: 'unsupportedType' })] });
    expect(notices.noticeFor(checked, situation())).toEqual({
      contactId: 10,
      title: 'Attachment issue',
      body:
        'Carla (+15551230001) sent a picture (image/jpeg, 47 KB) that cannot be shown: ' +
        'Parley shows only JPEG, PNG, GIF and WebP pictures. ' +
        'Ask the contact to send it in one of those types (a screenshot of it will do).',
      silent: false,
    });
    expect(notices.noticeFor({ ...checked, seq: checked.seq + 1 }, situation())).toBeNull();
  });

  it('names which picture of several the issue is about, with the advice for a file never fetched', () => {
    const notice = new Notices().noticeFor(
      reply({
        media: [
          media({ id: 501, position: 1, state: 'issue', issue: 'fetchFailed', size: null }),
          media({ id: 500, position: 0, state: 'ready' }),
        ],
      }),
      situation(),
    );
    expect(notice?.body).toBe(
      'Carla (+15551230001) sent picture 2 of 2 (image/jpeg) that cannot be shown: ' +
        'it could not be downloaded from the carrier. Ask the contact to send it again in a few minutes.',
    );
  });

  it('tells of an attachment issue even in the conversation in view: the agent must ask for the file again', () => {
    const notices = new Notices();
    const checked = reply({ media: [media({ state: 'issue', issue: 'corrupt' })] });
    const notice = notices.noticeFor(checked, situation({ inView: 10 }));
    expect(notice?.title).toBe('Attachment issue');
  });

  it('tells of a message of mine that was not delivered, and again if it fails after Retry', () => {
    const notices = new Notices();
    const failed = (status: 'undelivered' | 'pending') =>
      event({
        type: 'message',
        message: message({
          id: 44,
          contactId: 10,
          interactionId: 7,
          direction: 'outbound',
          agentId: me,
          status,
          errorCode: status === 'pending' ? null : 30003,
        }),
      });
    expect(notices.noticeFor(failed('undelivered'), situation())).toEqual({
      contactId: 10,
      title: 'Message not delivered',
      body:
        'Your message to Carla (+15551230001) was not delivered. ' +
        'The phone is switched off or out of coverage.',
      silent: false,
    });
    expect(notices.noticeFor(failed('undelivered'), situation())).toBeNull();
    expect(notices.noticeFor(failed('pending'), situation())).toBeNull();
    expect(notices.noticeFor(failed('undelivered'), situation())?.title).toBe(
      'Message not delivered',
    );
  });

  it('does not tell of another agent\'s message that was not delivered', () => {
    const theirs = event({
      type: 'message',
      message: message({ id: 45, direction: 'outbound', agentId: 2, status: 'failed', errorCode: 30007 }),
    });
    expect(new Notices().noticeFor(theirs, situation())).toBeNull();
  });

  it('shows as much as the agent chose: name and text, name only, or nothing', () => {
    const choose = (settings: NotificationSettings) =>
      new Notices().noticeFor(reply(), situation({ settings }));
    expect(choose({ privacy: 'nameAndText', sound: true })).toMatchObject({
      title: 'New message',
      body: 'Carla (+15551230001): Is it shipped?',
    });
    expect(choose({ privacy: 'nameOnly', sound: true })).toMatchObject({
      title: 'New message',
      body: 'Carla (+15551230001) sent a new message.',
    });
    const nothing = choose({ privacy: 'nothing', sound: true });
    expect(nothing).toEqual({
      contactId: 10,
      title: 'Parley',
      body: 'New activity in Parley',
      silent: false,
    });
    expect(JSON.stringify(nothing), 'neither name nor number nor text').not.toMatch(
      /Carla|5551230001|shipped/,
    );
  });

  it('shows at most 200 characters of a long text', () => {
    const long = 'a'.repeat(500);
    const notice = new Notices().noticeFor(reply({ body: long }), situation());
    expect(notice?.body).toBe(`Carla (+15551230001): ${'a'.repeat(200)}`);
  });

  it('is silent when the agent turned the sound off', () => {
    expect(
      new Notices().noticeFor(reply(), situation({ settings: { privacy: 'nameOnly', sound: false } }))
        ?.silent,
    ).toBe(true);
  });
});
