import { render, screen, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import { contact, interaction } from '../testing/fixtures';
import { ruleOf } from '../testing/styles';
import Navigation from './Navigation.svelte';
import source from './Navigation.svelte?raw';

describe('Navigation: names beside unread badges', () => {
  it('shows the whole name with its badge and state, the badge apart from the name', () => {
    const name = 'Maximiliana Oyelaran-Whitfield';
    render(Navigation, {
      view: { kind: 'communication', contactId: null },
      interactions: [interaction({ id: 7, contactId: 10, state: 'active', acceptedAt: 2 })],
      contactsById: new Map([[10, contact({ id: 10, name })]]),
      unreadByContact: new Map([[10, 12]]),
      unreadTotal: 12,
      load: 1,
      capacity: 3,
      mac: false,
      onOpenCommunication: vi.fn(),
      onOpenInteraction: vi.fn(),
    });
    const item = screen.getByTestId('interaction-item');
    const label = within(item).getByText(name);
    const badge = within(item).getByTestId('interaction-new');
    expect(label).toHaveClass('label');
    expect(label, 'the badge is not inside the name').not.toContainElement(badge);
    expect(item).toHaveTextContent(`${name} 12 12 new Active`);
    // Beside the badge the state is the dot's, and its word is left to screen readers.
    expect(within(item).getByTestId('interaction-state-word')).toHaveClass('visually-hidden');
  });

  it('gives the name a room of its own that the badge cannot take, and lets the state word give way', () => {
    const label = ruleOf(source, '.label');
    expect(label['min-width'], 'a badge must not squeeze the name to nothing').toMatch(
      /^[1-9]\d*(\.\d+)?(em|ch|px)$/,
    );
    expect(label['text-overflow']).toBe('ellipsis');
    expect(ruleOf(source, '.entry .badge')['flex'], 'the badge keeps its size').toBe('none');
    expect(ruleOf(source, '.state')['min-width'], 'the state word gives way first').toBe('0');
  });
});
