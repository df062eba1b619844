import { describe, expect, it } from 'vitest';
import { excerpt, findMatches, findWordPrefixes, fold, segment, type Range } from './highlight';

/** The original text of each range. */
function texts(text: string, ranges: Range[]): string[] {
  return ranges.map((range) => text.slice(range.start, range.end));
}

describe('fold', () => {
  it('ignores case and accents in any script', () => {
    expect(fold('Café CRÈME').text).toBe('cafe creme');
    expect(fold('Привет, ПРИШЁЛ').text).toBe('привет, пришел');
    expect(fold('İstanbul').text).toBe('istanbul');
    expect(fold('한국어').text).toBe('한국어');
  });
});

describe('findMatches', () => {
  it('finds every occurrence, pointing into the original text', () => {
    const text = 'Café? CAFE! cafétéria';
    expect(texts(text, findMatches(text, 'cafe'))).toEqual(['Café', 'CAFE', 'café']);
    expect(texts(text, findMatches(text, '  CAFÉ  '))).toEqual(['Café', 'CAFE', 'café']);
  });

  it('matches Cyrillic, CJK and text after emoji at the right offsets', () => {
    const text = '👋 Привет! Заказ не пришёл 注文がまだ';
    expect(texts(text, findMatches(text, 'привет'))).toEqual(['Привет']);
    expect(texts(text, findMatches(text, 'пришел'))).toEqual(['пришёл']);
    expect(texts(text, findMatches(text, '注文'))).toEqual(['注文']);
  });

  it('keeps a decomposed accent with its letter', () => {
    const text = 'Cafe\u0301 ouvert';
    expect(texts(text, findMatches(text, 'cafe'))).toEqual(['Cafe\u0301']);
  });

  it('finds nothing for a blank query or a missing word', () => {
    expect(findMatches('anything', '   ')).toEqual([]);
    expect(findMatches('anything', 'nothing')).toEqual([]);
  });
});

describe('findWordPrefixes', () => {
  it('marks the beginning of each word a query word starts', () => {
    const text = 'Ordering a café crème, "extra hot"';
    expect(texts(text, findWordPrefixes(text, 'orde'))).toEqual(['Orde']);
    expect(texts(text, findWordPrefixes(text, 'cafe "extra'))).toEqual(['café', 'extra']);
    // Inside a word is not a match: the hosts match words by their beginning.
    expect(findWordPrefixes(text, 'dering')).toEqual([]);
  });

  it('takes punctuation and operators literally', () => {
    const text = '50% off? NEAR(store) AND body:refund';
    expect(texts(text, findWordPrefixes(text, 'body:refund'))).toEqual(['body', 'refund']);
    expect(texts(text, findWordPrefixes(text, 'near(store)'))).toEqual(['NEAR', 'store']);
    expect(findWordPrefixes(text, '*')).toEqual([]);
  });

  it('works for Cyrillic and CJK', () => {
    const text = 'Привет! Заказ не пришёл';
    expect(texts(text, findWordPrefixes(text, 'заказ пришел'))).toEqual(['Заказ', 'пришёл']);
    expect(texts('注文がまだ届きません', findWordPrefixes('注文がまだ届きません', '注文'))).toEqual([
      '注文',
    ]);
  });
});

describe('segment and excerpt', () => {
  it('splits the text at the matches and numbers them', () => {
    const text = 'a cafe and a café';
    expect(segment(text, findMatches(text, 'cafe'), 3)).toEqual([
      { text: 'a ', match: null },
      { text: 'cafe', match: 3 },
      { text: ' and a ', match: null },
      { text: 'café', match: 4 },
    ]);
    expect(segment('', [])).toEqual([{ text: '', match: null }]);
  });

  it('shortens a long opening so the first match shows', () => {
    const text = `${'Lorem ipsum dolor sit amet '.repeat(4)}then the refund arrived`;
    const shortened = excerpt(segment(text, findWordPrefixes(text, 'refund')));
    expect(shortened[0]?.text.startsWith('…')).toBe(true);
    expect(shortened[0]!.text.length).toBeLessThan(45);
    expect(shortened.map((piece) => piece.text).join('')).toMatch(/amet then the refund arrived$/);
    expect(shortened.find((piece) => piece.match !== null)?.text).toBe('refund');

    const short = segment('the refund', findWordPrefixes('the refund', 'refund'));
    expect(excerpt(short)).toEqual(short);
  });
});
