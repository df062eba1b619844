// Finding what the agent searched for in a text, and splitting the text so the matches can
// be wrapped in <mark> elements by Svelte markup (never by building HTML).
//
// Matching ignores case and accents in any script: both sides are compared in a folded
// form (NFD, combining marks removed, lower case), while the ranges found always point
// into the original text, so what is shown is exactly what was sent.

/** A match in the original text: UTF-16 offsets, `end` exclusive. */
export interface Range {
  start: number;
  end: number;
}

/** A text in folded form, with the way back to the original offsets. */
export interface Folded {
  text: string;
  /** The original range a run of folded units `[start, end)` came from. */
  original(start: number, end: number): Range;
}

const marks = /\p{M}/gu;
const isMark = /^\p{M}+$/u;
const ascii = /^[\u0000-\u007f]*$/;

function foldCharacter(character: string): string {
  return (
    character
      .normalize('NFD')
      .replace(marks, '')
      .toLowerCase()
      // Lower-casing can bring marks back (İ → i̇); composing again keeps syllables such as
      // Hangul whole.
      .normalize('NFD')
      .replace(marks, '')
      .normalize('NFC')
  );
}

/** The folded form of a text: what matching compares. */
export function fold(text: string): Folded {
  if (ascii.test(text)) {
    return { text: text.toLowerCase(), original: (start, end) => ({ start, end }) };
  }
  let folded = '';
  // For every folded UTF-16 unit, the original code point it came from.
  const starts: number[] = [];
  const ends: number[] = [];
  let offset = 0;
  for (const character of text) {
    const end = offset + character.length;
    const piece = foldCharacter(character);
    if (piece === '' && isMark.test(character) && ends.length > 0) {
      // A combining mark belongs to the letter before it: a match ending on that letter
      // takes the mark along instead of cutting the character in two.
      ends[ends.length - 1] = end;
    }
    for (let unit = 0; unit < piece.length; unit += 1) {
      starts.push(offset);
      ends.push(end);
    }
    folded += piece;
    offset = end;
  }
  return {
    text: folded,
    original: (start, end) => ({
      start: starts[start] ?? offset,
      end: end > start ? (ends[end - 1] ?? offset) : (starts[start] ?? offset),
    }),
  };
}

/** Every occurrence of `query` in `text`, ignoring case and accents; none for blank queries. */
export function findMatches(text: string, query: string): Range[] {
  return findFolded(fold(text), fold(query.trim()).text);
}

/** Like `findMatches`, for a text already folded and a query already folded. */
export function findFolded(text: Folded, needle: string): Range[] {
  if (needle === '') return [];
  const found: Range[] = [];
  let from = 0;
  for (;;) {
    const at = text.text.indexOf(needle, from);
    if (at < 0) break;
    found.push(text.original(at, at + needle.length));
    from = at + needle.length;
  }
  return found;
}

const word = /[\p{L}\p{N}]+/gu;

/**
 * The parts of `text` that a search for `query` matched, with the hosts' rules: every word
 * of the query finds the words of the text that start with it. The start of each such word,
 * as long as the query word, is marked.
 */
export function findWordPrefixes(text: string, query: string): Range[] {
  const terms = [...new Set(fold(query).text.match(word) ?? [])].sort(
    (a, b) => b.length - a.length,
  );
  if (terms.length === 0) return [];
  const folded = fold(text);
  const found: Range[] = [];
  for (const token of folded.text.matchAll(word)) {
    const term = terms.find((candidate) => token[0].startsWith(candidate));
    if (term !== undefined) found.push(folded.original(token.index, token.index + term.length));
  }
  return found;
}

/** A piece of text, marked when `match` says which match (0-based) it is. */
export interface Segment {
  text: string;
  match: number | null;
}

/** Splits `text` at sorted, non-overlapping ranges; range `i` becomes match `first + i`. */
export function segment(text: string, ranges: readonly Range[], first = 0): Segment[] {
  const pieces: Segment[] = [];
  let offset = 0;
  ranges.forEach((range, index) => {
    if (range.start < offset || range.end <= range.start) return;
    if (range.start > offset) pieces.push({ text: text.slice(offset, range.start), match: null });
    pieces.push({ text: text.slice(range.start, range.end), match: first + index });
    offset = range.end;
  });
  if (offset < text.length || pieces.length === 0) {
    pieces.push({ text: text.slice(offset), match: null });
  }
  return pieces;
}

/**
 * Shortens a long unmarked opening so the first match shows in a one- or two-line preview:
 * `…` and the last words before it.
 */
export function excerpt(pieces: readonly Segment[], keep = 40): Segment[] {
  const [head, ...rest] = pieces;
  if (head === undefined || head.match !== null || rest.length === 0) return [...pieces];
  const characters = Array.from(head.text);
  if (characters.length <= keep + 10) return [...pieces];
  let tail = characters.slice(-keep).join('');
  const space = tail.search(/\s/u);
  if (space >= 0 && space < tail.length - 1) tail = tail.slice(space + 1);
  return [{ text: `…${tail}`, match: null }, ...rest];
}
