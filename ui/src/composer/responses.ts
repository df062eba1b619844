// Finding Standard Responses: the search box matches their title, text and category,
// ignoring case and accents, and the list shows them by category.

import type { StandardResponse } from '../api';
import { fold } from '../conversation/highlight';

export interface ResponseGroup {
  category: string;
  responses: StandardResponse[];
}

/**
 * The responses that every word of `query` finds in their title, text or category (folded:
 * "cafe" finds "Café"), grouped by category in the order the categories first appear.
 * A blank query keeps them all.
 */
export function findResponses(
  responses: readonly StandardResponse[],
  query: string,
): ResponseGroup[] {
  const words = fold(query).text.split(/\s+/u).filter((word) => word !== '');
  const groups = new Map<string, StandardResponse[]>();
  for (const response of responses) {
    if (words.length > 0) {
      const haystack = fold(`${response.title}\n${response.text}\n${response.category}`).text;
      if (!words.every((word) => haystack.includes(word))) continue;
    }
    const category = response.category.trim() || 'Other';
    const group = groups.get(category);
    if (group) group.push(response);
    else groups.set(category, [response]);
  }
  return [...groups].map(([category, list]) => ({ category, responses: list }));
}
