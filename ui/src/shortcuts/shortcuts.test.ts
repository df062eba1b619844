import { describe, expect, it } from 'vitest';
import {
  ariaKeyShortcuts,
  globalShortcut,
  isMac,
  isTextEntry,
  positionHint,
  positionKeyShortcuts,
  positionOf,
  shortcutHint,
  shortcuts,
} from './shortcuts';

/** A keydown as the browser sends it, from `target` (the page when none). */
function press(init: KeyboardEventInit, target: HTMLElement = document.body): KeyboardEvent {
  const event = new KeyboardEvent('keydown', { bubbles: true, cancelable: true, ...init });
  Object.defineProperty(event, 'target', { value: target });
  return event;
}

function element(html: string): HTMLElement {
  const host = document.createElement('div');
  host.innerHTML = html;
  return host.firstElementChild as HTMLElement;
}

describe('globalShortcut', () => {
  it('knows every Alt shortcut of the list', () => {
    const expected: Record<string, string> = {
      a: 'accept',
      n: 'nextUnread',
      e: 'end',
      d: 'done',
      r: 'responses',
      m: 'emoji',
      c: 'focusComposer',
      s: 'toggleStatus',
    };
    for (const [letter, action] of Object.entries(expected)) {
      const code = `Key${letter.toUpperCase()}`;
      expect(globalShortcut(press({ key: letter, code, altKey: true }), false)).toBe(action);
      expect(globalShortcut(press({ key: letter.toUpperCase(), code, altKey: true }), false)).toBe(
        action,
      );
    }
    expect(globalShortcut(press({ key: 'x', code: 'KeyX', altKey: true }), false)).toBeNull();
    expect(globalShortcut(press({ key: 'a', code: 'KeyA' }), false)).toBeNull();
  });

  it('reads the letter typed, or the key when ⌥ or the layout turned it into another character', () => {
    // AZERTY: the key typing "a" is where QWERTY has Q.
    expect(globalShortcut(press({ key: 'a', code: 'KeyQ', altKey: true }), false)).toBe('accept');
    // macOS: ⌥A types "å".
    expect(globalShortcut(press({ key: 'å', code: 'KeyA', altKey: true }), true)).toBe('accept');
    // A Cyrillic layout: the key of E types "у".
    expect(globalShortcut(press({ key: 'у', code: 'KeyE', altKey: true }), false)).toBe('end');
  });

  it('leaves AltGr, other modifiers, repeats and handled keys alone', () => {
    const altA = { key: 'a', code: 'KeyA', altKey: true };
    expect(globalShortcut(press({ ...altA, ctrlKey: true }), false)).toBeNull();
    expect(globalShortcut(press({ ...altA, metaKey: true }), false)).toBeNull();
    expect(globalShortcut(press({ ...altA, shiftKey: true }), false)).toBeNull();
    expect(globalShortcut(press({ ...altA, modifierAltGraph: true }), false)).toBeNull();
    expect(globalShortcut(press({ ...altA, repeat: true }), false)).toBeNull();
    expect(globalShortcut(press({ ...altA, isComposing: true }), false)).toBeNull();
    const handled = press(altA);
    handled.preventDefault();
    expect(globalShortcut(handled, false)).toBeNull();
  });

  it('takes "?" outside text fields only', () => {
    expect(globalShortcut(press({ key: '?', shiftKey: true }), false)).toBe('help');
    expect(globalShortcut(press({ key: '?' }, element('<button>Send</button>')), false)).toBe(
      'help',
    );
    for (const html of ['<textarea></textarea>', '<input>', '<input type="search">', '<select></select>']) {
      expect(globalShortcut(press({ key: '?', shiftKey: true }, element(html)), false)).toBeNull();
    }
    expect(globalShortcut(press({ key: '/' }), false)).toBeNull();
  });

  it('takes Alt with a letter in text fields, except on a Mac where ⌥ types characters there', () => {
    const field = element('<textarea></textarea>');
    const altE = { key: 'e', code: 'KeyE', altKey: true };
    expect(globalShortcut(press(altE, field), false)).toBe('end');
    expect(globalShortcut(press({ key: 'Dead', code: 'KeyE', altKey: true }, field), true)).toBeNull();
    expect(globalShortcut(press({ key: 'Dead', code: 'KeyE', altKey: true }), true)).toBe('end');
  });
});

describe('Alt with a digit', () => {
  it('opens the interaction at that place of the list, and Alt+0 the Communication tab', () => {
    for (let digit = 1; digit <= 9; digit += 1) {
      const event = press({ key: String(digit), code: `Digit${digit}`, altKey: true });
      expect(globalShortcut(event, false)).toBe('openInteraction');
      expect(positionOf(event)).toBe(digit);
    }
    const zero = press({ key: '0', code: 'Digit0', altKey: true });
    expect(globalShortcut(zero, false)).toBe('openCommunication');
    expect(positionOf(zero)).toBeNull();
    // Without Alt a digit is typing.
    expect(globalShortcut(press({ key: '1', code: 'Digit1' }), false)).toBeNull();
  });

  it('goes by the key\'s place in the top row, whatever the layout or ⌥ types there', () => {
    // AZERTY: the key of 1 types "&" without Shift.
    const azerty = press({ key: '&', code: 'Digit1', altKey: true });
    expect(globalShortcut(azerty, false)).toBe('openInteraction');
    expect(positionOf(azerty)).toBe(1);
    // macOS: ⌥2 types "™".
    const mac = press({ key: '™', code: 'Digit2', altKey: true });
    expect(globalShortcut(mac, true)).toBe('openInteraction');
    expect(positionOf(mac)).toBe(2);
    expect(globalShortcut(press({ key: 'º', code: 'Digit0', altKey: true }), true)).toBe(
      'openCommunication',
    );
  });

  it('leaves the keypad alone, where Alt with digits types a character on Windows', () => {
    expect(globalShortcut(press({ key: '1', code: 'Numpad1', altKey: true }), false)).toBeNull();
    expect(globalShortcut(press({ key: '0', code: 'Numpad0', altKey: true }), false)).toBeNull();
  });

  it('works in the message field, except on a Mac where ⌥ types characters there', () => {
    const field = element('<textarea></textarea>');
    const altOne = { key: '1', code: 'Digit1', altKey: true };
    expect(globalShortcut(press(altOne, field), false)).toBe('openInteraction');
    expect(globalShortcut(press({ ...altOne, key: '¡' }, field), true)).toBeNull();
    expect(globalShortcut(press({ ...altOne, shiftKey: true }), false)).toBeNull();
  });

  it('is written per place in the list, for the first nine only', () => {
    expect(positionHint(1, false)).toBe('Alt+1');
    expect(positionHint(9, true)).toBe('⌥9');
    expect(positionHint(10, false)).toBeUndefined();
    expect(positionHint(0, false)).toBeUndefined();
    expect(positionKeyShortcuts(3)).toBe('Alt+3');
    expect(positionKeyShortcuts(10)).toBeUndefined();
    expect(shortcutHint('openCommunication', false)).toBe('Alt+0');
    expect(ariaKeyShortcuts('openCommunication', true)).toBe('Alt+0');
  });
});

describe('isTextEntry', () => {
  it('tells fields that take typing from other controls', () => {
    expect(isTextEntry(element('<textarea></textarea>'))).toBe(true);
    expect(isTextEntry(element('<input type="email">'))).toBe(true);
    expect(isTextEntry(element('<select></select>'))).toBe(true);
    const editable = element('<div contenteditable="true"><p>text</p></div>');
    expect(isTextEntry(editable.querySelector('p'))).toBe(true);
    expect(isTextEntry(element('<div contenteditable="false"></div>'))).toBe(false);
    expect(isTextEntry(element('<input type="radio">'))).toBe(false);
    expect(isTextEntry(element('<input type="checkbox">'))).toBe(false);
    expect(isTextEntry(element('<button></button>'))).toBe(false);
    expect(isTextEntry(null)).toBe(false);
  });
});

describe('how shortcuts are written', () => {
  it('says Alt and Ctrl, or ⌥ and ⌘ on a Mac', () => {
    expect(shortcutHint('emoji', false)).toBe('Alt+M');
    expect(shortcutHint('emoji', true)).toBe('⌥M');
    expect(ariaKeyShortcuts('emoji', true)).toBe('Alt+M');
    expect(ariaKeyShortcuts('send', false)).toBe('Enter Control+Enter');
    expect(ariaKeyShortcuts('send', true)).toBe('Enter Meta+Enter');
    expect(ariaKeyShortcuts('help', false)).toBe('Shift+?');
    expect(ariaKeyShortcuts('close', false)).toBe('Escape');
  });

  it('lists each action once', () => {
    const actions = shortcuts.map((shortcut) => shortcut.action);
    expect(new Set(actions).size).toBe(actions.length);
  });

  it('detects a Mac from the platform', () => {
    expect(isMac('MacIntel')).toBe(true);
    expect(isMac('iPad')).toBe(true);
    expect(isMac('Win32')).toBe(false);
    expect(isMac('Linux x86_64')).toBe(false);
    expect(isMac('')).toBe(false);
  });
});
