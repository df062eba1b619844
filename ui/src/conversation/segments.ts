// How an SMS text is encoded and split into segments — the same rules as the hub's counter
// (crates/sms/src/segments.rs), checked against the same vectors.
//
// GSM-7: 160 septets in one segment, 153 per segment when split; extension characters take
// two septets and are never split. One character outside GSM-7 makes the whole message
// UCS-2: 70 UTF-16 units in one segment, 67 per segment when split, surrogate pairs whole.

import { limits } from '../api/generated/api';

export type Encoding = 'gsm7' | 'ucs2';

export interface SegmentCount {
  encoding: Encoding;
  /** Characters as the agent sees them (code points). */
  characters: number;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2). */
  units: number;
  segments: number;
  /** The first character that forced UCS-2. */
  ucs2BecauseOf: string | null;
}

/** The most characters one message may have. */
export const MAX_CHARACTERS = limits.maxBodyChars;

const GSM7_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
    '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM7_EXTENSION = new Set('\f^{}\\[~]|€');

function septets(character: string): number | null {
  if (GSM7_BASIC.has(character)) return 1;
  if (GSM7_EXTENSION.has(character)) return 2;
  return null;
}

function countSegments(sizes: number[], single: number, multi: number): number {
  const total = sizes.reduce((sum, size) => sum + size, 0);
  if (total === 0) return 0;
  if (total <= single) return 1;
  let segments = 1;
  let used = 0;
  for (const size of sizes) {
    if (used + size > multi) {
      segments += 1;
      used = 0;
    }
    used += size;
  }
  return segments;
}

export function countSegmentsOf(text: string): SegmentCount {
  const characters = Array.from(text);
  const ucs2BecauseOf = characters.find((character) => septets(character) === null) ?? null;
  const sizes =
    ucs2BecauseOf === null
      ? characters.map((character) => septets(character) ?? 1)
      : characters.map((character) => character.length);
  const [single, multi] = ucs2BecauseOf === null ? [160, 153] : [70, 67];
  return {
    encoding: ucs2BecauseOf === null ? 'gsm7' : 'ucs2',
    characters: characters.length,
    units: sizes.reduce((sum, size) => sum + size, 0),
    segments: countSegments(sizes, single, multi),
    ucs2BecauseOf,
  };
}
