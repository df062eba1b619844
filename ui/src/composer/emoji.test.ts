import { describe, expect, it } from 'vitest';
import { emojiDataFromPackage, formatEmojiData } from './build-emoji-data.mjs';
import { loadEmoji, searchEmoji } from './emoji';
import shipped from './emoji-data.json?raw';

describe('emoji data', () => {
  it('is what the generator makes from the installed package (run `npm run emoji-data`)', () => {
    expect(shipped).toBe(formatEmojiData(emojiDataFromPackage()));
  });

  it('loads every group with names, once', async () => {
    const groups = await loadEmoji();
    expect(groups.map((group) => group.name)).toEqual([
      'Smileys & Emotion',
      'People & Body',
      'Animals & Nature',
      'Food & Drink',
      'Travel & Places',
      'Activities',
      'Objects',
      'Symbols',
      'Flags',
    ]);
    expect(groups[0]?.emojis[0]).toMatchObject({ emoji: '😀', name: 'grinning face' });
    const all = groups.flatMap((group) => group.emojis);
    expect(all.length).toBeGreaterThan(1800);
    expect(all.every((entry) => entry.emoji !== '' && entry.name !== '')).toBe(true);
    // The picker keys its buttons by the characters.
    expect(new Set(all.map((entry) => entry.emoji)).size).toBe(all.length);
    expect(await loadEmoji()).toBe(groups);
  });
});

describe('searchEmoji', () => {
  it('finds names with every word, best matches first, ignoring case and accents', async () => {
    const groups = await loadEmoji();
    const names = (query: string) => searchEmoji(groups, query).map((found) => found.name);
    expect(names('THUMBS up')).toEqual(['thumbs up']);
    expect(names('pinata')).toEqual(['piñata']);
    // "Åland" starts a word; "aland" inside "New Zealand" does not.
    expect(names('aland')).toEqual(['flag Åland Islands', 'flag New Zealand']);
    // The name itself, then whole words, then word starts, then the rest.
    const cat = names('cat');
    expect(cat[0]).toBe('cat');
    const place = (name: string) =>
      name === 'cat' ? 0 : /\bcat\b/.test(name) ? 1 : /\bcat/.test(name) ? 2 : 3;
    const places = cat.map(place);
    expect(places).toEqual([...places].sort());
    expect(new Set(places)).toEqual(new Set([0, 1, 3]));
    expect(cat).toContain('grinning cat');
    expect(cat.at(-1)).toBe('Japanese “application” button');
    expect(names('   ')).toEqual([]);
    expect(names('no such emoji')).toEqual([]);
  });
});
