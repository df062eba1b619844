import { render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import { contact, message } from '../testing/fixtures';
import SearchResults from './SearchResults.svelte';

describe('SearchResults', () => {
  it('labels each outbound text with its author: "You" or the agent who wrote it', () => {
    const carla = contact({ id: 10, name: 'Carla' });
    render(SearchResults, {
      hits: [
        {
          contact: carla,
          message: message({ id: 1, direction: 'outbound', agentId: 1, body: 'Refund sent' }),
        },
        {
          contact: carla,
          message: message({
            id: 2,
            direction: 'outbound',
            agentId: 2,
            agentName: 'Ben Ortiz',
            body: 'Refund approved',
          }),
        },
        { contact: carla, message: message({ id: 3, direction: 'inbound', body: 'Refund?' }) },
      ],
      query: 'refund',
      agentId: 1,
      selectedId: null,
      onOpen: vi.fn(),
    });
    const authors = screen.getAllByTestId('search-result-author').map((who) => who.textContent);
    expect(authors).toEqual(['You: ', 'Ben Ortiz: ']);
    const texts = screen.getAllByTestId('search-result-text');
    expect(texts[2]).not.toHaveTextContent(':');
  });
});
