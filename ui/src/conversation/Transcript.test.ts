import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Message } from '../api';
import { message } from '../testing/fixtures';
import { formatDateTime } from './display';
import Transcript from './Transcript.svelte';

// jsdom does not scroll; the spy records what was asked to come into view.
const scrolledTo = vi.fn<(this: Element) => void>();
beforeEach(() => {
  scrolledTo.mockReset();
  Element.prototype.scrollIntoView = function scrollIntoView(this: Element) {
    scrolledTo.call(this);
  };
});
afterEach(() => {
  delete (Element.prototype as Partial<Element>).scrollIntoView;
});

/** The element the last scrollIntoView was called on. */
function lastScrolled(): Element | undefined {
  return scrolledTo.mock.contexts.at(-1);
}

const multilingual = [
  message({ id: 1, createdAt: 1_000, interactionId: 5, body: 'Is the Café open? <b>bold</b>' }),
  message({
    id: 2,
    createdAt: 2_000,
    interactionId: 5,
    direction: 'outbound',
    status: 'sent',
    body: 'Yes, the cafe opens at 8. CAFE hours vary.',
  }),
  message({ id: 3, createdAt: 3_000, interactionId: 6, body: 'Привет! привет из кафе' }),
];

function count() {
  return screen.getByTestId('conversation-search-count').textContent;
}

function currentMark() {
  return screen.getByTestId('transcript').querySelector('mark.current');
}

describe('Transcript', () => {
  it('renders message text literally, never as HTML', () => {
    render(Transcript, {
      label: 'Carla',
      messages: [message({ body: '<b>hi</b> <img src=x onerror=alert(1)>' })],
    });
    const rendered = screen.getByTestId('message');
    expect(rendered).toHaveTextContent('<b>hi</b> <img src=x onerror=alert(1)>');
    expect(screen.getByTestId('transcript').querySelector('b, img')).toBeNull();
  });

  it('lists messages oldest first with inbound and outbound sides', () => {
    render(Transcript, {
      label: 'Carla',
      messages: [
        message({ id: 3, body: 'third', createdAt: 3_000, direction: 'outbound', status: 'sent' }),
        message({ id: 1, body: 'first', createdAt: 1_000 }),
        message({ id: 2, body: 'second', createdAt: 2_000 }),
      ],
    });
    const rendered = screen.getAllByTestId('message');
    expect(rendered.map((element) => element.textContent)).toEqual([
      expect.stringContaining('first'),
      expect.stringContaining('second'),
      expect.stringContaining('third'),
    ]);
    expect(rendered.map((element) => element.dataset.direction)).toEqual([
      'inbound',
      'inbound',
      'outbound',
    ]);
  });

  it('shows the delivery status of outbound messages, with the error code on failure', () => {
    const outbound = { direction: 'outbound', agentId: 1 } as const;
    render(Transcript, {
      label: 'Carla',
      messages: [
        message({ id: 1, createdAt: 1, body: 'a', status: 'pending', ...outbound }),
        message({ id: 2, createdAt: 2, body: 'b', status: 'queued', ...outbound }),
        message({ id: 3, createdAt: 3, body: 'c', status: 'sent', ...outbound }),
        message({ id: 4, createdAt: 4, body: 'd', status: 'delivered', ...outbound }),
        message({ id: 5, createdAt: 5, body: 'e', status: 'undelivered', errorCode: 30003, ...outbound }),
        message({ id: 6, createdAt: 6, body: 'f', status: 'failed', errorCode: 30007, ...outbound }),
        message({ id: 7, createdAt: 7, body: 'g', status: 'received' }),
      ],
    });
    const rendered = screen.getAllByTestId('message');
    const statuses = rendered.map(
      (element) => within(element).queryByTestId('message-status')?.textContent?.trim() ?? null,
    );
    expect(statuses).toEqual(['Pending', 'Sent', 'Sent', 'Delivered', 'Not delivered', 'Failed', null]);
    expect(rendered.map((element) => element.dataset.status)).toEqual([
      'pending',
      'queued',
      'sent',
      'delivered',
      'undelivered',
      'failed',
      'received',
    ]);
    expect(rendered[5]).toHaveTextContent('30007');
    expect(rendered[4]).toHaveTextContent('30003');
    // The pending clock is drawn, not written.
    expect(within(rendered[0]!).getByTestId('message-status').querySelector('svg')).not.toBeNull();
  });

  it('says when there is nothing to show yet', () => {
    render(Transcript, { label: 'Carla', messages: [] });
    expect(screen.getByTestId('transcript')).toHaveTextContent('No messages yet.');
  });
});

describe('Transcript: conversation search', () => {
  it('finds matches ignoring case and accents, and steps through them', async () => {
    render(Transcript, { label: 'Carla', messages: multilingual });
    const user = userEvent.setup();
    const search = screen.getByTestId('conversation-search');
    expect(screen.queryByTestId('conversation-search-count')).toBeNull();

    await user.type(search, 'cafe');
    const marks = screen.getByTestId('transcript').querySelectorAll('mark');
    expect([...marks].map((mark) => mark.textContent)).toEqual(['Café', 'cafe', 'CAFE']);
    expect(count()).toBe('1 of 3');
    expect(currentMark()).toBe(marks[0]);
    expect(currentMark()).toHaveAttribute('aria-current', 'true');
    expect(lastScrolled()).toBe(marks[0]);

    // Enter goes on, wrapping around; Shift+Enter goes back.
    await user.keyboard('{Enter}');
    expect(count()).toBe('2 of 3');
    expect(currentMark()).toBe(marks[1]);
    expect(lastScrolled()).toBe(marks[1]);
    await user.keyboard('{Enter}{Enter}');
    expect(count()).toBe('1 of 3');
    await user.keyboard('{Shift>}{Enter}{/Shift}');
    expect(count()).toBe('3 of 3');
    expect(currentMark()).toHaveTextContent('CAFE');
    expect(lastScrolled()).toBe(marks[2]);

    // The buttons do the same.
    await user.click(screen.getByTestId('conversation-search-next'));
    expect(count()).toBe('1 of 3');
    await user.click(screen.getByTestId('conversation-search-previous'));
    expect(count()).toBe('3 of 3');
    expect(lastScrolled()).toBe(marks[2]);
  });

  it('keeps the room of the match count, so nothing in the search bar moves when it shows', async () => {
    render(Transcript, { label: 'Carla', messages: multilingual });
    const user = userEvent.setup();
    const bar = screen.getByRole('search', { name: 'Search the conversation' });
    const before = [...bar.children];
    const status = screen.getByTestId('conversation-search-status');
    expect(before, 'the count\'s place is there before any search').toContain(status);
    expect(status).toHaveTextContent(/^$/);

    await user.type(screen.getByTestId('conversation-search'), 'cafe');
    expect(within(status).getByTestId('conversation-search-count')).toHaveTextContent('1 of 3');
    expect([...bar.children], 'the same boxes, in the same order').toEqual(before);
    await user.clear(screen.getByTestId('conversation-search'));
    expect([...bar.children]).toEqual(before);
  });

  it('matches Cyrillic without regard to case', async () => {
    render(Transcript, { label: 'Carla', messages: multilingual });
    const user = userEvent.setup();
    await user.type(screen.getByTestId('conversation-search'), 'привет');
    expect(count()).toBe('1 of 2');
    const marks = screen.getByTestId('transcript').querySelectorAll('mark');
    expect([...marks].map((mark) => mark.textContent)).toEqual(['Привет', 'привет']);
    expect(marks[0]?.closest('[data-testid="message"]')).toHaveAttribute('data-message-id', '3');
  });

  it('keeps the message text literal and whole around the marks', async () => {
    render(Transcript, { label: 'Carla', messages: multilingual });
    const user = userEvent.setup();
    await user.type(screen.getByTestId('conversation-search'), 'BOLD');
    const [first] = screen.getAllByTestId('message');
    const bubble = first!.querySelector('mark')!.parentElement!;
    expect(bubble.textContent).toBe('Is the Café open? <b>bold</b>');
    expect(within(bubble).getByText('bold').tagName).toBe('MARK');
    expect(screen.getByTestId('transcript').querySelector('b')).toBeNull();
  });

  it('says 0 of 0 when nothing matches and Escape clears the search', async () => {
    render(Transcript, { label: 'Carla', messages: multilingual });
    const user = userEvent.setup();
    const search = screen.getByTestId('conversation-search');
    await user.type(search, 'refund');
    expect(count()).toBe('0 of 0');
    expect(screen.getByTestId('conversation-search-next')).toBeDisabled();
    expect(screen.getByTestId('conversation-search-previous')).toBeDisabled();
    await user.keyboard('{Enter}');
    expect(count()).toBe('0 of 0');

    await user.clear(search);
    await user.type(search, 'cafe');
    expect(screen.getByTestId('transcript').querySelectorAll('mark')).toHaveLength(3);
    await user.keyboard('{Escape}');
    expect(search).toHaveValue('');
    expect(screen.getByTestId('transcript').querySelector('mark')).toBeNull();
    expect(screen.queryByTestId('conversation-search-count')).toBeNull();
  });

  it('counts messages that arrive while searching', async () => {
    const { rerender } = render(Transcript, { label: 'Carla', messages: multilingual });
    const user = userEvent.setup();
    await user.type(screen.getByTestId('conversation-search'), 'cafe');
    await user.keyboard('{Enter}');
    expect(count()).toBe('2 of 3');
    await rerender({
      label: 'Carla',
      messages: [...multilingual, message({ id: 4, createdAt: 4_000, body: 'Which café?' })],
    });
    expect(count()).toBe('2 of 4');
  });
});

describe('Transcript: interaction boundaries', () => {
  it('divides the transcript where the interaction changes', () => {
    render(Transcript, {
      label: 'Carla',
      messages: [
        message({ id: 1, createdAt: 1_000, interactionId: 5, body: 'first, in 5' }),
        message({ id: 2, createdAt: 2_000, interactionId: 5, body: 'second, in 5' }),
        message({ id: 3, createdAt: 1_700_000_000_000, interactionId: 6, body: 'in 6' }),
        message({ id: 4, createdAt: 1_700_000_100_000, interactionId: null, body: 'outside' }),
        message({ id: 5, createdAt: 1_700_000_200_000, interactionId: 7, body: 'in 7' }),
      ],
    });
    const boundaries = screen.getAllByTestId('interaction-boundary');
    expect(boundaries.map((boundary) => boundary.dataset.interactionId)).toEqual(['6', '', '7']);
    expect(boundaries[0]).toHaveTextContent(
      `Interaction started ${formatDateTime(1_700_000_000_000)}`,
    );
    expect(boundaries[1]).toHaveTextContent('Outside an interaction');
    expect(boundaries[2]).toHaveTextContent(
      `Interaction started ${formatDateTime(1_700_000_200_000)}`,
    );

    // Each boundary sits right before the first message of the next interaction.
    const items = [...screen.getByTestId('transcript').querySelectorAll('ol > li')];
    const order = items.map((item) =>
      item.matches('[data-testid="interaction-boundary"]')
        ? '|'
        : (item.textContent?.match(/first|second|in 6|outside|in 7/)?.[0] ?? '?'),
    );
    expect(order).toEqual(['first', 'second', '|', 'in 6', '|', 'outside', '|', 'in 7']);
  });

  it('draws no boundary within one interaction', () => {
    render(Transcript, {
      label: 'Carla',
      messages: [
        message({ id: 1, createdAt: 1, interactionId: 5 }),
        message({ id: 2, createdAt: 2, interactionId: 5 }),
      ],
    });
    expect(screen.queryAllByTestId('interaction-boundary')).toHaveLength(0);
  });
});

describe('Transcript: revealing a message', () => {
  it('scrolls to the message and highlights it for a moment', async () => {
    vi.useFakeTimers();
    try {
      const messages = [
        message({ id: 1, createdAt: 1, body: 'old' }),
        message({ id: 2, createdAt: 2, body: 'the one' }),
        message({ id: 3, createdAt: 3, body: 'new' }),
      ];
      const { rerender } = render(Transcript, { label: 'Carla', messages: null });
      await rerender({ label: 'Carla', messages, reveal: { messageId: 2 } });
      await vi.advanceTimersByTimeAsync(0);
      const target = screen.getAllByTestId('message')[1]!;
      expect(target).toHaveAttribute('data-message-id', '2');
      expect(target).toHaveClass('revealed');
      expect(lastScrolled()).toBe(target);
      expect(screen.getAllByTestId('message').filter((item) => item.matches('.revealed'))).toEqual([
        target,
      ]);

      await vi.advanceTimersByTimeAsync(2_100);
      expect(target).not.toHaveClass('revealed');
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('Transcript: a long history, a page at a time', () => {
  const page = (from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, index) =>
      message({ id: from + index, createdAt: (from + index) * 1_000, body: `text ${from + index}` }),
    );

  it('shows earlier messages when asked, and says so while they load', async () => {
    let messages = page(101, 200);
    let release: () => void = () => {};
    const onEarlier = vi.fn(
      () =>
        new Promise<boolean>((resolve) => {
          release = () => {
            messages = [...page(1, 100), ...messages];
            resolve(true);
          };
        }),
    );
    const { rerender } = render(Transcript, {
      label: 'Carla',
      messages,
      hasEarlier: true,
      onEarlier,
    });
    expect(screen.getAllByTestId('message')).toHaveLength(100);
    const earlier = screen.getByTestId('transcript-earlier');
    expect(earlier).toHaveTextContent('Show earlier messages');
    await userEvent.click(earlier);
    expect(onEarlier).toHaveBeenCalledTimes(1);
    expect(earlier).toHaveTextContent('Loading earlier messages…');
    expect(earlier).toBeDisabled();
    release();
    await rerender({ label: 'Carla', messages, hasEarlier: false, onEarlier });
    expect(screen.getAllByTestId('message')).toHaveLength(200);
    expect(screen.queryByTestId('transcript-earlier')).toBeNull();
  });

  it('loads earlier pages until a message asked for is there, then reveals it', async () => {
    let messages = page(201, 300);
    let props = { label: 'Carla', messages, hasEarlier: true, reveal: { messageId: 42 } };
    // The host answers a moment later, as it does.
    let rerender: ((props: Record<string, unknown>) => Promise<void>) | undefined;
    const onEarlier = vi.fn(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      const first = messages[0]!.id;
      messages = [...page(first - 100, first - 1), ...messages];
      props = { ...props, messages, hasEarlier: messages[0]!.id > 1 };
      await rerender!({ ...props, onEarlier });
      return true;
    });
    rerender = render(Transcript, { ...props, onEarlier }).rerender;
    await vi.waitFor(() => expect(screen.getAllByTestId('message')).toHaveLength(300));
    expect(onEarlier).toHaveBeenCalledTimes(2);
    const target = screen
      .getAllByTestId('message')
      .find((item) => item.getAttribute('data-message-id') === '42');
    await vi.waitFor(() => expect(target).toHaveClass('revealed'));
  });

  it('reading back, offers the newest messages and seeks a newer hit from there', async () => {
    // The window is back at 1…100; the hit is 450, among the newest.
    let props: { label: string; messages: Message[] } & Record<string, unknown> = {
      label: 'Carla',
      messages: page(1, 100),
      hasEarlier: false,
      hasLater: true,
    };
    let rerender: ((props: Record<string, unknown>) => Promise<void>) | undefined;
    const onNewest = vi.fn(async () => {
      props = { ...props, messages: page(401, 500), hasEarlier: true, hasLater: false };
      await rerender!({ ...props, onNewest });
    });
    rerender = render(Transcript, { ...props, onNewest }).rerender;
    const newest = screen.getByTestId('transcript-newest');
    expect(newest).toHaveTextContent('Show newest messages');
    await userEvent.click(newest);
    expect(onNewest).toHaveBeenCalledTimes(1);
    await vi.waitFor(() => expect(screen.queryByTestId('transcript-newest')).toBeNull());
    expect(screen.getAllByTestId('message')[0]).toHaveAttribute('data-message-id', '401');

    // Back at 1…100 again, a search hit at 450 is found by going to the newest first.
    props = {
      ...props,
      messages: page(1, 100),
      hasEarlier: false,
      hasLater: true,
      reveal: { messageId: 450 },
    };
    await rerender({ ...props, onNewest });
    await vi.waitFor(() => expect(onNewest).toHaveBeenCalledTimes(2));
    const target = () =>
      screen
        .getAllByTestId('message')
        .find((item) => item.getAttribute('data-message-id') === '450');
    await vi.waitFor(() => expect(target()).toHaveClass('revealed'));
  });

  it('goes to a search hit far back in one step when the message is known', async () => {
    const hit = page(4321, 4321)[0]!;
    let props: { label: string; messages: Message[] } & Record<string, unknown> = {
      label: 'Carla',
      messages: page(9901, 10000),
      hasEarlier: true,
      reveal: { messageId: hit.id, message: hit },
    };
    let rerender: ((props: Record<string, unknown>) => Promise<void>) | undefined;
    const onEarlier = vi.fn(async () => false);
    const onJump = vi.fn(async (message: Message) => {
      // The host answers a moment later, as it does.
      await new Promise((resolve) => setTimeout(resolve, 5));
      props = { ...props, messages: page(message.id - 50, message.id + 50), hasLater: true };
      await rerender!({ ...props, onJump, onEarlier });
      return true;
    });
    rerender = render(Transcript, { ...props, onJump, onEarlier }).rerender;
    const target = () =>
      screen
        .getAllByTestId('message')
        .find((item) => item.getAttribute('data-message-id') === '4321');
    await vi.waitFor(() => expect(target()).toHaveClass('revealed'));
    expect(onJump).toHaveBeenCalledExactlyOnceWith(hit);
  });
});
