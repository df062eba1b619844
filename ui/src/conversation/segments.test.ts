import { describe, expect, it } from 'vitest';
import vectors from '../../../crates/sms/tests/segment-vectors.json';
import { countSegmentsOf } from './segments';

type Part = string | { repeat: string; times: number };

function build(parts: Part[]): string {
  return parts.map((part) => (typeof part === 'string' ? part : part.repeat.repeat(part.times))).join('');
}

describe('countSegmentsOf', () => {
  it('has the shared vectors', () => {
    expect(vectors.vectors.length).toBeGreaterThanOrEqual(15);
  });

  for (const vector of vectors.vectors) {
    it(vector.name, () => {
      const counted = countSegmentsOf(build(vector.parts as Part[]));
      expect(counted.encoding).toBe(vector.encoding);
      expect(counted.characters).toBe(vector.characters);
      expect(counted.units).toBe(vector.units);
      expect(counted.segments).toBe(vector.segments);
      expect(counted.ucs2BecauseOf !== null).toBe(vector.encoding === 'ucs2');
    });
  }

  it('names the character that forced UCS-2', () => {
    expect(countSegmentsOf('Great 👍 thanks').ucs2BecauseOf).toBe('👍');
  });
});
