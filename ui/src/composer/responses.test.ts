import { describe, expect, it } from 'vitest';
import type { StandardResponse } from '../api';
import { findResponses } from './responses';

const responses: StandardResponse[] = [
  { category: 'Greetings', title: 'Welcome', text: 'Hi {contact.name}!' },
  { category: 'Orders', title: 'Tracking', text: 'Your order is on its way.' },
  { category: 'Greetings', title: 'Goodbye', text: 'Thanks for texting us.' },
  { category: 'Café', title: 'Menu', text: 'Our crème brûlée is back.' },
  { category: ' ', title: 'Misc', text: 'Anything else?' },
];

const titles = (groups: ReturnType<typeof findResponses>) =>
  groups.map((group) => [group.category, group.responses.map((response) => response.title)]);

describe('findResponses', () => {
  it('groups every response by category, in the order the categories appear', () => {
    expect(titles(findResponses(responses, '  '))).toEqual([
      ['Greetings', ['Welcome', 'Goodbye']],
      ['Orders', ['Tracking']],
      ['Café', ['Menu']],
      ['Other', ['Misc']],
    ]);
  });

  it('matches the title, the text and the category, ignoring case', () => {
    expect(titles(findResponses(responses, 'WELCOME'))).toEqual([['Greetings', ['Welcome']]]);
    expect(titles(findResponses(responses, 'on its way'))).toEqual([['Orders', ['Tracking']]]);
    expect(titles(findResponses(responses, 'greetings'))).toEqual([
      ['Greetings', ['Welcome', 'Goodbye']],
    ]);
  });

  it('ignores accents on either side', () => {
    expect(titles(findResponses(responses, 'creme brulee'))).toEqual([['Café', ['Menu']]]);
    expect(titles(findResponses(responses, 'cafe'))).toEqual([['Café', ['Menu']]]);
    expect(titles(findResponses(responses, 'Wélcome'))).toEqual([['Greetings', ['Welcome']]]);
  });

  it('needs every word, wherever each is found', () => {
    expect(titles(findResponses(responses, 'order tracking'))).toEqual([['Orders', ['Tracking']]]);
    expect(findResponses(responses, 'order welcome')).toEqual([]);
  });
});
