import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { summary } from '../testing/fixtures';
import ContactList from './ContactList.svelte';

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

describe('ContactList', () => {
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
