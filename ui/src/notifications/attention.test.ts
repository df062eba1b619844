import { afterEach, describe, expect, it } from 'vitest';
import type { Contact, Event, EventKind, Interaction } from '../api';
import { contact, interaction, media, message } from '../testing/fixtures';
import {
  agentIsTyping,
  answeredForMe,
  Attention,
  replyPreview,
  type Surroundings,
} from './attention';
import { newsWindowMs } from './notices';

const now = 1_800_000_000_000;
const me = 1;
const carla = contact({ id: 10, name: 'Carla', phone: '+15551230001', assignedAgentId: me });
const dan = contact({ id: 11, name: 'Dan', phone: '+15551230002', assignedAgentId: 2 });
const myChat = interaction({ id: 7, contactId: 10, state: 'active', agentId: me, acceptedAt: 2 });

function around(overrides: Partial<Surroundings> = {}): Surroundings {
  const contacts = new Map<number, Contact>([
    [carla.id, carla],
    [dan.id, dan],
  ]);
  const interactions = new Map<number, Interaction>([[myChat.id, myChat]]);
  return {
    me,
    now,
    mayNotify: false,
    pageInView: true,
    onScreen: null,
    followed: null,
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

const text = (overrides: Parameters<typeof message>[0] = {}) =>
  event({
    type: 'message',
    message: message({ id: 40, contactId: 10, interactionId: 7, body: 'Is it shipped?', ...overrides }),
  });

/** What routing does for an agent who answers automatically: offered and accepted at once. */
const autoAnswered = (overrides: Partial<Interaction> = {}) =>
  interaction({ id: 30, contactId: 11, state: 'active', agentId: me, offeredAt: 500, acceptedAt: 500, ...overrides });

describe('a contact\'s text for a notice in the app', () => {
  it('is told for my conversation that is not on screen, with who and what', () => {
    expect(new Attention().hear(text(), around({ onScreen: 11 })).reply).toEqual({
      contactId: 10,
      interactionId: null,
      title: 'New message',
      who: 'Carla (+15551230001)',
      text: 'Is it shipped?',
    });
  });

  it('is not told for the conversation on screen, even while the page is out of sight', () => {
    const attention = new Attention();
    expect(attention.hear(text(), around({ onScreen: 10 })).reply).toBeNull();
    expect(attention.hear(text({ id: 41 }), around({ onScreen: 10, pageInView: false })).reply).toBeNull();
  });

  it('is told once, and not for history or for what the agent wrote', () => {
    const attention = new Attention();
    expect(attention.hear(text(), around()).reply).not.toBeNull();
    expect(attention.hear(text(), around()).reply, 'the same message again').toBeNull();
    expect(attention.hear(event(text({ id: 42 }).kind, now - newsWindowMs - 1), around()).reply).toBeNull();
    expect(attention.hear(text({ id: 43, direction: 'outbound', agentId: me }), around()).reply).toBeNull();
  });

  it('is told for the contact open in the Communication tab, not for others\' contacts', () => {
    const attention = new Attention();
    const fromDan = (id: number) => text({ id, contactId: 11, interactionId: null });
    expect(attention.hear(fromDan(50), around()).reply, 'Dan is assigned to another agent').toBeNull();
    expect(attention.hear(fromDan(51), around({ followed: 11 })).reply?.who).toBe('Dan (+15551230002)');
  });

  it('leaves a text that comes with an offer to the offer', () => {
    const offered = interaction({ id: 8, contactId: 10, state: 'offered', agentId: me, offeredAt: 5 });
    const reply = new Attention().hear(
      text({ interactionId: 8 }),
      around({ followed: 10, interaction: (id) => (id === 8 ? offered : undefined) }),
    ).reply;
    expect(reply).toBeNull();
  });
});

describe('replyPreview', () => {
  it('shows the first line, shortened, or says a picture came', () => {
    expect(replyPreview({ body: '  Hello\nsecond line', media: [] })).toBe('Hello');
    expect(replyPreview({ body: 'x'.repeat(200), media: [] })).toBe(`${'x'.repeat(79)}…`);
    expect(replyPreview({ body: '', media: [media()] })).toBe('Sent a picture.');
    expect(replyPreview({ body: '', media: [media(), media({ id: 501 })] })).toBe('Sent 2 pictures.');
  });
});

describe('a chat answered for the agent', () => {
  it('is one the hub made active for me the moment it was offered, new to this page', () => {
    expect(answeredForMe(autoAnswered(), undefined, me)).toBe(true);
    // Seen queued (a supervisor's page hears of those) is not seen as mine.
    expect(answeredForMe(autoAnswered(), autoAnswered({ state: 'queued', agentId: null }), me)).toBe(true);
  });

  it('is not one the agent accepted, created, already had, or someone else\'s', () => {
    expect(answeredForMe(autoAnswered({ acceptedAt: 900 }), undefined, me), 'accepted later').toBe(false);
    expect(answeredForMe(autoAnswered({ offeredAt: null, acceptedAt: 2 }), undefined, me), 'created').toBe(false);
    expect(answeredForMe(autoAnswered(), autoAnswered(), me), 'heard of before').toBe(false);
    expect(answeredForMe(autoAnswered({ agentId: 2 }), undefined, me), 'another agent\'s').toBe(false);
    expect(answeredForMe(autoAnswered({ state: 'ended' }), undefined, me), 'ended').toBe(false);
  });

  it('is heard once, with what the notice offering it says', () => {
    const attention = new Attention();
    const answered = event({ type: 'interaction', interaction: autoAnswered() });
    expect(attention.hear(answered, around()).answered).toEqual({
      interaction: autoAnswered(),
      news: {
        contactId: 11,
        interactionId: 30,
        title: 'New chat',
        who: 'Dan (+15551230002)',
        text: 'Answered for you automatically.',
      },
    });
    expect(attention.hear({ ...answered, seq: answered.seq + 1 }, around()).answered).toBeNull();
    const old = event({ type: 'interaction', interaction: autoAnswered({ id: 31 }) }, now - newsWindowMs - 1);
    expect(attention.hear(old, around()).answered, 'history catching up').toBeNull();
  });
});

describe('agentIsTyping', () => {
  afterEach(() => {
    document.body.innerHTML = '';
  });

  function focused(html: string): Element | null {
    document.body.innerHTML = html;
    document.querySelector<HTMLElement>('[data-focus]')?.focus();
    return document.activeElement;
  }

  it('is a text area with text in it, or a one-line field, or a dialog', () => {
    const composer = focused('<textarea data-focus>On my way</textarea>');
    expect(agentIsTyping(composer)).toBe(true);
    expect(agentIsTyping(focused('<input type="search" data-focus />')), 'a search box').toBe(true);
    expect(
      agentIsTyping(focused('<div aria-modal="true"><button data-focus>Close</button></div>')),
    ).toBe(true);
  });

  it('is not an empty text area, a button, a radio or nothing', () => {
    expect(agentIsTyping(focused('<textarea data-focus>  </textarea>'))).toBe(false);
    expect(agentIsTyping(focused('<button data-focus>Done</button>'))).toBe(false);
    expect(agentIsTyping(focused('<input type="radio" data-focus />'))).toBe(false);
    expect(agentIsTyping(focused('<p>Nothing</p>'))).toBe(false);
    expect(agentIsTyping(null)).toBe(false);
  });
});
