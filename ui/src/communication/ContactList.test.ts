import { fireEvent, render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiFailure, type SearchHit } from '../api';
import { contact, message, summary } from '../testing/fixtures';
import { ruleOf } from '../testing/styles';
import ContactList, { searchDelayMs } from './ContactList.svelte';
import source from './ContactList.svelte?raw';

const contacts = [
  summary({ id: 1, name: 'Old Olga', phone: '+15550000001', lastActivityAt: 1_000 }, {}),
  summary(
    { id: 2, name: null, phone: '+15557770002', lastActivityAt: 3_000 },
    { unreadCount: 4, lastMessage: 'Where is my order?' },
  ),
  summary({ id: 3, name: 'Middle Max', phone: '+15550000003', lastActivityAt: 2_000 }),
  summary({ id: 4, name: 'Someone Else', assignedAgentId: 2, lastActivityAt: 9_000 }),
  summary({ id: 5, name: 'Unassigned', assignedAgentId: null, lastActivityAt: 9_000 }),
];

function ids() {
  return screen.getAllByTestId('contact-item').map((element) => element.dataset.contactId);
}

describe('ContactList: thousands of contacts', () => {
  afterEach(() => vi.restoreAllMocks());

  it('draws only the rows in view, and the scroll position says which', async () => {
    // Rows 60 px high in a list 600 px high.
    vi.spyOn(HTMLElement.prototype, 'offsetHeight', 'get').mockImplementation(function (
      this: HTMLElement,
    ) {
      return this.classList.contains('row') ? 60 : 0;
    });
    vi.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockReturnValue(600);
    const many = Array.from({ length: 2000 }, (_, index) =>
      summary({ id: index + 1, name: `Contact ${index + 1}`, lastActivityAt: 10_000_000 - index }),
    );
    render(ContactList, { contacts: many, agentId: 1, selectedId: null, onSelect: vi.fn() });
    await vi.waitFor(() => expect(screen.getAllByTestId('contact-item').length).toBeLessThan(40));
    expect(ids()[0]).toBe('1');

    const rows = screen.getByTestId('contact-rows');
    rows.scrollTop = 60 * 1000;
    await fireEvent.scroll(rows);
    const drawn = ids().map(Number);
    expect(drawn.length).toBeLessThan(40);
    expect(drawn).toContain(1001);
    expect(drawn).toContain(1010);
    expect(drawn).not.toContain(1);
    const first = screen.getAllByTestId('contact-item')[0]!.closest('li')!;
    expect(first.getAttribute('aria-setsize')).toBe('2000');
    expect(Number(first.getAttribute('aria-posinset'))).toBe(drawn[0]);
    // The rows not drawn keep their room, so the scroll bar stays true.
    const spacers = rows.querySelectorAll<HTMLElement>('li.spacer');
    const room = [...spacers].reduce((total, spacer) => total + parseFloat(spacer.style.height), 0);
    expect(room + drawn.length * 60).toBe(2000 * 60);
  });
});

describe('ContactList', () => {
  it('says what it shows when told (offline, what this computer holds)', () => {
    const { rerender } = render(ContactList, {
      contacts,
      agentId: 1,
      selectedId: null,
      onSelect: vi.fn(),
    });
    expect(screen.queryByTestId('contact-list-note')).toBeNull();
    const note = 'Offline: showing and searching what this computer holds.';
    void rerender({ contacts, agentId: 1, selectedId: null, onSelect: vi.fn(), note });
    return vi.waitFor(() => expect(screen.getByTestId('contact-list-note')).toHaveTextContent(note));
  });

  it('lists only my contacts, most recent activity first', () => {
    render(ContactList, { contacts, agentId: 1, selectedId: null, onSelect: vi.fn() });
    expect(ids()).toEqual(['2', '3', '1']);
  });

  it('shows name or number, the preview, and an unread badge only when there is unread', () => {
    render(ContactList, { contacts, agentId: 1, selectedId: null, onSelect: vi.fn() });
    const [unread, , read] = screen.getAllByTestId('contact-item');
    expect(unread).toHaveTextContent('+15557770002');
    expect(unread).toHaveTextContent('Where is my order?');
    expect(within(unread!).getByTestId('unread-badge').textContent).toBe('4');
    expect(read).toHaveTextContent('Old Olga');
    expect(read).toHaveTextContent('+15550000001');
    expect(within(read!).queryByTestId('unread-badge')).toBeNull();
  });

  it('filters by name and by number', async () => {
    render(ContactList, { contacts, agentId: 1, selectedId: null, onSelect: vi.fn() });
    const user = userEvent.setup();
    const search = screen.getByTestId('contact-search');

    await user.type(search, 'max');
    expect(ids()).toEqual(['3']);

    await user.clear(search);
    await user.type(search, '777');
    expect(ids()).toEqual(['2']);

    await user.clear(search);
    await user.type(search, '(555) 000-0001');
    expect(ids()).toEqual(['1']);

    await user.clear(search);
    await user.type(search, 'else');
    expect(screen.queryAllByTestId('contact-item')).toHaveLength(0);
    expect(screen.getByText('No contact matches.')).toBeInTheDocument();
  });

  it('reports the selected contact', async () => {
    const onSelect = vi.fn();
    render(ContactList, { contacts, agentId: 1, selectedId: 3, onSelect });
    const selected = screen.getAllByTestId('contact-item')[1]!;
    expect(selected).toHaveAttribute('aria-current', 'true');
    await userEvent.setup().click(screen.getAllByTestId('contact-item')[0]!);
    expect(onSelect).toHaveBeenCalledWith(2);
  });
});

describe('ContactList: names beside unread badges', () => {
  it('keeps room for the name, and the badge at its own size', () => {
    expect(ruleOf(source, '.name')['min-width'], 'never squeezed to nothing').toMatch(
      /^[1-9]\d*(\.\d+)?(em|ch|px)$/,
    );
    expect(ruleOf(source, '.badge')['flex']).toBe('none');
  });
});

describe('ContactList: search', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const rita = contact({ id: 12, name: 'Rita', assignedAgentId: null });
  const hits: SearchHit[] = [
    { contact: rita, message: null },
    { contact: rita, message: message({ id: 77, contactId: 12, body: 'Refund me' }) },
  ];

  function type(value: string) {
    return fireEvent.input(screen.getByTestId('contact-search'), { target: { value } });
  }

  it('offers older message hits a page at a time while a page comes full', async () => {
    const page = (from: number, count: number): SearchHit[] =>
      Array.from({ length: count }, (_, index) => ({
        contact: rita,
        message: message({ id: from - index, contactId: 12, body: `refund ${from - index}` }),
      }));
    const search = vi.fn(async (_query: string, before?: number) =>
      before === undefined ? [{ contact: rita, message: null }, ...page(200, 50)] : page(before - 1, before > 120 ? 50 : 20),
    );
    render(ContactList, { contacts, agentId: 1, selectedId: null, onSelect: vi.fn(), search });
    await type('refund');
    await vi.waitFor(() => expect(screen.getAllByTestId('search-result-message')).toHaveLength(50));
    await userEvent.click(screen.getByTestId('search-more'));
    await vi.waitFor(() => expect(screen.getAllByTestId('search-result-message')).toHaveLength(100));
    expect(search).toHaveBeenLastCalledWith('refund', 151);
    await userEvent.click(screen.getByTestId('search-more'));
    await vi.waitFor(() => expect(screen.getAllByTestId('search-result-message')).toHaveLength(120));
    expect(search).toHaveBeenLastCalledWith('refund', 101);
    expect(screen.queryByTestId('search-more'), 'a page that was not full is the last').toBeNull();
    const ids = screen
      .getAllByTestId('search-result-message')
      .map((item) => Number(item.getAttribute('data-message-id')));
    expect(ids).toEqual(Array.from({ length: 120 }, (_, index) => 200 - index));
  });

  it('waits for the agent to stop typing, then asks the host once', async () => {
    vi.useFakeTimers();
    const search = vi.fn(async (_query: string) => hits);
    render(ContactList, { contacts, agentId: 1, selectedId: null, onSelect: vi.fn(), search });

    await type('re');
    await vi.advanceTimersByTimeAsync(searchDelayMs - 50);
    await type('  refund ');
    await vi.advanceTimersByTimeAsync(searchDelayMs - 1);
    expect(search).not.toHaveBeenCalled();
    // Until the answer comes, the assigned list has given way.
    expect(screen.queryAllByTestId('contact-item')).toHaveLength(0);
    expect(screen.getByText('Searching…')).toBeInTheDocument();

    await vi.advanceTimersByTimeAsync(1);
    expect(search).toHaveBeenCalledExactlyOnceWith('refund');
    expect(screen.getByTestId('search-result-contact')).toHaveAttribute('data-contact-id', '12');
    expect(screen.getByTestId('search-result-contact')).toHaveTextContent('Unassigned');
    expect(screen.getByTestId('search-result-message')).toHaveAttribute('data-contact-id', '12');

    // Clearing the box returns to the Assigned Contacts without asking again.
    await type('');
    await vi.advanceTimersByTimeAsync(searchDelayMs * 2);
    expect(search).toHaveBeenCalledTimes(1);
    expect(ids()).toEqual(['2', '3', '1']);
    expect(screen.queryByTestId('search-results')).toBeNull();
  });

  it('shows only the answer to the newest text', async () => {
    vi.useFakeTimers();
    const answers = new Map<string, (hits: SearchHit[]) => void>();
    const search = vi.fn(
      (query: string) => new Promise<SearchHit[]>((resolve) => answers.set(query, resolve)),
    );
    render(ContactList, { contacts, agentId: 1, selectedId: null, onSelect: vi.fn(), search });

    await type('old');
    await vi.advanceTimersByTimeAsync(searchDelayMs);
    await type('new');
    await vi.advanceTimersByTimeAsync(searchDelayMs);
    expect(search.mock.calls.map(([query]) => query)).toEqual(['old', 'new']);

    answers.get('new')?.([]);
    await vi.advanceTimersByTimeAsync(0);
    answers.get('old')?.(hits);
    await vi.advanceTimersByTimeAsync(0);
    expect(screen.getByTestId('search-empty')).toHaveTextContent('No matches');
    expect(screen.queryByTestId('search-result-contact')).toBeNull();
  });

  it('asks for at most 200 characters, whatever is typed', async () => {
    vi.useFakeTimers();
    const search = vi.fn(async (_query: string) => [] as SearchHit[]);
    render(ContactList, { contacts, agentId: 1, selectedId: null, onSelect: vi.fn(), search });
    await type('注'.repeat(150) + '😀'.repeat(100));
    await vi.advanceTimersByTimeAsync(searchDelayMs);
    const [query] = search.mock.calls[0] ?? [''];
    expect(Array.from(query)).toHaveLength(200);
    expect(query.endsWith('😀')).toBe(true);
  });

  it('says why a search failed and still offers the assigned contacts that match', async () => {
    vi.useFakeTimers();
    const search = vi.fn(async (_query: string): Promise<SearchHit[]> => {
      throw new ApiFailure('unavailable', 'Cannot reach the hub.');
    });
    render(ContactList, { contacts, agentId: 1, selectedId: null, onSelect: vi.fn(), search });
    await type('max');
    await vi.advanceTimersByTimeAsync(searchDelayMs);
    expect(screen.getByTestId('search-error')).toHaveTextContent('Cannot reach the hub.');
    expect(ids()).toEqual(['3']);
  });

  it('names who wrote the newest text in the preview: "You", or the colleague', () => {
    render(ContactList, {
      contacts: [
        summary({ id: 10, name: 'Carla', assignedAgentId: 1 }, {
          lastMessage: 'Your refund is on its way',
          lastMessageAuthor: { agentId: 1, name: 'Ana Agent' },
        }),
        summary({ id: 11, name: 'Dan', assignedAgentId: 1 }, {
          lastMessage: 'Ben here, checking',
          lastMessageAuthor: { agentId: 2, name: 'Ben Ortiz' },
        }),
        summary({ id: 12, name: 'Eve', assignedAgentId: 1 }, { lastMessage: 'Hello?' }),
      ],
      agentId: 1,
      selectedId: null,
      onSelect: () => {},
    });
    expect(screen.getAllByTestId('contact-preview').map((preview) => preview.textContent)).toEqual([
      'You: Your refund is on its way',
      'Ben Ortiz: Ben here, checking',
      'Hello?',
    ]);
  });
});
