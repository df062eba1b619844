// The workspace's keyboard shortcuts: what each does, the keys as shown and as announced
// (`aria-keyshortcuts`), and which keystroke is which shortcut.
//
// A shortcut never takes a keystroke that would type something. Alt with a letter types
// nothing on Windows and Linux, so those work everywhere, the message field included, where
// the agent spends most of the time. On macOS ⌥ with a letter types a character (⌥E é,
// ⌥N ñ), so there they work outside text fields only. "?" alone works outside text fields.
// Ctrl+Alt (AltGr on many layouts) is left to typing too. Alt with a digit is read from the
// key's place in the top row, whatever the layout types there (AZERTY "&", macOS "¡"); the
// numeric keypad is left alone, since Alt with keypad digits types a character on Windows.

export type ShortcutAction =
  | 'accept'
  | 'send'
  | 'newLine'
  | 'nextUnread'
  | 'openInteraction'
  | 'openCommunication'
  | 'end'
  | 'done'
  | 'responses'
  | 'emoji'
  | 'focusComposer'
  | 'toggleStatus'
  | 'help'
  | 'close';

/** What the workspace-wide handler answers; the others belong to the composer or a panel. */
export type GlobalAction = Exclude<ShortcutAction, 'send' | 'newLine' | 'close'>;

/** A key as written in the list: a modifier, or the key itself. `Mod` is Ctrl, or ⌘ on a Mac. */
type Key = 'Alt' | 'Mod' | 'Shift' | 'Enter' | 'Esc' | '?' | Uppercase<string>;

export interface Shortcut {
  action: ShortcutAction;
  description: string;
  /** Each way to press it, as keys pressed together. */
  keys: readonly (readonly Key[])[];
}

export const shortcuts: readonly Shortcut[] = [
  { action: 'accept', description: 'Accept the incoming SMS (the top one, when several)', keys: [['Alt', 'A']] },
  { action: 'send', description: 'Send the message', keys: [['Enter'], ['Mod', 'Enter']] },
  { action: 'newLine', description: 'New line in the message', keys: [['Shift', 'Enter']] },
  { action: 'focusComposer', description: 'Go to the message field', keys: [['Alt', 'C']] },
  { action: 'responses', description: 'Standard Responses', keys: [['Alt', 'R']] },
  { action: 'emoji', description: 'Emoji', keys: [['Alt', 'M']] },
  { action: 'nextUnread', description: 'Next contact with unread messages', keys: [['Alt', 'N']] },
  { action: 'openInteraction', description: 'Open the 1st to 9th interaction in the list', keys: [['Alt', '1–9']] },
  { action: 'openCommunication', description: 'Open the Communication tab', keys: [['Alt', '0']] },
  { action: 'end', description: 'End the chat in view', keys: [['Alt', 'E']] },
  { action: 'done', description: 'Mark the interaction in view Done', keys: [['Alt', 'D']] },
  { action: 'toggleStatus', description: 'Switch between Ready and Not Ready', keys: [['Alt', 'S']] },
  { action: 'help', description: 'Show the keyboard shortcuts', keys: [['?']] },
  { action: 'close', description: 'Close a panel or this list', keys: [['Esc']] },
];

/** How many interactions of the list have a shortcut: Alt+1 to Alt+9. */
export const numberedInteractions = 9;

/** Alt + one key → action, from the list above (Alt+1–9 is read apart, by `positionOf`). */
const altKeys = new Map<string, GlobalAction>(
  shortcuts.flatMap((shortcut) =>
    shortcut.keys
      .filter((keys) => keys.length === 2 && keys[0] === 'Alt' && String(keys[1]).length === 1)
      .map((keys) => [String(keys[1]).toLowerCase(), shortcut.action as GlobalAction] as const),
  ),
);

/** Whether the app runs on a Mac (⌥ and ⌘ rather than Alt and Ctrl). */
export function isMac(platform: string = globalThis.navigator?.platform ?? ''): boolean {
  return /^(Mac|iPhone|iPad|iPod)/i.test(platform);
}

/** How a key is shown in the list. */
export function keyLabel(key: Key, mac: boolean): string {
  switch (key) {
    case 'Alt':
      return mac ? '⌥' : 'Alt';
    case 'Mod':
      return mac ? '⌘' : 'Ctrl';
    case 'Shift':
      return mac ? '⇧' : 'Shift';
    default:
      return key;
  }
}

function find(action: ShortcutAction): Shortcut {
  const shortcut = shortcuts.find((candidate) => candidate.action === action);
  if (!shortcut) throw new Error(`no shortcut for ${action}`);
  return shortcut;
}

/** The first way to press a shortcut, for a tooltip: "Alt+M", or "⌥M" on a Mac. */
export function shortcutHint(action: ShortcutAction, mac: boolean): string {
  const keys = find(action).keys[0] ?? [];
  return keys.map((key) => keyLabel(key, mac)).join(mac ? '' : '+');
}

/** The tooltip hint of the interaction at `position` (from 1) of the list: "Alt+2", or "⌥2". */
export function positionHint(position: number, mac: boolean): string | undefined {
  if (!hasShortcut(position)) return undefined;
  return mac ? `⌥${position}` : `Alt+${position}`;
}

/** The `aria-keyshortcuts` value of the interaction at `position` (from 1) of the list. */
export function positionKeyShortcuts(position: number): string | undefined {
  return hasShortcut(position) ? `Alt+${position}` : undefined;
}

function hasShortcut(position: number): boolean {
  return Number.isInteger(position) && position >= 1 && position <= numberedInteractions;
}

/** The `aria-keyshortcuts` value: every way to press it, with the names ARIA uses. */
export function ariaKeyShortcuts(action: ShortcutAction, mac: boolean): string {
  return find(action)
    .keys.map((keys) =>
      keys
        .map((key) => {
          if (key === 'Mod') return mac ? 'Meta' : 'Control';
          if (key === 'Esc') return 'Escape';
          return key;
        })
        .join('+'),
    )
    .map((keys) => (keys === '?' ? 'Shift+?' : keys))
    .join(' ');
}

const notTyped = new Set([
  'button',
  'checkbox',
  'color',
  'file',
  'hidden',
  'image',
  'radio',
  'range',
  'reset',
  'submit',
]);

/** Whether keys pressed in `target` type text (or choose by typing, as a select does). */
export function isTextEntry(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) return !notTyped.has(target.type);
  return target.closest('[contenteditable]:not([contenteditable="false"])') !== null;
}

/**
 * The key of an Alt combination: the letter typed, or the key's place when ⌥ or the layout
 * changed it; a digit by its place in the top row.
 */
function keyOf(event: KeyboardEvent): string {
  const digit = /^Digit(\d)$/.exec(event.code)?.[1];
  if (digit !== undefined) return digit;
  // A keystroke that does not say where its key is (synthetic ones) goes by what it typed.
  if (event.code === '' && /^\d$/.test(event.key)) return event.key;
  if (/^[a-z]$/i.test(event.key)) return event.key.toLowerCase();
  return /^Key([A-Z])$/.exec(event.code)?.[1]?.toLowerCase() ?? '';
}

/** Which interaction of the list an `openInteraction` keystroke opens, from 1; else `null`. */
export function positionOf(event: KeyboardEvent): number | null {
  const key = keyOf(event);
  return /^\d$/.test(key) && hasShortcut(Number(key)) ? Number(key) : null;
}

/** The workspace shortcut a keystroke is, if any. */
export function globalShortcut(event: KeyboardEvent, mac: boolean): GlobalAction | null {
  if (event.defaultPrevented || event.isComposing || event.repeat) return null;
  if (event.ctrlKey || event.metaKey) return null;
  const typing = isTextEntry(event.target);
  if (event.altKey) {
    if (event.shiftKey || event.getModifierState('AltGraph')) return null;
    if (mac && typing) return null;
    if (positionOf(event) !== null) return 'openInteraction';
    return altKeys.get(keyOf(event)) ?? null;
  }
  if (event.key === '?' && !typing) return 'help';
  return null;
}
