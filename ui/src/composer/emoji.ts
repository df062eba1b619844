// The emoji picker's data: the Unicode emoji list (names in English, by group), bundled with
// the app and loaded on first use as a chunk of its own, so the main bundle stays small and
// the picker works offline. Emoji are shown as text, in the system's emoji font.

import { fold } from '../conversation/highlight';

export interface Emoji {
  /** The characters to insert. */
  emoji: string;
  /** The Unicode short name ("grinning face"): the button's accessible name. */
  name: string;
  /** The name as search compares it (lower case, no accents). */
  folded: string;
}

export interface EmojiGroup {
  /** The Unicode group ("Smileys & Emotion"). */
  name: string;
  emojis: Emoji[];
}

let loading: Promise<EmojiGroup[]> | null = null;

/** The emoji by group, loaded once; a failed load is tried again on the next call. */
export function loadEmoji(): Promise<EmojiGroup[]> {
  loading ??= import('./emoji-data.json').then(
    ({ default: data }) =>
      data.groups.map((group) => ({
        name: group.name,
        emojis: group.emojis.map(([emoji = '', name = '']) => ({
          emoji,
          name,
          folded: fold(name).text,
        })),
      })),
    (error: unknown) => {
      loading = null;
      throw error;
    },
  );
  return loading;
}

/** Where a name stands for a search: 0 is the name itself, then whole words, word starts. */
function rank(name: string, words: readonly string[]): number | null {
  if (!words.every((word) => name.includes(word))) return null;
  if (name === words.join(' ')) return 0;
  const parts = name.split(/[\s:,.’'()-]+/u);
  if (words.every((word) => parts.includes(word))) return 1;
  if (words.every((word) => parts.some((part) => part.startsWith(word)))) return 2;
  return 3;
}

/**
 * The emoji whose name has every word of `query`, ignoring case and accents: the one so
 * named first, then those with the words as whole words, then as word starts ("cat" finds
 * "cat", "cat face" before "identification card"); otherwise in the Unicode order.
 */
export function searchEmoji(groups: readonly EmojiGroup[], query: string): Emoji[] {
  const words = fold(query).text.split(/\s+/u).filter((word) => word !== '');
  if (words.length === 0) return [];
  const ranked: Emoji[][] = [[], [], [], []];
  for (const group of groups) {
    for (const candidate of group.emojis) {
      const place = rank(candidate.folded, words);
      if (place !== null) ranked[place]?.push(candidate);
    }
  }
  return ranked.flat();
}
