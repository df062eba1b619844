// Writes emoji-data.json, the emoji picker's data, from the `unicode-emoji-json` package:
// only what the picker shows (each group's name, and each emoji's character and name), so
// the lazily loaded chunk stays a fraction of the package's size. Run it after updating
// the package: `npm run emoji-data`. emoji-data.test.ts fails while the file is stale.
/// <reference types="node" />

import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * @typedef {{ name: string; emojis: { emoji: string; name: string }[] }} SourceGroup
 * @typedef {{ source: string; groups: { name: string; emojis: [string, string][] }[] }} EmojiData
 */

/**
 * The picker's data from the package's `data-by-group.json`.
 * @param {readonly SourceGroup[]} groups
 * @param {string} version the package's version, recorded as the data's source
 * @returns {EmojiData}
 */
export function compactEmojiData(groups, version) {
  return {
    source: `unicode-emoji-json@${version}`,
    groups: groups.map((group) => ({
      name: group.name,
      emojis: group.emojis.map((entry) => /** @type {[string, string]} */ ([entry.emoji, entry.name])),
    })),
  };
}

/** Reads the installed package and returns the data as written to emoji-data.json. */
export function emojiDataFromPackage() {
  const require = createRequire(import.meta.url);
  const read = (/** @type {string} */ path) => JSON.parse(readFileSync(require.resolve(path), 'utf8'));
  const groups = /** @type {SourceGroup[]} */ (read('unicode-emoji-json/data-by-group.json'));
  const { version } = /** @type {{ version: string }} */ (read('unicode-emoji-json/package.json'));
  return compactEmojiData(groups, version);
}

/** One group a line: small, and readable in a diff. */
export function formatEmojiData(/** @type {EmojiData} */ data) {
  const groups = data.groups.map((group) => `    ${JSON.stringify(group)}`).join(',\n');
  return `{\n  "source": ${JSON.stringify(data.source)},\n  "groups": [\n${groups}\n  ]\n}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const target = fileURLToPath(new URL('./emoji-data.json', import.meta.url));
  writeFileSync(target, formatEmojiData(emojiDataFromPackage()));
  console.log(`wrote ${target}`);
}
